import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import * as reportAutomationFailure from './actions/reportAutomationFailure.operation';
import * as rerunCrashedExecution from './actions/rerunCrashedExecution.operation';

const operations = { reportAutomationFailure, rerunCrashedExecution };

export class GovernanceException implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Governance Exception',
		name: 'governanceException',
		icon: {
			light: 'file:../shared/icons/distributionGovernance.svg',
			dark: 'file:../shared/icons/distributionGovernance.dark.svg',
		},
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Raises exceptions in Odoo\'s governance queue, such as a failed n8n execution, and reruns the event of a crashed one',
		defaults: { name: 'Governance Exception' },
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
						name: 'Report Automation Failure',
						value: 'reportAutomationFailure',
						action: 'Report a failed execution to odoo',
						description:
							'One technical exception in Odoo per failed execution, from the Error Trigger\'s output',
					},
					{
						name: 'Rerun Crashed Execution',
						value: 'rerunCrashedExecution',
						action: 'Run a crashed execution s event again',
						description:
							'Odoo delivers the governance event of an execution n8n marked crashed (its worker died) again, so it runs once more',
					},
				],
				default: 'reportAutomationFailure',
			},
			...reportAutomationFailure.description,
			...rerunCrashedExecution.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		return await operations[operation].execute.call(this);
	}
}
