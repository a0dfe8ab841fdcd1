import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { callGovernanceApi } from '../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Only Escalated',
		name: 'onlyEscalated',
		type: 'boolean',
		default: false,
		description: 'Whether to list only late shipments already escalated past their SLA',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 50,
		description: 'Max number of results to return',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['listLateShipments'] } }, properties);

/** One item per transfer flagged late and not yet done, oldest scheduled first. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const params: IDataObject = {
		limit: Number(this.getNodeParameter('limit', 0, 50)),
	};
	if (this.getNodeParameter('onlyEscalated', 0, false)) params.state = 'escalated';
	const answer = await callGovernanceApi(this, 'list_late_shipments', params);
	return [
		answer.late_shipments.map((row) => ({
			json: row as IDataObject,
			pairedItem: { item: 0 },
		})),
	];
}
