/**
 * The procurement approval template in a real n8n 2.x started here (pinned version, Node 24,
 * SQLite, 127.0.0.1), with this package packed and installed the way users install community
 * packages, against the stand-in Odoo (test/e2e/support/standInOdoo.ts) and an SMTP sink.
 *
 * Prints its timings (n8n start, webhook registration, delivery answer, event → execution).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import template from '../../workflows/procurement-approval.json';
import { generateSecret } from '../../nodes/shared/signature';
import { harness, type N8nInstance } from './support/harness';
import { approvalRequested, maria, pendingReview, requester, tom } from './support/procurementScenario';
import { SmtpSink } from './support/smtpSink';
import { StandInOdoo } from './support/standInOdoo';

const WORKFLOW_ID = template.id;
const TRIGGER = template.nodes.find((node) => node.name === 'Approval Requested')!;
const TRIGGER_PATH = `${TRIGGER.webhookId}/odoo-governance`;
const INTEGRATION_KEY = ['stand', 'in', 'integration', 'key'].join('-');

const timings: Record<string, number> = {};
const odoo = new StandInOdoo('acme', 'n8n-integration', INTEGRATION_KEY);
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
	const { data } = await n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${WORKFLOW_ID}&includeData=true&limit=50`);
	return data;
}

async function nextExecution(before: number): Promise<Execution> {
	return await until('an execution to finish', async () => {
		const all = await executions();
		const finished = all.filter((execution) => execution.stoppedAt);
		return finished.length > before ? finished[0] : undefined;
	});
}

const outputSizes = (execution: Execution, node: string) =>
	(execution.data?.resultData.runData[node]?.[0]?.data?.main ?? []).map((items) => (items ?? []).length);

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	let started = performance.now();
	const install = harness.ensureN8n(log);
	timings['n8n install check or install (s)'] = (performance.now() - started) / 1000;

	const odooUrl = await odoo.start();
	odoo.reviews.push(pendingReview());
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
				data: { url: odooUrl, database: 'acme', login: 'n8n-integration', secret: INTEGRATION_KEY, protocol: 'jsonRpc' },
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

	timings['n8n start to ready (ms)'] = await n8n.start();
	timings['ready to trigger webhook live (ms)'] = await n8n.waitForWebhook(TRIGGER_PATH);
	await n8n.login();
}, 1_200_000);

afterAll(async () => {
	await n8n?.stop();
	await smtp.stop();
	await odoo.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(
		`\ne2e timings (n8n ${harness.N8N_VERSION}, stand-in Odoo):\n${Object.entries(timings)
			.map(([name, value]) => `  ${name}: ${value.toFixed(name.endsWith('(s)') ? 1 : 0)}`)
			.join('\n')}\n`,
	);
});

it('loads our nodes from the installed community package', async () => {
	const types = await n8n.rest<Array<{ name: string }>>('GET', '/types/nodes.json');
	const ours = types.map((type) => type.name).filter((name) => name.startsWith('n8n-nodes-distribution-governance.'));
	expect(ours.sort()).toEqual([
		'n8n-nodes-distribution-governance.approvalRouter',
		'n8n-nodes-distribution-governance.approvalRouterTool',
		'n8n-nodes-distribution-governance.odooGovernanceTrigger',
	]);
});

it('registered its subscription in Odoo on activation, with a fresh secret', () => {
	const [subscription, ...others] = odoo.activeSubscriptions();
	expect(others).toEqual([]);
	expect(subscription).toMatchObject({
		url: `${n8n.webhookUrl}webhook/${TRIGGER_PATH}`,
		event_types: ['approval.requested'],
		filters: { document_models: ['purchase.order'] },
		secret: expect.stringMatching(/^whsec_/),
	});
	expect(odoo.callsOf('register_subscription')[0].idempotency_key).toMatch(/^n8n-subscription:/);
});

it('runs the workflow for a correctly signed event: routed, one e-mail per eligible approver', async () => {
	const before = (await executions()).length;
	const sent = Date.now();

	const [delivery] = await odoo.deliver(approvalRequested('evt-e2e-1', pendingReview()));

	timings['delivery answered (ms)'] = delivery.milliseconds;
	expect(delivery.status).toBe(200);
	expect(JSON.parse(delivery.body)).toEqual({ received: true, executed: true, id: 'evt-e2e-1' });
	const execution = await nextExecution(before);
	timings['event to execution finished (ms)'] = Date.parse(execution.stoppedAt!) - sent;
	expect(execution.status).toBe('success');
	expect(outputSizes(execution, 'Route Approval')).toEqual([0, 2, 0, 0]);
	await until('two e-mails', () => (smtp.mails.length >= 2 ? true : undefined));
	expect(smtp.mails.map((mail) => mail.to).sort()).toEqual([[maria.email], [tom.email]]);
	expect(smtp.linksTo(maria.email!)[0][0]).toMatch(/\/webhook\/procurement-decision\?review=21&actor=maria%40acme\.example&outcome=approve/);
});

describe('refused deliveries run nothing', () => {
	async function refusedWithoutExecution(delivery: Promise<Array<{ status: number; body: string }>>, status: number) {
		const before = (await executions()).length;
		const [answer] = await delivery;
		expect(answer.status).toBe(status);
		await sleep(1500);
		expect((await executions()).length).toBe(before);
	}

	it('refuses a forged signature with 401', async () => {
		await refusedWithoutExecution(odoo.deliver(approvalRequested('evt-e2e-forged', pendingReview()), { secret: generateSecret() }), 401);
	});

	it('refuses a replay of an old delivery with 401', async () => {
		const old = Math.floor(Date.now() / 1000) - 600;
		await refusedWithoutExecution(odoo.deliver(approvalRequested('evt-e2e-old', pendingReview()), { timestamp: old }), 401);
	});
});

it("tells the requester when Odoo's policy blocked the document", async () => {
	const before = smtp.mails.length;
	await odoo.deliver(approvalRequested('evt-e2e-blocked', pendingReview(), 'blocked'));
	await until('the requester e-mail', () => (smtp.mails.length > before ? true : undefined));
	expect(smtp.mails.at(-1)!.to).toEqual([requester.email]);
	expect(smtp.mails.at(-1)!.content).toContain('blocked');
});

describe("an approver's answer through their own link", () => {
	const approveLink = () => smtp.linksTo(maria.email!)[0][0];

	it('shows a confirmation page first (a link preview decides nothing)', async () => {
		const response = await fetch(approveLink());
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('<form method="post">');
		expect(odoo.callsOf('decide')).toEqual([]);
	});

	it('refuses the link altered to act as the requester; Odoo hears nothing', async () => {
		const forged = new URL(approveLink());
		forged.searchParams.set('actor', requester.login);
		const response = await fetch(forged, { method: 'POST', body: new URLSearchParams({ comment: '' }) });
		expect(response.status).toBe(403);
		expect(await response.text()).toContain('not signed for this review, approver and outcome');
		expect(odoo.callsOf('decide')).toEqual([]);
	});

	it('writes the decision to Odoo in the name of the approver who clicked', async () => {
		const started = performance.now();
		const response = await fetch(approveLink(), { method: 'POST', body: new URLSearchParams({ comment: 'Fine' }) });
		timings['decision click to Odoo answer (ms)'] = performance.now() - started;

		expect(response.status).toBe(200);
		expect(await response.text()).toContain('Thank you, Maria Manager');
		expect(odoo.callsOf('decide')).toEqual([
			{
				review_id: 21,
				actor: maria.login,
				outcome: 'approve',
				comment: 'Fine',
				idempotency_key: expect.stringMatching(/^decision-link:/),
			},
		]);
		expect(odoo.reviews[0].state).toBe('decided');
	});
});

describe('the credential test', () => {
	const test = async (data: object) =>
		(
			await n8n.rest<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
				credentials: { id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi', data },
			})
		).data;
	const good = () => ({ url: odoo.url, database: 'acme', login: 'n8n-integration', secret: INTEGRATION_KEY, protocol: 'jsonRpc' });

	it('accepts a working login', async () => {
		expect(await test(good())).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it.each([
		['a wrong key', { secret: 'wrong-key-0' }, 'Odoo refused this login and API key or password for this database'],
		['a wrong database', { database: 'nope' }, 'Odoo could not log in to this database: check the database name'],
		[
			'a wrong key over JSON-2',
			{ protocol: 'json2', secret: 'wrong-key-0' },
			'Odoo refused this API key for this database (JSON-2 needs an API key, not a password)',
		],
	])('names the reason for %s', async (_name, change, message) => {
		expect(await test({ ...good(), ...change })).toEqual({ status: 'Error', message });
	});
});

it('removes its subscription from Odoo when the workflow is deactivated', async () => {
	await n8n.api('POST', `/workflows/${WORKFLOW_ID}/deactivate`);
	await until('the subscription to be removed', () => (odoo.activeSubscriptions().length === 0 ? true : undefined));
	expect(odoo.callsOf('remove_subscription')).toHaveLength(1);
});
