import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { callGovernanceApi } from '../../shared/transport';

const MAX_ORDERS = 10000;

const properties: INodeProperties[] = [
	{
		displayName: 'Product Category IDs',
		name: 'categoryIds',
		type: 'string',
		default: '',
		placeholder: '12, 15',
		description:
			'Comma-separated Odoo product category IDs (their subcategories included) whose lines make an order count; empty: every category',
	},
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 200,
		description: 'Orders Odoo computes per call; the node calls until every open order is read',
	},
	{
		displayName: 'Max Orders',
		name: 'maxOrders',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_ORDERS },
		default: 1000,
		description: 'Stop after this many orders',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['listOpenOrders'] } }, properties);

/** One item per open purchase order with its delay, shortage and demand-at-risk inputs. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const raw = String(this.getNodeParameter('categoryIds', 0, '')).trim();
	const categoryIds = raw ? raw.split(',').map((part) => Number(part.trim())) : [];
	if (categoryIds.some((id) => !Number.isSafeInteger(id) || id < 1) || categoryIds.length > 200) {
		throw new NodeOperationError(this.getNode(), 'Product Category IDs must be up to 200 positive integers');
	}
	const batchSize = Number(this.getNodeParameter('batchSize', 0, 200));
	const maxOrders = Number(this.getNodeParameter('maxOrders', 0, 1000));
	const output: INodeExecutionData[] = [];
	// Keyset paging: each page starts after the last order id of the one before.
	let afterId = 0;
	for (;;) {
		const params: IDataObject = { limit: Math.min(batchSize, maxOrders - output.length), after_id: afterId };
		if (categoryIds.length) params.category_ids = categoryIds;
		const page = await callGovernanceApi(this, 'purchase_risk_inputs', params);
		for (const order of page.orders) output.push({ json: order as IDataObject, pairedItem: { item: 0 } });
		if (!page.has_more || output.length >= maxOrders) break;
		afterId = page.next_after_id as number;
	}
	return [output];
}
