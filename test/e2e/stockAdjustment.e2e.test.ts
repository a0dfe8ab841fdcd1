/**
 * S7, the stock adjustment approval template in a real n8n 2.x (pinned, Node 24, SQLite,
 * 127.0.0.1) with this package installed as users install it, an SMTP sink and the stand-in Odoo
 * (test/e2e/support/standInOdoo.ts), or a real Odoo 18 when ODOO_URL, ODOO_DB, ODOO_LOGIN and
 * ODOO_PASSWORD name one (support/realStockAdjustment.ts: the run creates its own users, product
 * and policy as the administrator, applies the count over RPC and lets the SLA cron escalate): a count of a serialised high-value item asks Finance and
 * Operations in parallel, each with their own links; Operations approves; Finance lets the SLA
 * pass, the escalation reaches the regional manager, whose link closes the request; the warehouse
 * hears the outcome. The Odoo side of the same story (quants unchanged until both tiers approve,
 * the SLA cron escalating) is tests/test_stock_adjustment.py on a real Odoo 18.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import template from '../../workflows/stock-adjustment-approval.json';
import { harness, type N8nInstance } from './support/harness';
import { SmtpSink, subjectOf } from './support/smtpSink';
import { until } from './support/until';
import { StandInOdoo, type StandInReview } from './support/standInOdoo';
import { realStockAdjustmentFromEnvironment, type HeldAdjustment } from './support/realStockAdjustment';
import {
	adjustmentCompleted,
	adjustmentEscalated,
	adjustmentRequested,
	counter,
	fay,
	financeReview,
	olga,
	operationsReview,
	regional,
	WAREHOUSE_MAIL,
} from './support/stockAdjustmentScenario';

const KEY = ['stand', 'in', 'stock', 'key'].join('-');
const REQUESTED = template.nodes.find((node) => node.name === 'Adjustment Needs Approval')!;
const DECIDED = template.nodes.find((node) => node.name === 'Adjustment Decided')!;
const odoo = new StandInOdoo('acme', 'n8n-integration', KEY);
const real = realStockAdjustmentFromEnvironment();
const smtp = new SmtpSink();
let n8n: N8nInstance;
let folder: string;
let operations: StandInReview;
let finance: StandInReview;

/** A real Odoo's outbox is a cron job: its deliveries take longer than the stand-in's. */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
	until(what, probe, real ? 180000 : 60000, () => n8n?.tail() ?? '');

const mailTo = (address: string, subject: string) =>
	waitFor(`a mail to ${address} about "${subject}"`, () =>
		smtp.mails.filter((mail) => mail.to.includes(address) && subjectOf(mail).includes(subject)).at(-1),
	);
/** The person's link for `outcome` on `review`, from the newest mail that has one. */
const linkOf = (address: string, review: StandInReview | number, outcome: string) =>
	smtp
		.linksTo(address)
		.flat()
		.filter((link) => link.includes(`review=${typeof review === 'number' ? review : review.review_id}&`) && link.includes(`outcome=${outcome}`))
		.at(-1);
const click = async (link: string, comment = '') =>
	await (await fetch(link, { method: 'POST', body: new URLSearchParams({ comment }) })).text();

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	const install = harness.ensureN8n(log);
	if (real) await real.start();
	else await odoo.start();
	log(`running against ${real ? real.description : `the stand-in Odoo at ${odoo.url}`}`);
	const smtpPort = await smtp.start();
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-s7-'));
	const tarball = harness.packPackage(join(folder, 'pack'));
	n8n = new harness.N8nInstance({
		install,
		userFolder: join(folder, 'n8n'),
		port: await harness.freePort(),
		brokerPort: await harness.freePort(),
		log,
	});
	n8n.installPackage(tarball);
	n8n.importData({
		credentials: [
			{
				id: 'dg-odoo',
				name: 'Distribution Governance Odoo',
				type: 'distributionGovernanceOdooApi',
				data: { ...(real ? real.credential : { url: odoo.url, database: 'acme', login: 'n8n-integration', secret: KEY }), protocol: 'jsonRpc' },
			},
			{
				id: 'dg-smtp',
				name: 'Approver mail (SMTP)',
				type: 'smtp',
				data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true },
			},
		],
		workflows: [template],
	});
	n8n.publish(template.id);
	await n8n.start(Number(process.env.DG_E2E_READY_MS) || 120000);
	await n8n.waitForWebhook(`${REQUESTED.webhookId}/odoo-governance`);
	if (real) {
		await waitFor('both subscriptions in Odoo', async () => ((await real.subscriptions()).length >= 2 ? true : undefined));
		return;
	}
	await waitFor('both subscriptions', () => (odoo.activeSubscriptions().length >= 2 ? true : undefined));
	operations = operationsReview();
	finance = financeReview();
	odoo.reviews.push(operations, finance);
}, 1_200_000);

