import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { classificationAnswer } from '../answers';
import { classifyByRules, type KeywordRule } from '../fallback';
import { ask, mapLimited } from '../provider';
import { identity, itemProperties, limitProperties, outgoing, provenance, settings, subject } from './common';

const MAX_LABELS = 30;

const properties: INodeProperties[] = [
	{
		displayName: 'Labels',
		name: 'labels',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'supplier delay, price variance, quality, other',
		description: 'Comma-separated labels; every item gets exactly one of them',
	},
	{
		displayName: 'Fallback Rules',
		name: 'rules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Rule',
		description:
			'Used when the AI is unavailable: the first rule with a keyword found in the sent fields gives the label',
		options: [
			{
				displayName: 'Rule',
				name: 'rule',
				values: [
					{ displayName: 'Label', name: 'label', type: 'string', default: '' },
					{
						displayName: 'Keywords',
						name: 'keywords',
						type: 'string',
						default: '',
						description: 'Comma-separated, case-insensitive',
					},
				],
			},
		],
	},
	{
		displayName: 'Default Label',
		name: 'defaultLabel',
		type: 'string',
		default: '',
		description: 'Label of the fallback when no rule matches; empty: the last label',
	},
	...itemProperties,
	...limitProperties,
];

export const description = updateDisplayOptions({ show: { operation: ['classify'] } }, properties);

const list = (text: unknown) =>
	String(text ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = await settings(this);
	const labels = [...new Set(list(this.getNodeParameter('labels', 0)))];
	if (labels.length < 2 || labels.length > MAX_LABELS || labels.some((label) => label.length > 100)) {
		throw new NodeOperationError(this.getNode(), `Labels: give 2 to ${MAX_LABELS} labels of at most 100 characters`);
	}
	const rules: KeywordRule[] = (
		((this.getNodeParameter('rules', 0, {}) as IDataObject).rule as IDataObject[] | undefined) ?? []
	).map((rule) => ({ label: String(rule.label ?? '').trim(), keywords: list(rule.keywords) }));
	const defaultLabel = String(this.getNodeParameter('defaultLabel', 0, '')).trim() || labels[labels.length - 1];
	const unknown = [...rules.map((rule) => rule.label), defaultLabel].find((label) => !labels.includes(label));
	if (unknown !== undefined) {
		throw new NodeOperationError(this.getNode(), `"${unknown}" is used by a fallback rule but is not one of the Labels`);
	}
	const task = [
		`Classify this governance item into exactly one of these labels: ${JSON.stringify(labels)}.`,
		'Answer as {"label": "<one label>", "confidence": <0..1>, "reason": "<one sentence>"}.',
	].join(' ');
	const schema = classificationAnswer(labels);
	const items = this.getInputData();
	const output = await mapLimited(items, options.concurrency, async (item, index) => {
		const data = subject(item);
		const fields = outgoing(data, options);
		const outcome = await ask(this, options.credentials, task, fields, schema, options.limits);
		const result = outcome.ok ? outcome.answer : classifyByRules(fields, rules, defaultLabel);
		return {
			json: { ...identity(data, options, index), ...result, ...provenance(outcome, options), item: item.json },
			pairedItem: { item: index },
		};
	});
	return [output];
}
