import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import * as classify from './actions/classify.operation';
import * as postSummary from './actions/postSummary.operation';
import * as rank from './actions/rank.operation';
import * as summarise from './actions/summarise.operation';
import { AI_CREDENTIAL_TYPE } from './provider';

const operations = { summarise, classify, rank, postSummary };

export class AiSummariser implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Summariser',
		name: 'aiSummariser',
		icon: {
			light: 'file:../shared/icons/distributionGovernance.svg',
			dark: 'file:../shared/icons/distributionGovernance.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Summarises, classifies and ranks governance items with an OpenAI-compatible model, with a deterministic fallback; it never decides',
		defaults: { name: 'AI Summariser' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: AI_CREDENTIAL_TYPE,
				required: true,
				displayOptions: { show: { operation: ['summarise', 'classify', 'rank'] } },
			},
			{ name: ODOO_CREDENTIAL_TYPE, required: true, displayOptions: { show: { operation: ['postSummary'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Summarise',
						value: 'summarise',
						action: 'Summarise items for approvers',
						description: 'One short summary per item, for the people who review it',
					},
					{
						name: 'Classify',
						value: 'classify',
						action: 'Classify items into labels',
						description: 'One of your labels per item, with a confidence',
					},
					{
						name: 'Rank',
						value: 'rank',
						action: 'Rank purchase orders by risk',
						description: 'All items ordered by the risk they pose to customer commitments, with reasons',
					},
					{
						name: 'Post Summary to Odoo',
						value: 'postSummary',
						action: 'Post a summary as a note in odoo',
						description: 'Add the summary to its document\'s chatter, marked with its source, model and prompt hash',
					},
				],
				default: 'summarise',
			},
			...summarise.description,
			...classify.description,
			...rank.description,
			...postSummary.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		return await operations[operation].execute.call(this);
	}
}
