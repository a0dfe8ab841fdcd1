/**
 * A small stand-in for Odoo with the Distribution Governance addon, on 127.0.0.1: the
 * `governance.api` methods of contract/api/methods.json over /jsonrpc (common.login /
 * common.authenticate + object.execute_kw) and JSON-2, with params checked against the
 * contract's schemas, the contract's error codes, idempotency keys, and signed deliveries to
 * registered subscriptions. It records every call so tests can assert what reached "Odoo".
 *
 * It is not Odoo: approval state is a list of reviews the test sets up; only what the n8n
 * nodes rely on is modelled.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { Readable } from 'stream';

import contract from '../../../contract/api/methods.json';
import eventTypes from '../../../contract/events/event-types.json';
import policySchema from '../../../contract/policy/policy-document.schema.json';
import { postSignedDelivery, type Delivery, type Tamper } from './signedDelivery';

/** The XML-RPC codec odoo-await uses (the `xmlrpc` package, a dependency of odoo-await). */
const xmlrpc = {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	Deserializer: require('xmlrpc/lib/deserializer') as new () => {
		deserializeMethodCall(stream: Readable, callback: (error: unknown, method: string, params: unknown[]) => void): void;
	},
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	Serializer: require('xmlrpc/lib/serializer') as {
		serializeFault(fault: object): string;
		serializeMethodResponse(value: unknown): string;
	},
};

type Json = Record<string, unknown>;

export interface Person {
	login: string;
	name: string;
	email?: string;
}

export interface StandInReview {
	review_id: number;
	request_id: number;
	request_ref: string;
	document: { model: string; id: number; name: string };
	level: number;
	tier_name: string;
	rule: string;
	min_approvals: number;
	approvals: number;
	due: string | null;
	eligible_approvers: Person[];
	requester: Person;
	/** 'waiting': a later level's review, opened when the reviews of the level before are decided. */
	state: 'pending' | 'decided' | 'waiting';
}

export interface Subscription {
	id: number;
	url: string;
	event_types: string[];
	secret: string;
	filters?: Json;
	name?: string;
	active: boolean;
}

export interface RecordedCall {
	method: string;
	params: Json;
	via: 'jsonrpc' | 'json2';
	at: number;
}

/**
 * A released purchase order whose supplier confirmation the stand-in records (scenario S4): the
 * date it planned, when the confirmation is due, whether its product is fast-moving and the
 * customer orders a later date would hit.
 */
export interface StandInPurchaseOrder {
	id: number;
	name: string;
	planned_date: string;
	due: string;
	fast_moving: boolean;
	affected_sale_orders: Json[];
	supplier: { id: number; name: string; email: string };
}

/** A review as list_pending_reviews answers it (without the stand-in's own state). */
export function listedReview(review: StandInReview): Omit<StandInReview, 'state'> {
	const listed: Partial<StandInReview> = { ...review };
	delete listed.state;
	return listed as Omit<StandInReview, 'state'>;
}

class OdooFault extends Error {
	constructor(
		readonly exception: string,
		message: string,
	) {
		super(message);
	}
}

const UID = 2;
const fault = {
	invalid: (message: string) => new OdooFault('odoo.exceptions.ValidationError', `${message} [dg:invalid_params]`),
	notFound: (message: string) => new OdooFault('odoo.exceptions.MissingError', `${message} [dg:not_found]`),
	access: (code: string, message: string) => new OdooFault('odoo.exceptions.AccessError', `${message} [dg:${code}]`),
	user: (code: string, message: string) => new OdooFault('odoo.exceptions.UserError', `${message} [dg:${code}]`),
};

const ajv = new Ajv2020({ allErrors: false, strict: false });
addFormats(ajv);
ajv.addSchema(policySchema, 'https://distribution-governance.example/contract/policy/policy-document.schema.json');
const validators = Object.fromEntries(
	Object.entries(contract.methods).map(([name, spec]) => [name, ajv.compile(spec.params)]),
);

