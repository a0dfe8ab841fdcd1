import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { withItemIndex, failedItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';
import { cut } from '../../shared/text';

const properties: INodeProperties[] = [
	{
		displayName: 'Tracking Reference',
		name: 'trackingReference',
		type: 'string',
		default: '={{ $json.tracking_reference }}',
		description: "The carrier's tracking number, as Odoo keeps it on the delivery (case does not matter)",
	},
	{
		displayName: 'Origin',
		name: 'origin',
		type: 'string',
		default: '={{ $json.shipment_reference }}',
		description:
			"Or the delivery's source document, e.g. the sales order S00051; used when no tracking reference is given",
	},
];

export const description = updateDisplayOptions({ show: { operation: ['findDeliveries'] } }, properties);

/**
 * Reconciles each item with Odoo's deliveries. Output 1 (Matched): one item per delivery found,
 * the input under its own keys plus `delivery`; output 2 (No Match): the items no delivery
 * matches, unchanged, so they can become exceptions rather than silence.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const matched: INodeExecutionData[] = [];
	const unmatched: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const trackingReference = cut(this.getNodeParameter('trackingReference', itemIndex, ''), 128);
			const origin = cut(this.getNodeParameter('origin', itemIndex, ''), 128);
			const params: IDataObject = trackingReference ? { tracking_reference: trackingReference } : { origin };
			const found =
				trackingReference || origin
					? (await callGovernanceApi(this, 'find_deliveries', params, itemIndex)).deliveries
					: [];
			if (!found.length)
				unmatched.push({
					json: items[itemIndex].json,
					pairedItem: { item: itemIndex },
				});
			for (const delivery of found) {
				matched.push({
					json: { ...items[itemIndex].json, delivery: delivery as IDataObject },
					pairedItem: { item: itemIndex },
				});
			}
		} catch (error) {
			if (!this.continueOnFail()) throw withItemIndex(this, error, itemIndex);
			matched.push(failedItem(error as Error, itemIndex));
		}
	}
	return [matched, unmatched];
}
