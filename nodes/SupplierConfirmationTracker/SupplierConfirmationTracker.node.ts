import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import * as listOverdue from './actions/listOverdue.operation';
import * as normalise from './actions/normalise.operation';
import * as record from './actions/record.operation';

const operations = { normalise, record, listOverdue };
const main = NodeConnectionTypes.Main;

export class SupplierConfirmationTracker implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Supplier Confirmation Tracker',
		name: 'supplierConfirmationTracker',
		icon: {
			light: 'file:supplierConfirmationTracker.svg',
			dark: 'file:supplierConfirmationTracker.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Reads supplier confirmations and date changes (portal JSON, X12 855, e-mail), records them in Odoo and routes on time, date changed, overdue or rejected',
		defaults: { name: 'Supplier Confirmation Tracker' },
		usableAsTool: true,
		inputs: [main],
		// Normalise: read or unreadable; Record in Odoo: one output per outcome (record.operation ROUTES).
		outputs: `={{ ($parameter.operation ?? "normalise") === "normalise" ? [{ type: "${main}", displayName: "Normalised" }, { type: "${main}", displayName: "Unreadable" }] : ($parameter.operation === "record" ? [{ type: "${main}", displayName: "On Time" }, { type: "${main}", displayName: "Date Changed" }, { type: "${main}", displayName: "Overdue" }, { type: "${main}", displayName: "Rejected" }] : ["${main}"]) }}`,
		credentials: [
			{ name: ODOO_CREDENTIAL_TYPE, required: true, displayOptions: { show: { operation: ['record', 'listOverdue'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Normalise',
						value: 'normalise',
						action: 'Normalise a supplier update',
						description: 'Turn a portal message, an X12 855 or a supplier e-mail into one normalised update',
					},
					{
						name: 'Record in Odoo',
						value: 'record',
						action: 'Record a supplier update in odoo',
						description: 'Write normalised updates to Odoo and route them by outcome',
					},
					{
						name: 'List Overdue',
						value: 'listOverdue',
						action: 'List overdue supplier confirmations',
						description: 'Orders whose supplier has not confirmed within the window',
					},
				],
				default: 'normalise',
			},
			...normalise.description,
			...record.description,
			...listOverdue.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		return await operations[operation].execute.call(this);
	}
}
