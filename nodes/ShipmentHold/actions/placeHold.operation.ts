import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';
import { cut } from '../../shared/text';

const properties: INodeProperties[] = [
	{
		displayName: 'Delivery ID',
		name: 'deliveryId',
		type: 'string',
		default: '={{ $json.delivery.id }}',
		description: 'The Odoo delivery (stock.picking) to hold, e.g. from Find Deliveries',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'options',
		options: [
			{ name: 'Carrier Exception', value: 'carrier_exception' },
			{ name: 'Credit', value: 'credit' },
			{ name: 'Quality', value: 'quality' },
		],
		default: 'carrier_exception',
	},
	{
		displayName: 'Summary',
		name: 'summary',
		type: 'string',
		default:
			'={{ "Carrier " + $json.carrier + " reports " + $json.status + ($json.exception_code ? " (" + $json.exception_code + ")" : "") + ($json.description ? ": " + $json.description : "") }}',
		description: 'One line for the reviewers, at most 500 characters',
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '={{ "carrier-hold:" + $json.event_id + ":" + $json.delivery.id }}',
		description: 'The same key places the hold once, however often the carrier or n8n repeats the event',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['placeHold'] } }, properties);

/**
 * Puts the delivery on hold in Odoo (place_shipment_hold). Odoo refuses its validation until a
 * reviewer releases the hold or cancels the delivery; n8n never releases. The carrier event of the
 * item goes along as evidence. Output: the input plus `hold` (Odoo's answer).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output = await forEachItem(this, async (itemIndex) => {
		const json = items[itemIndex].json;
		const deliveryId = Number(this.getNodeParameter('deliveryId', itemIndex));
		if (!Number.isSafeInteger(deliveryId) || deliveryId < 1) {
			throw new NodeOperationError(this.getNode(), 'Delivery ID must be a positive integer', { itemIndex });
		}
		const reason = this.getNodeParameter('reason', itemIndex) as string;
		const params: IDataObject = {
			delivery_id: deliveryId,
			reason,
			summary: cut(this.getNodeParameter('summary', itemIndex), 500) || 'Held from n8n',
			idempotency_key: cut(this.getNodeParameter('idempotencyKey', itemIndex), 200),
		};
		if (reason === 'carrier_exception' && json.tracking_reference) {
			params.carrier_event = {
				carrier: cut(json.carrier, 64),
				tracking_reference: cut(json.tracking_reference, 128),
				status: cut(json.status, 64),
				event_id: cut(json.event_id, 200),
				occurred_at: cut(json.occurred_at, 64),
			};
			if (json.raw) params.details = JSON.stringify(json.raw).slice(0, 20000);
		}
		const hold = await callGovernanceApi(this, 'place_shipment_hold', params, itemIndex);
		return [
			{
				json: { ...json, hold: hold as IDataObject },
				pairedItem: { item: itemIndex },
			},
		];
	});
	return [output];
}
