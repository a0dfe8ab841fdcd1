/**
 * One incoming delivery: verified before anything else (fail closed), parsed as a CloudEvents
 * envelope (contract/events/envelope.schema.json), then claimed in Odoo, so that one event
 * starts at most one execution across redeliveries, restarts and n8n processes.
 *
 * The claim is a lease: the execution it queues confirms in Odoo when it starts (the trigger's
 * execute(), on whichever worker runs it). If n8n stops between the claim and queuing the
 * execution, no execution confirms, and Odoo delivers the event again when the lease runs out;
 * if the event ends up queued twice, the second execution to start is told to do nothing.
 */
import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { SignatureError, verify } from '../shared/signature';
import { callGovernanceApi, odooErrorCode } from '../shared/transport';
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

/** Where the claim rides from the webhook to the execution; never in the trigger's output. */
export const CLAIM_FIELD = '__governanceClaim';

interface ClaimTicket {
	subscriptionId: number;
	key: string;
}

export type Delivery =
	| { verdict: 'accept'; event: GovernanceEvent; claimKey?: string }
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
	// One key per received request: the transport's retry of this claim is answered the same.
	const claimKey = `n8n-claim:${randomBytes(18).toString('hex')}`;
	try {
		const claim = await callGovernanceApi(context, 'claim_delivery', {
			subscription_id: state.subscriptionId as number,
			event_id: event.id,
			idempotency_key: claimKey,
			confirms_start: true,
		});
		if (!claim.claimed) {
			const reason = claim.started
				? 'duplicate event id'
				: 'duplicate event id: claimed by an earlier delivery whose execution has not started yet';
			return { verdict: 'skip', reason, eventId: event.id };
		}
		return { verdict: 'accept', event, claimKey };
	} catch (error) {
		return {
			verdict: 'refuse',
			status: 503,
			reason: `could not claim event ${event.id} in Odoo: ${(error as Error).message}`,
		};
	}
}

/** The execution's item: the event, with the claim it confirms when it starts. */
export function claimedItem(state: TriggerState, event: GovernanceEvent, claimKey: string): INodeExecutionData {
	const ticket: ClaimTicket = { subscriptionId: state.subscriptionId as number, key: claimKey };
	return { json: { ...(event as IDataObject), [CLAIM_FIELD]: ticket as unknown as IDataObject } };
}

function ticketOf(value: unknown): ClaimTicket | undefined {
	const ticket = value as ClaimTicket | undefined;
	if (!ticket || typeof ticket !== 'object') return undefined;
	if (!Number.isInteger(ticket.subscriptionId) || typeof ticket.key !== 'string') return undefined;
	return ticket;
}

/**
 * In the execution (the trigger's execute(), run where n8n runs the execution): confirm each
 * claimed event's start in Odoo and pass on the events this execution runs, without the claim.
 * An event another execution already runs, or whose claim a replay released, is dropped (the
 * execution then does nothing). Items without a claim (pinned or hand-made test data) pass as
 * they are. Odoo unreachable fails the execution: the claim stays unconfirmed, so Odoo delivers
 * the event again when the lease runs out.
 */
export async function startClaimed(context: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const started: INodeExecutionData[] = [];
	const items = context.getInputData();
	for (let index = 0; index < items.length; index++) {
		const { [CLAIM_FIELD]: claim, ...event } = items[index].json;
		const ticket = ticketOf(claim);
		if (!ticket) {
			started.push(claim === undefined ? items[index] : { json: event, pairedItem: { item: index } });
			continue;
		}
		const eventId = String(event.id ?? '');
		let runs: boolean;
		try {
			const answer = await callGovernanceApi(context, 'confirm_delivery_start', {
				subscription_id: ticket.subscriptionId,
				event_id: eventId,
				claim_key: ticket.key,
				execution_id: String(context.getExecutionId() ?? '').slice(0, 64),
			});
			runs = answer.started;
			if (!runs) {
				context.logger.info(
					`Odoo Governance Trigger: event ${eventId} already runs in execution ${answer.execution_id || '?'}; this execution does nothing`,
				);
			}
		} catch (error) {
			if (odooErrorCode(error) === 'dg:not_found') {
				context.logger.info(`Odoo Governance Trigger: event ${eventId} is no longer claimed (replayed); this execution does nothing`);
				runs = false;
			} else {
				throw new NodeOperationError(
					context.getNode(),
					`Could not confirm in Odoo that this execution runs event ${eventId}: ${(error as Error).message}`,
					{ itemIndex: index, description: 'Odoo delivers the event again when the claim\'s start timeout runs out.' },
				);
			}
		}
		if (runs) started.push({ json: event, pairedItem: { item: index } });
	}
	return started;
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
