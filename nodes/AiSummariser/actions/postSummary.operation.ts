import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import { callGovernanceApi } from '../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Document Model',
		name: 'documentModel',
		type: 'string',
		default: '={{ $json.document.model }}',
		required: true,
		description: 'The Odoo model of the document the note goes on, e.g. purchase.order',
	},
	{
		displayName: 'Document ID',
		name: 'documentId',
		type: 'string',
		default: '={{ $json.document.id }}',
		required: true,
	},
	{
		displayName: 'Summary',
		name: 'summary',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.summary }}',
		required: true,
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '={{ "summary:" + $json.document.model + ":" + $json.document.id + ":" + $execution.id }}',
		required: true,
		description:
			'8–200 characters naming this one note; a repeated key posts nothing and returns the first answer. The default posts one note per document per execution.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['postSummary'] } }, properties);

/**
 * Puts a summary made by Summarise on its document's chatter in Odoo, marked with where it came
 * from (AI and which model and prompt, or the deterministic fallback and why).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output = await forEachItem(this, async (itemIndex) => {
		const json = items[itemIndex].json;
		const source = json.source;
		if (source !== 'ai' && source !== 'fallback') {
			throw new NodeOperationError(this.getNode(), 'The item has no source (ai or fallback): post the output of Summarise', {
				itemIndex,
			});
		}
		const documentId = Number(this.getNodeParameter('documentId', itemIndex));
		if (!Number.isSafeInteger(documentId) || documentId < 1) {
			throw new NodeOperationError(this.getNode(), 'Document ID must be a positive integer', { itemIndex });
		}
		const params: IDataObject = {
			document: { model: String(this.getNodeParameter('documentModel', itemIndex)).trim(), id: documentId },
			summary: String(this.getNodeParameter('summary', itemIndex)),
			source,
			model: String(json.model ?? ''),
			prompt_hash: String(json.prompt_hash ?? ''),
			idempotency_key: String(this.getNodeParameter('idempotencyKey', itemIndex)).trim(),
		};
		if (source === 'fallback') params.fallback_reason = String(json.fallback_reason ?? 'unknown');
		const answer = await callGovernanceApi(this, 'post_summary_note', params, itemIndex);
		return [{ json: { ...json, note: answer as IDataObject }, pairedItem: { item: itemIndex } }];
	});
	return [output];
}
