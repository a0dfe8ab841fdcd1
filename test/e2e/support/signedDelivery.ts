/**
 * One webhook delivery as Odoo's dispatcher sends it (Standard Webhooks headers over the exact
 * body), with the means to forge or replay one: another secret, an old timestamp, another body.
 */
import { signatureHeader } from '../../../nodes/shared/signature';

export interface Delivery {
	status: number;
	body: string;
	milliseconds: number;
}

export interface Tamper {
	/** Sign with this secret instead of the subscription's. */
	secret?: string;
	/** Sign and send this timestamp (seconds) instead of now. */
	timestamp?: number;
	/** Send this body instead of the signed one. */
	body?: string;
}

export async function postSignedDelivery(
	url: string,
	secret: string,
	messageId: string,
	body: string,
	tamper: Tamper = {},
): Promise<Delivery> {
	const timestamp = tamper.timestamp ?? Math.floor(Date.now() / 1000);
	const started = performance.now();
	const response = await fetch(url, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			'webhook-id': messageId,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': signatureHeader([tamper.secret ?? secret], messageId, timestamp, body),
		},
		body: tamper.body ?? body,
	});
	const text = await response.text();
	return { status: response.status, body: text, milliseconds: performance.now() - started };
}
