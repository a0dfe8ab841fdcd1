import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { summaryAnswer } from '../answers';
import { summaryFromFields } from '../fallback';
import { ask, mapLimited } from '../provider';
import { identity, itemProperties, limitProperties, outgoing, provenance, settings, subject } from './common';

const TASK = [
	'Summarise this governance item for the person who must review it, in at most three sentences:',
	'what it is, what stands out, what to look at. Do not recommend a decision.',
	'Answer as {"summary": "<text>"}.',
].join(' ');

export const description = updateDisplayOptions({ show: { operation: ['summarise'] } }, [
	...itemProperties,
	...limitProperties,
] as INodeProperties[]);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = await settings(this);
	const items = this.getInputData();
	const output = await mapLimited(items, options.concurrency, async (item, index) => {
		const data = subject(item);
		const fields = outgoing(data, options);
		const who = identity(data, options, index);
		const outcome = await ask(this, options.credentials, TASK, fields, summaryAnswer, options.limits);
		const summary = outcome.ok ? outcome.answer.summary : summaryFromFields(who.name, fields);
		return {
			json: { ...who, summary, ...provenance(outcome, options), item: item.json },
			pairedItem: { item: index },
		};
	});
	return [output];
}
