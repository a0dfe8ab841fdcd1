/**
 * The supplier templates in a real n8n 2.x (pinned, Node 24, SQLite, 127.0.0.1) with this package
 * installed as users install it, an SMTP sink, an HTTP sink standing for the planners' chat channel
 * and a mailbox on 127.0.0.1 (support/imapMailbox.ts) read by the template's own IMAP trigger.
 *
 * Against the stand-in Odoo (test/e2e/support/standInOdoo.ts), which the test makes deliver events:
 * - S1 governed-replenishment.json: supplier_confirmation.requested for a released replenishment
 *   order → the supplier is e-mailed the lines and the deadline, the planners get a post;
 *   supplier_confirmation.overdue → the supplier is reminded and the buyer told.
 * - S4 supplier-updates.json: portal JSON, an X12 855 and an e-mail are normalised, recorded in
 *   "Odoo" with content keys, and a material drift posts an alert naming the customer orders at
 *   risk, once even when the same e-mail arrives again; unreadable and rejected updates reach the
 *   planners too.
 *
 * Against a real Odoo (ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD; support/realSupplierOdoo.ts)
 * the whole of S1 and S4 with Odoo's own records: a reordering rule below its minimum creates an
 * RFQ needing two tiers (the vendor is not preferred), both approvals release it, the supplier and
 * the planners are told, the overdue scan flags it (exception, activity, reminder), and the
 * supplier's e-mail with a later date records the change, measures the drift and alerts with the
 * affected customer order, once. Prints what each step showed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import replenishment from '../../workflows/governed-replenishment.json';
import updates from '../../workflows/supplier-updates.json';
import { harness, type N8nInstance } from './support/harness';
import { HttpSink } from './support/httpSink';
import { ImapMailbox } from './support/imapMailbox';
import { realOdooFromEnvironment } from './support/realOdoo';
import { RealSupplierOdoo } from './support/realSupplierOdoo';
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
const mailbox = new ImapMailbox();
const named = realOdooFromEnvironment();
const real = named
	? new RealSupplierOdoo(named.credential, { login: process.env.ODOO_ADMIN_LOGIN || 'admin', password: process.env.ODOO_ADMIN_PASSWORD || 'admin' })
	: undefined;
const standInOnly = real ? describe.skip : describe;
const realOnly = real ? describe : describe.skip;
/** What each step showed, printed at the end (for the closing note of a real-Odoo run). */
const seen: string[] = [];
let n8n: N8nInstance;
let folder: string;
const timings: Record<string, number> = {};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) {
			const failed = await n8n?.api('GET', '/executions?status=error&includeData=true&limit=3').catch(() => undefined);
			throw new Error(`timed out waiting for ${what}\nplanners: ${JSON.stringify(planners.posts.map((post) => post.body.text))}\n` +
				`failed executions: ${JSON.stringify(failed?.data?.map((execution: any) => execution.data?.resultData?.error))}\n${n8n?.tail() ?? ''}`);
		}
		await sleep(100);
	}
}

