/**
 * The Odoo of the inbound-control end-to-end test (scenario S5), seen through what it needs: a
 * receipt short beyond tolerance, a bill over the order's price, an aging receipt and a resolution,
 * each reaching n8n as exception.raised / exception.resolved with its evidence.
 *
 * - A real Odoo when `ODOO_URL`, `ODOO_DB`, `ODOO_LOGIN`, `ODOO_PASSWORD` name one (admin as in
 *   realOdoo.ts): this run makes its own buyer, accounts-payable user, vendor and product, then
 *   receives and bills a real purchase order through XML-RPC; the addon's outbox delivers.
 * - Otherwise the stand-in Odoo, which delivers the events Odoo would send (their data checked
 *   against contract/events/data-schemas.json first, so they cannot drift from the contract).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'fs';
import { join } from 'path';

import { connectRealOdoo, realOdooFromEnvironment } from './realOdoo';
import { StandInOdoo } from './standInOdoo';

export interface Person {
	login: string;
	name: string;
	email: string;
}

export interface InboundOdoo {
	readonly description: string;
	readonly credential: { url: string; database: string; login: string; secret: string };
	readonly buyer: Person;
	readonly payables: Person;
	readonly supplierEmail: string;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Event types the run's subscription listens to (once the trigger registered it). */
	subscribedTypes(urlPrefix: string): Promise<string[] | undefined>;
	/** A purchase order of 10 units at 5.00 received as 8 (20 % short, tolerance 5 %): its order and receipt names. */
	shortReceipt(): Promise<{ order: string; receipt: string; exception: string }>;
	/** A bill of that order at 5.40 (8 % over the order's 5.00). */
	billOver(): Promise<{ bill: string; exception: string }>;
	/** The receipt discrepancy resolved in Odoo with `reason`. */
	resolveReceipt(reason: string): Promise<void>;
}

const CONTRACT = join(__dirname, '..', '..', '..', 'contract', 'events');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function dataValidator() {
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	ajv.addSchema(JSON.parse(readFileSync(join(CONTRACT, 'data-schemas.json'), 'utf8')));
	return (type: string, data: unknown) => {
		const validate = ajv.getSchema(
			`https://distribution-governance.example/contract/events/data-schemas.json#/$defs/${type.replace('.', '__')}`,
		)!;
		if (!validate(data)) throw new Error(`stand-in ${type} breaks the contract: ${JSON.stringify(validate.errors)}`);
	};
}

const STAND_IN_KEY = ['stand', 'in', 'inbound', 'key'].join('-');
const buyer = { login: 'bea', name: 'Bea Buyer', email: 'buyer@acme.example' };
const payables = { login: 'paula', name: 'Paula Payables', email: 'payables@acme.example' };
const supplier = { id: 31, name: 'Nordic Bearings AB', email: 'orders@nordic-bearings.example' };
const order = { model: 'purchase.order', id: 42, name: 'P00042', company: 'Acme Distribution EU', amount: '50.00', currency: 'EUR' };
const receipt = { model: 'stock.picking', id: 77, name: 'WH/IN/00077', company: 'Acme Distribution EU' };
const bill = { model: 'account.move', id: 91, name: 'BILL/2026/11/0004', company: 'Acme Distribution EU', amount: '43.20', currency: 'EUR' };
const product = { id: 5, name: '[BRG-6204] Bearing 6204' };
const tolerance = { percent: '5', absolute: '0', source: 'company Acme Distribution EU' };

function exception(id: number, type: string, owner: Person, summary: string) {
	return { id, name: `EXC/2026/00${id}`, exception_type: type, category: 'business', severity: 'high', state: 'open', summary, owner, sla_due: '2026-11-30T09:00:00Z' };
}

const receiptEvidence = {
	receipt, purchase_order: order, supplier, buyer, warehouse: 'Main Warehouse', scheduled_date: '2026-11-28T09:00:00Z',
	lines: [{
		purchase_line_id: 7, product, uom: 'Units', ordered: '10', received: '8', received_total: '8', still_expected: '0',
		difference: '-2', difference_percent: '-20', allowance: '0.5', tolerance, beyond_tolerance: true,
		lots: [{ name: 'LOT-2211', quantity: '8' }],
	}],
};
const priceEvidence = {
	bill, vendor_reference: 'INV-778', purchase_orders: [order], supplier, currency: 'EUR',
	lines: [{
		bill_line_id: 12, purchase_line_id: 7, order: 'P00042', product, uom: 'Units', quantity: '8', ordered_price: '5.00',
		billed_price: '5.40', difference: '0.40', difference_percent: '8', allowance: '0.25', tolerance, beyond_tolerance: true,
	}],
};

