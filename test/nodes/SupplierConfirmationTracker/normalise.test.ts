import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { SupplierConfirmationTracker } from '../../../nodes/SupplierConfirmationTracker/SupplierConfirmationTracker.node';
import { executeContext, fakeOdoo } from '../helpers/contexts';
import { fixtureItem, fixtureNames, fixtureText } from './fixtures';

const tracker = new SupplierConfirmationTracker();

const PARAMETERS = {
	operation: 'normalise',
	format: 'auto',
	portalProperty: 'body',
	ediProperty: 'data',
	orderPattern: '\\b(P\\d{5,})\\b',
	slashDates: 'refuseAmbiguous',
};

async function normalise(items: INodeExecutionData[], parameters: IDataObject = {}) {
	const { context } = executeContext({ parameters: { ...PARAMETERS, ...parameters }, items, http: fakeOdoo({}) });
	const [normalised, unreadable] = await tracker.execute.call(context);
	return { normalised, unreadable };
}

type Expected = Partial<{
	purchase_order: string;
	status: string;
	source: string;
	supplier_reference: string;
	promised_date: string;
	lines: IDataObject[];
	received_at: string;
	warnings: string[];
	reason: string;
}>;

/** What each fixture must become; an `unreadable` fixture must go to the error output with this reason. */
const EXPECTED: Record<string, Expected | Expected[] | { unreadable: RegExp }> = {
	'portal/confirmed.json': {
		purchase_order: 'P00042', status: 'confirmed', source: 'portal', supplier_reference: 'SH-CONF-20931',
		promised_date: '2026-12-01', received_at: '2026-11-23T10:15:00+01:00',
		lines: [
			{ line_number: 1, product_code: 'BRG-6204', quantity: '10', promised_date: '2026-12-01' },
			{ line_number: 2, product_code: 'SEAL-4062', quantity: '40', promised_date: '2026-12-01' },
		],
	},
	'portal/date-changed-lines.json': {
		purchase_order: 'P00042', status: 'date_changed', reason: 'Raw material shortage at our plant',
		lines: [{ line_number: 1, product_code: 'BRG-6204', promised_date: '2026-12-08', quantity: '10' }],
	},
	'portal/rejected.json': { purchase_order: 'P00044', status: 'rejected', supplier_reference: 'SH-REJ-20950', lines: [] },
	'portal/aliases.json': {
		purchase_order: 'P00045', status: 'confirmed', supplier_reference: '99120', promised_date: '2026-12-03',
		lines: [{ line_number: 1, product_code: 'BRG-6204', quantity: '5', promised_date: '2026-12-03' }],
	},
	'portal/malformed-no-order.json': { unreadable: /names no purchase order/ },
	'portal/malformed-us-date.json': { unreadable: /promised_date "12\/08\/2026" is not an ISO 8601 date/ },
	'portal/malformed-changed-without-date.json': { unreadable: /date changed but gives no new date/ },
	'portal/malformed-unknown-status.json': { unreadable: /status "maybe" is not one this node knows/ },
	'portal/malformed-not-json.txt': { unreadable: /not JSON/ },
	'edi/855-accepted-no-change.edi': {
		purchase_order: 'P00042', status: 'confirmed', source: 'edi', supplier_reference: 'SO-88120',
		promised_date: '2026-12-01',
		lines: [
			{ line_number: 1, product_code: 'BRG-6204', quantity: '10', promised_date: '2026-12-01' },
			{ line_number: 2, product_code: 'SEAL-4062', quantity: '40', promised_date: '2026-12-01' },
		],
	},
	'edi/855-date-rescheduled.edi': {
		purchase_order: 'P00042', status: 'date_changed', supplier_reference: 'SO-88120',
		lines: [
			{ line_number: 1, product_code: 'BRG-6204', quantity: '10', promised_date: '2026-12-08' },
			{ line_number: 2, product_code: 'SEAL-4062', quantity: '40', promised_date: '2026-12-01' },
		],
	},
	'edi/855-header-date-only.edi': { purchase_order: 'P00043', status: 'confirmed', supplier_reference: 'ACK-7801', promised_date: '2026-12-05', lines: [] },
	'edi/855-rejected.edi': { purchase_order: 'P00044', status: 'rejected', reason: 'X12 855 acknowledgment type RJ', lines: [] },
	'edi/855-two-transaction-sets.edi': [
		{ purchase_order: 'P00045', status: 'confirmed', supplier_reference: 'ACK-7810', lines: [{ line_number: 1, product_code: 'BRG-6204', quantity: '5', promised_date: '2026-12-03' }] },
		{ purchase_order: 'P00046', status: 'date_changed', supplier_reference: 'ACK-7811', lines: [{ line_number: 1, product_code: 'SEAL-4062', quantity: '12', promised_date: '2026-12-19' }] },
	],
	'edi/855-pipe-separators-crlf.edi': {
		purchase_order: 'P00047', status: 'date_changed', lines: [{ line_number: 1, product_code: 'AP-6204', quantity: '80', promised_date: '2026-12-10' }],
	},
	'edi/855-partial-line-rejected.edi': {
		purchase_order: 'P00048', status: 'confirmed', warnings: ['Line 2 rejected by the supplier (ACK IR)'],
		lines: [{ line_number: 1, product_code: 'BRG-6204', quantity: '10', promised_date: '2026-12-02' }, { line_number: 2, product_code: 'SEAL-4062', quantity: '0' }],
	},
	'edi/855-unsegmented-single-line.edi': { purchase_order: 'P00049', lines: [{ line_number: 1, product_code: 'PSK-1', quantity: '3', promised_date: '2026-12-04' }] },
	'edi/malformed-850-not-855.edi': { unreadable: /Transaction set 850 is not an 855/ },
	'edi/malformed-segment-count.edi': { unreadable: /SE says 5 segments but transaction set 0011 has 6/ },
	'edi/malformed-truncated.edi': { unreadable: /no IEA trailer/ },
	'edi/malformed-impossible-date.edi': { unreadable: /"20261331" is not a CCYYMMDD date/ },
	'email/confirm-iso.json': {
		purchase_order: 'P00042', status: 'confirmed', source: 'email', promised_date: '2026-12-01', lines: [],
		supplier_reference: '<confirm-iso.20261123@mail.nordic-bearings.example>', received_at: '2026-11-23T08:41:07Z',
	},
	'email/confirm-long-month-with-order-date.json': { purchase_order: 'P00042', status: 'confirmed', promised_date: '2026-12-01' },
	'email/change-new-delivery-date.json': { purchase_order: 'P00042', status: 'date_changed', promised_date: '2026-12-15' },
	'email/change-us-month-first.json': { status: 'date_changed', promised_date: '2026-12-15' },
	'email/change-slash-unambiguous.json': { status: 'date_changed', promised_date: '2026-12-15' },
	'email/ambiguous-slash.json': { unreadable: /"03\/04\/2027" could be 2027-04-03 or 2027-03-04/ },
	'email/change-per-line.json': {
		status: 'date_changed',
		lines: [{ product_code: 'BRG-6204', promised_date: '2026-12-15' }, { product_code: 'SEAL-4062', promised_date: '2026-12-08' }],
	},
	'email/confirm-german.json': { purchase_order: 'P00042', status: 'confirmed', promised_date: '2026-12-01' },
	'email/reject.json': { purchase_order: 'P00044', status: 'rejected' },
	'email/reply-with-quoted-original.json': { purchase_order: 'P00042', status: 'confirmed', promised_date: '2026-12-01' },
	'email/malformed-no-order.json': { unreadable: /names no purchase order/ },
	'email/malformed-two-orders.json': { unreadable: /several purchase orders \(P00042, P00043\)/ },
	'email/malformed-no-intent.json': { unreadable: /neither confirms, changes a date nor rejects/ },
	'email/malformed-several-dates.json': { unreadable: /several dates \(2026-12-01, 2026-12-04\)/ },
	'email/malformed-bad-header-date.json': { unreadable: /Date "sometime last week" cannot be read/ },
};