export class StandInOdoo {
	readonly calls: RecordedCall[] = [];
	readonly subscriptions = new Map<number, Subscription>();
	readonly reviews: StandInReview[] = [];
	readonly purchaseOrders = new Map<string, StandInPurchaseOrder>();
	policy: Json | undefined;
	/** `<subscription id>/<event id>` of every event delivered (queued) to a subscription. */
	readonly queued = new Set<string>();
	/** claim_delivery's claims, as Odoo's governance.delivery.claim keeps them. */
	readonly claims = new Map<string, { key: string; at: string; leased: boolean; started?: { key: string; execution: string; at: string } }>();
	/** Open purchase orders as purchase_risk_inputs answers them, and the notes posted on documents. */
	readonly riskOrders: Json[] = [];
	readonly notes: Json[] = [];
	/** Technical exceptions by workflow id + execution id (one per failed execution, as Odoo keeps them). */
	readonly automationFailures = new Map<string, Json>();
	/** Outgoing deliveries find_deliveries searches (the contract's delivery shape) and the holds placed on them. */
	readonly deliveries: Json[] = [];
	readonly holds: Json[] = [];
	private readonly idempotent = new Map<string, { params: string; result: Json }>();
	private nextSubscriptionId = 1;
	private server: Server | undefined;
	url = '';

	constructor(
		readonly database: string,
		readonly login: string,
		readonly password: string,
		readonly integrationUser: Person = { login: 'n8n-integration', name: 'n8n integration' },
	) {}