class StandInInbound implements InboundOdoo {
	readonly odoo = new StandInOdoo('acme', 'n8n-integration', STAND_IN_KEY);
	readonly buyer = buyer;
	readonly payables = payables;
	readonly supplierEmail = supplier.email;
	private readonly check = dataValidator();
	private sequence = 0;

	get description() {
		return `the stand-in Odoo (test/e2e/support/standInOdoo.ts) at ${this.odoo.url}`;
	}

	get credential() {
		return { url: this.odoo.url, database: 'acme', login: 'n8n-integration', secret: STAND_IN_KEY };
	}

	async start() {
		await this.odoo.start();
	}

	async stop() {
		await this.odoo.stop();
	}

	async subscribedTypes(urlPrefix: string) {
		return this.odoo.activeSubscriptions().find((subscription) => subscription.url.startsWith(urlPrefix))?.event_types;
	}

	private async deliver(type: string, subject: string, data: Record<string, unknown>) {
		this.check(type, data);
		this.sequence += 1;
		const event = {
			specversion: '1.0', id: `evt-inbound-${this.sequence}`, type, source: 'odoo://127.0.0.1/acme',
			time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), subject, datacontenttype: 'application/json',
			sequence: String(this.sequence), company: 'Acme Distribution EU', data,
		};
		const [delivery] = await this.odoo.deliver(event).catch(async () => await this.odoo.deliver(event));
		if (delivery?.status !== 200) throw new Error(`the trigger answered ${delivery?.status} to ${type}`);
	}

	async shortReceipt() {
		const raised = exception(7, 'receipt_quantity_discrepancy', buyer, 'WH/IN/00077 differs from P00042: [BRG-6204] Bearing 6204 8/10 Units');
		await this.deliver('exception.raised', 'stock.picking/77', { exception: raised, document: receipt, evidence: receiptEvidence });
		return { order: order.name, receipt: receipt.name, exception: raised.name };
	}

	async billOver() {
		const raised = exception(8, 'price_variance', payables, 'BILL/2026/11/0004 bills P00042 off price');
		await this.deliver('exception.raised', 'account.move/91', { exception: raised, document: bill, evidence: priceEvidence });
		return { bill: bill.name, exception: raised.name };
	}

	async resolveReceipt(reason: string) {
		const resolved = { ...exception(7, 'receipt_quantity_discrepancy', buyer, 'WH/IN/00077 differs from P00042'), state: 'resolved' };
		await this.deliver('exception.resolved', 'stock.picking/77', {
			exception: resolved, document: receipt, evidence: receiptEvidence, resolution: 'resolved', reason, resolved_by: buyer,
		});
	}
}

type Call = Awaited<ReturnType<typeof connectRealOdoo>>['admin'];

