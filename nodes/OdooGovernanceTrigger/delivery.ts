/**
 * One incoming delivery: verified before anything else (fail closed), parsed as a CloudEvents
 * envelope (contract/events/envelope.schema.json), and checked against recently seen ids.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { SignatureError, verify } from '../shared/signature';
import type { TriggerState } from './subscription';

/** How many recent event ids the trigger remembers to drop redeliveries. */
export const RECENT_EVENT_IDS = 500;

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

/** Decide what to do with the current request; records an accepted event's id in `state`. */
export function examineDelivery(context: IWebhookFunctions, state: TriggerState): Delivery {
	if (!state.secret) {
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
	const recent = Array.isArray(state.recentEventIds) ? state.recentEventIds : [];
	if (recent.includes(event.id)) {
		return { verdict: 'skip', reason: 'duplicate event id', eventId: event.id };
	}
	state.recentEventIds = [...recent, event.id].slice(-RECENT_EVENT_IDS);
	return { verdict: 'accept', event };
}

/** The JSON answer for a request that starts no execution. */
export function answerWithoutExecution(context: IWebhookFunctions, status: number, body: IDataObject) {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}
