import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { rankingAnswer } from '../answers';
import { rankByScore, riskFacts } from '../fallback';
import { ask, type Outcome } from '../provider';
import { identity, itemProperties, limitProperties, outgoing, provenance, settings, subject } from './common';

const MAX_ITEMS = 200;

const TASK = [
	'Rank these purchase orders by how likely they are to hurt customer commitments, highest risk first,',
	'weighing sales demand at risk, stock shortage and supplier delays. Every id appears exactly once.',
	'Do not recommend approving, rejecting or changing anything.',
	'Answer as {"ranking": [{"id": "<id>", "reasons": ["<short reason>", ...]}, ...]}.',
].join(' ');

export const description = updateDisplayOptions({ show: { operation: ['rank'] } }, [
	...itemProperties,
	...limitProperties,
] as INodeProperties[]);

/** A ranking that leaves out, repeats or invents an id is not a ranking of these items. */
function checkIds(outcome: Outcome<{ ranking: Array<{ id: string; reasons: string[] }> }>, ids: string[]) {
	if (!outcome.ok) return outcome;
	const ranked = outcome.answer.ranking.map((entry) => entry.id);
	const same = ranked.length === ids.length && new Set(ranked).size === ids.length && ranked.every((id) => ids.includes(id));
	if (same) return outcome;
	return {
		ok: false as const,
		reason: 'schema_violation' as const,
		detail: `the ranking does not list each of the ${ids.length} ids exactly once`,
		promptHash: outcome.promptHash,
		durationMs: outcome.durationMs,
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = await settings(this);
	const items = this.getInputData();
	const entries = items.map((item, index) => {
		const data = subject(item);
		return { item, data, who: identity(data, options, index), fields: outgoing(data, options) };
	});
	// Ids must be unique for the answer to point at one item each.
	const ids = entries.map((entry, index) =>
		entries.findIndex((other) => other.who.id === entry.who.id) === index ? entry.who.id : `item-${index + 1}`,
	);
	const deterministic = rankByScore(entries.map((entry, index) => ({ id: ids[index], facts: riskFacts(entry.data) })));
	const payload = { items: entries.map((entry, index) => ({ id: ids[index], ...(entry.fields as object) })) };
	const outcome =
		items.length > MAX_ITEMS
			? null
			: checkIds(await ask(this, options.credentials, TASK, payload, rankingAnswer, options.limits), ids);
	const order = outcome?.ok
		? outcome.answer.ranking.map((entry) => ({ index: ids.indexOf(entry.id), reasons: entry.reasons }))
		: deterministic.map((scored) => ({ index: scored.index, reasons: scored.reasons }));
	const tooMany = {
		ok: false as const,
		reason: 'token_budget' as const,
		detail: `more than ${MAX_ITEMS} items in one ranking`,
		promptHash: '',
		durationMs: 0,
	};
	const source = provenance(outcome ?? tooMany, options);
	return [
		order.map(({ index, reasons }, position) => {
			const scored = deterministic.find((entry) => entry.index === index)!;
			return {
				json: {
					rank: position + 1,
					...entries[index].who,
					reasons,
					score: scored.score,
					deterministic_rank: deterministic.indexOf(scored) + 1,
					...source,
					item: entries[index].item.json,
				},
				pairedItem: { item: index },
			};
		}),
	];
}
