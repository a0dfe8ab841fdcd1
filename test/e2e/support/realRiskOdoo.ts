/**
 * Scenarios S2 and S9 on a real Odoo (named as in realOdoo.ts). As the administrator, through
 * XML-RPC, the run creates a product category of its own with three products (reordering minimum 10,
 * no stock), a buyer and a salesperson with person names (to see them redacted), customers whose
 * confirmed sales orders are committed before the expected receipt, and three open requests for
 * quotation: P-a (some demand), P-b (the largest demand, two customers), P-c (no demand). The risk
 * template reads only this category. Technical exceptions are read back from Odoo's queue.
 */
import { connectRealOdoo } from './realOdoo';

type Call = ((model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>) & { uid: number };

const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

export class RealRiskOdoo {
	admin!: Call;
	version = '';
	readonly tag = `s2${Date.now().toString(36)}`;
	categoryId = 0;
	/** The three orders in creation order: small demand, largest demand, none. */
	orders: Array<{ id: number; name: string }> = [];
	people = { buyer: '', salesperson: '' };
	private messageFloor = 0;
	private exceptionFloor = 0;

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}, integration user ${this.credential.login}`;
	}

	async start() {
		({ admin: this.admin, version: this.version } = await connectRealOdoo(this.credential, this.administrator));
		const [exception] = await this.admin('governance.exception', 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1 });
		this.exceptionFloor = exception?.id ?? 0;
		await this.createFixtures();
		await this.markNotes();
	}

	async stop() {
		// Drafts and test records stay; their names carry the run tag.
	}

	private async createFixtures() {
		const admin = this.admin;
		this.categoryId = await admin('product.category', 'create', [{ name: `E2E critical spares ${this.tag}` }]);
		const user = async (name: string) =>
			await admin('res.users', 'create', [{ name, login: `${name.split(' ')[0].toLowerCase()}.${this.tag}@e2e.example`, email: `${name.split(' ')[0].toLowerCase()}.${this.tag}@e2e.example` }]);
		this.people = { buyer: `Alice Buyer${this.tag}`, salesperson: `Sam Seller${this.tag}` };
		const buyer = await user(this.people.buyer);
		const salesperson = await user(this.people.salesperson);
		const vendor = await admin('res.partner', 'create', [{ name: `E2E Valve Works ${this.tag}`, email: `valves.${this.tag}@e2e.example` }]);
		const [warehouse] = await admin('stock.warehouse', 'search_read', [[]], { fields: ['lot_stock_id'], limit: 1, order: 'id' });
		const products: number[] = [];
		for (const code of ['A', 'B', 'C']) {
			const product = await admin('product.product', 'create', [{
				name: `E2E Valve ${code} ${this.tag}`, default_code: `VALVE-${code}-${this.tag}`, is_storable: true, categ_id: this.categoryId,
				seller_ids: [[0, 0, { partner_id: vendor, price: 100, delay: 14 }]],
			}]);
			await admin('stock.warehouse.orderpoint', 'create', [{
				name: `OP/${code}/${this.tag}`, product_id: product, warehouse_id: warehouse.id, location_id: warehouse.lot_stock_id[0],
				product_min_qty: 10, product_max_qty: 20, trigger: 'manual',
			}]);
			products.push(product);
		}
		const sell = async (customer: string, product: number, qty: number) => {
			const partner = await admin('res.partner', 'create', [{ name: `${customer} ${this.tag}`, email: `${customer.replace(/\W/g, '').toLowerCase()}.${this.tag}@e2e.example`, phone: '+49 30 1234567' }]);
			const order = await admin('sale.order', 'create', [{
				partner_id: partner, user_id: salesperson, commitment_date: `${day(3)} 10:00:00`,
				order_line: [[0, 0, { product_id: product, product_uom_qty: qty, price_unit: 500 }]],
			}]);
			await admin('sale.order', 'action_confirm', [[order]]);
		};
		await sell('Customer A', products[0], 2);
		await sell('Customer B', products[1], 6);
		await sell('Customer C', products[1], 6);
		for (const product of products) {
			const id = await admin('purchase.order', 'create', [{
				partner_id: vendor, user_id: buyer,
				order_line: [[0, 0, { product_id: product, product_qty: 5, price_unit: 100, date_planned: `${day(14)} 09:00:00` }]],
			}]);
			const [order] = await admin('purchase.order', 'read', [[id]], { fields: ['name'] });
			this.orders.push({ id, name: order.name });
		}
	}

	private async markNotes() {
		const [message] = await this.admin('mail.message', 'search_read', [[]], { fields: ['id'], order: 'id desc', limit: 1 });
		this.messageFloor = message?.id ?? 0;
	}

	/** The summary notes posted on this run's orders since the last call, oldest first. */
	async newNotes(): Promise<Array<{ orderId: number; source: string; model: string; promptHash: string }>> {
		const messages = await this.admin('mail.message', 'search_read', [[
			['model', '=', 'purchase.order'], ['res_id', 'in', this.orders.map((order) => order.id)], ['id', '>', this.messageFloor],
			['body', 'ilike', 'summary'],
		]], { fields: ['res_id', 'body'], order: 'id' });
		if (messages.length) this.messageFloor = messages.at(-1).id;
		return messages.map((message: { res_id: number; body: string }) => ({
			orderId: message.res_id,
			source: message.body.includes('AI-generated summary') ? 'ai' : 'fallback',
			model: /model (\S+?)(?:\s|<|$)/.exec(message.body)?.[1] ?? '',
			promptHash: /prompt (sha256:[0-9a-f]{64})/.exec(message.body)?.[1] ?? '',
		}));
	}

	/** Technical exceptions raised during this run, oldest first. */
	async technicalExceptions() {
		return (await this.admin('governance.exception', 'search_read', [[['id', '>', this.exceptionFloor], ['category', '=', 'technical']]], {
			fields: ['name', 'automation_key', 'automation_workflow', 'automation_node', 'automation_execution_id', 'automation_execution_url',
				'automation_error', 'automation_trigger', 'owner_id', 'sla_due', 'exception_type_id', 'state'],
			order: 'id',
		})) as Array<Record<string, any>>;
	}
}
