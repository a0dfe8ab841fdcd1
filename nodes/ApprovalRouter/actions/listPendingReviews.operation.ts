import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Approver',
		name: 'actor',
		type: 'string',
		default: '',
		placeholder: 'anna@acme.example',
		description:
			'Only reviews this person may decide (their own or as an active delegate); empty lists every pending review',
	},
	{
		displayName: 'Document Model',
		name: 'documentModel',
		type: 'string',
		default: '',
		placeholder: 'purchase.order',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 50,
		description: 'Max number of results to return',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['listPendingReviews'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const output = await forEachItem(this, async (itemIndex) => {
		const params: IDataObject = { limit: this.getNodeParameter('limit', itemIndex) as number };
		const actor = String(this.getNodeParameter('actor', itemIndex, '')).trim();
		const documentModel = String(this.getNodeParameter('documentModel', itemIndex, '')).trim();
		if (actor) params.actor = actor;
		if (documentModel) params.document_model = documentModel;
		const { reviews } = await callGovernanceApi(this, 'list_pending_reviews', params, itemIndex);
		return reviews.map((review) => ({ json: review as IDataObject, pairedItem: { item: itemIndex } }));
	});
	return [output];
}