class RealInbound implements InboundOdoo {
	private admin!: Call;
	private integration!: Call;
	private integrationUid = 0;
	private version = '';
	private readonly tag = `e2e${Date.now().toString(36)}`;
	private subscriptionFloor = 0;
	private vendorId = 0;
	private productId = 0;
	private orderId = 0;
	private lineId = 0;
	private receiptId = 0;
	private previousPayables: number | false = false;
	private companyId = 0;
	buyer!: Person;
	payables!: Person;
	supplierEmail = '';

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}`;
	}

	async start() {
		const connected = await connectRealOdoo(this.credential, this.administrator);
		({ admin: this.admin, integration: this.integration, integrationUid: this.integrationUid, version: this.version } = connected);
		const admin = this.admin;
		const [last] = await admin('governance.subscription', 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1, context: { active_test: false } });
		this.subscriptionFloor = last?.id ?? 0;
		const xmlId = async (name: string) => {
			const [module, id] = name.split('.');
			const [row] = await admin('ir.model.data', 'search_read', [[['module', '=', module], ['name', '=', id]]], { fields: ['res_id'] });
			return row.res_id as number;
		};
		const person = async (key: string, name: string, groups: string[]) => {
			const login = `${key}.${this.tag}@e2e.example`;
			const ids = await Promise.all(groups.map(xmlId));
			await admin('res.users', 'create', [{ name: `${name} (${this.tag})`, login, email: login, groups_id: [[6, 0, ids]] }]);
			return { login, name: `${name} (${this.tag})`, email: login };
		};
		this.buyer = await person('bea', 'Bea Buyer', ['base.group_user', 'purchase.group_purchase_user']);
		this.payables = await person('paula', 'Paula Payables', ['base.group_user', 'account.group_account_invoice']);
		const [company] = await admin('res.users', 'read', [[connected.integrationUid]], { fields: ['company_id'] });
		this.companyId = company.company_id[0];
		const [settings] = await admin('res.company', 'read', [[this.companyId]], { fields: ['governance_accounts_payable_id'] });
		this.previousPayables = settings.governance_accounts_payable_id ? settings.governance_accounts_payable_id[0] : false;
		const [payablesUser] = await admin('res.users', 'search', [[['login', '=', this.payables.login]]]);
		await admin('res.company', 'write', [[this.companyId], {
			governance_accounts_payable_id: payablesUser, governance_receipt_tolerance_percent: 5, governance_receipt_tolerance_qty: 0,
			governance_price_tolerance_percent: 5, governance_price_tolerance_amount: 0,
		}]);
		this.supplierEmail = `sales.${this.tag}@vendor.example`;
		this.vendorId = await admin('res.partner', 'create', [{ name: `E2E Vendor ${this.tag}`, email: this.supplierEmail, governance_vendor_risk: 'low' }]);
		this.productId = await admin('product.product', 'create', [{ name: `E2E Bearing ${this.tag}`, is_storable: true }]);
	}

	async stop() {
		await this.admin('res.company', 'write', [[this.companyId], { governance_accounts_payable_id: this.previousPayables }]);
	}

	async subscribedTypes(urlPrefix: string) {
		const [row] = await this.admin('governance.subscription', 'search_read', [
			[['url', '=like', `${urlPrefix}%`], ['registered_by_id', '=', this.integrationUid], ['id', '>', this.subscriptionFloor]],
		], { fields: ['event_types'] });
		return row ? String(row.event_types).split(',').map((type) => type.trim()) : undefined;
	}

	private async exceptionOf(model: string, id: number, type: string) {
		for (let tries = 0; tries < 50; tries += 1) {
			const [row] = await this.admin('governance.exception', 'search_read', [
				[['res_model', '=', model], ['res_id', '=', id], ['exception_type_id.code', '=', type]],
			], { fields: ['name'] });
			if (row) return row.name as string;
			await sleep(200);
		}
		throw new Error(`Odoo raised no ${type} on ${model}/${id}`);
	}

	async shortReceipt() {
		const admin = this.admin;
		const [buyerId] = await admin('res.users', 'search', [[['login', '=', this.buyer.login]]]);
		this.orderId = await admin('purchase.order', 'create', [{
			partner_id: this.vendorId, user_id: buyerId,
			order_line: [[0, 0, { product_id: this.productId, product_qty: 10, price_unit: 5 }]],
		}]);
		await admin('purchase.order', 'button_confirm', [[this.orderId]]);
		const [order] = await admin('purchase.order', 'read', [[this.orderId]], { fields: ['name', 'picking_ids', 'order_line', 'state'] });
		if (order.state !== 'purchase') throw new Error(`${order.name} is ${order.state}: the active policy holds it (use an order under its thresholds)`);
		this.lineId = order.order_line[0];
		this.receiptId = order.picking_ids[0];
		const moves = await admin('stock.move', 'search', [[['picking_id', '=', this.receiptId]]]);
		await admin('stock.move', 'write', [moves, { quantity: 8, picked: true }]);
		await admin('stock.picking', 'button_validate', [[this.receiptId]], {
			context: { skip_backorder: true, picking_ids_not_to_backorder: [this.receiptId] },
		});
		const [picking] = await admin('stock.picking', 'read', [[this.receiptId]], { fields: ['name'] });
		return { order: order.name, receipt: picking.name, exception: await this.exceptionOf('stock.picking', this.receiptId, 'receipt_quantity_discrepancy') };
	}

	async billOver() {
		const billId = await this.admin('account.move', 'create', [{
			move_type: 'in_invoice', partner_id: this.vendorId, invoice_date: new Date().toISOString().slice(0, 10), ref: `INV-${this.tag}`,
			invoice_line_ids: [[0, 0, { product_id: this.productId, quantity: 8, price_unit: 5.4, purchase_line_id: this.lineId }]],
		}]);
		await this.admin('account.move', 'action_post', [[billId]]);
		const [bill] = await this.admin('account.move', 'read', [[billId]], { fields: ['name'] });
		return { bill: bill.name, exception: await this.exceptionOf('account.move', billId, 'price_variance') };
	}

	async resolveReceipt(reason: string) {
		const [row] = await this.admin('governance.exception', 'search_read', [
			[['res_model', '=', 'stock.picking'], ['res_id', '=', this.receiptId], ['exception_type_id.code', '=', 'receipt_quantity_discrepancy']],
		], { fields: ['id'] });
		// As n8n would: the integration user through the write-back API.
		await this.integration('governance.api', 'resolve_exception', [
			{ exception_id: row.id, resolution: 'resolved', reason, idempotency_key: `resolve-${this.tag}` },
		]);
	}
}

export function inboundOdoo(): InboundOdoo {
	const real = realOdooFromEnvironment();
	return real ? new RealInbound(real.credential, {
		login: process.env.ODOO_ADMIN_LOGIN || 'admin', password: process.env.ODOO_ADMIN_PASSWORD || 'admin',
	}) : new StandInInbound();
}
