/**
 * The order-release template (S3, workflows/order-release.json) in a real n8n 2.x with this
 * package installed as users install it and an SMTP sink; against a real Odoo when ODOO_URL,
 * ODOO_DB, ODOO_LOGIN and ODOO_PASSWORD name one (support/orderReleaseOdoo.ts), otherwise
 * against the stand-in Odoo. A sales order with a 25 % discount for a customer with an overdue
 * invoice is held; each sales manager gets the customer's context and links of their own; one
 * approval through a link releases it; the salesperson is told.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import template from '../../workflows/order-release.json';
import { harness, type N8nInstance } from './support/harness';
import { orderReleaseOdoo, type HeldOrder } from './support/orderReleaseOdoo';
import { SmtpSink, subjectOf } from './support/smtpSink';
import { until } from './support/until';

const TRIGGER = template.nodes.find((node) => node.name === 'Approval Requested')!;
const COMPLETED = template.nodes.find((node) => node.name === 'Approval Completed')!;
const odoo = orderReleaseOdoo();
const smtp = new SmtpSink();
let n8n: N8nInstance;
let folder: string;

const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
	until(what, probe, 90000, () => n8n?.tail() ?? '');
const mailTo = (address: string, subject: string) =>
	waitFor(`a mail to ${address} about "${subject}"`, () =>
		smtp.mails.filter((mail) => mail.to.includes(address) && subjectOf(mail).includes(subject)).at(-1),
	);

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	const install = harness.ensureN8n(log);
	await odoo.start();
	log(`running against ${odoo.description}`);
	const smtpPort = await smtp.start();
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-sales-'));
	const tarball = harness.packPackage(join(folder, 'pack'));
	n8n = new harness.N8nInstance({
		install, userFolder: join(folder, 'n8n'), port: await harness.freePort(), brokerPort: await harness.freePort(), log,
	});
	n8n.installPackage(tarball);
	n8n.importData({
		credentials: [
			{ id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi', data: { ...odoo.credential, protocol: 'jsonRpc' } },
			{
				id: 'dg-smtp', name: 'Approver mail (SMTP)', type: 'smtp',
				data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true },
			},
		],
		workflows: [template],
	});
	n8n.publish(template.id);
	await n8n.start(Number(process.env.DG_E2E_READY_MS) || 120000);
	await n8n.waitForWebhook(`${TRIGGER.webhookId}/odoo-governance`);
	await n8n.waitForWebhook(`${COMPLETED.webhookId}/odoo-governance`);
	// n8n serves a webhook before its trigger's registration call has returned.
	await waitFor('both subscriptions in Odoo', async () => ((await odoo.subscriptions()) >= 2 ? true : undefined));
}, 1_200_000);

afterAll(async () => {
	if (process.env.DG_E2E_PRINT_MAILS) {
		process.stdout.write(`\ne2e mails:\n${smtp.mails.map((mail) => `${mail.to.join(', ')} | ${subjectOf(mail)}`).join('\n')}\n`);
	}
	await n8n?.stop();
	await smtp.stop();
	await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(`\ne2e (order release) ran against ${odoo.description}\n`);
});

let order: HeldOrder;

it('asks each sales manager, with the customer context and links of their own', async () => {
	order = await odoo.holdOrder();
	expect(order.deliveryStatus).toBe(200);
	const mails = await Promise.all(order.approvers.map((approver) => mailTo(approver.email!, 'Order release')));
	for (const [index, mail] of mails.entries()) {
		const approver = order.approvers[index];
		expect(mail.content).toContain(`Hello ${approver.name},`);
		expect(mail.content).toContain('Discount above 20 %');
		for (const text of order.context) expect(mail.content).toContain(text);
		const query = new URLSearchParams({ review: String(order.reviewId), actor: approver.login, outcome: 'approve' });
		expect(smtp.linksTo(approver.email!)[0][0]).toContain(`/webhook/order-release-decision?${query}`);
	}
});

it("one approval through a manager's link releases the order, and the salesperson is told", async () => {
	const [mia] = order.approvers;
	const link = smtp.linksTo(mia.email!)[0][0];
	const page = await fetch(link);
	expect(page.status).toBe(200);
	expect(await odoo.decisions(order)).toEqual([]);
	const response = await fetch(link, { method: 'POST', body: new URLSearchParams({ comment: 'Key account, one-off' }) });
	expect(response.status).toBe(200);
	expect(await response.text()).toContain(`Thank you, ${mia.name}`);
	expect(await odoo.decisions(order)).toEqual([[mia.login, 'approve']]);
	if (odoo.real) expect(await odoo.orderState(order)).toBe('sale');

	await odoo.completed(order);
	const mail = await mailTo(order.salesperson.email!, ': released');
	expect(mail.content).toContain(`Hello ${order.salesperson.name},`);
	expect(mail.content).toContain(`was <b>released</b> by ${mia.name} (Sales manager)`);
	expect(mail.content).toContain('Key account, one-off');
	expect(mail.content).toContain('Odoo confirmed the order');
});

it('a second link of the same review is refused: the order is already released', async () => {
	const [, max] = order.approvers;
	const response = await fetch(smtp.linksTo(max.email!)[0][0], { method: 'POST', body: new URLSearchParams({ comment: '' }) });
	expect(await response.text()).toContain('not recorded');
	expect(await odoo.decisions(order)).toHaveLength(1);
});