afterAll(async () => {
	if (process.env.DG_E2E_PRINT_MAILS) {
		process.stdout.write(`\ne2e mails:\n${smtp.mails.map((mail) => `${mail.to.join(', ')} | ${subjectOf(mail)}`).join('\n')}\n`);
	}
	await n8n?.stop();
	await smtp.stop();
	await (real ? real.stop() : odoo.stop());
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
});

const expectedSubscriptions = () =>
	[
		[
			`${n8n.webhookUrl}webhook/${REQUESTED.webhookId}/odoo-governance`,
			['approval.escalated', 'approval.level_opened', 'approval.requested'],
			'governance.stock.adjustment',
		],
		[`${n8n.webhookUrl}webhook/${DECIDED.webhookId}/odoo-governance`, ['approval.completed'], 'governance.stock.adjustment'],
	].sort();

if (real) {
	let held: HeldAdjustment;

	it('subscribes to the adjustment events of its two triggers', async () => {
		expect((await real.subscriptions()).sort()).toEqual(expectedSubscriptions());
	});

	it('a count applied over RPC with a reason and a photo waits for finance and operations in parallel, each asked with their own links', async () => {
		held = await real.countMissing();
		expect(await real.state(held)).toBe('to_approve');
		expect(held.operationsReview).toBeGreaterThan(0);
		expect(held.financeReview).toBeGreaterThan(0);
		expect(await real.onHand()).toBe(1);
		const [toOlga, toFay] = [await mailTo(real.olga.email!, 'Approval needed'), await mailTo(real.fay.email!, 'Approval needed')];
		expect(subjectOf(toOlga)).toBe(`Approval needed: stock adjustment ${held.name} (Operations)`);
		expect(subjectOf(toFay)).toBe(`Approval needed: stock adjustment ${held.name} (Finance)`);
		for (const mail of [toOlga, toFay]) {
			expect(mail.content).toContain('Value at cost: 6000.00');
			expect(mail.content).toContain(real.lot);
		}
		expect(linkOf(real.olga.email!, held.operationsReview, 'approve')).toContain('/webhook/stock-adjustment-decision?');
		expect(linkOf(real.olga.email!, held.financeReview, 'approve')).toBeUndefined();
		expect(linkOf(real.fay.email!, held.financeReview, 'approve')).toBeDefined();
	});

	it("operations approves through its link; the quants stay unchanged while finance's tier waits", async () => {
		const page = await click(linkOf(real.olga.email!, held.operationsReview, 'approve')!, 'Seen the photo');
		expect(page).toContain(`Thank you, ${real.olga.name}`);
		expect(page).toContain('Finance (level 1) decides next.');
		expect(await real.decisions(held.operationsReview)).toEqual([[real.olga.login, 'approve']]);
		expect(await real.state(held)).toBe('to_approve');
		expect(await real.onHand()).toBe(1);
	});

	it("nobody in finance acts within the SLA: Odoo's SLA cron escalates to the regional manager, with links for that review", async () => {
		await real.passSla(held.financeReview);
		const mail = await mailTo(real.regional.email!, 'Escalated to you');
		expect(subjectOf(mail)).toBe(`Escalated to you: stock adjustment ${held.name} (Finance)`);
		expect(mail.content).toContain('Nobody decided this review within its SLA');
		expect(linkOf(real.regional.email!, held.financeReview, 'approve')).toBeDefined();
	});

	it("the regional manager's approval applies the count, and the warehouse hears it", async () => {
		const page = await click(linkOf(real.regional.email!, held.financeReview, 'approve')!);
		expect(page).toContain(`Thank you, ${real.regional.name}`);
		expect(await real.decisions(held.financeReview)).toEqual([[real.regional.login, 'approve']]);
		const mail = await mailTo(WAREHOUSE_MAIL, 'approved and applied');
		expect(mail.to.sort()).toEqual([WAREHOUSE_MAIL, real.counter.email!].sort());
		expect(mail.content).toContain(`was <b>approved</b> by ${real.regional.name} (Finance, level 1)`);
		expect(await real.state(held)).toBe('applied');
		expect(await real.onHand()).toBe(0);
	});
} else {
	it('subscribes to the adjustment events of its two triggers', () => {
		const seen = odoo
			.activeSubscriptions()
			.map((subscription) => [subscription.url, [...subscription.event_types].sort(), subscription.filters?.document_models])
			.sort();
		expect(seen).toEqual(
			[
				[
					`${n8n.webhookUrl}webhook/${REQUESTED.webhookId}/odoo-governance`,
					['approval.escalated', 'approval.level_opened', 'approval.requested'],
					['governance.stock.adjustment'],
				],
				[`${n8n.webhookUrl}webhook/${DECIDED.webhookId}/odoo-governance`, ['approval.completed'], ['governance.stock.adjustment']],
			].sort(),
		);
	});

	it('asks finance and operations in parallel, each with their own links and the count in front of them', async () => {
		const [delivery] = await odoo.deliver(adjustmentRequested([operations, finance]));
		expect(delivery.status).toBe(200);
		const [toOlga, toFay] = [await mailTo(olga.email!, 'Approval needed'), await mailTo(fay.email!, 'Approval needed')];
		expect(subjectOf(toOlga)).toBe('Approval needed: stock adjustment ADJ/2026/0007 (Operations)');
		expect(subjectOf(toFay)).toBe('Approval needed: stock adjustment ADJ/2026/0007 (Finance)');
		for (const mail of [toOlga, toFay]) {
			expect(mail.content).toContain('Value at cost: 6000.00 EUR');
			expect(mail.content).toContain('Handheld scanner [SN-0001]');
			expect(mail.content).toContain('Reason: damaged: Damaged goods');
		}
		expect(linkOf(olga.email!, operations, 'approve')).toContain('/webhook/stock-adjustment-decision?');
		expect(linkOf(olga.email!, finance, 'approve')).toBeUndefined();
		expect(linkOf(fay.email!, finance, 'approve')).toBeDefined();
	});

	it("operations approves through its link; the request still waits for finance's tier", async () => {
		const page = await click(linkOf(olga.email!, operations, 'approve')!);
		expect(page).toContain('Thank you, Olga Operations');
		expect(page).toContain('Finance (level 1) decides next.');
		expect(odoo.callsOf('decide')).toMatchObject([{ review_id: operations.review_id, actor: olga.login, outcome: 'approve' }]);
	});

	it('nobody in finance acts within the SLA: the escalation reaches the next authority with links for that review', async () => {
		finance.eligible_approvers.push(regional); // what Odoo's SLA cron does before it emits approval.escalated
		const [delivery] = await odoo.deliver(adjustmentEscalated(finance, [regional]));
		expect(delivery.status).toBe(200);
		const mail = await mailTo(regional.email!, 'Escalated to you');
		expect(subjectOf(mail)).toBe('Escalated to you: stock adjustment ADJ/2026/0007 (Finance)');
		expect(mail.content).toContain('Nobody decided this review within its SLA');
		expect(smtp.mails.filter((sent) => sent.to.includes(fay.email!))).toHaveLength(1);
		expect(linkOf(regional.email!, finance, 'approve')).toBeDefined();
	});

	it("the regional manager's approval closes the request, and the warehouse hears the quantities are applied", async () => {
		const page = await click(linkOf(regional.email!, finance, 'approve')!);
		expect(page).toContain('Thank you, Rita Regional');
		expect(odoo.callsOf('decide').at(-1)).toMatchObject({ review_id: finance.review_id, actor: regional.login });
		await odoo.deliver(adjustmentCompleted(finance, 'approved', regional));
		const mail = await mailTo(WAREHOUSE_MAIL, 'approved and applied');
		expect(mail.to.sort()).toEqual([WAREHOUSE_MAIL, counter.email!].sort());
		expect(mail.content).toContain('was <b>approved</b> by Rita Regional (Finance, level 1)');
		expect(mail.content).toContain('The counted quantities are applied in Odoo');
	});
}
