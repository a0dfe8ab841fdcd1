import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import * as listOpenOrders from './actions/listOpenOrders.operation';

const operations = { listOpenOrders };

export class PurchaseRisk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Purchase Risk',
		name: 'purchaseRisk',
		icon: {
			light: 'file:../shared/icons/distributionGovernance.svg',
			dark: 'file:../shared/icons/distributionGovernance.dark.svg',
		},
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Reads from Odoo the risk inputs of open purchase orders: supplier delays, stock shortage and the sales demand at risk',
		defaults: { name: 'Purchase Risk' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: ODOO_CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'List Open Orders',
						value: 'listOpenOrders',
						action: 'List open purchase orders with their risk inputs',
						description: 'One item per open purchase order with lines in the chosen categories',
					},
				],
				default: 'listOpenOrders',
			},
			...listOpenOrders.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		return await operations[operation].execute.call(this);
	}
}
