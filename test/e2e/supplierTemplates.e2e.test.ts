/**
 * The supplier templates in a real n8n 2.x (pinned, Node 24, SQLite, 127.0.0.1) with this package
 * installed as users install it, against the stand-in Odoo (test/e2e/support/standInOdoo.ts), an
 * SMTP sink and an HTTP sink standing for the planners' chat channel:
 *
 * - S1 governed-replenishment.json: Odoo delivers supplier_confirmation.requested for a released
 *   replenishment order → the supplier is e-mailed the lines and the deadline, the planners get a
 *   post; supplier_confirmation.overdue → the supplier is reminded and the buyer told.
 * - S4 supplier-updates.json: portal JSON and an X12 855 posted to the webhooks are normalised,
 *   recorded in "Odoo" with content keys, and a material drift posts an alert naming the customer
 *   orders at risk; unreadable and rejected updates reach the planners too.
 *
 * The IMAP trigger is disabled here (no mail server); the e-mail reader is covered by the node's
 * unit tests on real-shaped e-mails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import replenishment from '../../workflows/governed-replenishment.json';
import updates from '../../workflows/supplier-updates.json';
import { harness, type N8nInstance } from './support/harness';
import { HttpSink } from './support/httpSink';
import { SmtpSink } from './support/smtpSink';
import { StandInOdoo } from './support/standInOdoo';

const PLANNERS_PLACEHOLDER = 'https://chat.example.com/hooks/planners';
const TRIGGER = replenishment.nodes.find((node) => node.name === 'Supplier Confirmation Events')!;
const TRIGGER_PATH = `${TRIGGER.webhookId}/odoo-governance`;
const FIXTURES = join(__dirname, '..', 'nodes', 'SupplierConfirmationTracker', 'fixtures');

const integrationKey = ['integration', 'key', 'e2e'].join('-');
const odoo = new StandInOdoo('acme', 'n8n-integration', integrationKey);
const smtp = new SmtpSink();
const planners = new HttpSink();
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

/** The template as a customer would adapt it: the planners' channel URL set, no mailbox here. */
function adapted(template: object, plannersUrl: string): Record<string, any> {
	const copy = JSON.parse(JSON.stringify(template).split(PLANNERS_PLACEHOLDER).join(plannersUrl));
	for (const node of copy.nodes) if (node.type === 'n8n-nodes-base.emailReadImap') node.disabled = true;
	return copy;
}

