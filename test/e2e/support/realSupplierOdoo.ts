/**
 * Scenarios S1 and S4 on a real Odoo (named as in realOdoo.ts): this run's buyer, two approvers,
 * a preferred and a backup vendor, a stockable product bought from both, a customer order that makes
 * it fast-moving, and a policy with a spend tier and a non-preferred-vendor tier, all created as the
 * administrator through XML-RPC (names carry a run tag; the policy active before is activated again
 * at the end). Odoo's own reordering rule, approvals, overdue scan and outbox do the rest.
 */
import { randomUUID } from 'crypto';

import { connectRealOdoo } from './realOdoo';

type Call = ((model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>) & { uid: number };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const odooRpc = require('../../../scripts/odoo-session.cjs') as {
	session(url: string, db: string, login: string, password: string): Promise<Call>;
	xmlId(call: Call, name: string): Promise<number>;
};

const DELIVERY_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const day = (date: Date) => date.toISOString().slice(0, 10);

export class RealSupplierOdoo {
	admin!: Call;
	integration!: Call;
	version = '';
	readonly tag = `s1${Date.now().toString(36)}`;
	private readonly password = `E2e-${randomUUID()}`;
	private integrationUid = 0;
	private previousPolicyId: number | undefined;
	people!: { buyer: { id: number; login: string }; purchasing: { id: number; login: string }; category: { id: number; login: string } };
	backupVendor = { id: 0, name: '', email: '' };
	productId = 0;
	productCode = '';
	saleOrder = { id: 0, name: '', customer: '' };
	private warehouse = { id: 0, stock: 0 };
	private subscriptionFloor = 0;

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}, integration user ${this.credential.login}`;
	}

	async start() {
		const connected = await connectRealOdoo(this.credential, this.administrator);
		({ admin: this.admin, integration: this.integration, integrationUid: this.integrationUid, version: this.version } = connected);
		const [last] = await this.admin('governance.subscription', 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1, context: { active_test: false } });
		this.subscriptionFloor = last?.id ?? 0;
		await this.createFixtures();
	}

	async stop() {
		if (this.previousPolicyId) await this.admin('governance.policy', 'action_activate', [[this.previousPolicyId]]);
	}

	private async createFixtures() {
		const admin = this.admin;
		const group = (name: string) => odooRpc.xmlId(admin, name);
		const requester = [await group('base.group_user'), await group('purchase.group_purchase_user'), await group('distribution_governance.group_requester')];
		const approver = [...requester, await group('distribution_governance.group_approver')];
		const person = async (key: string, name: string, groups: number[]) => {
			const login = `${key}.${this.tag}@e2e.example`;
			const id = await admin('res.users', 'create', [{ name: `${name} (${this.tag})`, login, email: login, password: this.password, groups_id: [[6, 0, groups]] }]);
			return { id, login };
		};
		this.people = {
			buyer: await person('bea', 'Bea Buyer', requester),
			purchasing: await person('maria', 'Maria Purchasing', approver),
			category: await person('eve', 'Eve Category', approver),
		};
		const preferred = await admin('res.partner', 'create', [{ name: `E2E Nordic Bearings ${this.tag}`, email: `orders.${this.tag}@nordic.example`, governance_vendor_risk: 'low' }]);
		this.backupVendor = { id: 0, name: `E2E Backup Bearings ${this.tag}`, email: `sales.${this.tag}@backup-bearings.example` };
		this.backupVendor.id = await admin('res.partner', 'create', [{ name: this.backupVendor.name, email: this.backupVendor.email, governance_vendor_risk: 'low' }]);
		const [warehouse] = await admin('stock.warehouse', 'search_read', [[]], { fields: ['lot_stock_id'], limit: 1, order: 'id' });
		this.warehouse = { id: warehouse.id, stock: warehouse.lot_stock_id[0] };
		this.productCode = `PSK-${this.tag}`;
		this.productId = await admin('product.product', 'create', [{
			name: `E2E Pump seal kit ${this.tag}`, default_code: this.productCode, is_storable: true,
			route_ids: [[6, 0, [await group('purchase_stock.route_warehouse0_buy')]]],
			seller_ids: [
				[0, 0, { partner_id: preferred, price: 100, sequence: 1, delay: 4 }],
				[0, 0, { partner_id: this.backupVendor.id, price: 110, sequence: 2, delay: 4 }],
			],
		}]);
		// A customer order of 12 (fast-moving: 10 or more sold in 30 days), committed in 6 days.
		this.saleOrder.customer = `E2E Nordic Retail ${this.tag}`;
		const customer = await admin('res.partner', 'create', [{ name: this.saleOrder.customer }]);
		this.saleOrder.id = await admin('sale.order', 'create', [{
			partner_id: customer, commitment_date: `${day(new Date(Date.now() + 6 * 86400000))} 10:00:00`,
			order_line: [[0, 0, { product_id: this.productId, product_uom_qty: 12, price_unit: 150 }]],
		}]);
		await admin('sale.order', 'action_confirm', [[this.saleOrder.id]]);
		[{ name: this.saleOrder.name }] = await admin('sale.order', 'read', [[this.saleOrder.id]], { fields: ['name'] });

		[this.previousPolicyId] = await admin('governance.policy', 'search', [[['state', '=', 'active']]], { limit: 1 });
		const tier = (code: string, name: string, reason: string, user: number, condition: object) => [0, 0, {
			code: `${this.tag}-${code}`, sequence: 10, document_type: 'purchase.order', action: 'require_tier', reason,
			tier_name: name, tier_level: 1, min_approvals: 1, sla_hours: 24, approver_user_ids: [[6, 0, [user]]],
			condition_ids: [[0, 0, condition]],
		}];
		const policy = await admin('governance.policy', 'create', [{
			name: `E2E replenishment ${this.tag}`,
			rule_ids: [
				tier('spend', 'Purchasing', 'Spend of 1,000 or more', this.people.purchasing.id, { fact: 'amount', op: 'gte', value: '1000' }),
				tier('non-preferred', 'Category manager', 'Vendor is not the preferred supplier', this.people.category.id,
					{ fact: 'vendor_preferred', op: 'eq', value: 'false' }),
			],
		}]);
		await admin('governance.policy', 'action_activate', [[policy]]);
	}

	/** The subscription the trigger at `url` registered, once it exists. */
	async subscription(url: string) {
		const [row] = await this.admin('governance.subscription', 'search_read', [
			[['url', '=', url], ['registered_by_id', '=', this.integrationUid], ['id', '>', this.subscriptionFloor]],
		], { fields: ['event_types'], limit: 1 });
		return row as { id: number; event_types: string } | undefined;
	}

	/** "Order Once" on a reordering rule (min 10, max 20, stock 0) buying from the backup vendor. */
	async replenish() {
		const [backup] = await this.admin('product.supplierinfo', 'search', [[['product_tmpl_id.product_variant_ids', 'in', [this.productId]], ['partner_id', '=', this.backupVendor.id]]]);
		const orderpoint = await this.admin('stock.warehouse.orderpoint', 'create', [{
			name: `OP/${this.tag}`, product_id: this.productId, warehouse_id: this.warehouse.id, location_id: this.warehouse.stock,
			product_min_qty: 10, product_max_qty: 20, trigger: 'manual', supplier_id: backup,
		}]);
		await this.admin('stock.warehouse.orderpoint', 'action_replenish', [[orderpoint]]);
		const [line] = await this.admin('purchase.order.line', 'search_read', [[['orderpoint_id', '=', orderpoint]]], { fields: ['order_id', 'product_qty'] });
		const [rfq] = await this.admin('purchase.order', 'read', [[line.order_id[0]]], { fields: ['name', 'state', 'partner_id', 'amount_untaxed'] });
		const [event] = await this.admin('governance.event', 'search_read', [
			[['event_type', '=', 'replenishment.triggered'], ['subject', '=', `stock.warehouse.orderpoint/${orderpoint}`]],
		], { fields: ['body'] });
		// The buyer of the scenario owns the RFQ (Order Once ran as the administrator).
		await this.admin('purchase.order', 'write', [[rfq.id], { user_id: this.people.buyer.id }]);
		return { orderpoint, rfq, quantity: line.product_qty as number, triggered: event ? JSON.parse(event.body).data : undefined };
	}

	/** The buyer confirms the RFQ; the policy's tiers are the pending reviews. */
	async confirmAsBuyer(orderId: number) {
		const buyer = await odooRpc.session(this.credential.url, this.credential.database, this.people.buyer.login, this.password);
		await buyer('purchase.order', 'button_confirm', [[orderId]]);
		return await this.orderAndReviews(orderId);
	}

	async orderAndReviews(orderId: number) {
		const [order] = await this.admin('purchase.order', 'read', [[orderId]], { fields: ['state'] });
		const reviews = await this.admin('governance.approval.review', 'search_read', [
			[['request_id.res_model', '=', 'purchase.order'], ['request_id.res_id', '=', orderId]],
		], { fields: ['tier_name', 'state', 'level'], order: 'id' });
		return { state: order.state as string, reviews: reviews as Array<{ id: number; tier_name: string; state: string }> };
	}

	/** An approver approves their review through the write-back API, as n8n's approval links do. */
	async approve(reviewId: number, login: string) {
		return await this.integration('governance.api', 'decide', [
			{ review_id: reviewId, actor: login, outcome: 'approve', idempotency_key: `approve-${this.tag}-${reviewId}` },
		]);
	}

	/** The `type` event about the order, once Odoo delivered it to this run's subscription. */
	async delivered(orderId: number, type: string) {
		const started = Date.now();
		for (;;) {
			const [event] = await this.admin('governance.event', 'search_read', [
				[['event_type', '=', type], ['subject', '=', `purchase.order/${orderId}`]],
			], { fields: ['event_uid', 'body'], order: 'id desc', limit: 1 });
			const [delivery] = event
				? await this.admin('governance.delivery', 'search_read', [[
						['event_id', '=', event.id], ['subscription_id.registered_by_id', '=', this.integrationUid],
						['subscription_id.id', '>', this.subscriptionFloor], ['state', '=', 'delivered'],
					]], { fields: ['last_status_code', 'last_latency_ms'] })
				: [];
			if (delivery) return { data: JSON.parse(event.body).data, status: delivery.last_status_code as number };
			if (Date.now() - started > DELIVERY_TIMEOUT_MS) throw new Error(`Odoo did not deliver ${type} for purchase.order/${orderId}`);
			await sleep(300);
		}
	}

	async confirmation(orderId: number) {
		const [row] = await this.admin('governance.supplier.confirmation', 'search_read', [[['purchase_order_id', '=', orderId]]], {
			fields: ['state', 'date_due', 'overdue_exception_id', 'drift_exception_id', 'drift_days', 'update_ids', 'buyer_id'],
		});
		return row;
	}

	/** The window closes: the confirmation's due time is moved into the past and the overdue scan runs. */
	async runOverdueScan(orderId: number) {
		const confirmation = await this.confirmation(orderId);
		if (confirmation.state === 'awaiting') {
			// Nobody may write a confirmation (Odoo keeps them); the clock moving on is played by an
			// administrator's server action on the order that moves the due time two hours into the past.
			const [model] = await this.admin('ir.model', 'search', [[['model', '=', 'purchase.order']]]);
			const action = await this.admin('ir.actions.server', 'create', [{
				name: `E2E window closes ${this.tag}`, model_id: model, state: 'code',
				code: 'env["governance.supplier.confirmation"].sudo().search([("purchase_order_id", "=", record.id)]).write(' +
					'{"date_due": datetime.datetime.now() - datetime.timedelta(hours=2)})',
			}]);
			await this.admin('ir.actions.server', 'run', [[action]], { context: { active_model: 'purchase.order', active_ids: [orderId], active_id: orderId } });
			await this.admin('ir.actions.server', 'unlink', [[action]]);
		}
		const cron = await odooRpc.xmlId(this.admin, 'distribution_governance.ir_cron_governance_supplier_overdue');
		for (let attempt = 0; ; attempt++) {
			try {
				await this.admin('ir.cron', 'method_direct_trigger', [[cron]]);
				break;
			} catch (error) {
				// The cron thread may hold the job just now.
				if (attempt > 10) throw error;
				await sleep(1000);
			}
		}
		const after = await this.confirmation(orderId);
		const activities = await this.admin('mail.activity', 'search_read', [
			[['res_model', '=', 'purchase.order'], ['res_id', '=', orderId]],
		], { fields: ['summary', 'user_id', 'activity_type_id'] });
		const [exception] = after.overdue_exception_id
			? await this.admin('governance.exception', 'read', [[after.overdue_exception_id[0]]], { fields: ['name', 'summary', 'owner_id', 'sla_due', 'category'] })
			: [];
		return { confirmation: after, activities, exception };
	}

	/** What Odoo holds after the supplier's answer: the confirmation, its updates, the line's date, the drift exception. */
	async afterAnswer(orderId: number) {
		const confirmation = await this.confirmation(orderId);
		const updates = await this.admin('governance.supplier.confirmation.update', 'read', [confirmation.update_ids], {
			fields: ['status', 'source', 'supplier_reference', 'received_at', 'state_after'],
		});
		const [line] = await this.admin('purchase.order.line', 'search_read', [[['order_id', '=', orderId]]], { fields: ['date_planned'] });
		const [exception] = confirmation.drift_exception_id
			? await this.admin('governance.exception', 'read', [[confirmation.drift_exception_id[0]]], { fields: ['name', 'summary', 'details'] })
			: [];
		return { confirmation, updates, datePlanned: line.date_planned as string, exception };
	}
}
