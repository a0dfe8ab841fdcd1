import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 50,
		description: 'Max number of results to return',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['listOverdue'] } }, properties);

/** Confirmations whose window closed with no answer, oldest due first, one item each. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const output = await forEachItem(this, async (itemIndex) => {
		const limit = Number(this.getNodeParameter('limit', itemIndex));
		const { confirmations } = await callGovernanceApi(this, 'list_overdue_supplier_confirmations', { limit }, itemIndex);
		return confirmations.map((row) => ({ json: row as IDataObject, pairedItem: { item: itemIndex } }));
	});
	return [output];
}