function requested(id: string, order: string, origin: string) {
	return {
		specversion: '1.0',
		id,
		type: 'supplier_confirmation.requested',
		source: 'odoo://127.0.0.1/acme',
		time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
		subject: 'purchase.order/42',
		datacontenttype: 'application/json',
		sequence: '1',
		company: 'Acme Distribution EU',
		data: {
			confirmation: { id: 9, state: 'awaiting', due: '2026-11-25T09:00:00Z', expected_date: null },
			purchase_order: { model: 'purchase.order', id: 42, name: order, company: 'Acme Distribution EU', amount: '2200.00', currency: 'EUR' },
			supplier: { id: 31, name: 'Backup Bearings', email: 'sales@backup-bearings.example' },
			buyer: { login: 'buyer', name: 'Bea Buyer', email: 'buyer@acme.example' },
			origin,
			lines: [{ line_id: 7, product: { id: 5, name: '[PSK-1] Pump seal kit' }, quantity: '20', planned_date: '2026-12-01T09:00:00Z' }],
		},
	};
}

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	const install = harness.ensureN8n(log);
	const odooUrl = await odoo.start();
	odoo.purchaseOrders.set('P00042', {
		id: 42, name: 'P00042', planned_date: '2026-12-01', due: '2099-01-01T00:00:00Z', fast_moving: true,
		supplier: { id: 31, name: 'Nordic Bearings AB', email: 'orders@nordic-bearings.example' },
		affected_sale_orders: [{ id: 7, name: 'S00007', customer: 'Nordic Retail', product: '[BRG-6204] Bearing 6204', quantity: '12', commitment_date: '2026-12-03T10:00:00Z' }],
	});
	odoo.purchaseOrders.set('P00044', {
		id: 44, name: 'P00044', planned_date: '2026-12-01', due: '2020-01-01T00:00:00Z', fast_moving: false,
		supplier: { id: 32, name: 'Slow Parts', email: 'orders@slow-parts.example' }, affected_sale_orders: [],
	});
	const smtpPort = await smtp.start();
	const plannersUrl = `${await planners.start()}/planners`;
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-supplier-'));
	const started = performance.now();
	const tarball = harness.packPackage(join(folder, 'pack'));
	timings['build and pack (s)'] = (performance.now() - started) / 1000;
	n8n = new harness.N8nInstance({
		install, userFolder: join(folder, 'n8n'), port: await harness.freePort(), brokerPort: await harness.freePort(), log,
	});
	n8n.installPackage(tarball);
	n8n.importData({
		credentials: [
			{
				id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi',
				data: { url: odooUrl, database: 'acme', login: 'n8n-integration', secret: integrationKey, protocol: 'jsonRpc' },
			},
			{
				id: 'dg-smtp', name: 'Approver mail (SMTP)', type: 'smtp',
				data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true },
			},
		],
		workflows: [adapted(replenishment, plannersUrl), adapted(updates, plannersUrl)],
	});
	n8n.publish(replenishment.id);
	n8n.publish(updates.id);
	// Generous: on a shared 2-core machine n8n has taken over two minutes to start.
	timings['n8n start to ready (ms)'] = await n8n.start(400000);
	timings['ready to trigger webhook live (ms)'] = await n8n.waitForWebhook(TRIGGER_PATH, 120000);
	await n8n.waitForWebhook('supplier-portal');
}, 1_200_000);

afterAll(async () => {
	await n8n?.stop();
	await smtp.stop();
	await planners.stop();
	await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(`\ne2e (supplier templates) ran against the stand-in Odoo\n${Object.entries(timings)
		.map(([name, value]) => `  ${name}: ${value.toFixed(name.endsWith('(s)') ? 1 : 0)}`).join('\n')}\n`);
});

const post = async (path: string, body: string, contentType: string) =>
	(await fetch(`${n8n.webhookUrl}webhook/${path}`, { method: 'POST', headers: { 'content-type': contentType }, body })).status;

/** Deliver an event as Odoo does; once more if the connection was dropped (the trigger drops a repeated event id). */
async function deliver(event: Record<string, unknown>) {
	try {
		return await odoo.deliver(event);
	} catch {
		return await odoo.deliver(event);
	}
}

const plannerPost = (text: RegExp) => () => planners.posts.find((entry) => text.test(String(entry.body.text)));

it('loads the Supplier Confirmation Tracker from the installed package', async () => {
	await n8n.login();
	const types = await n8n.rest<Array<{ name: string }>>('GET', '/types/nodes.json');
	expect(types.map((type) => type.name)).toContain('n8n-nodes-distribution-governance.supplierConfirmationTracker');
});

