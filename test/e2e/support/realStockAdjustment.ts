/**
 * S7 on a real Odoo with the addon installed (ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD, and
 * ODOO_ADMIN_LOGIN / ODOO_ADMIN_PASSWORD, default admin/admin, a Governance Manager). Each run
 * creates, as the administrator over XML-RPC, its own counter, Operations and Finance approvers,
 * regional manager (the escalation target), a serialised product worth 6,000 at cost with one
 * unit on hand, and a policy with Operations and Finance in parallel at level 1 (SLA 4 h,
 * escalating to the regional manager); it activates that policy and activates the one active
 * before again at the end. The counter applies a count of 0 over RPC with a reason code and a
 * photo; the SLA passing is played by an administrator's server action that moves the Finance
 * review's due and escalation times into the past, then the SLA cron runs.
 */
import { connectRealOdoo } from './realOdoo';
import type { Person } from './standInOdoo';

type Call = (model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const odooRpc = require('../../../scripts/odoo-session.cjs') as { session(...args: string[]): Promise<Call>; xmlId(call: Call, name: string): Promise<number> };

const INVENTORY = { context: { inventory_mode: true } };

export interface HeldAdjustment {
	id: number;
	name: string;
	operationsReview: number;
	financeReview: number;
}

export class RealStockAdjustment {
	private admin!: Call;
	private counterCall!: Call;
	private integrationUid = 0;
	private subscriptionFloor = 0;
	private previousPolicyId: number | undefined;
	private quantId = 0;
	private lotId = 0;
	private version = '';
	readonly tag = `s7${Date.now().toString(36)}`;
	private readonly password = `E2e-${Date.now().toString(36)}-Pw`;
	readonly lot = `SN-${this.tag}`;
	counter!: Person;
	olga!: Person;
	fay!: Person;
	regional!: Person;

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}`;
	}

	async start() {
		({ admin: this.admin, integrationUid: this.integrationUid, version: this.version } = await connectRealOdoo(this.credential, this.administrator));
		const admin = this.admin;
		const [last] = await admin('governance.subscription', 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1, context: { active_test: false } });
		this.subscriptionFloor = last?.id ?? 0;
		const group = (name: string) => odooRpc.xmlId(admin, name);
		const user = [await group('base.group_user')];
		const counterGroups = [...user, await group('stock.group_stock_user'), await group('distribution_governance.group_requester')];
		const approverGroups = [...user, await group('distribution_governance.group_approver')];
		const person = async (key: string, name: string, groups: number[]) => {
			const login = `${key}.${this.tag}@e2e.example`;
			const id: number = await admin('res.users', 'create', [{ name: `${name} (${this.tag})`, login, email: login, password: this.password, groups_id: [[6, 0, groups]] }]);
			return { id, person: { login, name: `${name} (${this.tag})`, email: login } };
		};
		const wes = await person('wes', 'Wes Warehouse', counterGroups);
		const olga = await person('olga', 'Olga Operations', approverGroups);
		const fay = await person('fay', 'Fay Finance', approverGroups);
		const rita = await person('rita', 'Rita Regional', approverGroups);
		[this.counter, this.olga, this.fay, this.regional] = [wes.person, olga.person, fay.person, rita.person];
		this.counterCall = await odooRpc.session(this.credential.url, this.credential.database, wes.person.login, this.password);
		const finance = await admin('res.groups', 'create', [{ name: `Finance approvers ${this.tag}`, users: [[6, 0, [fay.id]]] }]);

		const tier = (code: string, sequence: number, name: string, reason: string, conditions: Array<[string, string, string]>, approvers: object) => [0, 0, {
			code: `${this.tag}-${code}`, sequence, document_type: 'governance.stock.adjustment', action: 'require_tier', reason,
			tier_name: name, tier_level: 1, min_approvals: 1, sla_hours: 4, escalate_user_id: rita.id, ...approvers,
			condition_ids: conditions.map(([fact, op, value]) => [0, 0, { fact, op, value }]),
		}];
		const [previous] = await admin('governance.policy', 'search', [[['state', '=', 'active']]], { limit: 1 });
		this.previousPolicyId = previous;
		const policy = await admin('governance.policy', 'create', [{
			name: `E2E stock adjustments ${this.tag}`,
			rule_ids: [
				tier('serialised', 10, 'Operations', 'Serialised items need operations review',
					[['serialized', 'eq', 'true'], ['adjustment_value', 'gt', '0']], { approver_user_ids: [[6, 0, [olga.id]]] }),
				tier('finance', 20, 'Finance', 'Adjustments of 5,000 or more need finance review in parallel',
					[['adjustment_value', 'gte', '5000']], { approver_group_ids: [[6, 0, [finance]]] }),
			],
		}]);
		await admin('governance.policy', 'action_activate', [[policy]]);

		// One unit of a serialised 6,000 scanner on hand, put there the way a receipt would (not a count).
		const product = await admin('product.product', 'create', [{ name: `Handheld scanner ${this.tag}`, is_storable: true, tracking: 'serial', standard_price: 6000 }]);
		const lot = await admin('stock.lot', 'create', [{ name: this.lot, product_id: product }]);
		this.lotId = lot;
		await this.asAdministrator('E2E stock on hand',
			'env["stock.quant"].sudo()._update_available_quantity(record.product_id, ' +
			'env["stock.warehouse"].search([("company_id", "=", record.company_id.id or env.company.id)], limit=1).lot_stock_id, 1, lot_id=record)');
		[this.quantId] = await admin('stock.quant', 'search', [[['lot_id', '=', lot], ['location_id.usage', '=', 'internal']]]);
	}

	async stop() {
		if (this.previousPolicyId) await this.admin?.('governance.policy', 'action_activate', [[this.previousPolicyId]]);
	}

	/** The active subscriptions n8n registered in this run: [url, event types, document models]. */
	async subscriptions(): Promise<Array<[string, string[], string]>> {
		const rows = await this.admin('governance.subscription', 'search_read', [
			[['registered_by_id', '=', this.integrationUid], ['id', '>', this.subscriptionFloor]],
		], { fields: ['url', 'event_types', 'document_models'] });
		return rows.map((row: any) => [row.url, String(row.event_types).split(/[\s,]+/).filter(Boolean).sort(), row.document_models]);
	}

	/** The counter finds the scanner missing and applies the count over RPC with a reason and a photo. */
	async countMissing(): Promise<HeldAdjustment> {
		const counter = this.counterCall;
		await counter('stock.quant', 'write', [[this.quantId], { inventory_quantity: 0 }], INVENTORY);
		const action = await counter('stock.quant', 'action_apply_inventory', [[this.quantId]], INVENTORY);
		const id = action.res_id as number;
		const [damaged] = await counter('governance.stock.adjustment.reason', 'search', [[['code', '=', 'damaged']]]);
		await counter('governance.stock.adjustment', 'write', [[id], { reason_id: damaged }]);
		await counter('ir.attachment', 'create', [{ name: 'photo.jpg', res_model: 'governance.stock.adjustment', res_id: id, datas: Buffer.from('jpeg').toString('base64') }]);
		await counter('governance.stock.adjustment', 'action_apply', [[id]]);
		const [{ name }] = await this.admin('governance.stock.adjustment', 'read', [[id], ['name']]);
		const reviews = await this.admin('governance.approval.review', 'search_read', [
			[['request_id.res_model', '=', 'governance.stock.adjustment'], ['request_id.res_id', '=', id], ['state', '=', 'pending']],
		], { fields: ['tier_name', 'level'] });
		const review = (tierName: string) => reviews.find((row: any) => row.tier_name === tierName && row.level === 1)?.id as number;
		return { id, name, operationsReview: review('Operations'), financeReview: review('Finance') };
	}

	async state(adjustment: HeldAdjustment): Promise<string> {
		const [row] = await this.admin('governance.stock.adjustment', 'read', [[adjustment.id], ['state']]);
		return row.state;
	}

	/** The scanner's quantity on hand in internal locations. */
	async onHand(): Promise<number> {
		const quants = await this.admin('stock.quant', 'search_read', [[['lot_id.name', '=', this.lot], ['location_id.usage', '=', 'internal']]], { fields: ['quantity'] });
		return quants.reduce((sum: number, quant: any) => sum + quant.quantity, 0);
	}

	/** Decisions recorded on a review: [actor login, outcome]. */
	async decisions(review: number): Promise<Array<[string, string]>> {
		const rows = await this.admin('governance.approval.decision', 'search_read', [[['review_id', '=', review]]], { fields: ['user_id', 'outcome'] });
		const users = await this.admin('res.users', 'read', [rows.map((row: any) => row.user_id[0])], { fields: ['login'] });
		return rows.map((row: any) => [users.find((user: any) => user.id === row.user_id[0]).login, row.outcome]);
	}

	/** Nobody acts within the SLA: the review's due and escalation times move into the past, the SLA cron runs. */
	async passSla(review: number) {
		// Nobody may write a review (the SLA cron does): the clock moving on is an administrator's server action.
		await this.asAdministrator('E2E SLA passes',
			`env["governance.approval.review"].sudo().browse(${Number(review)}).write({` +
			'"date_due": datetime.datetime.now() - datetime.timedelta(minutes=1), ' +
			'"date_escalation": datetime.datetime.now() - datetime.timedelta(minutes=1)})');
		const cron = await odooRpc.xmlId(this.admin, 'distribution_governance.ir_cron_governance_sla');
		await this.admin('ir.cron', 'method_direct_trigger', [[cron]]);
	}

	/**
	 * Run `code` once as the administrator (a server action on this run's lot, `record`, removed
	 * after): Odoo 18 runs a server action only on records its user may write.
	 */
	private async asAdministrator(name: string, code: string) {
		const [modelId] = await this.admin('ir.model', 'search', [[['model', '=', 'stock.lot']]]);
		const action = await this.admin('ir.actions.server', 'create', [{ name: `${name} ${this.tag}`, model_id: modelId, state: 'code', code }]);
		await this.admin('ir.actions.server', 'run', [[action]], { context: { active_model: 'stock.lot', active_ids: [this.lotId], active_id: this.lotId } });
		await this.admin('ir.actions.server', 'unlink', [[action]]);
	}
}

export function realStockAdjustmentFromEnvironment(env = process.env): RealStockAdjustment | undefined {
	const { ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD } = env;
	if (!ODOO_URL || !ODOO_DB || !ODOO_LOGIN || !ODOO_PASSWORD) return undefined;
	return new RealStockAdjustment(
		{ url: ODOO_URL.replace(/\/+$/, ''), database: ODOO_DB, login: ODOO_LOGIN, secret: ODOO_PASSWORD },
		{ login: env.ODOO_ADMIN_LOGIN || 'admin', password: env.ODOO_ADMIN_PASSWORD || 'admin' },
	);
}
