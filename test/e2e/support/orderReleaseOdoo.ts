/**
 * The Odoo the order-release scenario (S3) runs against: a real Odoo when ODOO_URL, ODOO_DB,
 * ODOO_LOGIN and ODOO_PASSWORD name one, otherwise the stand-in Odoo with one sales order's
 * review and the events Odoo would send about it. The scenario: a salesperson confirms an order
 * with a 25 % discount for a customer with an overdue invoice; Odoo holds it for the sales
 * managers (Mia or Max) with the customer's context.
 */
import requested from '../../../contract/events/examples/approval.requested.json';
import completed from '../../../contract/events/examples/approval.completed.json';
import { connectRealOdoo } from './realOdoo';
import { StandInOdoo, type Person, type StandInReview } from './standInOdoo';

type Call = (model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>;

export interface HeldOrder {
	reviewId: number;
	approvers: Person[];
	salesperson: Person;
	orderId: number;
	/** What the approvers' e-mail must show: the customer and their overdue balance. */
	context: string[];
	deliveryStatus: number;
}

export interface OrderReleaseOdoo {
	readonly description: string;
	readonly credential: { url: string; database: string; login: string; secret: string };
	readonly real: boolean;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** How many active subscriptions n8n registered (the template has two triggers). */
	subscriptions(): Promise<number>;
	/** The order is held for approval and Odoo delivered approval.requested. */
	holdOrder(): Promise<HeldOrder>;
	/** Odoo closed the order's request and delivered approval.completed. */
	completed(order: HeldOrder): Promise<void>;
	/** Decisions recorded for the order's review: [actor login, outcome]. */
	decisions(order: HeldOrder): Promise<Array<[string, string]>>;
	/** The order's state in Odoo (a real Odoo only). */
	orderState(order: HeldOrder): Promise<string | undefined>;
}

const KEY = ['stand', 'in', 'sales', 'key'].join('-');
const CUSTOMER = 'Northwind Retail';

export class StandInOrderRelease implements OrderReleaseOdoo {
	readonly real = false;
	readonly odoo = new StandInOdoo('acme', 'n8n-integration', KEY);
	readonly salesperson: Person = { login: 'sam@acme.example', name: 'Sam Seller', email: 'sam@acme.example' };
	readonly approvers: Person[] = [
		{ login: 'mia@acme.example', name: 'Mia Manager', email: 'mia@acme.example' },
		{ login: 'max@acme.example', name: 'Max Manager', email: 'max@acme.example' },
	];
	private readonly review: StandInReview = {
		review_id: 61, request_id: 31, request_ref: 'APR/2026/0031', document: { model: 'sale.order', id: 77, name: 'S00077' },
		level: 1, tier_name: 'Sales manager', rule: 'so-discount', min_approvals: 1, approvals: 0, due: '2026-11-30T09:00:00Z',
		eligible_approvers: this.approvers, requester: this.salesperson, state: 'pending',
	};

	get description() {
		return `the stand-in Odoo (test/e2e/support/standInOdoo.ts) at ${this.odoo.url}`;
	}

	get credential() {
		return { url: this.odoo.url, database: 'acme', login: 'n8n-integration', secret: KEY };
	}

	async start() {
		await this.odoo.start();
		this.odoo.reviews.push(this.review);
	}

	async stop() {
		await this.odoo.stop();
	}

	async subscriptions() {
		return this.odoo.activeSubscriptions().length;
	}

	async holdOrder(): Promise<HeldOrder> {
		const { review } = this;
		const [delivery] = await this.odoo.deliver({
			...requested,
			id: 'evt-order-release-1',
			subject: 'sale.order/77',
			time: new Date().toISOString(),
			data: {
				...requested.data,
				request: { id: review.request_id, ref: review.request_ref, state: 'pending' },
				document: { model: 'sale.order', id: 77, name: 'S00077', company: 'Acme Distribution EU', amount: '7500.00', currency: 'EUR' },
				requester: this.salesperson,
				matched_rules: ['so-discount'],
				reasons: [{ rule: 'so-discount', action: 'require_tier', text: 'Discount above 20 %' }],
				levels: [{ level: 1, tiers: ['so-discount'] }],
				pending_reviews: [{ review_id: review.review_id, level: 1, tier_name: review.tier_name, due: review.due, eligible_approvers: this.approvers }],
				context: [
					{ key: 'customer', label: 'Customer', value: CUSTOMER },
					{ key: 'sales_12_months', label: 'Sales, last 12 months (invoiced)', value: '€ 48,200.00' },
					{ key: 'overdue_balance', label: 'Overdue balance', value: '€ 1,250.00' },
					{ key: 'exposure', label: 'Receivables, open orders and this order', value: 'no credit limit' },
					{ key: 'margin', label: 'Margin', value: '31.5 % (cost € 5,137.50)' },
				],
			},
		});
		return {
			reviewId: review.review_id, approvers: this.approvers, salesperson: this.salesperson, orderId: 77,
			context: [CUSTOMER, 'Overdue balance', '€ 1,250.00'], deliveryStatus: delivery.status,
		};
	}

	async completed(order: HeldOrder) {
		const decision = this.odoo.callsOf('decide').find((call) => call.review_id === order.reviewId)!;
		const actor = this.approvers.find((person) => person.login === decision.actor)!;
		const result = { approve: 'approved', reject: 'rejected', request_changes: 'changes_requested' }[decision.outcome as string]!;
		await this.odoo.deliver({
			...completed,
			id: 'evt-order-release-completed',
			subject: 'sale.order/77',
			time: new Date().toISOString(),
			data: {
				...completed.data,
				request: { id: this.review.request_id, ref: this.review.request_ref, state: result },
				document: { model: 'sale.order', id: 77, name: 'S00077', company: 'Acme Distribution EU', amount: '7500.00', currency: 'EUR' },
				result,
				conditions: [],
				requester: this.salesperson,
				closing_decision: {
					review_id: order.reviewId, level: 1, tier_name: this.review.tier_name, on_behalf_of: null,
					outcome: decision.outcome, actor, comment: (decision.comment as string | undefined) || null,
				},
			},
		});
	}

	async decisions(order: HeldOrder): Promise<Array<[string, string]>> {
		// The stand-in records refused calls too; its review takes one decision (min_approvals 1).
		return this.odoo
			.callsOf('decide')
			.filter((call) => call.review_id === order.reviewId)
			.slice(0, 1)
			.map((call) => [call.actor as string, call.outcome as string]);
	}

	async orderState() {
		return undefined;
	}
}

/** How long Odoo's outbox may take to deliver an event (its dispatcher is a cron job). */
const DELIVERY_TIMEOUT_MS = 180_000;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class RealOrderRelease implements OrderReleaseOdoo {
	readonly real = true;
	private admin!: Call;
	private integrationUid = 0;
	private version = '';
	private readonly tag = `so${Date.now().toString(36)}`;
	private readonly password = `E2e-${Date.now().toString(36)}-Pw`;
	private salesperson!: Person;
	private approvers!: Person[];
	private seller!: Call;
	private customerId = 0;
	private productId = 0;
	private previousPolicyId: number | undefined;
	private subscriptionFloor = 0;

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}`;
	}

	async start() {
		const connected = await connectRealOdoo(this.credential, this.administrator);
		({ admin: this.admin, integrationUid: this.integrationUid, version: this.version } = connected);
		const [last] = await this.admin('governance.subscription', 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1, context: { active_test: false } });
		this.subscriptionFloor = last?.id ?? 0;
		const admin = this.admin;
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { xmlId, session } = require('../../../scripts/odoo-session.cjs');
		const group = (name: string) => xmlId(admin, name) as Promise<number>;
		const seller = [await group('base.group_user'), await group('sales_team.group_sale_salesman'), await group('distribution_governance.group_requester')];
		const approver = [...seller, await group('distribution_governance.group_approver')];
		const person = async (key: string, name: string, groups: number[]) => {
			const login = `${key}.${this.tag}@e2e.example`;
			const id = await admin('res.users', 'create', [{ name: `${name} (${this.tag})`, login, email: login, password: this.password, groups_id: [[6, 0, groups]] }]);
			return { id, person: { login, name: `${name} (${this.tag})`, email: login } };
		};
		const sam = await person('sam', 'Sam Seller', seller);
		const mia = await person('mia', 'Mia Manager', approver);
		const max = await person('max', 'Max Manager', approver);
		this.salesperson = sam.person;
		this.approvers = [mia.person, max.person];
		this.seller = await session(this.credential.url, this.credential.database, sam.person.login, this.password);
		this.customerId = await admin('res.partner', 'create', [{ name: `Northwind Retail ${this.tag}`, email: `buyer.${this.tag}@e2e.example` }]);
		this.productId = await admin('product.product', 'create', [{ name: `E2E Bolt ${this.tag}`, list_price: 100, standard_price: 50 }]);
		// An invoice due 30 days ago and unpaid: the customer is overdue.
		const today = new Date();
		const day = (offset: number) => new Date(today.getTime() + offset * 86400000).toISOString().slice(0, 10);
		const invoice = await admin('account.move', 'create', [{
			move_type: 'out_invoice', partner_id: this.customerId, invoice_date: day(-60), invoice_date_due: day(-30),
			invoice_line_ids: [[0, 0, { name: 'Bolts', quantity: 1, price_unit: 1250, tax_ids: [[5, 0, 0]] }]],
		}]);
		await admin('account.move', 'action_post', [[invoice]]);
		const [previous] = await admin('governance.policy', 'search', [[['state', '=', 'active']]], { limit: 1 });
		this.previousPolicyId = previous;
		const policy = await admin('governance.policy', 'create', [{
			name: `E2E order release ${this.tag}`,
			rule_ids: [
				[0, 0, {
					code: `${this.tag}-discount`, sequence: 10, document_type: 'sale.order', action: 'require_tier', reason: 'Discount above 20 %',
					tier_name: 'Sales manager', tier_level: 1, min_approvals: 1, sla_hours: 8, approver_user_ids: [[6, 0, [mia.id, max.id]]],
					condition_ids: [[0, 0, { fact: 'discount_percent', op: 'gt', value: '20' }]],
				}],
				[0, 0, {
					code: `${this.tag}-credit`, sequence: 20, document_type: 'sale.order', action: 'require_tier', reason: 'Credit limit exceeded',
					tier_name: 'Credit control', tier_level: 1, min_approvals: 1, sla_hours: 8, approver_user_ids: [[6, 0, [mia.id, max.id]]],
					condition_ids: [[0, 0, { fact: 'customer_credit_status', op: 'eq', value: 'exceeded' }]],
				}],
			],
		}]);
		await admin('governance.policy', 'action_activate', [[policy]]);
	}

	async stop() {
		if (this.previousPolicyId) await this.admin('governance.policy', 'action_activate', [[this.previousPolicyId]]);
	}

	async subscriptions() {
		return await this.admin('governance.subscription', 'search_count', [
			[['registered_by_id', '=', this.integrationUid], ['id', '>', this.subscriptionFloor]],
		]);
	}

	private async delivered(orderId: number, type: string) {
		const started = Date.now();
		for (;;) {
			const [event] = await this.admin('governance.event', 'search_read', [[['event_type', '=', type], ['subject', '=', `sale.order/${orderId}`]]], { fields: ['id'] });
			const [delivery] = event
				? await this.admin('governance.delivery', 'search_read', [[
						['event_id', '=', event.id], ['subscription_id.registered_by_id', '=', this.integrationUid],
						['subscription_id.id', '>', this.subscriptionFloor], ['state', '=', 'delivered'],
					]], { fields: ['last_status_code'] })
				: [];
			if (delivery) return delivery.last_status_code as number;
			if (Date.now() - started > DELIVERY_TIMEOUT_MS) throw new Error(`Odoo did not deliver ${type} for sale.order/${orderId}`);
			await sleep(500);
		}
	}

	async holdOrder(): Promise<HeldOrder> {
		const orderId = await this.seller('sale.order', 'create', [{
			partner_id: this.customerId,
			order_line: [[0, 0, { product_id: this.productId, product_uom_qty: 10, price_unit: 100, discount: 25, tax_id: [[5, 0, 0]] }]],
		}]);
		await this.seller('sale.order', 'action_confirm', [[orderId]]);
		const [order] = await this.admin('sale.order', 'read', [[orderId]], { fields: ['state', 'governance_state'] });
		if (order.state !== 'draft' || order.governance_state !== 'pending') throw new Error(`the order was not held: ${JSON.stringify(order)}`);
		const deliveryStatus = await this.delivered(orderId, 'approval.requested');
		const [review] = await this.admin('governance.approval.review', 'search_read', [
			[['request_id.res_model', '=', 'sale.order'], ['request_id.res_id', '=', orderId], ['state', '=', 'pending']],
		], { fields: ['id'] });
		return {
			reviewId: review.id, approvers: this.approvers, salesperson: this.salesperson, orderId,
			context: [`Northwind Retail ${this.tag}`, 'Overdue balance', '1,250.00'], deliveryStatus,
		};
	}

	async completed(order: HeldOrder) {
		await this.delivered(order.orderId, 'approval.completed');
	}

	async decisions(order: HeldOrder): Promise<Array<[string, string]>> {
		const rows = await this.admin('governance.approval.decision', 'search_read', [[['review_id', '=', order.reviewId]]], { fields: ['user_id', 'outcome'] });
		const users = await this.admin('res.users', 'read', [rows.map((row: any) => row.user_id[0])], { fields: ['login'] });
		return rows.map((row: any) => [users.find((user: any) => user.id === row.user_id[0]).login, row.outcome]);
	}

	async orderState(order: HeldOrder) {
		const [row] = await this.admin('sale.order', 'read', [[order.orderId]], { fields: ['state'] });
		return row.state as string;
	}
}

export function orderReleaseOdoo(env = process.env): OrderReleaseOdoo {
	const { ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD } = env;
	if (!ODOO_URL || !ODOO_DB || !ODOO_LOGIN || !ODOO_PASSWORD) return new StandInOrderRelease();
	return new RealOrderRelease(
		{ url: ODOO_URL.replace(/\/+$/, ''), database: ODOO_DB, login: ODOO_LOGIN, secret: ODOO_PASSWORD },
		{ login: env.ODOO_ADMIN_LOGIN || 'admin', password: env.ODOO_ADMIN_PASSWORD || 'admin' },
	);
}
