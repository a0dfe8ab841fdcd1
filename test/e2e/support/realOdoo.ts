/**
 * A real Odoo with the addon installed, for the end-to-end scenario: named by `ODOO_URL`,
 * `ODOO_DB`, `ODOO_LOGIN`, `ODOO_PASSWORD` (the integration user n8n logs in as) and
 * `ODOO_ADMIN_LOGIN`, `ODOO_ADMIN_PASSWORD` (default admin/admin: an administrator who is a
 * Governance Manager, used to set up this run's data and to look at what Odoo recorded).
 *
 * Each run creates its own buyer, two approvers, vendor, product and policy (names and logins
 * carry a run tag) and activates that policy for the company; the policy active before is
 * activated again at the end. Events reach n8n the way they do in production: a purchase order
 * is confirmed, the addon's outbox writes approval.requested, and its dispatcher delivers it.
 */
import { randomUUID } from 'crypto';

import type { OdooUnderTest, ApprovalCase, DecisionSeen, SubscriptionSeen } from './odooUnderTest';
import { STOP_WORDS, type StopOutcome } from './procurementScenario';
import { postSignedDelivery, type Tamper } from './signedDelivery';
import type { Person } from './standInOdoo';

type Call = ((model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>) & { uid: number };

interface OdooSession {
	session(url: string, db: string, login: string, password: string): Promise<Call>;
	xmlId(call: Call, name: string): Promise<number>;
	serverVersion(call: Call): Promise<string>;
}
// XML-RPC (odoo-await), an Odoo client independent of the package's own transport.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const odooJsonRpc = require('../../../scripts/odoo-session.cjs') as OdooSession;

/** How long Odoo's outbox may take to deliver an event (its dispatcher is a cron job). */
const DELIVERY_TIMEOUT_MS = 90_000;
/** The approval tier needs 1,000 or more, the hold rule 50,000 or more. */
const NEEDS_APPROVAL_AMOUNT = 12500;
const HELD_AMOUNT = 60000;
const BLOCKED_AMOUNT = 250000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const splitList = (value: string | false) =>
	(value || '')
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean);

/**
 * Log in as the integration user (checking it is one) and as the administrator; Odoo's version.
 * Shared by the real-Odoo end-to-end tests.
 */
export async function connectRealOdoo(
	credential: { url: string; database: string; login: string; secret: string },
	administrator: { login: string; password: string },
) {
	const { url, database, login, secret } = credential;
	const integration = await odooJsonRpc.session(url, database, login, secret);
	const info = await integration('governance.api', 'api_info', [{}]);
	if (!info.integration) throw new Error(`${login} is not in the group Distribution Governance / Integration (API)`);
	const admin = await odooJsonRpc.session(url, database, administrator.login, administrator.password);
	const server = await odooJsonRpc.serverVersion(admin);
	return {
		admin,
		integrationUid: integration.uid,
		version: `${server} (addon ${info.addon_version}, API ${info.api_version})`,
		hasJson2: Number(server.split('.')[0]) >= 19,
	};
}

export function realOdooFromEnvironment(env = process.env): RealOdoo | undefined {
	const { ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD } = env;
	if (!ODOO_URL || !ODOO_DB || !ODOO_LOGIN || !ODOO_PASSWORD) return undefined;
	return new RealOdoo(
		{ url: ODOO_URL.replace(/\/+$/, ''), database: ODOO_DB, login: ODOO_LOGIN, secret: ODOO_PASSWORD },
		{ login: env.ODOO_ADMIN_LOGIN || 'admin', password: env.ODOO_ADMIN_PASSWORD || 'admin' },
	);
}

