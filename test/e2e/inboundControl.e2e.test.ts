/**
 * S5 inbound control, workflows/inbound-control.json in a real n8n 2.x (pinned, Node 24, SQLite,
 * 127.0.0.1) with this package installed as users install it, an SMTP sink for the mail, and the
 * Odoo of support/inboundOdoo.ts: a real Odoo 18 when ODOO_URL & co. name one (a real purchase
 * order received short and billed over price), the stand-in otherwise.
 *
 * - A receipt 20 % short (tolerance 5 %) → the buyer who owns the exception is told with the
 *   evidence, and gets a draft claim for the supplier (Reply-To the supplier; nothing is sent to
 *   the supplier by itself).
 * - A bill 8 % over the order's price → accounts payable is told, with a draft claim.
 * - The receipt discrepancy resolved in Odoo → its owner hears the loop is closed.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import template from '../../workflows/inbound-control.json';
import { harness, type N8nInstance } from './support/harness';
import { inboundOdoo } from './support/inboundOdoo';
import { SmtpSink, type Mail } from './support/smtpSink';

const TRIGGER = template.nodes.find((node) => node.name === 'Inbound Exceptions')!;
const TRIGGER_PATH = `${TRIGGER.webhookId}/odoo-governance`;
/** A real Odoo delivers through its dispatcher cron (about a minute); the stand-in at once. */
const MAIL_TIMEOUT_MS = process.env.ODOO_URL ? 150_000 : 30_000;

const odoo = inboundOdoo();
const smtp = new SmtpSink();
let n8n: N8nInstance;
let folder: string;
const timings: Record<string, number> = {};
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function mailTo(address: string, subject: RegExp, timeoutMs = MAIL_TIMEOUT_MS): Promise<Mail> {
	const started = Date.now();
	for (;;) {
		const mail = smtp.mails.find((entry) => entry.to.includes(address) && subject.test(entry.content));
		if (mail) {
			if (process.env.DG_E2E_PRINT_MAILS) process.stdout.write(`\n[mail to ${address}]\n${mail.content}\n`);
			return mail;
		}
		if (Date.now() - started > timeoutMs) {
			throw new Error(`no mail to ${address} matching ${subject} (mails: ${smtp.mails.map((entry) => entry.to.join(',')).join('; ')})\n${n8n?.tail() ?? ''}`);
		}
		await sleep(250);
	}
}

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	const install = harness.ensureN8n(log);
	await odoo.start();
	const smtpPort = await smtp.start();
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-inbound-'));
	const tarball = harness.packPackage(join(folder, 'pack'));
	n8n = new harness.N8nInstance({
		install, userFolder: join(folder, 'n8n'), port: await harness.freePort(), brokerPort: await harness.freePort(), log,
	});
	n8n.installPackage(tarball);
	const { url, database, login, secret } = odoo.credential;
	n8n.importData({
		credentials: [
			{
				id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi',
				data: { url, database, login, secret, protocol: 'jsonRpc' },
			},
			{
				id: 'dg-smtp', name: 'Approver mail (SMTP)', type: 'smtp',
				data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true },
			},
		],
		workflows: [template],
	});
	n8n.publish(template.id);
	timings['n8n start to ready (ms)'] = await n8n.start(400000);
	timings['ready to trigger webhook live (ms)'] = await n8n.waitForWebhook(TRIGGER_PATH, 120000);
}, 1_200_000);

afterAll(async () => {
	await n8n?.stop();
	await smtp.stop();
	await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(`\ne2e (inbound control) ran against ${odoo.description}\n${Object.entries(timings)
		.map(([name, value]) => `  ${name}: ${value.toFixed(0)}`).join('\n')}\n`);
});

it('subscribes to exception events of receipts and bills', async () => {
	let types: string[] | undefined;
	for (let tries = 0; !types && tries < 100; tries += 1) {
		types = await odoo.subscribedTypes(`${n8n.webhookUrl}webhook/${TRIGGER_PATH}`);
		if (!types) await sleep(200);
	}
	expect(types?.sort()).toEqual(['exception.raised', 'exception.resolved']);
});

it('tells the owner of a short receipt with the evidence and drafts the claim to the supplier', async () => {
	const started = performance.now();
	const { order, receipt, exception } = await odoo.shortReceipt();
	const owner = await mailTo(odoo.buyer.email, new RegExp(`Receipt discrepancy ${exception}`));
	timings['short receipt to owner mail (ms)'] = performance.now() - started;
	expect(owner.content).toContain(`${receipt} against ${order}`);
	expect(owner.content).toMatch(/: ordered 10 Units, received 8 \(-2 Units, -20 %; tolerance =?.*0\.5\)/);
	const claim = await mailTo(odoo.buyer.email, /DRAFT claim to/);
	expect(claim.content).toContain(`Reply-To: ${odoo.supplierEmail}`);
	expect(claim.content).toContain(`our receipt ${receipt} of your delivery against purchase order ${order}`);
	expect(claim.content).toContain(`quote our reference ${exception}`);
	expect(smtp.mails.some((mail) => mail.to.includes(odoo.supplierEmail))).toBe(false);
}, 300_000);

it('tells accounts payable of a bill 8 % over the order price, with a draft claim', async () => {
	const started = performance.now();
	const { bill, exception } = await odoo.billOver();
	const payables = await mailTo(odoo.payables.email, new RegExp(`Price discrepancy ${exception}: bill ${bill.replace(/\//g, '\\/')}`));
	timings['bill to accounts payable mail (ms)'] = performance.now() - started;
	expect(payables.content).toMatch(/ordered at 5\.00, billed at 5\.40 \w+ \(8 %/);
	const claim = await mailTo(odoo.payables.email, /DRAFT claim to/);
	expect(claim.content).toContain('Please send a credit note for the difference');
}, 300_000);

it('closes the loop with the owner when the discrepancy is resolved in Odoo', async () => {
	await odoo.resolveReceipt('Supplier shipped the 2 missing units on a new delivery');
	const closed = await mailTo(odoo.buyer.email, /Closed: EXC\/\S+ resolved/);
	expect(closed.content).toContain('Supplier shipped the 2 missing units on a new delivery');
	expect(closed.content).toContain('tell them it is settled');
}, 300_000);
