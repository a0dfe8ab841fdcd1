import type { IDataObject } from 'n8n-workflow';

import { generateSecret, signatureHeader } from '../../../nodes/shared/signature';
import { ShipmentHold } from '../../../nodes/ShipmentHold/ShipmentHold.node';
import { readCarrierEvent } from '../../../nodes/ShipmentHold/carrierEvent';
import { executeContext, fakeOdoo } from '../helpers/contexts';

const SECRET = generateSecret();
const body = JSON.stringify({ id: 'trk-1', carrier: 'ups', tracking_number: '1Z9', status: 'Failed Attempt', occurred_at: '2026-11-23T08:14:40Z' });

function webhookItem(raw: string, secret = SECRET, timestamp = Math.floor(Date.now() / 1000)) {
	return {
		json: { headers: { 'webhook-id': 'msg-1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader([secret], 'msg-1', timestamp, raw) } },
		binary: { data: { data: Buffer.from(raw).toString('base64'), mimeType: 'application/json' } },
		raw,
	};
}

async function verify(items: Array<ReturnType<typeof webhookItem>>) {
	const { context } = executeContext({
		parameters: { operation: 'verifyCarrierEvent', binaryProperty: 'data' },
		items: items.map(({ json, binary }) => ({ json, binary })) as never,
		http: fakeOdoo({}),
		credentials: { secret: `${generateSecret()} ${SECRET}` },
	});
	context.helpers = { getBinaryDataBuffer: async (index: number) => Buffer.from(items[index].raw) } as never;
	return await new ShipmentHold().execute.call(context);
}

describe('Shipment Holds: verify carrier event', () => {
	it('passes a correctly signed event in the common shape, reading aliases (any of the rotated secrets)', async () => {
		const [verified, refused] = await verify([webhookItem(body)]);
		expect(refused).toEqual([]);
		expect(verified[0].json).toMatchObject({
			event_id: 'trk-1', carrier: 'ups', tracking_reference: '1Z9', status: 'failed_attempt', is_exception: true,
		});
		expect(verified[0].pairedItem).toEqual({ item: 0 });
	});

	it('refuses a forged, stale or unreadable event with the status to answer', async () => {
		const [verified, refused] = await verify([
			webhookItem(body, generateSecret()),
			webhookItem(body, SECRET, Math.floor(Date.now() / 1000) - 600),
			webhookItem('{"status":"exception"}'),
		]);
		expect(verified).toEqual([]);
		expect(refused.map((item) => [item.json.status_code, item.json.reason, item.pairedItem])).toEqual([
			[401, 'no_matching_signature', { item: 0 }],
			[401, 'timestamp_too_old', { item: 1 }],
			[400, 'unreadable', { item: 2 }],
		]);
	});

	it('reads nothing it cannot: no tracking reference, no status word', () => {
		expect(readCarrierEvent([], 'm')).toEqual({ unreadable: 'the body is not a JSON object' });
		expect(readCarrierEvent({ status: 'exception' }, 'm')).toEqual({ unreadable: 'tracking_reference is missing' });
		expect(readCarrierEvent({ tracking_reference: 'X', status: '' }, 'm')).toEqual({ unreadable: 'status is missing or not a word' });
		expect(readCarrierEvent({ tracking_reference: 'X', status: 'in_transit' }, 'msg-9')).toMatchObject({ event_id: 'msg-9', is_exception: false });
	});
});

describe('Shipment Holds: find deliveries and place holds', () => {
	const event: IDataObject = { event_id: 'trk-1', carrier: 'ups', tracking_reference: '1Z9', status: 'exception', occurred_at: '2026-11-23T08:14:40Z' };
	const delivery = { id: 77, name: 'WH/OUT/00077', state: 'done', origin: 'S00051', tracking_reference: '1Z9', on_hold: false, holds: [] };

	it('sends matched items on with their delivery and unmatched ones to the second output', async () => {
		const find = jest.fn((params: IDataObject) => ({ deliveries: params.tracking_reference === '1Z9' ? [delivery] : [] }));
		const { context } = executeContext({
			parameters: { operation: 'findDeliveries', trackingReference: (index: number) => (index ? 'NOPE' : '1Z9'), origin: '' },
			items: [{ json: event }, { json: { ...event, tracking_reference: 'NOPE' } }],
			http: fakeOdoo({ find_deliveries: find }),
		});
		const [matched, unmatched] = await new ShipmentHold().execute.call(context);
		expect(matched.map((item) => [(item.json.delivery as IDataObject).name, item.pairedItem])).toEqual([['WH/OUT/00077', { item: 0 }]]);
		expect(unmatched.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(find).toHaveBeenCalledWith({ tracking_reference: '1Z9' });
	});

	it('places a carrier-exception hold with the event as evidence and an idempotency key', async () => {
		const place = jest.fn(() => ({
			hold_id: 3, delivery: { model: 'stock.picking', id: 77, name: 'WH/OUT/00077', state: 'done' }, reason: 'carrier_exception',
			state: 'active', exception_id: 9, on_hold: true, created: true,
		}));
		const { context } = executeContext({
			parameters: { operation: 'placeHold', deliveryId: '77', reason: 'carrier_exception', summary: 'Carrier ups reports exception', idempotencyKey: 'carrier-hold:trk-1:77' },
			items: [{ json: { ...event, delivery } }],
			http: fakeOdoo({ place_shipment_hold: place }),
		});
		const [output] = await new ShipmentHold().execute.call(context);
		expect(place).toHaveBeenCalledWith({
			delivery_id: 77, reason: 'carrier_exception', summary: 'Carrier ups reports exception', idempotency_key: 'carrier-hold:trk-1:77',
			carrier_event: { carrier: 'ups', tracking_reference: '1Z9', status: 'exception', event_id: 'trk-1', occurred_at: '2026-11-23T08:14:40Z' },
		});
		expect((output[0].json.hold as IDataObject).hold_id).toBe(3);
	});
});