/** The template as a customer would adapt it: the planners' channel URL set. */
function adapted(template: object, plannersUrl: string): Record<string, any> {
	return JSON.parse(JSON.stringify(template).split(PLANNERS_PLACEHOLDER).join(plannersUrl));
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
	let credential: { url: string; database: string; login: string; secret: string };
	if (real) {
		await real.start();
		credential = real.credential;
	} else {
		credential = { url: await odoo.start(), database: 'acme', login: 'n8n-integration', secret: integrationKey };
		odoo.purchaseOrders.set('P00042', {
			id: 42, name: 'P00042', planned_date: '2026-12-01', due: '2099-01-01T00:00:00Z', fast_moving: true,
			supplier: { id: 31, name: 'Nordic Bearings AB', email: 'orders@nordic-bearings.example' },
			affected_sale_orders: [{ id: 7, name: 'S00007', customer: 'Nordic Retail', product: '[BRG-6204] Bearing 6204', quantity: '12', commitment_date: '2026-12-03T10:00:00Z' }],
		});
		odoo.purchaseOrders.set('P00044', {
			id: 44, name: 'P00044', planned_date: '2026-12-01', due: '2020-01-01T00:00:00Z', fast_moving: false,
			supplier: { id: 32, name: 'Slow Parts', email: 'orders@slow-parts.example' }, affected_sale_orders: [],
		});
	}
	const imapPort = await mailbox.start();
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
				data: { ...credential, protocol: 'jsonRpc' },
			},
			{
				id: 'dg-imap', name: 'Supplier mailbox (IMAP)', type: 'imap',
				data: { user: mailbox.user, password: mailbox.password, host: '127.0.0.1', port: imapPort, secure: false, allowUnauthorizedCerts: true },
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
	await mailbox.stop();
	if (real) await real.stop();
	else await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(`\ne2e (supplier templates) ran against ${real ? real.description : 'the stand-in Odoo'}\n${Object.entries(timings)
		.map(([name, value]) => `  ${name}: ${value.toFixed(name.endsWith('(s)') ? 1 : 0)}`).join('\n')}\n${seen.join('\n')}\n`);
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

standInOnly('S1 governed replenishment', () => {
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

standInOnly('S4 supplier updates', () => {
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

const driftAlerts = (text: RegExp) => planners.posts.filter((entry) => text.test(String(entry.body.text)));

/** A supplier's e-mail in the mailbox; the template's IMAP trigger reads it (and marks it read). */
function supplierMail(order: string, from: string, text: string) {
	return { from, to: 'purchasing@acme.example', subject: `Re: Purchase order ${order}`, text, messageId: `${order}.${Date.now()}@mail.supplier.example`, date: new Date() };
}

standInOnly('S4 supplier updates by e-mail', () => {
	it('reads an e-mail through the IMAP trigger, records the later date and alerts once, even when the e-mail arrives again', async () => {
		const mail = supplierMail('P00042', 'Nordic Bearings Sales <sales@nordic-bearings.example>',
			'Hello,\n\nunfortunately order P00042 is delayed. New delivery date: 2026-12-10 (originally 2026-12-01).\n\nRegards\nNordic Bearings AB');
		const started = Date.now();
		const uid = mailbox.deliver(mail);
		const drift = /Lead-time drift: P00042 moved 9 days \(email /;
		const alert = await until('the e-mail drift alert', () => driftAlerts(drift)[0], 60000);
		timings['e-mail in the mailbox to drift alert (ms)'] = Date.now() - started;
		expect(String(alert.body.text)).toContain('S00007 (Nordic Retail');
		const [call] = odoo.callsOf('record_supplier_confirmation').filter((params) => params.source === 'email');
		expect(call).toMatchObject({ purchase_order: 'P00042', status: 'date_changed', promised_date: '2026-12-10' });
		await until('the e-mail marked read', () => (mailbox.seen(uid) ? true : undefined));
		// The same e-mail again (a mail server redelivering, a supplier resending): same content, same key.
		mailbox.deliver(mail);
		await until('the second record call', () => {
			const calls = odoo.callsOf('record_supplier_confirmation').filter((params) => params.source === 'email');
			return calls.length === 2 ? calls : undefined;
		}, 60000);
		const calls = odoo.callsOf('record_supplier_confirmation').filter((params) => params.source === 'email');
		expect(calls[1].idempotency_key).toBe(calls[0].idempotency_key);
		await sleep(3000);
		expect(driftAlerts(drift)).toHaveLength(1);
	}, 180_000);
});

realOnly('S1 and S4 on a real Odoo', () => {
	let rfq: Record<string, any>;
	let released: Record<string, any>;

	it('a reordering rule below its minimum creates an RFQ that needs two tiers because the vendor is not preferred', async () => {
		const odooReal = real!;
		const url = `${n8n.webhookUrl}webhook/${TRIGGER_PATH}`;
		const subscription = await until('the subscription in Odoo', () => odooReal.subscription(url), 60000);
		seen.push(`S1 trigger subscription ${subscription.id}: ${subscription.event_types}`);
		const made = await odooReal.replenish();
		rfq = made.rfq;
		expect(rfq.state).toBe('draft');
		expect(rfq.partner_id[1]).toBe(odooReal.backupVendor.name);
		expect(made.quantity).toBe(20);
		expect(made.triggered).toMatchObject({ quantity: '20', increased: false, purchase_order: { name: rfq.name } });
		seen.push(`Order Once on OP/${odooReal.tag} (min 10, max 20, stock 0): ${rfq.name} for ${made.quantity} units from ${rfq.partner_id[1]}, ` +
			`${rfq.amount_untaxed}; replenishment.triggered: ${JSON.stringify(made.triggered)}`);
		const confirmed = await odooReal.confirmAsBuyer(rfq.id);
		expect(confirmed.state).toBe('to approve');
		expect(confirmed.reviews.map((review) => review.tier_name).sort()).toEqual(['Category manager', 'Purchasing']);
		seen.push(`buyer confirms ${rfq.name}: state ${confirmed.state}, reviews ${confirmed.reviews.map((review) => `${review.tier_name} (${review.state})`).join(', ')}`);
	}, 240_000);

	it("after both approvals the supplier's e-mail and the planners' message go out", async () => {
		const odooReal = real!;
		const { reviews } = await odooReal.orderAndReviews(rfq.id);
		const purchasing = reviews.find((review) => review.tier_name === 'Purchasing')!;
		const category = reviews.find((review) => review.tier_name === 'Category manager')!;
		await odooReal.approve(purchasing.id, odooReal.people.purchasing.login);
		expect((await odooReal.orderAndReviews(rfq.id)).state).toBe('to approve');
		await odooReal.approve(category.id, odooReal.people.category.login);
		expect((await odooReal.orderAndReviews(rfq.id)).state).toBe('purchase');
		const requested = await odooReal.delivered(rfq.id, 'supplier_confirmation.requested');
		released = requested.data;
		expect(released.origin).toBe('replenishment');
		const mail = await until('the supplier e-mail', () => smtp.mails.find((entry) => entry.to.includes(odooReal.backupVendor.email)), 60000);
		expect(mail.content).toContain(rfq.name);
		expect(mail.content).toContain(odooReal.productCode);
		const post = await until('the planners post', plannerPost(new RegExp(`Replenishment order ${rfq.name} released to`)), 60000);
		seen.push(`both approved: ${rfq.name} purchase; supplier_confirmation.requested delivered (${requested.status}), due ${released.confirmation.due}`);
		seen.push(`  mail to ${mail.to.join(', ')}: ${mail.content.split('\n').find((line) => line.startsWith('Subject:')) ?? ''}`);
		seen.push(`  planners: ${String(post.body.text)}`);
	}, 240_000);

	it('with no confirmation inside the window the order is flagged, an exception and an activity exist, and the supplier is reminded', async () => {
		const odooReal = real!;
		const before = smtp.mails.length;
		const { confirmation, activities, exception } = await odooReal.runOverdueScan(rfq.id);
		expect(confirmation.state).toBe('overdue');
		expect(exception).toMatchObject({ category: 'business', owner_id: [odooReal.people.buyer.id, expect.any(String)] });
		expect(activities.some((activity: any) => activity.user_id[0] === odooReal.people.buyer.id)).toBe(true);
		await odooReal.delivered(rfq.id, 'supplier_confirmation.overdue');
		const reminder = await until('the reminder', () => smtp.mails.slice(before).find((entry) => entry.to.includes(odooReal.backupVendor.email)), 60000);
		const buyer = await until('the buyer e-mail', () => smtp.mails.slice(before).find((entry) => entry.to.includes(odooReal.people.buyer.login)), 60000);
		expect(reminder.content).toContain(`Reminder: please confirm purchase order ${rfq.name}`);
		expect(buyer.content).toContain(exception.name);
		// A second scan raises nothing more.
		const again = await odooReal.runOverdueScan(rfq.id);
		expect(again.confirmation.overdue_exception_id[0]).toBe(confirmation.overdue_exception_id[0]);
		seen.push(`overdue scan: confirmation ${confirmation.state}; exception ${exception.name} "${exception.summary}" owner ${exception.owner_id[1]}, SLA ${exception.sla_due}; ` +
			`activities ${activities.map((activity: any) => `"${activity.summary}" for ${activity.user_id[1]}`).join(', ')}; rerun: same exception`);
		seen.push(`  reminder to ${reminder.to.join(', ')}; buyer told at ${buyer.to.join(', ')}`);
	}, 240_000);

	it('a supplier e-mail with a later date records the change, measures the drift and alerts with the affected customer orders, once', async () => {
		const odooReal = real!;
		const planned = new Date(released.lines[0].planned_date);
		const later = new Date(planned.getTime() + 7 * 86400000).toISOString().slice(0, 10);
		const mail = supplierMail(rfq.name, `Backup Bearings Sales <${odooReal.backupVendor.email}>`,
			`Hello,\n\nunfortunately order ${rfq.name} is delayed. New delivery date: ${later}.\n\nRegards\nBackup Bearings`);
		const started = Date.now();
		mailbox.deliver(mail);
		const drift = new RegExp(`Lead-time drift: ${rfq.name} moved 7 days \\(email `);
		const alert = await until('the drift alert', () => driftAlerts(drift)[0], 90000);
		timings['real Odoo: e-mail in the mailbox to drift alert (ms)'] = Date.now() - started;
		expect(String(alert.body.text)).toContain(`${odooReal.saleOrder.name} (${odooReal.saleOrder.customer}`);
		const after = await odooReal.afterAnswer(rfq.id);
		expect(after.confirmation).toMatchObject({ state: 'date_changed', drift_days: 7 });
		expect(after.updates.map((update: any) => update.source)).toEqual(['email']);
		expect(after.datePlanned.slice(0, 10)).toBe(later);
		expect(after.exception.summary).toContain('by 7 days');
		seen.push(`supplier e-mail "${mail.subject}" (new date ${later}): update ${JSON.stringify(after.updates[0])}; confirmation ${after.confirmation.state}, ` +
			`drift ${after.confirmation.drift_days} days; order line expected ${after.datePlanned}; exception ${after.exception.name} "${after.exception.summary}"`);
		seen.push(`  planners: ${String(alert.body.text)}`);
		mailbox.deliver(mail);
		await sleep(8000);
		expect(driftAlerts(drift)).toHaveLength(1);
		expect((await odooReal.afterAnswer(rfq.id)).updates).toHaveLength(1);
		seen.push('  the same e-mail again: no second alert, no second update');
	}, 240_000);
});
