/**
 * The outbound scenarios (S6, S8) on a real Odoo with the addon (ODOO_URL etc., as
 * realOdoo.ts): this run's warehouse people, customer, product and sales orders moved through
 * the warehouse's pick-pack-ship route by the administrator, and what Odoo recorded.
 */
import { connectRealOdoo } from './realOdoo';

type Call = Awaited<ReturnType<typeof connectRealOdoo>>['admin'];

const odooTime = (date: Date) => date.toISOString().replace('T', ' ').slice(0, 19);

export interface OutboundPeople {
	supervisor: { id: number; email: string; name: string };
	operations: { id: number; email: string; name: string };
	salesperson: { id: number; email: string; name: string };
}

export class OutboundRealOdoo {
	admin!: Call;
	people!: OutboundPeople;
	private readonly tag = `ob${Date.now().toString(36)}`;
	private warehouse!: Record<string, any>;
	private customerId = 0;
	private productId = 0;

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	async start() {
		({ admin: this.admin } = await connectRealOdoo(this.credential, this.administrator));
		const admin = this.admin;
		const group = async (name: string) => {
			const [row] = await admin('ir.model.data', 'search_read', [[['module', '=', name.split('.')[0]], ['name', '=', name.split('.')[1]]]], { fields: ['res_id'] });
			return row.res_id as number;
		};
		const user = async (key: string, name: string, groups: string[]) => {
			const email = `${this.tag}-${key}@acme.example`;
			const ids = await Promise.all(groups.map(group));
			const id = await admin('res.users', 'create', [{ name: `${name} ${this.tag}`, login: `${this.tag}-${key}`, email, groups_id: [[6, 0, ids]] }]);
			return { id, email, name: `${name} ${this.tag}` };
		};
		this.people = {
			supervisor: await user('wendy', 'Wendy Warehouse', ['base.group_user', 'stock.group_stock_manager']),
			operations: await user('otto', 'Otto Operations', ['base.group_user', 'stock.group_stock_user']),
			salesperson: await user('sam', 'Sam Seller', ['base.group_user', 'sales_team.group_sale_salesman']),
		};
		const [warehouse] = await admin('stock.warehouse', 'search_read', [[]], { fields: ['id'], limit: 1, order: 'id' });
		await admin('stock.warehouse', 'write', [[warehouse.id], {
			delivery_steps: 'pick_pack_ship', governance_pick_pack_hours: 2, governance_ship_hours: 24,
			governance_supervisor_id: this.people.supervisor.id, governance_operations_manager_id: this.people.operations.id,
		}]);
		[this.warehouse] = await admin('stock.warehouse', 'read', [[warehouse.id], ['pick_type_id', 'pack_type_id', 'out_type_id', 'lot_stock_id']]);
		this.customerId = await admin('res.partner', 'create', [{ name: `Brightline Retail ${this.tag}`, email: 'orders@brightline.example' }]);
		this.productId = await admin('product.product', 'create', [{ name: `Pallet jack ${this.tag}`, type: 'consu', is_storable: true, list_price: 300 }]);
		const quant = await admin('stock.quant', 'create', [{ product_id: this.productId, location_id: this.warehouse.lot_stock_id[0], inventory_quantity: 100 }], { context: { inventory_mode: true } });
		// It answers None, which XML-RPC cannot carry: the inventory is applied, the answer is lost.
		await admin('stock.quant', 'action_apply_inventory', [[quant]]).catch((error: Error) => {
			if (!/cannot marshal None/.test(error.message)) throw error;
		});
	}

	async sell(): Promise<{ id: number; name: string }> {
		const id = await this.admin('sale.order', 'create', [{
			partner_id: this.customerId, user_id: this.people.salesperson.id, warehouse_id: this.warehouse.id,
			order_line: [[0, 0, { product_id: this.productId, product_uom_qty: 2 }]],
		}]);
		await this.admin('sale.order', 'action_confirm', [[id]]);
		const [order] = await this.admin('sale.order', 'read', [[id], ['name']]);
		return { id, name: order.name };
	}

	async step(orderId: number, kind: 'pick' | 'pack' | 'ship'): Promise<{ id: number; name: string }> {
		const type = { pick: this.warehouse.pick_type_id, pack: this.warehouse.pack_type_id, ship: this.warehouse.out_type_id }[kind][0];
		const [picking] = await this.admin('stock.picking', 'search_read', [[['sale_id', '=', orderId], ['picking_type_id', '=', type]]], { fields: ['name'] });
		return picking;
	}

	async validate(pickingId: number) {
		await this.admin('stock.picking', 'action_assign', [[pickingId]]);
		const moves = await this.admin('stock.move', 'search_read', [[['picking_id', '=', pickingId]]], { fields: ['product_uom_qty'] });
		for (const move of moves) await this.admin('stock.move', 'write', [[move.id], { quantity: move.product_uom_qty, picked: true }]);
		await this.admin('stock.picking', 'button_validate', [[pickingId]]);
	}

	/** A sales order picked, packed and shipped, its delivery carrying `trackingReference`. */
	async shippedOrder(trackingReference: string) {
		const order = await this.sell();
		for (const kind of ['pick', 'pack', 'ship'] as const) await this.validate((await this.step(order.id, kind)).id);
		const delivery = await this.step(order.id, 'ship');
		await this.admin('stock.picking', 'write', [[delivery.id], { carrier_tracking_ref: trackingReference }]);
		return { order, delivery };
	}

	/** A sales order picked, whose packing step was due `hours` ago. */
	async stuckInPacking(hours: number) {
		const order = await this.sell();
		await this.validate((await this.step(order.id, 'pick')).id);
		const pack = await this.step(order.id, 'pack');
		await this.admin('stock.picking', 'write', [[pack.id], { scheduled_date: odooTime(new Date(Date.now() - hours * 3600_000)) }]);
		return { order, pack };
	}

	async holdsOf(pickingId: number) {
		return await this.admin('governance.shipment.hold', 'search_read', [[['picking_id', '=', pickingId]]], {
			fields: ['reason', 'state', 'source', 'tracking_reference', 'exception_id'],
		});
	}

	async lateOf(pickingId: number) {
		const [late] = await this.admin('governance.late.shipment', 'search_read', [[['picking_id', '=', pickingId]]], {
			fields: ['step', 'state', 'owner_id', 'exception_id'],
		});
		return late;
	}

	/** Run the late-shipment scan now, as its scheduled action would. */
	async scanLateShipments() {
		const [cron] = await this.admin('ir.model.data', 'search_read', [[['module', '=', 'distribution_governance'], ['name', '=', 'ir_cron_governance_late_shipments']]], { fields: ['res_id'] });
		await this.admin('ir.cron', 'method_direct_trigger', [[cron.res_id]]);
	}

	/** A governance manager moves the exception's SLA into the past (as if its hours had gone by). */
	async expireSla(exceptionId: number) {
		await this.admin('governance.exception', 'write', [[exceptionId], { sla_due: odooTime(new Date(Date.now() - 60_000)) }]);
	}

}
