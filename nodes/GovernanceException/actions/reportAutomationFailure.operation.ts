import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Exception Type',
		name: 'exceptionType',
		type: 'string',
		default: 'automation_failure',
		description: 'Code of the Odoo exception type; its owner and SLA apply to the exception',
	},
	{
		displayName: 'Severity',
		name: 'severity',
		type: 'options',
		options: [
			{ name: 'Low', value: 'low' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'High', value: 'high' },
			{ name: 'Critical', value: 'critical' },
		],
		default: 'high',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['reportAutomationFailure'] } }, properties);

const cut = (value: unknown, max: number) => {
	const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/**
 * Turns what n8n's Error Trigger emits into one technical exception in Odoo. Odoo keeps one
 * exception per failed execution (workflow id + execution id), so a repeated report changes
 * nothing. When the failure happened before an execution existed (a trigger that could not
 * start), this report's own execution id stands in for it.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output = await forEachItem(this, async (itemIndex) => {
		const json = items[itemIndex].json;
		const workflow = (json.workflow ?? {}) as IDataObject;
		const execution = (json.execution ?? json.trigger) as IDataObject | undefined;
		if (!workflow.id || !execution) {
			throw new NodeOperationError(
				this.getNode(),
				'The item is not from an Error Trigger (it has no workflow.id and execution)',
				{ itemIndex },
			);
		}
		const error = (execution.error ?? {}) as IDataObject;
		const errorNode = (error.node ?? {}) as IDataObject;
		const node = cut(execution.lastNodeExecuted ?? errorNode.name, 200);
		const executionId = cut(execution.id ?? `trigger-${this.getExecutionId()}`, 100);
		const message = cut(error.message || error.description || 'unknown error', 4000);
		const workflowName = cut(workflow.name, 200);
		const automation: IDataObject = {
			workflow_id: cut(workflow.id, 100),
			workflow_name: workflowName,
			node,
			execution_id: executionId,
			execution_url: cut(execution.url, 1000),
			error_message: message,
			trigger: cut(
				[`mode ${String(execution.mode ?? 'unknown')}`, execution.retryOf ? `retry of ${String(execution.retryOf)}` : '']
					.filter(Boolean)
					.join(', '),
				4000,
			),
		};
		const details = [error.description, error.stack].filter(Boolean).map((part) => cut(part, 4000));
		const params: IDataObject = {
			exception_type: String(this.getNodeParameter('exceptionType', itemIndex)).trim() || 'automation_failure',
			category: 'technical',
			severity: this.getNodeParameter('severity', itemIndex),
			summary: cut(`${workflowName || automation.workflow_id}: ${node || 'a node'} failed: ${message}`, 200),
			automation,
			idempotency_key: cut(`n8n-failure:${String(automation.workflow_id)}:${executionId}`, 200),
		};
		if (details.length) params.details = cut(details.join('\n\n'), 8000);
		const answer = await callGovernanceApi(this, 'raise_exception', params, itemIndex);
		return [{ json: { ...(answer as IDataObject), automation }, pairedItem: { item: itemIndex } }];
	});
	return [output];
}