export class RealOdoo implements OdooUnderTest {
	hasJson2 = false;
	private admin!: Call;
	private integrationUid = 0;
	private version = '';
	private readonly tag = `e2e${Date.now().toString(36)}`;
	/** The login password of this run's buyer and approvers. */
	private readonly peoplesPassword = `E2e-${randomUUID()}`;
	/** Records with a larger id than these were made by this run. */
	private readonly floor: Record<string, number> = {};
	private people!: { buyer: Person; maria: Person; tom: Person };
	private buyer!: Call;
	private vendorId = 0;
	private productId = 0;
	private previousPolicyId: number | undefined;
	private lastEventBody = '';

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}, integration user ${this.credential.login}`;
	}

	async start() {
		const connected = await connectRealOdoo(this.credential, this.administrator);
		({ admin: this.admin, integrationUid: this.integrationUid, version: this.version, hasJson2: this.hasJson2 } = connected);
		for (const model of ['governance.idempotency', 'governance.approval.decision', 'governance.subscription']) {
			const [last] = await this.admin(model, 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1, context: { active_test: false } });
			this.floor[model] = last?.id ?? 0;
		}
		await this.createFixtures();
	}

	async stop() {
		if (this.previousPolicyId) await this.admin('governance.policy', 'action_activate', [[this.previousPolicyId]]);
	}

	private async createFixtures() {
		const admin = this.admin;
		const group = (name: string) => odooJsonRpc.xmlId(admin, name);
		const requesterGroups = [await group('base.group_user'), await group('purchase.group_purchase_user'), await group('distribution_governance.group_requester')];
		const approverGroups = [...requesterGroups, await group('distribution_governance.group_approver')];
		const person = async (key: string, name: string, groups: number[]) => {
			const login = `${key}.${this.tag}@e2e.example`;
			const id = await admin('res.users', 'create', [
				{ name: `${name} (${this.tag})`, login, email: login, password: this.peoplesPassword, groups_id: [[6, 0, groups]] },
			]);
			return { id, person: { login, name: `${name} (${this.tag})`, email: login } };
		};
		const buyer = await person('alice', 'Alice Buyer', requesterGroups);
		const maria = await person('maria', 'Maria Manager', approverGroups);
		const tom = await person('tom', 'Tom Treasurer', approverGroups);
		this.people = { buyer: buyer.person, maria: maria.person, tom: tom.person };
		this.buyer = await odooJsonRpc.session(this.credential.url, this.credential.database, buyer.person.login, this.peoplesPassword);

		this.vendorId = await admin('res.partner', 'create', [{ name: `E2E Vendor ${this.tag}`, governance_vendor_risk: 'low' }]);
		this.productId = await admin('product.product', 'create', [
			{ name: `E2E Bearing ${this.tag}`, seller_ids: [[0, 0, { partner_id: this.vendorId, price: 10 }]] },
		]);
		const [previous] = await admin('governance.policy', 'search', [[['state', '=', 'active']]], { limit: 1 });
		this.previousPolicyId = previous;
		const policy = await admin('governance.policy', 'create', [
			{
				name: `E2E procurement ${this.tag}`,
				rule_ids: [
					[0, 0, {
						code: `${this.tag}-spend`, sequence: 10, document_type: 'purchase.order', action: 'require_tier',
						reason: 'Spend of 1,000 or more', tier_name: 'Purchasing manager', tier_level: 1, min_approvals: 1,
						sla_hours: 24, approver_user_ids: [[6, 0, [maria.id, tom.id]]],
						condition_ids: [[0, 0, { fact: 'amount', op: 'gte', value: '1000' }]],
					}],
					[0, 0, {
						code: `${this.tag}-hold`, sequence: 20, document_type: 'purchase.order', action: 'hold',
						reason: 'Spend of 50,000 or more waits for the budget review',
						condition_ids: [[0, 0, { fact: 'amount', op: 'gte', value: '50000' }]],
					}],
					[0, 0, {
						code: `${this.tag}-block`, sequence: 30, document_type: 'purchase.order', action: 'block',
						reason: 'Spend of 250,000 or more is beyond purchasing authority',
						condition_ids: [[0, 0, { fact: 'amount', op: 'gte', value: '250000' }]],
					}],
				],
			},
		]);
		await admin('governance.policy', 'action_activate', [[policy]]);
	}

	async activeSubscriptions(urlPrefix: string): Promise<SubscriptionSeen[]> {
		const rows = await this.admin('governance.subscription', 'search_read', [
			[['url', '=like', `${urlPrefix}%`], ['registered_by_id', '=', this.integrationUid], ['id', '>', this.floor['governance.subscription']]],
		], { fields: ['url', 'event_types', 'document_models'] });
		return rows.map((row: { url: string; event_types: string; document_models: string | false }) => ({
			url: row.url,
			event_types: splitList(row.event_types),
			document_models: splitList(row.document_models),
		}));
	}

	async removedSubscriptions(urlPrefix: string) {
		return await this.admin('governance.subscription', 'search_count', [
			[['url', '=like', `${urlPrefix}%`], ['removed_at', '!=', false], ['id', '>', this.floor['governance.subscription']]],
		], { context: { active_test: false } });
	}

	async idempotencyKeys(method: string) {
		const rows = await this.admin('governance.idempotency', 'search_read', [
			[['method', '=', method], ['user_id', '=', this.integrationUid], ['id', '>', this.floor['governance.idempotency']]],
		], { fields: ['key'], order: 'id' });
		return rows.map((row: { key: string }) => row.key);
	}

	/** The buyer creates a purchase order of `amount` and confirms it, as in Odoo's form. */
	private async confirmOrder(amount: number) {
		const orderId = await this.buyer('purchase.order', 'create', [
			{ partner_id: this.vendorId, order_line: [[0, 0, { product_id: this.productId, product_qty: 1, price_unit: amount }]] },
		]);
		await this.buyer('purchase.order', 'button_confirm', [[orderId]]);
		return orderId;
	}

	/** The approval.requested event about `orderId` and its delivery, once the dispatcher tried it. */
	private async deliveredEvent(orderId: number) {
		const started = Date.now();
		for (;;) {
			const [event] = await this.admin('governance.event', 'search_read', [
				[['event_type', '=', 'approval.requested'], ['subject', '=', `purchase.order/${orderId}`]],
			], { fields: ['event_uid', 'body'] });
			// The delivery to this run's subscription (the database may have other subscribers).
			const [delivery] = event
				? await this.admin('governance.delivery', 'search_read', [[
						['event_id', '=', event.id],
						['subscription_id.registered_by_id', '=', this.integrationUid],
						['subscription_id', '>', this.floor['governance.subscription']],
					]], { fields: ['state', 'last_status_code', 'last_latency_ms', 'last_error', 'attempt_count'] })
				: [];
			if (delivery?.attempt_count > 0) {
				this.lastEventBody = event.body;
				return { event, delivery };
			}
			if (Date.now() - started > DELIVERY_TIMEOUT_MS) {
				throw new Error(
					`Odoo did not deliver approval.requested for purchase.order/${orderId} within ${DELIVERY_TIMEOUT_MS} ms ` +
						`(event: ${event ? event.event_uid : 'none'}; is the dispatcher cron running, e.g. --max-cron-threads=1?)`,
				);
			}
			await sleep(250);
		}
	}

	async requestApproval(): Promise<ApprovalCase> {
		const orderId = await this.confirmOrder(NEEDS_APPROVAL_AMOUNT);
		const { event, delivery } = await this.deliveredEvent(orderId);
		const [review] = await this.admin('governance.approval.review', 'search_read', [
			[['request_id.res_model', '=', 'purchase.order'], ['request_id.res_id', '=', orderId], ['state', '=', 'pending']],
		], { fields: ['id'] });
		return {
			eventId: event.event_uid,
			reviewId: review.id,
			approvers: [this.people.maria, this.people.tom],
			requester: this.people.buyer,
			delivery: { status: delivery.last_status_code, milliseconds: delivery.last_latency_ms },
		};
	}

	/**
	 * Odoo's policy holds a large order, or blocks a very large one: confirming a blocked order is
	 * refused with the policy's reasons, and Odoo records the attempt and tells n8n afterwards.
	 */
	async stopByPolicy(outcome: StopOutcome) {
		let orderId: number;
		if (outcome === 'hold') {
			orderId = await this.confirmOrder(HELD_AMOUNT);
		} else {
			orderId = await this.buyer('purchase.order', 'create', [
				{ partner_id: this.vendorId, order_line: [[0, 0, { product_id: this.productId, product_qty: 1, price_unit: BLOCKED_AMOUNT }]] },
			]);
			const refusal = await this.buyer('purchase.order', 'button_confirm', [[orderId]]).then(
				() => undefined,
				(error: Error) => error.message,
			);
			if (!refusal?.includes('beyond purchasing authority')) {
				throw new Error(`Odoo did not refuse the blocked order ${orderId} with the policy's reason: ${refusal ?? 'it was confirmed'}`);
			}
		}
		await this.deliveredEvent(orderId);
		return { requester: this.people.buyer, word: STOP_WORDS[outcome] };
	}

	/** Odoo's last approval.requested event again, signed as `tamper` says. */
	async deliverTampered(tamper: Tamper) {
		const [subscription] = await this.admin('governance.subscription', 'search_read', [
			[['registered_by_id', '=', this.integrationUid], ['id', '>', this.floor['governance.subscription']]],
		], { fields: ['url', 'secret'], order: 'id desc', limit: 1 });
		const { id } = JSON.parse(this.lastEventBody) as { id: string };
		return await postSignedDelivery(subscription.url, subscription.secret, id, this.lastEventBody, tamper);
	}

	async decisions(): Promise<DecisionSeen[]> {
		const decisions = await this.admin('governance.approval.decision', 'search_read', [
			[['id', '>', this.floor['governance.approval.decision']]],
		], { fields: ['review_id', 'user_id', 'outcome', 'comment'], order: 'id' });
		const calls = await this.admin('governance.idempotency', 'search_read', [
			[['method', '=', 'decide'], ['id', '>', this.floor['governance.idempotency']]],
		], { fields: ['key', 'result'] });
		const users = await this.admin('res.users', 'read', [decisions.map((row: any) => row.user_id[0])], { fields: ['login'] });
		const login = new Map(users.map((user: { id: number; login: string }) => [user.id, user.login]));
		return decisions.map((row: any) => ({
			review_id: row.review_id[0],
			actor: login.get(row.user_id[0]) as string,
			outcome: row.outcome,
			comment: row.comment || '',
			idempotency_key: calls.find((call: any) => JSON.parse(call.result).review_id === row.review_id[0])?.key ?? '',
		}));
	}

	/** The order, its approval request and review, and the audit entries of the decision, after it. */
	async afterDecision(reviewId: number) {
		const [review] = await this.admin('governance.approval.review', 'read', [[reviewId]], { fields: ['state', 'request_id'] });
		const [request] = await this.admin('governance.approval.request', 'read', [[review.request_id[0]]], {
			fields: ['state', 'res_id'],
		});
		const [order] = await this.admin('purchase.order', 'read', [[request.res_id]], { fields: ['state'] });
		const audit = await this.admin('governance.audit.log', 'search_read', [
			[['request_id', '=', request.id], ['event', '=', 'decision']],
		], { fields: ['summary', 'actor_id', 'content'] });
		return {
			review: review.state as string,
			request: request.state as string,
			order: order.state as string,
			audit: audit.map((entry: any) => ({ summary: entry.summary, actor: entry.actor_id[1], content: JSON.parse(entry.content) })),
		};
	}
}
