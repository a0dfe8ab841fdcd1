import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { cut } from '../../shared/text';
import { callGovernanceApi } from '../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Execution ID',
		name: 'executionId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		description:
			'ID of the crashed execution, e.g. from n8n\'s API (GET /executions?status=crashed)',
	},
	{
		displayName: 'Workflow Name',
		name: 'workflowName',
		type: 'string',
		default: '',
		description: 'Written into Odoo\'s audit entry',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['rerunCrashedExecution'] } }, properties);

/**
 * n8n never reruns an execution whose worker or process died: it marks it "crashed". When Odoo's
 * claim names that execution as the one that started a governance event, Odoo delivers the event
 * again and the trigger starts one new execution. Only crashed executions are sent: an item that
 * says it has another status (n8n's execution list does) is passed on untouched, so a finished
 * execution's event never runs twice.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output = await forEachItem(this, async (itemIndex) => {
		const json = items[itemIndex].json;
		const executionId = String(this.getNodeParameter('executionId', itemIndex) ?? '').trim();
		if (!executionId) {
			throw new NodeOperationError(this.getNode(), 'Execution ID is empty', { itemIndex });
		}
		if (executionId.length > 64) {
			throw new NodeOperationError(this.getNode(), `Execution ID is longer than 64 characters: ${executionId.slice(0, 80)}…`, {
				itemIndex,
			});
		}
		if (typeof json.status === 'string' && json.status !== 'crashed') {
			const skipped: IDataObject = { rerun: false, execution_id: executionId, reason: `status is ${cut(json.status, 40)}, not crashed` };
			return [{ json: skipped, pairedItem: { item: itemIndex } }];
		}
		const params: IDataObject = { execution_id: executionId };
		const workflowName = cut(this.getNodeParameter('workflowName', itemIndex), 128);
		if (workflowName) params.workflow_name = workflowName;
		const answer = await callGovernanceApi(this, 'rerun_crashed_execution', params, itemIndex);
		return [{ json: answer as IDataObject, pairedItem: { item: itemIndex } }];
	});
	return [output];
}
