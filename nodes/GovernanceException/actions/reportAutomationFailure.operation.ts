import { createHash } from 'crypto';
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

const isEvent = (json: unknown): json is IDataObject =>
	typeof json === 'object' &&
	json !== null &&
	['id', 'type', 'source', 'specversion'].every((key) => typeof (json as IDataObject)[key] === 'string');

/**
 * The Governance Trigger event that started the failed execution, when the item also carries that
 * execution as read by n8n's own n8n node (Execution > Get, Include Execution Details), merged in
 * by position: the first node output whose first item is an event (id, type, source, specversion).
 * Anything else (no read, a failed read, another execution, another trigger) gives no event: the
 * failure is still reported.
 */
export function startingEvent(json: IDataObject, executionId: unknown): IDataObject | undefined {
	if (executionId === undefined || executionId === null || String(json.id) !== String(executionId)) return undefined;
	const data = json.data as IDataObject | undefined;
	const runData = ((data?.resultData as IDataObject | undefined)?.runData ?? {}) as IDataObject;
	if (typeof runData !== 'object' || runData === null) return undefined;
	for (const runs of Object.values(runData)) {
		const run = Array.isArray(runs) ? (runs[0] as IDataObject | undefined) : undefined;
		const main = ((run?.data as IDataObject | undefined)?.main ?? []) as unknown[];
		const first = Array.isArray(main) && Array.isArray(main[0]) ? (main[0][0] as IDataObject | undefined) : undefined;
		if (isEvent(first?.json)) {
			const event = first.json as IDataObject;
			const found: IDataObject = { id: cut(event.id, 100), type: cut(event.type, 100) };
			if (typeof event.subject === 'string') found.subject = cut(event.subject, 200);
			return found;
		}
	}
	return undefined;
}

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
		const event = startingEvent(json, execution.id);
		if (event) {
			automation.event = event;
			automation.trigger = cut(`${String(event.type)} ${String(event.id)}, ${String(automation.trigger)}`, 4000);
		}
		const details = [error.description, error.stack].filter(Boolean).map((part) => cut(part, 4000));
		const params: IDataObject = {
			exception_type: String(this.getNodeParameter('exceptionType', itemIndex)).trim() || 'automation_failure',
			category: 'technical',
			severity: this.getNodeParameter('severity', itemIndex),
			summary: cut(`${workflowName || automation.workflow_id}: ${node || 'a node'} failed: ${message}`, 200),
			automation,
		};
		if (details.length) params.details = cut(details.join('\n\n'), 8000);
		// Odoo keeps one exception per (workflow, execution) whatever the key; the key only makes a
		// retry of this very report safe. n8n may report one execution twice with different error
		// details (a queue-mode worker that died: from the worker and from main), which under one
		// key Odoo would refuse as an idempotency conflict.
		const digest = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
		params.idempotency_key = cut(`n8n-failure:${String(automation.workflow_id)}:${executionId}:${digest}`, 200);
		const answer = await callGovernanceApi(this, 'raise_exception', params, itemIndex);
		return [{ json: { ...(answer as IDataObject), automation }, pairedItem: { item: itemIndex } }];
	});
	return [output];
}
