import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { SignatureError, verify, type HeaderBag } from '../../shared/signature';
import { CARRIER_CREDENTIAL_TYPE, readCarrierEvent } from '../carrierEvent';

const properties: INodeProperties[] = [
	{
		displayName: 'Raw Body Property',
		name: 'binaryProperty',
		type: 'string',
		default: 'data',
		description:
			"The binary property holding the request body exactly as received (turn on Raw Body in the Webhook node's options): the signature covers those bytes",
	},
];

export const description = updateDisplayOptions({ show: { operation: ['verifyCarrierEvent'] } }, properties);

/**
 * Checks each request from a Webhook node against the carrier's Standard Webhooks signature
 * (fails closed: no secret, no raw body or no matching signature is refused) and reads the
 * event. Output 1: verified events in the common shape; output 2: refusals with the HTTP status
 * to answer (401 for a bad signature, 400 for an authentic but unreadable body).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const credentials = await this.getCredentials<{ secret: string }>(CARRIER_CREDENTIAL_TYPE);
	const secrets = String(credentials.secret ?? '')
		.split(/\s+/)
		.filter(Boolean);
	const verified: INodeExecutionData[] = [];
	const refused: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		const headers = (item.json.headers ?? {}) as HeaderBag;
		const refuse = (statusCode: number, reason: string, message: string) =>
			refused.push({
				json: { status_code: statusCode, reason, message },
				pairedItem: { item: itemIndex },
			});
		const property = String(this.getNodeParameter('binaryProperty', itemIndex, 'data'));
		if (!item.binary?.[property]) {
			refuse(401, 'no_raw_body', `no raw body in binary property "${property}": turn on Raw Body in the Webhook node`);
			continue;
		}
		const raw = await this.helpers.getBinaryDataBuffer(itemIndex, property);
		try {
			if (!secrets.length) throw new SignatureError('invalid_secret', 'the carrier credential holds no secret');
			verify(secrets, headers, raw);
		} catch (error) {
			if (!(error instanceof SignatureError))
				throw new NodeOperationError(this.getNode(), error as Error, {
					itemIndex,
				});
			refuse(401, error.code, error.message);
			continue;
		}
		let body: unknown;
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch {
			refuse(400, 'unreadable', 'the body is not JSON');
			continue;
		}
		const messageId = String(headers['webhook-id'] ?? '');
		const event = readCarrierEvent(body, messageId);
		if ('unreadable' in event) {
			refuse(400, 'unreadable', String(event.unreadable));
			continue;
		}
		verified.push({
			json: { ...event, raw: body as IDataObject },
			pairedItem: { item: itemIndex },
		});
	}
	return [verified, refused];
}
