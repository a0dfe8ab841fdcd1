import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { readContract } from './vectors';

/** The inbound-control exception types carry evidence of their own shape when Odoo raises them (raised through the API, none). */
describe('exception evidence in the event contract (S5)', () => {
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	ajv.addSchema(readContract('events', 'data-schemas.json'));
	const raised = ajv.getSchema('https://distribution-governance.example/contract/events/data-schemas.json#/$defs/exception__raised')!;
	const example = readContract('events', 'examples', 'exception.raised.json').data;
	const withType = (type: string, evidence?: object) => ({
		...example, exception: { ...example.exception, exception_type: type }, ...(evidence ? { evidence } : {}),
	});
	const receipt = { model: 'stock.picking', id: 7, name: 'WH/IN/00007' };
	const line = {
		purchase_line_id: 3, product: { id: 5, name: 'Bearing' }, uom: 'Units', ordered: '10', received: '8',
		received_total: '8', still_expected: '0', difference: '-2', difference_percent: '-20', allowance: '0.5',
		tolerance: { percent: '5', absolute: '0', source: 'company Acme' }, beyond_tolerance: true, lots: [],
	};

	it('needs no evidence for other types', () => {
		expect(raised(example)).toBe(true);
	});

	it('checks the receipt discrepancy evidence, with decimals as strings', () => {
		expect(raised(withType('receipt_quantity_discrepancy'))).toBe(true);
		const evidence = { receipt, purchase_order: null, supplier: null, lines: [line] };
		expect(raised(withType('receipt_quantity_discrepancy', evidence)) ? [] : raised.errors).toEqual([]);
		expect(raised(withType('receipt_quantity_discrepancy', { ...evidence, lines: [{ ...line, ordered: 10 }] }))).toBe(false);
		expect(raised(withType('receipt_quantity_discrepancy', { ...evidence, lines: [] }))).toBe(false);
	});

	it('checks the price and aging evidence against their types', () => {
		expect(raised(withType('price_variance', { receipt, purchase_order: null, supplier: null, lines: [line] }))).toBe(false);
		expect(raised(withType('unprocessed_receipt', { receipt, hours_late: 30, aging_hours: 24, lines: [] }))).toBe(true);
		expect(raised(withType('unprocessed_receipt', { receipt, hours_late: -1, aging_hours: 24, lines: [] }))).toBe(false);
	});
});
