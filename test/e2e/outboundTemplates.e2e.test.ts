/**
 * The outbound templates in a real n8n 2.x (pinned, Node 24, SQLite, 127.0.0.1) with this package
 * installed as users install it, against the stand-in Odoo (test/e2e/support/standInOdoo.ts) and
 * an SMTP sink:
 *
 * - S6 carrier-exceptions.json: a carrier tracking webhook signed with the carrier's secret
 *   (Standard Webhooks) is verified, reconciled with Odoo's deliveries by tracking reference; an
 *   exception puts the delivery on hold and customer service is told; an event for an unknown
 *   tracking number becomes an exception; a bad or stale signature is refused with 401 and
 *   reaches nothing.
 * - S8 late-shipments.json: a late_shipment exception reaches the warehouse supervisor, its
 *   escalation the operations manager and the customer's salesperson.
 *
 * With ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD (and ODOO_ADMIN_LOGIN/PASSWORD) naming a real
 * Odoo with the addon (see realOdoo.ts), the same templates run against it instead: a shipped order's
 * delivery is put on hold by a signed carrier exception, and a delivery left in packing past its
 * warehouse's policy is flagged, owned and escalated by the scheduled action, the events reaching
 * n8n through Odoo's outbox. The Odoo side alone is tested in the addon (TestShipmentHolds,
 * TestLateShipments).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { generateSecret } from '../../nodes/shared/signature';
import carrierExceptions from '../../workflows/carrier-exceptions.json';
import lateShipments from '../../workflows/late-shipments.json';
import { harness, type N8nInstance } from './support/harness';
import { OutboundRealOdoo } from './support/outboundRealOdoo';
import { postSignedDelivery } from './support/signedDelivery';
import { SmtpSink } from './support/smtpSink';
import { StandInOdoo } from './support/standInOdoo';

const TRIGGER = lateShipments.nodes.find((node) => node.name === 'Late Shipment Events')!;
const TRIGGER_PATH = `${TRIGGER.webhookId}/odoo-governance`;
const CARRIER_SECRET = generateSecret();
const integrationKey = ['integration', 'key', 'outbound'].join('-');
const odoo = new StandInOdoo('acme', 'n8n-integration', integrationKey);
const env = process.env;
const real =
	env.ODOO_URL && env.ODOO_DB && env.ODOO_LOGIN && env.ODOO_PASSWORD
		? new OutboundRealOdoo(
				{ url: env.ODOO_URL.replace(/\/+$/, ''), database: env.ODOO_DB, login: env.ODOO_LOGIN, secret: env.ODOO_PASSWORD },
				{ login: env.ODOO_ADMIN_LOGIN || 'admin', password: env.ODOO_ADMIN_PASSWORD || 'admin' },
			)
		: undefined;
const standInOnly = real ? describe.skip : describe;
const realOnly = real ? describe : describe.skip;
const smtp = new SmtpSink();
let n8n: N8nInstance;
let folder: string;
const timings: Record<string, number> = {};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${n8n?.tail() ?? ''}`);
		await sleep(100);
	}
}

const sam = { login: 'sam', name: 'Sam Seller', email: 'sam@acme.example' };
const wendy = { login: 'wendy', name: 'Wendy Warehouse', email: 'wendy@acme.example' };
const otto = { login: 'otto', name: 'Otto Operations', email: 'otto@acme.example' };
const delivery = {
	id: 77, name: 'WH/OUT/00077', state: 'done', origin: 'S00051', tracking_reference: '1Z999AA10123456784',
	scheduled_date: '2026-11-22T14:00:00Z', date_done: '2026-11-22T16:12:00Z',
	customer: { id: 31, name: 'Brightline Retail', email: 'orders@brightline.example' },
	sale_order: { id: 51, name: 'S00051' }, salesperson: sam, warehouse: { id: 1, name: 'Acme Central' }, on_hold: false,
};

function carrierEvent(id: string, trackingReference: string, status: string) {
	return JSON.stringify({
		id, carrier: 'ups', tracking_reference: trackingReference, status, exception_code: 'ADDRESS_NOT_FOUND',
		description: 'Consignee address not found', occurred_at: '2026-11-23T08:14:40Z',
	});
}

const sendCarrierEvent = async (body: string, tamper: { secret?: string; timestamp?: number } = {}) =>
	await postSignedDelivery(`${n8n.webhookUrl}webhook/carrier-events`, CARRIER_SECRET, `msg_${body.length}_${Date.now()}`, body, tamper);

function lateEvent(id: string, type: string, lateShipment: boolean) {
	const late = {
		id: 4, step: 'pack', state: type === 'exception.escalated' ? 'escalated' : 'late', warehouse: { id: 1, name: 'Acme Central' },
		scheduled_date: '2026-11-22T08:00:00Z', threshold_hours: 4, hours_late: 17, supervisor: wendy, operations_manager: otto,
		delivery: { ...delivery, id: 80, name: 'WH/PACK/00080', state: 'assigned', date_done: null },
	};
	return {
		specversion: '1.0', id, type, source: 'odoo://127.0.0.1/acme', time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
		subject: 'stock.picking/80', datacontenttype: 'application/json', sequence: '1', company: 'Acme Distribution EU',
		data: {
			exception: {
				id: 15, name: 'EXC/2026/0015', exception_type: lateShipment ? 'late_shipment' : 'credit_hold', category: 'business',
				severity: 'high', state: 'open', summary: 'WH/PACK/00080 late in packing', owner: wendy, sla_due: '2026-11-23T00:45:00Z',
			},
			document: { model: 'stock.picking', id: 80, name: 'WH/PACK/00080' },
			...(lateShipment ? { late_shipment: late } : {}),
			...(type === 'exception.escalated' ? { reason: 'sla_expired', escalated_to: [otto, sam], due: '2026-11-23T00:45:00Z' } : {}),
		},
	};
}

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	const install = harness.ensureN8n(log);
	const standInUrl = await odoo.start();
	odoo.deliveries.push(delivery);
	if (real) await real.start();
	const odooCredential = real
		? { url: real.credential.url, database: real.credential.database, login: real.credential.login, secret: real.credential.secret, protocol: 'jsonRpc' }
		: { url: standInUrl, database: 'acme', login: 'n8n-integration', secret: integrationKey, protocol: 'jsonRpc' };
	const smtpPort = await smtp.start();
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-outbound-'));
	const tarball = harness.packPackage(join(folder, 'pack'));
	n8n = new harness.N8nInstance({
		install, userFolder: join(folder, 'n8n'), port: await harness.freePort(), brokerPort: await harness.freePort(), log,
	});
	n8n.installPackage(tarball);
	n8n.importData({
		credentials: [
			{
				id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi',
				data: odooCredential,
			},
			{
				id: 'dg-smtp', name: 'Approver mail (SMTP)', type: 'smtp',
				data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true },
			},
			{ id: 'dg-carrier', name: 'Carrier webhook secret', type: 'distributionGovernanceCarrierWebhookApi', data: { secret: CARRIER_SECRET } },
		],
		workflows: [carrierExceptions, lateShipments],
	});
	n8n.publish(carrierExceptions.id);
	n8n.publish(lateShipments.id);
	timings['n8n start to ready (ms)'] = await n8n.start(400000);
	timings['ready to trigger webhook live (ms)'] = await n8n.waitForWebhook(TRIGGER_PATH, 120000);
	process.stdout.write(`[e2e] outbound templates against ${real ? `the real Odoo ${real.credential.url} (${real.credential.database})` : 'the stand-in Odoo'}\n`);
	await n8n.waitForWebhook('carrier-events');
}, 1_200_000);

afterAll(async () => {
	await n8n?.stop();
	await smtp.stop();
	await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(`\ne2e (outbound templates) ran against ${real ? 'the real Odoo' : 'the stand-in Odoo'}\n${Object.entries(timings)
		.map(([name, value]) => `  ${name}: ${value.toFixed(0)}`).join('\n')}\n`);
});

standInOnly('S6 carrier exceptions', () => {
	it('puts the delivery of a signed carrier exception on hold and tells customer service', async () => {
		const started = Date.now();
		const answer = await sendCarrierEvent(carrierEvent('trk-evt-1', '1z999aa10123456784', 'exception'));
		expect([answer.status, JSON.parse(answer.body)]).toEqual([202, { accepted: true, event_id: 'trk-evt-1' }]);
		const mail = await until('the customer-service e-mail', () => smtp.mails.find((entry) => entry.to.includes('customer-service@acme.example')));
		timings['carrier event to customer service (ms)'] = Date.now() - started;
		expect(mail.content).toContain('WH/OUT/00077');
		expect(mail.content).toContain('Brightline Retail');
		expect(mail.content).toContain('Sam Seller');
		const [call] = odoo.callsOf('place_shipment_hold');
		expect(call).toMatchObject({
			delivery_id: 77, reason: 'carrier_exception', idempotency_key: 'carrier-hold:trk-evt-1:77',
			carrier_event: { carrier: 'ups', tracking_reference: '1z999aa10123456784', status: 'exception', event_id: 'trk-evt-1' },
		});
		expect(String(call.summary)).toContain('ADDRESS_NOT_FOUND');
		expect(odoo.holds).toHaveLength(1);
	}, 120_000);

	it('refuses a bad or stale signature with 401 and does nothing with it', async () => {
		const calls = odoo.calls.length;
		const forged = await sendCarrierEvent(carrierEvent('trk-evt-forged', '1Z999AA10123456784', 'exception'), { secret: generateSecret() });
		expect([forged.status, JSON.parse(forged.body).error]).toEqual([401, 'no_matching_signature']);
		const stale = await sendCarrierEvent(carrierEvent('trk-evt-old', '1Z999AA10123456784', 'exception'), {
			timestamp: Math.floor(Date.now() / 1000) - 3600,
		});
		expect([stale.status, JSON.parse(stale.body).error]).toEqual([401, 'timestamp_too_old']);
		await sleep(1500);
		expect(odoo.calls.length).toBe(calls);
	}, 60_000);

	it('turns an event for an unknown tracking number into an exception, and leaves routine events alone', async () => {
		expect((await sendCarrierEvent(carrierEvent('trk-evt-2', 'UNKNOWN-123', 'exception'))).status).toBe(202);
		const raised = await until('the unmatched-event exception', () =>
			odoo.callsOf('raise_exception').find((params) => params.exception_type === 'carrier_event_unmatched'));
		expect(raised).toMatchObject({ category: 'business', idempotency_key: 'carrier-unmatched:trk-evt-2' });
		expect(String(raised.summary)).toContain('UNKNOWN-123');
		expect((await sendCarrierEvent(carrierEvent('trk-evt-3', '1Z999AA10123456784', 'in_transit'))).status).toBe(202);
		await until('the in-transit lookup', () => (odoo.callsOf('find_deliveries').length >= 3 ? true : undefined));
		await sleep(1500);
		expect(odoo.callsOf('place_shipment_hold')).toHaveLength(1);
	}, 60_000);
});

standInOnly('S8 late shipments', () => {
	it('registers for exception events of deliveries', async () => {
		const [subscription] = await until('the subscription', () => {
			const active = odoo.activeSubscriptions().filter((entry) => entry.url.includes(TRIGGER_PATH));
			return active.length ? active : undefined;
		});
		expect([...subscription.event_types].sort()).toEqual(['exception.escalated', 'exception.raised']);
	});

	it('tells the supervisor of a late shipment, and operations and the salesperson of its escalation', async () => {
		const before = smtp.mails.length;
		await odoo.deliver(lateEvent('evt-late-1', 'exception.raised', true));
		const supervisor = await until('the supervisor e-mail', () => smtp.mails.slice(before).find((entry) => entry.to.includes(wendy.email)));
		expect(supervisor.content).toContain('WH/PACK/00080');
		expect(supervisor.content).toContain('17 h late');
		await odoo.deliver(lateEvent('evt-late-2', 'exception.escalated', true));
		const escalation = await until('the escalation e-mail', () => smtp.mails.slice(before).find((entry) => entry.to.includes(otto.email)));
		expect(escalation.to).toEqual(expect.arrayContaining([otto.email, sam.email]));
		expect(escalation.content).toContain('Wendy Warehouse');
		const count = smtp.mails.length;
		await odoo.deliver(lateEvent('evt-other-1', 'exception.raised', false));
		await sleep(1500);
		expect(smtp.mails.length).toBe(count);
	}, 60_000);
});

realOnly('on a real Odoo', () => {
	it('S6: a signed carrier exception for a shipped order puts its delivery on hold in Odoo and customer service is told', async () => {
		const tracking = `1Z${Date.now()}`;
		const { order, delivery: shipped } = await real!.shippedOrder(tracking);
		const started = Date.now();
		const answer = await sendCarrierEvent(carrierEvent(`trk-${tracking}`, tracking, 'exception'));
		expect(answer.status).toBe(202);
		const mail = await until('the customer-service e-mail', () =>
			smtp.mails.find((entry) => entry.to.includes('customer-service@acme.example') && entry.content.includes(shipped.name)), 60000);
		timings['real: carrier event to customer service (ms)'] = Date.now() - started;
		expect(mail.content).toContain(order.name);
		expect(mail.content).toContain(real!.people.salesperson.name);
		const holds = await real!.holdsOf(shipped.id);
		process.stdout.write(`[e2e] Odoo: ${shipped.name} holds ${JSON.stringify(holds)}\n`);
		expect(holds).toEqual([expect.objectContaining({ reason: 'carrier_exception', state: 'active', source: 'api', tracking_reference: tracking })]);
		expect(holds[0].exception_id).toBeTruthy();
		const forged = await sendCarrierEvent(carrierEvent(`trk-${tracking}-forged`, tracking, 'exception'), { secret: generateSecret() });
		expect(forged.status).toBe(401);
	}, 180_000);

	it('S8: a delivery left in packing past its policy is flagged, owned and escalated', async () => {
		const { pack } = await real!.stuckInPacking(3);
		await real!.scanLateShipments();
		const late = await real!.lateOf(pack.id);
		process.stdout.write(`[e2e] Odoo: ${pack.name} flagged ${JSON.stringify(late)}\n`);
		expect(late).toMatchObject({ step: 'pack', state: 'late', owner_id: [real!.people.supervisor.id, expect.any(String)] });
		const started = Date.now();
		const told = await until('the supervisor e-mail (through the outbox)', () =>
			smtp.mails.find((entry) => entry.to.includes(real!.people.supervisor.email) && entry.content.includes(pack.name)), 150000);
		timings['real: scan to supervisor e-mail (ms)'] = Date.now() - started;
		expect(told.content).toContain('late in packing');
		await real!.expireSla(late.exception_id[0]);
		await real!.scanLateShipments();
		expect(await real!.lateOf(pack.id)).toMatchObject({ state: 'escalated' });
		const escalation = await until('the escalation e-mail (through the outbox)', () =>
			smtp.mails.find((entry) => entry.to.includes(real!.people.operations.email) && entry.content.includes(pack.name)), 150000);
		expect(escalation.to).toEqual(expect.arrayContaining([real!.people.operations.email, real!.people.salesperson.email]));
	}, 400_000);
});