	async start(port = 0): Promise<string> {
		this.server = createServer((request, response) => {
			this.handle(request, response).catch((error) => {
				response.writeHead(500, { 'content-type': 'text/plain' });
				response.end(String(error));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	/** Forget every call, review, subscription and idempotency key. */
	reset(): void {
		this.calls.length = 0;
		this.reviews.length = 0;
		this.subscriptions.clear();
		this.idempotent.clear();
		this.queued.clear();
		this.claims.clear();
	}

	/** An admin's replay in Odoo: the claim on the event is released, so it may run once more. */
	releaseClaim(subscriptionId: number, eventId: string): boolean {
		return this.claims.delete(`${subscriptionId}/${eventId}`);
	}

	callsOf(method: string): Json[] {
		return this.calls.filter((call) => call.method === method).map((call) => call.params);
	}

	activeSubscriptions(): Subscription[] {
		return [...this.subscriptions.values()].filter((subscription) => subscription.active);
	}

	/**
	 * Send an event to every active subscription for its type, as Odoo's dispatcher does:
	 * Standard Webhooks headers, signed with the subscription's secret. `tamper` lets a test
	 * forge or replay a delivery.
	 */
	async deliver(
		event: Json,
		tamper: Tamper = {},
	): Promise<Delivery[]> {
		const targets = this.activeSubscriptions().filter((subscription) =>
			subscription.event_types.includes(event.type as string),
		);
		for (const subscription of targets) this.queued.add(`${subscription.id}/${String(event.id)}`);
		return await Promise.all(
			targets.map((subscription) =>
				postSignedDelivery(subscription.url, subscription.secret, `msg_${String(event.id)}`, JSON.stringify(event), tamper),
			),
		);
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const send = (status: number, body: unknown) => {
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(JSON.stringify(body));
		};
		const xmlRpc = /^\/xmlrpc\/2\/(common|object)$/.exec(request.url ?? '');
		if (request.method === 'POST' && xmlRpc) {
			return this.xmlRpc(xmlRpc[1], Buffer.concat(chunks), response);
		}
		let body: Json;
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
		} catch {
			return send(400, { error: 'not JSON' });
		}
		if (request.method === 'POST' && request.url === '/jsonrpc') {
			return send(200, this.jsonRpc(body));
		}
		const json2 = /^\/json\/2\/governance\.api\/([a-z_]+)$/.exec(request.url ?? '');
		if (request.method === 'POST' && json2) {
			const authorization = String(request.headers.authorization ?? '');
			if (authorization.toLowerCase() !== `bearer ${this.password}`.toLowerCase()) {
				return send(401, { name: 'werkzeug.exceptions.Unauthorized', message: 'Invalid apikey' });
			}
			if (request.headers['x-odoo-database'] !== this.database) {
				return send(404, { name: 'werkzeug.exceptions.NotFound', message: 'database not found' });
			}
			try {
				return send(200, this.call(json2[1], (body.payload ?? {}) as Json, 'json2'));
			} catch (error) {
				const odoo = error as OdooFault;
				return send(422, { name: odoo.exception, message: odoo.message, arguments: [odoo.message], context: {} });
			}
		}
		send(404, { error: `no route ${request.method} ${request.url}` });
	}

	/** Odoo's /xmlrpc/2/<service>: the same services as /jsonrpc, in XML-RPC (odoo-await speaks it). */
	private xmlRpc(service: string, body: Buffer, response: ServerResponse) {
		const reply = (xml: string) => {
			response.writeHead(200, { 'content-type': 'text/xml' });
			response.end(xml);
		};
		new xmlrpc.Deserializer().deserializeMethodCall(Readable.from([body]), (error, method, args) => {
			if (error) return reply(xmlrpc.Serializer.serializeFault({ faultCode: 1, faultString: String(error) }));
			const answer = this.jsonRpc({ params: { service, method, args } });
			if (answer.error) {
				const data = (answer.error as { data: { name: string; message: string } }).data;
				return reply(xmlrpc.Serializer.serializeFault({ faultCode: 1, faultString: `${data.name}: ${data.message}` }));
			}
			reply(xmlrpc.Serializer.serializeMethodResponse(answer.result));
		});
	}

	private jsonRpc(body: Json): Json {
		const params = (body.params ?? {}) as { service?: string; method?: string; args?: unknown[] };
		const answer = (result: unknown) => ({ jsonrpc: '2.0', id: body.id ?? null, result });
		const error = (odoo: OdooFault) => ({
			jsonrpc: '2.0',
			id: body.id ?? null,
			error: {
				code: 200,
				message: 'Odoo Server Error',
				data: { name: odoo.exception, message: odoo.message, arguments: [odoo.message], context: {}, debug: '' },
			},
		});
		const args = params.args ?? [];
		if (params.service === 'common' && (params.method === 'login' || params.method === 'authenticate')) {
			const [database, login, password] = args;
			if (database !== this.database) {
				return error(new OdooFault('psycopg2.OperationalError', `database "${String(database)}" does not exist`));
			}
			return answer(login === this.login && password === this.password ? UID : false);
		}
		if (params.service === 'object' && params.method === 'execute_kw') {
			const [database, uid, password, model, method, positional] = args as [string, number, string, string, string, unknown[]];
			if (database !== this.database || uid !== UID || password !== this.password) {
				return error(new OdooFault('odoo.exceptions.AccessDenied', 'Access Denied'));
			}
			if (model !== 'governance.api') {
				return error(new OdooFault('builtins.Exception', `Object ${model} doesn't exist`));
			}
			try {
				return answer(this.call(method, ((positional ?? [])[0] ?? {}) as Json, 'jsonrpc'));
			} catch (odoo) {
				return error(odoo as OdooFault);
			}
		}
		return error(new OdooFault('builtins.NameError', `unknown service ${String(params.service)}.${String(params.method)}`));
	}

	private call(method: string, params: Json, via: RecordedCall['via']): Json {
		this.calls.push({ method, params, via, at: Date.now() });
		const validate = validators[method];
		if (!validate) throw new OdooFault('builtins.AttributeError', `governance.api has no method ${method}`);
		if (!validate(params)) {
			const [problem] = validate.errors ?? [];
			throw fault.invalid(`${problem?.instancePath || '<params>'}: ${problem?.message ?? 'invalid'}`);
		}
		const key = typeof params.idempotency_key === 'string' ? `${method}:${params.idempotency_key}` : undefined;
		if (key) {
			const rest = { ...params };
			delete rest.idempotency_key;
			const seen = this.idempotent.get(key);
			if (seen) {
				if (seen.params !== JSON.stringify(rest)) {
					throw fault.user('idempotency_conflict', `key ${String(params.idempotency_key)} was used with other params`);
				}
				// Odoo marks a repeated supplier update (record_supplier_confirmation's `replayed`).
				return method === 'record_supplier_confirmation' ? { ...seen.result, replayed: true } : seen.result;
			}
			const result = method === 'record_supplier_confirmation' ? { ...this.dispatch(method, params), replayed: false } : this.dispatch(method, params);
			this.idempotent.set(key, { params: JSON.stringify(rest), result });
			return result;
		}
		return this.dispatch(method, params);
	}

	private dispatch(method: string, params: Json): Json {
		switch (method) {
			case 'api_info':
				return {
					api_version: contract.api_version,
					addon_version: '18.0.stand-in',
					database: this.database,
					user: this.integrationUser,
					event_types: eventTypes.event_types.map((entry) => entry.type),
					integration: true,
				};
			case 'list_event_types':
				return { event_types: eventTypes.event_types };
			case 'export_policy_document':
				if (!this.policy) throw fault.notFound('no active policy for this company');
				return this.policy;
			case 'list_pending_reviews':
				return { reviews: this.pendingReviews(params) };
			case 'decide':
				return this.decide(params);
			case 'register_subscription': {
				const id = this.nextSubscriptionId++;
				this.subscriptions.set(id, {
					id,
					url: params.url as string,
					event_types: params.event_types as string[],
					secret: params.secret as string,
					filters: params.filters as Json | undefined,
					name: params.name as string | undefined,
					active: true,
				});
				return { subscription_id: id };
			}
			case 'subscription_exists': {
				const subscription = this.subscriptions.get(params.subscription_id as number);
				return { exists: Boolean(subscription), active: Boolean(subscription?.active) };
			}
			case 'remove_subscription':
				return { removed: this.subscriptions.delete(params.subscription_id as number) };
			case 'claim_delivery':
				return this.claimDelivery(params);
			case 'confirm_delivery_start':
				return this.confirmDeliveryStart(params);
			case 'raise_exception': {
				const automation = params.automation as Json | undefined;
				const key = automation && `${String(automation.workflow_id)}:${String(automation.execution_id)}`;
				const known = key && this.automationFailures.get(key);
				if (known) return known.result as Json;
				const result = { exception_id: this.calls.length, name: `EXC/${this.calls.length}`, state: 'open' };
				if (key) this.automationFailures.set(key, { params, result });
				return result;
			}
			case 'purchase_risk_inputs': {
				const offset = (params.offset as number | undefined) ?? 0;
				const limit = (params.limit as number | undefined) ?? 100;
				const afterId = (params.after_id as number | undefined) ?? 0;
				const open = this.riskOrders.filter((order) => (order.order as Json).id as number > afterId);
				const orders = open.slice(offset, offset + limit);
				const hasMore = offset + limit < open.length;
				const lastId = hasMore ? ((orders.at(-1)!.order as Json).id as number) : 0;
				return { orders, has_more: hasMore, next_offset: hasMore ? offset + limit : 0, next_after_id: lastId };
			}
			case 'post_summary_note': {
				this.notes.push(params);
				const document = params.document as { model: string; id: number };
				return { message_id: this.notes.length, document: { ...document, name: `${document.model}/${document.id}` }, posted: true };
			}
			case 'resolve_exception':
				return { exception_id: params.exception_id as number, state: params.resolution as string };
			case 'record_supplier_confirmation':
				return this.recordSupplierConfirmation(params);
			case 'list_supplier_confirmations':
				return { confirmations: [...this.purchaseOrders.values()].map((order) => this.confirmationOf(order)) };
			case 'list_overdue_supplier_confirmations':
				return {
					confirmations: [...this.purchaseOrders.values()]
						.filter((order) => Date.parse(order.due) < Date.now())
						.map((order) => this.confirmationOf(order)),
				};
			case 'find_deliveries': {
				const reference = String(params.tracking_reference ?? '').toLowerCase();
				const found = this.deliveries.filter((delivery) =>
					reference ? String(delivery.tracking_reference).toLowerCase() === reference : delivery.origin === params.origin,
				);
				return { deliveries: found.map((delivery) => ({ ...delivery, holds: this.holds.filter((hold) => hold.delivery_id === delivery.id) })) };
			}
			case 'place_shipment_hold':
				return this.placeShipmentHold(params);
			case 'release_shipment_hold': {
				const hold = this.holds.find((entry) => entry.hold_id === params.hold_id);
				if (!hold) throw fault.notFound(`Shipment hold ${String(params.hold_id)} does not exist.`);
				hold.state = params.outcome === 'release' ? 'released' : 'cancelled';
				return this.holdResult(hold);
			}
			case 'list_late_shipments':
				return { late_shipments: [] };
			default:
				throw new OdooFault('builtins.AttributeError', `governance.api has no method ${method}`);
		}
	}

	/** Odoo's answer to place_shipment_hold: an active hold of the same reason is not stacked. */
	private placeShipmentHold(params: Json): Json {
		const delivery = this.deliveries.find((entry) => entry.id === params.delivery_id);
		if (!delivery) throw fault.notFound(`No outgoing delivery ${String(params.delivery_id)} in your companies.`);
		const existing = this.holds.find(
			(hold) => hold.delivery_id === delivery.id && hold.reason === params.reason && hold.state === 'active',
		);
		if (existing) return { ...this.holdResult(existing), created: false };
		const hold = { hold_id: this.holds.length + 1, delivery_id: delivery.id, reason: params.reason, state: 'active',
			summary: params.summary, exception_id: 100 + this.holds.length, params };
		this.holds.push(hold);
		return { ...this.holdResult(hold), created: true };
	}

	private holdResult(hold: Json): Json {
		const delivery = this.deliveries.find((entry) => entry.id === hold.delivery_id)!;
		return {
			hold_id: hold.hold_id, delivery: { model: 'stock.picking', id: delivery.id, name: delivery.name, state: delivery.state },
			reason: hold.reason, state: hold.state, exception_id: hold.exception_id,
			on_hold: this.holds.some((entry) => entry.delivery_id === delivery.id && entry.state === 'active'),
		};
	}

	/** Odoo's answer to a supplier update: drift against the planned date, material on a fast mover (3 days). */
	private recordSupplierConfirmation(params: Json): Json {
		const order = this.purchaseOrders.get(params.purchase_order as string);
		if (!order) throw fault.notFound(`No single purchase order ${String(params.purchase_order)} in your companies.`);
		const lines = (params.lines as Json[] | undefined) ?? [];
		const promised = [params.promised_date, ...lines.map((line) => line.promised_date)].filter(Boolean) as string[];
		const days = (date: string) => Math.round((Date.parse(date.slice(0, 10)) - Date.parse(order.planned_date)) / 86400000);
		const drift = promised.reduce((widest, date) => (Math.abs(days(date)) > Math.abs(widest) ? days(date) : widest), 0);
		const rejected = params.status === 'rejected';
		const material = !rejected && order.fast_moving && drift >= 3;
		const late = Date.parse((params.received_at as string | undefined) ?? new Date().toISOString()) > Date.parse(order.due);
		return {
			confirmation_id: order.id,
			update_id: this.calls.length,
			purchase_order: { model: 'purchase.order', id: order.id, name: order.name },
			state: rejected ? 'rejected' : drift ? 'date_changed' : 'confirmed',
			outcome: rejected ? 'rejected' : drift ? 'date_changed' : late ? 'overdue' : 'on_time',
			drift_days: drift,
			lead_time_drift_days: drift,
			material_drift: material,
			exception_id: material ? 900 + order.id : 0,
			affected_sale_orders: drift > 0 ? order.affected_sale_orders : [],
			lines: [],
		};
	}

	private confirmationOf(order: StandInPurchaseOrder): Json {
		const hoursLeft = Math.floor((Date.parse(order.due) - Date.now()) / 3600000);
		return {
			confirmation_id: order.id,
			purchase_order: { model: 'purchase.order', id: order.id, name: order.name },
			supplier: order.supplier,
			buyer: { login: 'buyer', name: 'Bea Buyer', email: 'buyer@acme.example' },
			state: hoursLeft < 0 ? 'overdue' : 'awaiting',
			due: order.due,
			overdue: hoursLeft < 0,
			hours_left: hoursLeft,
			supplier_reference: '',
			drift_days: 0,
			lines: [],
		};
	}

	/** One claim per (subscription, event); a retry with the winning key is answered the same. */
	private claimDelivery(params: Json): Json {
		const subscriptionId = params.subscription_id as number;
		const eventId = params.event_id as string;
		if (!this.subscriptions.has(subscriptionId)) throw fault.notFound(`Subscription ${subscriptionId} does not exist.`);
		const pair = `${subscriptionId}/${eventId}`;
		if (!this.queued.has(pair)) {
			throw fault.notFound(`Event ${eventId} was never queued for subscription ${subscriptionId}.`);
		}
		const key = params.idempotency_key as string;
		let claim = this.claims.get(pair);
		if (!claim) {
			claim = { key, at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), leased: params.confirms_start === true };
			this.claims.set(pair, claim);
		}
		return {
			claimed: claim.key === key && !claim.started,
			started: Boolean(claim.started),
			subscription_id: subscriptionId,
			event_id: eventId,
			claimed_at: claim.at,
		};
	}

	/** The first execution to confirm runs the event (the stand-in's leases never run out). */
	private confirmDeliveryStart(params: Json): Json {
		const subscriptionId = params.subscription_id as number;
		const eventId = params.event_id as string;
		if (!this.subscriptions.has(subscriptionId)) throw fault.notFound(`Subscription ${subscriptionId} does not exist.`);
		const claim = this.claims.get(`${subscriptionId}/${eventId}`);
		if (!claim?.leased) {
			throw fault.notFound(`Event ${eventId} has no claim awaiting its start for subscription ${subscriptionId}.`);
		}
		const key = params.claim_key as string;
		claim.started ??= {
			key,
			execution: String(params.execution_id ?? ''),
			at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
		};
		return {
			started: claim.started.key === key,
			subscription_id: subscriptionId,
			event_id: eventId,
			execution_id: claim.started.execution,
			started_at: claim.started.at,
		};
	}

	private pendingReviews(params: Json): Omit<StandInReview, 'state'>[] {
		return this.reviews
			.filter((review) => review.state === 'pending')
			.filter((review) => !params.actor || review.eligible_approvers.some((person) => person.login === params.actor))
			.filter((review) => !params.document_model || review.document.model === params.document_model)
			.slice(0, (params.limit as number | undefined) ?? 100)
			.map(listedReview);
	}

	private decide(params: Json): Json {
		const review = this.reviews.find((candidate) => candidate.review_id === params.review_id);
		if (!review) throw fault.notFound(`review ${String(params.review_id)} does not exist`);
		const actor = review.eligible_approvers.find((person) => person.login === params.actor || person.email === params.actor);
		if (review.requester.login === params.actor) {
			throw fault.access('segregation_of_duties', `${String(params.actor)} requested ${review.request_ref} and cannot decide it`);
		}
		if (!actor) {
			throw fault.access('not_eligible', `${String(params.actor)} is not an eligible approver of review ${review.review_id}`);
		}
		if (review.state !== 'pending') {
			throw fault.user('not_pending', `review ${review.review_id} is no longer waiting for a decision`);
		}
		if (['reject', 'request_changes', 'approve_with_conditions'].includes(params.outcome as string) && !params.comment) {
			throw new OdooFault('odoo.exceptions.ValidationError', `${String(params.outcome)} needs a comment [dg:comment_required]`);
		}
		review.state = 'decided';
		// A later level opens once this one is approved (one review per level is all the stand-in models).
		const approving = params.outcome === 'approve' || params.outcome === 'approve_with_conditions';
		const waiting = this.reviews.filter((other) => other.request_id === review.request_id && other.state === 'waiting');
		// Parallel tiers: the level (and the request) stays open while another review of it is pending.
		const levelOpen =
			approving &&
			this.reviews.some(
				(other) =>
					other !== review && other.request_id === review.request_id && other.level === review.level && other.state === 'pending',
			);
		const nextLevel = approving && !levelOpen && waiting.length ? Math.min(...waiting.map((other) => other.level)) : undefined;
		for (const other of waiting) if (other.level === nextLevel) other.state = 'pending';
		const requestState =
			nextLevel !== undefined || levelOpen ? 'pending' : params.outcome === 'approve' ? 'approved' : params.outcome === 'reject' ? 'rejected' : 'pending';
		return {
			review_id: review.review_id,
			request_id: review.request_id,
			request_state: requestState,
			outcome: params.outcome,
			actor,
			document: review.document,
			pending_reviews: this.reviews
				.filter((other) => other.request_id === review.request_id && other.state === 'pending')
				.map((other) => ({ review_id: other.review_id, level: other.level, tier_name: other.tier_name })),
		};
	}
}
