import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';
import { cut } from '../../shared/text';

const properties: INodeProperties[] = [
	{
		displayName: 'Severity',
		name: 'severity',
		type: 'options',
		options: [
			{ name: 'Low', value: 'low' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'High', value: 'high' },
		],
		default: 'medium',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['reportUnmatchedEvent'] } }, properties);

/**
 * A verified carrier event that no Odoo delivery matches becomes a business exception of type
 * carrier_event_unmatched (once per event id), so someone finds the parcel or fixes the reference.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output = await forEachItem(this, async (itemIndex) => {
		const json = items[itemIndex].json;
		const params: IDataObject = {
			exception_type: 'carrier_event_unmatched',
			category: 'business',
			severity: this.getNodeParameter('severity', itemIndex),
			summary: cut(
				`Carrier ${cut(json.carrier, 64)} event ${cut(json.status, 64)} for ${cut(json.tracking_reference, 128)}: no delivery in Odoo has this tracking reference`,
				500,
			),
			details: JSON.stringify(json.raw ?? json).slice(0, 20000),
			idempotency_key: cut(`carrier-unmatched:${cut(json.event_id, 150)}`, 200),
		};
		const exception = await callGovernanceApi(this, 'raise_exception', params, itemIndex);
		return [
			{
				json: { ...json, exception: exception as IDataObject },
				pairedItem: { item: itemIndex },
			},
		];
	});
	return [output];
}
