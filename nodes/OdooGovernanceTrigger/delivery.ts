/**
 * One incoming delivery: verified before anything else (fail closed), parsed as a CloudEvents
 * envelope (contract/events/envelope.schema.json), then claimed in Odoo, so that one event
 * starts at most one execution across redeliveries, restarts and n8n processes.
 */
import { randomBytes } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { SignatureError, verify } from '../shared/signature';
import { callGovernanceApi } from '../shared/transport';
import type { TriggerState } from './subscription';

const envelope = z
	.object({
		specversion: z.literal('1.0'),
		id: z.string().min(1).max(128),
		type: z.string().min(1),
		source: z.string().min(1),
		time: z.string().min(1),
		subject: z.string().min(1),
		data: z.record(z.unknown()),
	})
	.passthrough();

export type GovernanceEvent = z.infer<typeof envelope>;

export type Delivery =
	| { verdict: 'accept'; event: GovernanceEvent }
	| { verdict: 'refuse'; status: number; reason: string }
	| { verdict: 'skip'; reason: string; eventId: string };

/** Decide what to do with the current request, before anyone asks Odoo anything. */
export function examineDelivery(context: IWebhookFunctions, state: TriggerState): Delivery {
	if (!state.secret || !state.subscriptionId) {
		return {
			verdict: 'refuse',
			status: 401,
			reason: 'no subscription secret is stored: activate the workflow again',
		};
	}
	const request = context.getRequestObject();
	const rawBody = request.rawBody;
	if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) {
		return { verdict: 'refuse', status: 401, reason: 'the request has no body to verify' };
	}
	try {
		verify(state.secret, request.headers, rawBody);
	} catch (error) {
		const code = error instanceof SignatureError ? error.code : 'invalid_signature';
		return { verdict: 'refuse', status: 401, reason: code };
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(rawBody.toString('utf8'));
	} catch {
		return { verdict: 'refuse', status: 400, reason: 'the body is not JSON' };
	}
	const checked = envelope.safeParse(parsed);
	if (!checked.success) {
		const issue = checked.error.issues[0];
		return {
			verdict: 'refuse',
			status: 400,
			reason: `not a governance event: ${issue.path.join('.') || '<root>'}: ${issue.message}`,
		};
	}
	const event = checked.data;
	const wanted = context.getNodeParameter('eventTypes', []) as string[];
	if (!wanted.includes(event.type)) {
		return { verdict: 'skip', reason: `event type ${event.type} is not selected`, eventId: event.id };
	}
	return { verdict: 'accept', event };
}

/**
 * Claim a verified event in Odoo (governance.api claim_delivery): only the one request whose
 * claim succeeds may start an execution. Odoo unreachable or refusing means no execution and a
 * 503, so Odoo delivers the event again later.
 */
export async function claimDelivery(
	context: IWebhookFunctions,
	state: TriggerState,
	event: GovernanceEvent,
): Promise<Delivery> {
	try {
		const claim = await callGovernanceApi(context, 'claim_delivery', {
			subscription_id: state.subscriptionId as number,
			event_id: event.id,
			// One key per received request: the transport's retry of this claim is answered the same.
			idempotency_key: `n8n-claim:${randomBytes(18).toString('hex')}`,
		});
		if (!claim.claimed) {
			return { verdict: 'skip', reason: 'duplicate event id', eventId: event.id };
		}
		return { verdict: 'accept', event };
	} catch (error) {
		return {
			verdict: 'refuse',
			status: 503,
			reason: `could not claim event ${event.id} in Odoo: ${(error as Error).message}`,
		};
	}
}

/** What the sender learns about a refusal: nothing about signatures, nothing of Odoo's errors. */
export function publicReason(delivery: { status: number; reason: string }): string {
	if (delivery.status === 401) return 'unauthorized';
	if (delivery.status === 503) return 'cannot claim the event in Odoo now; deliver it again later';
	return delivery.reason;
}

/** The JSON answer for a request that starts no execution. */
export function answerWithoutExecution(context: IWebhookFunctions, status: number, body: IDataObject) {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}
