import type { IConnections } from 'n8n-workflow';

import template from '../../workflows/inbound-control.json';

const node = (name: string) => template.nodes.find((entry) => entry.name === name)!;
const targets = (from: string) =>
	(template.connections as unknown as IConnections)[from].main.map((output) => (output ?? []).map((to) => to.node));

/** The Switch's routing expression, evaluated as n8n would on one event item. */
function route(type: string, exceptionType: string): number {
	const expression = String(node('By Exception Type').parameters.output).replace(/^=\{\{([\s\S]*)\}\}$/, '$1');
	return new Function('$json', `return (${expression});`)({ type, data: { exception: { exception_type: exceptionType } } });
}

describe('the inbound-control template (S5)', () => {
	it('listens to exception events of receipts and bills', () => {
		expect(node('Inbound Exceptions').parameters).toEqual({
			eventTypes: ['exception.raised', 'exception.resolved'],
			filters: { documentModels: 'stock.picking, account.move' },
		});
		expect(template.id).toMatch(/^[A-Za-z0-9]{16}$/);
	});

	it('routes each inbound type to its owner, with draft claims for discrepancies, and resolutions to the loop closing', () => {
		expect(targets('Inbound Exceptions')).toEqual([['By Exception Type']]);
		expect(targets('By Exception Type')).toEqual([
			['Tell Receipt Owner', 'Draft Receipt Claim'],
			['Tell Accounts Payable', 'Draft Price Claim'],
			['Tell Receiving Owner'],
			['Close the Loop'],
			[],
		]);
		expect(route('exception.raised', 'receipt_quantity_discrepancy')).toBe(0);
		expect(route('exception.raised', 'price_variance')).toBe(1);
		expect(route('exception.raised', 'unprocessed_receipt')).toBe(2);
		expect(route('exception.resolved', 'price_variance')).toBe(3);
		expect(route('exception.raised', 'late_shipment')).toBe(4);
		expect(route('exception.resolved', 'late_shipment')).toBe(4);
	});

	it('sends the supplier nothing itself: draft claims go to the owner, Reply-To the supplier', () => {
		for (const name of ['Draft Receipt Claim', 'Draft Price Claim']) {
			const parameters = node(name).parameters as { toEmail: string; text: string; options: { replyTo: string } };
			expect(parameters.toEmail).toContain('$json.data.exception.owner');
			expect(parameters.toEmail).not.toContain('supplier');
			expect(parameters.options.replyTo).toContain('supplier.email');
			expect(parameters.text).toMatch(/^=DRAFT for your review: nothing was sent to the supplier/);
		}
	});
});