/** What the raw message must hold: the mail's text, the portal's JSON body, the EDI file. */
function evidenceOf(name: string): string {
	if (name.startsWith('email/')) return String(JSON.parse(fixtureText(name)).textPlain);
	if (name.startsWith('portal/') && name.endsWith('.json')) return JSON.stringify(JSON.parse(fixtureText(name)).body);
	return fixtureText(name);
}

describe('Normalise: real-shaped supplier messages', () => {
	it('has an expectation for every fixture, and at least 25 of them', () => {
		expect(fixtureNames().sort()).toEqual(Object.keys(EXPECTED).sort());
		expect(fixtureNames().length).toBeGreaterThanOrEqual(25);
	});

	test.each(Object.keys(EXPECTED))('%s', async (name) => {
		const expected = EXPECTED[name];
		const { normalised, unreadable } = await normalise([fixtureItem(name)]);
		if ('unreadable' in expected) {
			expect(normalised).toEqual([]);
			expect(unreadable).toHaveLength(1);
			expect(unreadable[0].pairedItem).toEqual({ item: 0 });
			expect(String(unreadable[0].json.error)).toMatch(expected.unreadable);
			return;
		}
		expect(unreadable.map((item) => item.json.error)).toEqual([]);
		const list = Array.isArray(expected) ? expected : [expected];
		expect(normalised).toHaveLength(list.length);
		list.forEach((want, index) => {
			expect(normalised[index].json).toMatchObject(want as IDataObject);
			expect(normalised[index].pairedItem).toEqual({ item: 0 });
			// The message as received is kept as evidence.
			expect(String(normalised[index].json.raw_message)).toContain(evidenceOf(name));
		});
	});
});