describe('S1 governed replenishment', () => {
	it('registers for released and overdue confirmations', async () => {
		const [subscription] = await until('the subscription', () => {
			const active = odoo.activeSubscriptions().filter((entry) => entry.url.includes(TRIGGER_PATH));
			return active.length ? active : undefined;
		});
		expect([...subscription.event_types].sort()).toEqual(['supplier_confirmation.overdue', 'supplier_confirmation.requested']);
	});

	it('e-mails the supplier the lines and the deadline and tells the planners when a replenishment order is released', async () => {
		const [delivery] = await deliver(requested('evt-s1-released', 'P00077', 'replenishment'));
		expect(delivery.status).toBe(200);
		const mail = await until('the supplier e-mail', () => smtp.mails.find((entry) => entry.to.includes('sales@backup-bearings.example')));
		expect(mail.content).toContain('P00077');
		expect(mail.content).toContain('[PSK-1] Pump seal kit: 20, expected 2026-12-01');
		expect(mail.content).toContain('2026-11-25T09:00:00Z');
		const posted = await until('the planners post', plannerPost(/Replenishment order P00077 released to Backup Bearings/));
		expect(posted.body).toMatchObject({ purchase_order: 'P00077', due: '2026-11-25T09:00:00Z' });
	});

	it('leaves manual orders alone and, when a confirmation is overdue, reminds the supplier and tells the buyer', async () => {
		const mailsBefore = smtp.mails.length;
		await deliver(requested('evt-s1-manual', 'P00078', 'manual'));
		const overdue = requested('evt-s1-overdue', 'P00077', 'replenishment');
		overdue.type = 'supplier_confirmation.overdue';
		Object.assign(overdue.data, { overdue_hours: 5, exception: { id: 3, name: 'EXC/2026/0003' } });
		await deliver(overdue);
		const buyer = await until('the buyer e-mail', () => smtp.mails.find((entry) => entry.to.includes('buyer@acme.example')));
		expect(buyer.content).toContain('EXC/2026/0003');
		const reminder = await until('the reminder', () =>
			smtp.mails.slice(mailsBefore).find((entry) => entry.to.includes('sales@backup-bearings.example')));
		expect(reminder.content).toMatch(/Reminder: please confirm purchase order P00077/);
		await sleep(1500);
		expect(smtp.mails.slice(mailsBefore).some((entry) => entry.content.includes('P00078'))).toBe(false);
	});
});

describe('S4 supplier updates', () => {
	it('records a portal date change and alerts the planners with the customer orders at risk', async () => {
		const portal = JSON.parse(readFileSync(join(FIXTURES, 'portal', 'date-changed-lines.json'), 'utf8')).body;
		expect(await post('supplier-portal', JSON.stringify(portal), 'application/json')).toBe(200);
		const alert = await until('the drift alert', plannerPost(/Lead-time drift: P00042 moved 7 days \(portal SH-CHG-20940\)/));
		expect(String(alert.body.text)).toContain('S00007 (Nordic Retail, [BRG-6204] Bearing 6204, committed 2026-12-03)');
		const [call] = odoo.callsOf('record_supplier_confirmation');
		expect(call).toMatchObject({
			purchase_order: 'P00042', status: 'date_changed', source: 'portal', supplier_reference: 'SH-CHG-20940',
			lines: [{ line_number: 1, product_code: 'BRG-6204', promised_date: '2026-12-08', quantity: '10' }],
		});
		expect(call.idempotency_key).toMatch(/^sct-[0-9a-f]{48}$/);
	});

	it('records an X12 855 from the EDI gateway', async () => {
		const edi = readFileSync(join(FIXTURES, 'edi', '855-date-rescheduled.edi'), 'utf8');
		expect(await post('supplier-edi', edi, 'application/edi-x12')).toBe(200);
		const call = await until('the EDI record call', () =>
			odoo.callsOf('record_supplier_confirmation').find((params) => params.source === 'edi'));
		expect(call).toMatchObject({ purchase_order: 'P00042', supplier_reference: 'SO-88120', status: 'date_changed' });
		expect(String(call.raw_message)).toContain('ST*855*0002');
	});

	it('posts rejected and unreadable updates to the planners', async () => {
		const rejected = JSON.parse(readFileSync(join(FIXTURES, 'portal', 'rejected.json'), 'utf8')).body;
		await post('supplier-portal', JSON.stringify(rejected), 'application/json');
		await until('the rejection post', plannerPost(/Supplier rejected P00044 \(portal\)/));
		await post('supplier-portal', JSON.stringify({ status: 'confirmed' }), 'application/json');
		await until('the unreadable post', plannerPost(/could not be read and needs a person: The portal message names no purchase order/));
	});
});
