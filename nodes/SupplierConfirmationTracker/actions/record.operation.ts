import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { canonicalJson } from '../../shared/canonicalJson';
import { failedItem, withItemIndex } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';

/** Output order of Record in Odoo; the node's outputs carry the same names. */
export const ROUTES = ['on_time', 'date_changed', 'overdue', 'rejected'] as const;

const FIELDS = [
	'purchase_order',
	'status',
	'source',
	'received_at',
	'supplier_reference',
	'promised_date',
	'lines',
	'reason',
	'raw_message',
	'raw_filename',
] as const;

const properties: INodeProperties[] = [
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		description:
			'8–200 characters naming this one supplier message; empty derives it from the message itself, so the same message delivered twice is recorded once',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['record'] } }, properties);

/** The key of a normalised update: the same message always gives the same key. */
export function updateKey(update: IDataObject): string {
	const content: IDataObject = {};
	for (const field of FIELDS) if (update[field] !== undefined) content[field] = update[field];
	return 'sct-' + createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 48);
}

function paramsOf(context: IExecuteFunctions, update: IDataObject, itemIndex: number): IDataObject {
	if (typeof update.purchase_order !== 'string' || typeof update.status !== 'string' || typeof update.source !== 'string') {
		throw new NodeOperationError(context.getNode(), 'The item is not a normalised supplier update (purchase_order, status, source)', {
			itemIndex,
			description: 'Put the Normalise operation of this node before Record in Odoo',
		});
	}
	const params: IDataObject = {};
	for (const field of FIELDS) {
		const value = update[field];
		if (value === undefined || value === null || value === '') continue;
		if (field === 'lines' && Array.isArray(value) && value.length === 0) continue;
		params[field] = value;
	}
	const given = String(context.getNodeParameter('idempotencyKey', itemIndex, '')).trim();
	if (given && (given.length < 8 || given.length > 200)) {
		throw new NodeOperationError(context.getNode(), 'Idempotency Key must have 8 to 200 characters', { itemIndex });
	}
	params.idempotency_key = given || updateKey(params);
	return params;
}

/** Each update goes to the output of Odoo's outcome: on time, date changed, overdue or rejected. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = ROUTES.map(() => []);
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const params = paramsOf(this, items[itemIndex].json, itemIndex);
			const answer = await callGovernanceApi(this, 'record_supplier_confirmation', params, itemIndex);
			const json: IDataObject = {
				...(answer as IDataObject),
				source: params.source as string,
				supplier_reference: (params.supplier_reference as string) ?? '',
				idempotency_key: params.idempotency_key as string,
			};
			if (Array.isArray(items[itemIndex].json.warnings)) json.warnings = items[itemIndex].json.warnings;
			outputs[ROUTES.indexOf(answer.outcome)].push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!this.continueOnFail()) throw withItemIndex(this, error, itemIndex);
			outputs[0].push(failedItem(error as Error, itemIndex));
		}
	}
	return outputs;
}
