import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import * as decide from './actions/decide.operation';
import * as listPendingReviews from './actions/listPendingReviews.operation';
import * as route from './actions/route.operation';

const operations = { route, decide, listPendingReviews };

export class ApprovalRouter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Approval Router',
		name: 'approvalRouter',
		icon: {
			light: 'file:../shared/icons/distributionGovernance.svg',
			dark: 'file:../shared/icons/distributionGovernance.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Routes governed documents to auto-approve, needs approval, blocked or hold, and writes approvers\' decisions back to Odoo',
		defaults: { name: 'Approval Router' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Route has one output per outcome, in the order of ROUTES; the other operations one.
		outputs: `={{ ($parameter.operation ?? "route") === "route" ? [{ type: "${NodeConnectionTypes.Main}", displayName: "Auto-Approve" }, { type: "${NodeConnectionTypes.Main}", displayName: "Needs Approval" }, { type: "${NodeConnectionTypes.Main}", displayName: "Blocked" }, { type: "${NodeConnectionTypes.Main}", displayName: "Hold" }] : ["${NodeConnectionTypes.Main}"] }}`,
		credentials: [{ name: ODOO_CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Route',
						value: 'route',
						action: 'Route items by approval outcome',
						description: 'Send each item to auto-approve, needs approval, blocked or hold',
					},
					{
						name: 'Record Decision',
						value: 'decide',
						action: 'Record an approver decision in odoo',
						description: 'Write an approver\'s decision on a review back to Odoo and return Odoo\'s answer',
					},
					{
						name: 'List Pending Reviews',
						value: 'listPendingReviews',
						action: 'List pending reviews',
						description: 'Reviews waiting for a decision, oldest due first',
					},
				],
				default: 'route',
			},
			...route.description,
			...decide.description,
			...listPendingReviews.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		return await operations[operation].execute.call(this);
	}
}
