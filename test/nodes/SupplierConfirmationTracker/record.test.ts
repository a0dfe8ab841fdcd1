import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';

import { updateKey } from '../../../nodes/SupplierConfirmationTracker/actions/record.operation';
import { SupplierConfirmationTracker } from '../../../nodes/SupplierConfirmationTracker/SupplierConfirmationTracker.node';
import { executeContext, fakeOdoo, OdooFault } from '../helpers/contexts';

const tracker = new SupplierConfirmationTracker();

const update = (order: string, status: string, extra: IDataObject = {}): IDataObject => ({
	purchase_order: order,
	status,
	source: 'edi',
	supplier_reference: `ACK-${order}`,
	lines: [{ line_number: 1, promised_date: '2026-12-08' }],
	raw_message: `ISA*...BAK*00*AC*${order}~`,
	warnings: [],
	...extra,
});

const OUTCOME: Record<string, string> = { P00001: 'on_time', P00002: 'date_changed', P00003: 'overdue', P00004: 'rejected' };

const answer = (params: IDataObject) => {
	const order = String(params.purchase_order);
	if (!OUTCOME[order]) throw new OdooFault('odoo.exceptions.MissingError', `[dg:not_found] No single purchase order ${order} in your companies.`);
	return {
		confirmation_id: 10,
		update_id: 20,
		purchase_order: { model: 'purchase.order', id: 1, name: order },
		state: OUTCOME[order] === 'on_time' || OUTCOME[order] === 'overdue' ? 'confirmed' : OUTCOME[order],
		outcome: OUTCOME[order],
		drift_days: OUTCOME[order] === 'date_changed' ? 7 : 0,
		lead_time_drift_days: 0,
		material_drift: OUTCOME[order] === 'date_changed',
		exception_id: 0,
		affected_sale_orders: [],
		lines: [],
	};
};

const sentParams = (http: ReturnType<typeof fakeOdoo>) =>
	http.mock.calls
		.map(([, request]) => (request.body as { params: { method: string; args: unknown[] } }).params)
		.filter((params) => params.method === 'execute_kw')
		.map((params) => (params.args[5] as IDataObject[])[0]);

describe('Record in Odoo', () => {
	it('sends each normalised update with a key of its content and routes it by outcome', async () => {
		const http = fakeOdoo({ record_supplier_confirmation: answer });
		const items = ['P00001', 'P00002', 'P00003', 'P00004'].map((order, index) => ({
			json: update(order, index === 3 ? 'rejected' : 'confirmed'),
		}));
		const { context } = executeContext({ parameters: { operation: 'record', idempotencyKey: '' }, items, http });

		const outputs = await tracker.execute.call(context);

		expect(outputs.map((output) => output.map((item) => [item.json.outcome, item.pairedItem]))).toEqual([
			[['on_time', { item: 0 }]],
			[['date_changed', { item: 1 }]],
			[['overdue', { item: 2 }]],
			[['rejected', { item: 3 }]],
		]);
		const [first] = sentParams(http);
		expect(first).toEqual({
			purchase_order: 'P00001',
			status: 'confirmed',
			source: 'edi',
			supplier_reference: 'ACK-P00001',
			lines: [{ line_number: 1, promised_date: '2026-12-08' }],
			raw_message: 'ISA*...BAK*00*AC*P00001~',
			idempotency_key: updateKey(update('P00001', 'confirmed')),
		});
		expect(first.idempotency_key).toMatch(/^sct-[0-9a-f]{48}$/);
		expect(outputs[1][0].json).toMatchObject({ material_drift: true, source: 'edi', supplier_reference: 'ACK-P00002' });
	});

	it('gives the same message the same key and another message another key', () => {
		expect(updateKey(update('P00001', 'confirmed'))).toBe(updateKey(update('P00001', 'confirmed', { warnings: ['x'] })));
		expect(updateKey(update('P00001', 'confirmed'))).not.toBe(updateKey(update('P00001', 'rejected')));
	});

	it("stops at Odoo's refusal with the item index, or continues with an error item", async () => {
		const http = fakeOdoo({ record_supplier_confirmation: answer });
		const items = [{ json: update('P00001', 'confirmed') }, { json: update('P09999', 'confirmed') }];
		const { context } = executeContext({ parameters: { operation: 'record', idempotencyKey: '' }, items, http });
		const error = await tracker.execute.call(context).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/dg:not_found/);
		expect((error as NodeApiError).context.itemIndex).toBe(1);

		const tolerant = executeContext({ parameters: { operation: 'record', idempotencyKey: '' }, items, http, continueOnFail: true });
		const outputs = await tracker.execute.call(tolerant.context);
		expect(outputs[0].map((item) => [item.json.outcome ?? item.json.error, item.pairedItem])).toEqual([
			['on_time', { item: 0 }],
			['[dg:not_found] No single purchase order P09999 in your companies.', { item: 1 }],
		]);
	});

	it('refuses an item that is not a normalised update and a key of the wrong length, sending nothing', async () => {
		const http = fakeOdoo({ record_supplier_confirmation: answer });
		const bad = executeContext({ parameters: { operation: 'record', idempotencyKey: '' }, items: [{ json: { subject: 'hi' } }], http });
		await expect(tracker.execute.call(bad.context)).rejects.toThrow(NodeOperationError);
		const short = executeContext({ parameters: { operation: 'record', idempotencyKey: 'short' }, items: [{ json: update('P00001', 'confirmed') }], http });
		await expect(tracker.execute.call(short.context)).rejects.toThrow(/8 to 200 characters/);
		expect(sentParams(http)).toEqual([]);
	});
});

describe('List overdue', () => {
	it("returns Odoo's overdue confirmations one item each, paired with the input", async () => {
		const row = {
			confirmation_id: 3,
			purchase_order: { model: 'purchase.order', id: 9, name: 'P00009' },
			supplier: { id: 4, name: 'Nordic Bearings AB', email: 'sales@nordic-bearings.example' },
			buyer: { login: 'buyer', name: 'Buyer', email: 'buyer@acme.example' },
			state: 'overdue',
			due: '2026-11-25T09:00:00Z',
			overdue: true,
			hours_left: -5,
			supplier_reference: '',
			drift_days: 0,
			lines: [],
		};
		const http = fakeOdoo({ list_overdue_supplier_confirmations: (params) => ({ confirmations: params.limit === 20 ? [row, row] : [] }) });
		const { context } = executeContext({ parameters: { operation: 'listOverdue', limit: 20 }, http });
		const [output] = await tracker.execute.call(context);
		expect(output).toEqual([
			{ json: row, pairedItem: { item: 0 } },
			{ json: row, pairedItem: { item: 0 } },
		]);
	});

	it('refuses an answer of the wrong shape', async () => {
		const http = fakeOdoo({ list_overdue_supplier_confirmations: () => ({ confirmations: [{ confirmation_id: 'x' }] }) });
		const { context } = executeContext({ parameters: { operation: 'listOverdue', limit: 20 }, http });
		await expect(tracker.execute.call(context)).rejects.toThrow(/unexpected shape/);
	});
});
