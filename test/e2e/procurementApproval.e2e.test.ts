/**
 * The procurement approval template in a real n8n 2.x started here (pinned version, Node 24,
 * SQLite, 127.0.0.1), with this package packed and installed the way users install community
 * packages, and an SMTP sink; against a real Odoo when ODOO_URL, ODOO_DB, ODOO_LOGIN and
 * ODOO_PASSWORD name one (test/e2e/support/realOdoo.ts), otherwise against the stand-in Odoo
 * (test/e2e/support/standInOdoo.ts). One scenario for both (support/odooUnderTest.ts).
 *
 * Prints which Odoo it ran against and its timings (n8n start, webhook registration, delivery
 * answer, event → execution).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import template from '../../workflows/procurement-approval.json';
import { generateSecret } from '../../nodes/shared/signature';
import { harness, type N8nInstance } from './support/harness';
import { odooUnderTest, RealOdoo, type ApprovalCase } from './support/odooUnderTest';
import { STOP_REASONS, TIER_REASON } from './support/procurementScenario';
import { SmtpSink, type Mail, subjectOf } from './support/smtpSink';

const WORKFLOW_ID = template.id;
const TRIGGER = template.nodes.find((node) => node.name === 'Approval Requested')!;
const TRIGGER_PATH = `${TRIGGER.webhookId}/odoo-governance`;
const COMPLETED_TRIGGER = template.nodes.find((node) => node.name === 'Approval Completed')!;

const timings: Record<string, number> = {};
const odoo = odooUnderTest();
/** Checks only a real Odoo can answer (the purchase order, the audit trail). */
const real = odoo instanceof RealOdoo ? odoo : undefined;
const smtp = new SmtpSink();
let n8n: N8nInstance;
let folder: string;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${n8n?.tail() ?? ''}`);
		await sleep(100);
	}
}

interface Execution {
	id: string;
	status: string;
	startedAt: string;
	stoppedAt: string | null;
	data?: { resultData: { runData: Record<string, Array<{ data?: { main: Array<unknown[] | null> } }>> } };
}

async function executions(): Promise<Execution[]> {
	const path = `/executions?workflowId=${WORKFLOW_ID}&includeData=true&limit=50`;
	// A kept-alive connection that n8n closed as it was reused fails once ("other side closed"); ask again.
	const { data } = await n8n.api<{ data: Execution[] }>('GET', path).catch(() => n8n.api<{ data: Execution[] }>('GET', path));
	return data;
}

async function nextExecution(before: number): Promise<Execution> {
	return await until('an execution to finish', async () => {
		const all = await executions();
		const finished = all.filter((execution) => execution.stoppedAt);
		return finished.length > before ? finished[0] : undefined;
	});
}

/** The newest mail to `address` whose subject has `subject`, once it arrived. */
async function mailTo(address: string, subject: string): Promise<Mail> {
	return await until(`a mail to ${address} about "${subject}"`, () =>
		smtp.mails.filter((mail) => mail.to.includes(address) && subjectOf(mail).includes(subject)).at(-1),
	90000);
}
/** The mails of this run, for the closing report (subject and the first lines of text). */
const mailSummary = (mail: Mail) =>
	`${mail.to.join(', ')} | ${subjectOf(mail)} | ${mail.content
		.slice(mail.content.search(/<p>/))
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 260)}`;

/** Keeps a page n8n served, to look at in a browser, when DG_E2E_PAGES_DIR names a folder. */
function keepPage(name: string, html: string) {
	const dir = process.env.DG_E2E_PAGES_DIR;
	if (!dir) return;
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, `${name}.html`), html);
}

const outputSizes = (execution: Execution, node: string) =>
	(execution.data?.resultData.runData[node]?.[0]?.data?.main ?? []).map((items) => (items ?? []).length);

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	let started = performance.now();
	const install = harness.ensureN8n(log);
	timings['n8n install check or install (s)'] = (performance.now() - started) / 1000;

	await odoo.start();
	log(`running against ${odoo.description}`);
	const smtpPort = await smtp.start();
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-'));
	started = performance.now();
	const tarball = harness.packPackage(join(folder, 'pack'));
	timings['build and pack (s)'] = (performance.now() - started) / 1000;

	n8n = new harness.N8nInstance({
		install,
		userFolder: join(folder, 'n8n'),
		port: await harness.freePort(),
		brokerPort: await harness.freePort(),
		log,
	});
	started = performance.now();
	n8n.installPackage(tarball);
	n8n.importData({
		credentials: [
			{
				id: 'dg-odoo',
				name: 'Distribution Governance Odoo',
				type: 'distributionGovernanceOdooApi',
				data: { ...odoo.credential, protocol: 'jsonRpc' },
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
	n8n.publish(WORKFLOW_ID);
	timings['install package, import, publish (s)'] = (performance.now() - started) / 1000;

	timings['n8n start to ready (ms)'] = await n8n.start(Number(process.env.DG_E2E_READY_MS) || 120000);
	timings['ready to trigger webhook live (ms)'] = await n8n.waitForWebhook(TRIGGER_PATH);
	await n8n.login();
}, 1_200_000);

afterAll(async () => {
	if (process.env.DG_E2E_PRINT_MAILS) process.stdout.write(`\ne2e mails:\n${smtp.mails.map(mailSummary).join('\n')}\n`);
	await n8n?.stop();
	await smtp.stop();
	await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(
		`\ne2e ran against ${odoo.description}\ne2e timings (n8n ${harness.N8N_VERSION}):\n${Object.entries(timings)
			.map(([name, value]) => `  ${name}: ${value.toFixed(name.endsWith('(s)') ? 1 : 0)}`)
			.join('\n')}\n`,
	);
});

/** The decision links of the mails sent to `address` (the mail also links to the order in Odoo). */
function decisionLinksTo(address: string): string[][] {
	return smtp.linksTo(address).map((links) => links.filter((link) => link.includes('/webhook/')));
}

it('loads our nodes from the installed community package', async () => {
	const types = await n8n.rest<Array<{ name: string }>>('GET', '/types/nodes.json');
	const ours = types.map((type) => type.name).filter((name) => name.startsWith('n8n-nodes-distribution-governance.'));
	expect(ours.sort()).toEqual([
		'n8n-nodes-distribution-governance.aiSummariser',
		'n8n-nodes-distribution-governance.aiSummariserTool',
		'n8n-nodes-distribution-governance.approvalRouter',
		'n8n-nodes-distribution-governance.approvalRouterTool',
		'n8n-nodes-distribution-governance.governanceException',
		'n8n-nodes-distribution-governance.governanceExceptionTool',
		'n8n-nodes-distribution-governance.odooGovernanceTrigger',
		'n8n-nodes-distribution-governance.purchaseRisk',
		'n8n-nodes-distribution-governance.purchaseRiskTool',
		'n8n-nodes-distribution-governance.shipmentHold',
		'n8n-nodes-distribution-governance.shipmentHoldTool',
		'n8n-nodes-distribution-governance.supplierConfirmationTracker',
		'n8n-nodes-distribution-governance.supplierConfirmationTrackerTool',
	]);
});

it('registered its subscription in Odoo on activation', async () => {
	// n8n serves a webhook before its trigger's registration call has returned.
	const subscriptions = await until('the subscription in Odoo', async () => {
		const active = await odoo.activeSubscriptions(n8n.webhookUrl);
		return active.length ? active : undefined;
	});
	await until('both subscriptions', async () => ((await odoo.activeSubscriptions(n8n.webhookUrl)).length >= 2 ? true : undefined));
	const both = await odoo.activeSubscriptions(n8n.webhookUrl);
	expect(subscriptions.length).toBeGreaterThanOrEqual(1);
	const sorted = (list: typeof both) =>
		list.map((entry) => ({ ...entry, event_types: [...entry.event_types].sort() })).sort((a, b) => a.url.localeCompare(b.url));
	expect(sorted(both)).toEqual(
		[
			{
				url: `${n8n.webhookUrl}webhook/${TRIGGER_PATH}`,
				event_types: ['approval.level_opened', 'approval.requested'],
				document_models: ['purchase.order'],
			},
			{
				url: `${n8n.webhookUrl}webhook/${COMPLETED_TRIGGER.webhookId}/odoo-governance`,
				event_types: ['approval.completed'],
				document_models: ['purchase.order'],
			},
		].sort((a, b) => a.url.localeCompare(b.url)),
	);
	expect((await odoo.idempotencyKeys('register_subscription'))[0]).toMatch(/^n8n-subscription:/);
});

/** The approval the scenario follows, from its request to an approver's decision. */
let approval: ApprovalCase;

it('runs the workflow for a correctly signed event: routed, one e-mail per eligible approver', async () => {
	const before = (await executions()).length;
	const sent = Date.now();

	approval = await odoo.requestApproval();

	const { delivery, approvers } = approval;
	timings['delivery answered (ms)'] = delivery.milliseconds;
	expect(delivery.status).toBe(200);
	if (delivery.answer !== undefined) {
		expect(JSON.parse(delivery.answer)).toEqual({ received: true, executed: true, id: approval.eventId });
	}
	const execution = await nextExecution(before);
	timings['event to execution finished (ms)'] = Date.parse(execution.stoppedAt!) - sent;
	expect(execution.status).toBe('success');
	expect(outputSizes(execution, 'Route Approval')).toEqual([0, 2, 0, 0]);
	await until('two e-mails', () => (smtp.mails.length >= 2 ? true : undefined));
	expect(smtp.mails.map((mail) => mail.to).sort()).toEqual(approvers.map((approver) => [approver.email]).sort());
	const query = new URLSearchParams({ review: String(approval.reviewId), actor: approvers[0].login, outcome: 'approve' });
	expect(decisionLinksTo(approvers[0].email!)[0][0]).toContain(`/webhook/procurement-decision?${query}`);
});

describe('refused deliveries run nothing', () => {
	async function refusedWithoutExecution(delivery: Promise<{ status: number }>, status: number) {
		const before = (await executions()).length;
		const answer = await delivery;
		expect(answer.status).toBe(status);
		await sleep(1500);
		expect((await executions()).length).toBe(before);
	}

	it('refuses a forged signature with 401', async () => {
		await refusedWithoutExecution(odoo.deliverTampered({ secret: generateSecret() }), 401);
	});

	it('refuses a replay of an old delivery with 401', async () => {
		const old = Math.floor(Date.now() / 1000) - 600;
		await refusedWithoutExecution(odoo.deliverTampered({ timestamp: old }), 401);
	});
});

it.each(['hold', 'blocked'] as const)("tells the requester when Odoo's policy stopped the document (%s), and only why", async (outcome) => {
	const before = smtp.mails.length;
	const { requester, word } = await odoo.stopByPolicy(outcome);
	await until('the requester e-mail', () => (smtp.mails.length > before ? true : undefined));
	expect(smtp.mails.at(-1)!.to).toEqual([requester.email]);
	expect(smtp.mails.at(-1)!.content).toContain(word);
	expect(smtp.mails.at(-1)!.content).toContain(STOP_REASONS[outcome]);
	expect(smtp.mails.at(-1)!.content).not.toContain(TIER_REASON);
});

describe("an approver's answer through their own link", () => {
	const approver = () => approval.approvers[0];
	const approveLink = () => decisionLinksTo(approver().email!)[0][0];

	it('shows a confirmation page first (a link preview decides nothing)', async () => {
		const response = await fetch(approveLink());
		expect(response.status).toBe(200);
		const page = await response.text();
		keepPage('confirmation', page);
		expect(page).toContain('<form method="post">');
		expect(await odoo.decisions()).toEqual([]);
	});

	it('refuses the link altered to act as the requester; Odoo hears nothing', async () => {
		const forged = new URL(approveLink());
		forged.searchParams.set('actor', approval.requester.login);
		const response = await fetch(forged, { method: 'POST', body: new URLSearchParams({ comment: '' }) });
		expect(response.status).toBe(403);
		expect(await response.text()).toContain('not signed for this review, approver and outcome');
		expect(await odoo.decisions()).toEqual([]);
	});

	it('writes the decision to Odoo in the name of the approver who clicked', async () => {
		const started = performance.now();
		const response = await fetch(approveLink(), { method: 'POST', body: new URLSearchParams({ comment: 'Fine' }) });
		timings['decision click to Odoo answer (ms)'] = performance.now() - started;

		expect(response.status).toBe(200);
		const page = await response.text();
		keepPage('decision-recorded-level-1', page);
		expect(page).toContain(`Thank you, ${approver().name}`);
		expect(page).toContain('Finance (level 2) decides next.');
		expect(page).not.toContain('now pending');
		expect(await odoo.decisions()).toEqual([
			{
				review_id: approval.reviewId,
				actor: approver().login,
				outcome: 'approve',
				comment: 'Fine',
				idempotency_key: expect.stringMatching(/^decision-link:/),
			},
		]);
	});

	let finance: ApprovalCase;

	it('tells the level-2 approver by e-mail when level 1 is done, with their own links', async () => {
		finance = await odoo.levelOpened(approval);
		expect(finance.delivery.status).toBe(200);
		const [fiona] = finance.approvers;
		const mail = await mailTo(fiona.email!, 'Approval needed');
		expect(mail.content).toContain(`Hello ${fiona.name},`);
		expect(mail.content).toContain('Your review: <b>Finance</b> (level 2)');
		const query = new URLSearchParams({ review: String(finance.reviewId), actor: fiona.login, outcome: 'approve' });
		expect(decisionLinksTo(fiona.email!).at(-1)![0]).toContain(`/webhook/procurement-decision?${query}`);
	});

	it("the level-2 approver's link approves the request, and the requester is told", async () => {
		const [fiona] = finance.approvers;
		const response = await fetch(decisionLinksTo(fiona.email!).at(-1)![0], { method: 'POST', body: new URLSearchParams({ comment: '' }) });
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('The request is approved and the document is released');

		await odoo.completed(finance);
		const mail = await mailTo(approval.requester.email!, ': approved');
		expect(mail.content).toContain(`Hello ${approval.requester.name},`);
		expect(mail.content).toContain(`was <b>approved</b> by ${fiona.name} (Finance, level 2)`);
	});

	(real ? it : it.skip)('Odoo approved both levels and the request, confirmed the order and audited each decision', async () => {
		const after = await real!.afterDecision(approval.reviewId);
		expect(after).toMatchObject({ review: 'approved', request: 'approved', order: 'purchase' });
		expect(after.audit.map((entry: { actor: string }) => entry.actor).sort()).toEqual([approver().name, finance.approvers[0].name].sort());
		const marias = after.audit.find((entry: { actor: string }) => entry.actor === approver().name)!;
		expect(marias.summary).toContain(approver().login);
		expect(marias.content).toMatchObject({ details: { outcome: 'approve', comment: 'Fine', channel: 'api' } });
	});
});

describe('the requester hears of every outcome', () => {
	it('a rejection through the approver\'s link, with the comment', async () => {
		const single = await odoo.requestApproval(1);
		const [maria] = single.approvers;
		await until('the approval mail of the new request', () =>
			decisionLinksTo(maria.email!).flat().find((link) => link.includes(`review=${single.reviewId}&`) && link.includes('outcome=reject')),
		90000);
		const rejectLink = decisionLinksTo(maria.email!).flat().find((link) => link.includes(`review=${single.reviewId}&`) && link.includes('outcome=reject'))!;
		const response = await fetch(rejectLink, { method: 'POST', body: new URLSearchParams({ comment: 'Quote expired, ask again' }) });
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('The request is rejected');

		await odoo.completed(single);
		const mail = await mailTo(single.requester.email!, ': rejected');
		expect(mail.content).toContain(`was <b>rejected</b> by ${maria.name}`);
		expect(mail.content).toContain('Comment: Quote expired, ask again');
	});

	it('a request for changes taken in Odoo, with the comment', async () => {
		const single = await odoo.requestApproval(1);
		await odoo.requestChanges(single, single.approvers[1], 'Split the delivery in two');
		await odoo.completed(single);
		const mail = await mailTo(single.requester.email!, ': changes requested');
		expect(mail.content).toContain(`was <b>sent back for changes</b> by ${single.approvers[1].name}`);
		expect(mail.content).toContain('Comment: Split the delivery in two');
		expect(mail.content).toContain('Please change the order and confirm it again');
	});
});

describe('the credential test', () => {
	const test = async (data: object) =>
		(
			await n8n.rest<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
				credentials: { id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi', data },
			})
		).data;
	const good = () => ({ ...odoo.credential, protocol: 'jsonRpc' });
	const json2Refusal = odoo.hasJson2
		? 'Odoo refused this API key for this database (JSON-2 needs an API key, not a password)'
		: 'Not found: this Odoo has no JSON-2 API (choose JSON-RPC for Odoo 17 and 18) or the Distribution Governance addon is not installed';

	it('accepts a working login', async () => {
		expect(await test(good())).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it.each([
		['a wrong key', { secret: 'wrong-key-0' }, 'Odoo refused this login and API key or password for this database'],
		['a wrong database', { database: 'nope' }, 'Odoo could not log in to this database: check the database name'],
		['a wrong key over JSON-2', { protocol: 'json2', secret: 'wrong-key-0' }, json2Refusal],
	])('names the reason for %s', async (_name, change, message) => {
		expect(await test({ ...good(), ...change })).toEqual({ status: 'Error', message });
	});
});

it('removes its subscription from Odoo when the workflow is deactivated', async () => {
	await n8n.api('POST', `/workflows/${WORKFLOW_ID}/deactivate`);
	await until('the subscription to be removed', async () =>
		(await odoo.activeSubscriptions(n8n.webhookUrl)).length === 0 ? true : undefined,
	);
	expect(await odoo.removedSubscriptions(n8n.webhookUrl)).toBe(2);
});