describe('Normalise: behaviour', () => {
	it('keeps each item on its own output with its index, in order', async () => {
		const names = ['email/confirm-iso.json', 'edi/malformed-truncated.edi', 'edi/855-two-transaction-sets.edi'];
		const { normalised, unreadable } = await normalise(names.map(fixtureItem));
		expect(normalised.map((item) => [item.json.purchase_order, item.pairedItem])).toEqual([
			['P00042', { item: 0 }],
			['P00045', { item: 2 }],
			['P00046', { item: 2 }],
		]);
		expect(unreadable.map((item) => [item.json.itemIndex, item.pairedItem])).toEqual([[1, { item: 1 }]]);
	});

	it('reads ambiguous slash dates only when told how the supplier writes them', async () => {
		const item = fixtureItem('email/ambiguous-slash.json');
		expect((await normalise([item], { slashDates: 'dayFirst' })).normalised[0].json.promised_date).toBe('2027-04-03');
		expect((await normalise([item], { slashDates: 'monthFirst' })).normalised[0].json.promised_date).toBe('2027-03-04');
	});

	it('reads an EDI file from a binary property', async () => {
		const text = fixtureText('edi/855-date-rescheduled.edi');
		const { context } = executeContext({
			parameters: { ...PARAMETERS, format: 'edi' },
			items: [{ json: { fileName: '855.edi' }, binary: { data: { data: '', mimeType: 'application/edi-x12' } } }],
			http: fakeOdoo({}),
		});
		context.helpers.getBinaryDataBuffer = jest.fn(async () => Buffer.from(text, 'utf8')) as never;
		const [normalised] = await tracker.execute.call(context);
		expect(normalised[0].json).toMatchObject({ purchase_order: 'P00042', status: 'date_changed' });
	});

	it('refuses a forced format that does not fit, and an order pattern that is not a regular expression', async () => {
		const { unreadable } = await normalise([fixtureItem('portal/confirmed.json')], { format: 'edi' });
		expect(unreadable[0].json.error).toMatch(/no text or binary property "data"/);
		await expect(normalise([fixtureItem('email/confirm-iso.json')], { orderPattern: '(P\\d' })).rejects.toThrow(
			/Order Reference Pattern is not a regular expression/,
		);
	});

	it('refuses what Odoo would refuse: an over-long reference and more than 500 lines', async () => {
		const long = { json: { body: { purchase_order: 'P00042', status: 'confirmed', supplier_reference: 'R'.repeat(101) } } };
		const many = { json: { body: { purchase_order: 'P00042', status: 'confirmed', lines: Array.from({ length: 501 }, (_v, i) => ({ line_number: i + 1 })) } } };
		const { unreadable } = await normalise([long, many]);
		expect(unreadable.map((item) => item.json.error)).toEqual([
			'supplier_reference has 101 characters; Odoo takes at most 100',
			'501 lines; Odoo takes at most 500',
		]);
	});
});
