/**
 * Scenarios S2 and S9 in a real n8n 2.x (pinned, Node 24, SQLite, 127.0.0.1) with this package
 * installed as users install it, against the stand-in Odoo, a stand-in AI provider (OpenAI chat
 * completions), an SMTP sink and an ops-channel sink:
 *
 * - critical-parts-risk: the ranked list goes out by e-mail with AI summaries, and with the
 *   provider slow, answering garbage or stopped, the same list goes out marked fallback within
 *   the timeout; each summary is posted as a note.
 * - automation-failures: a failing node in the procurement-approval template (its mail server
 *   is down) becomes exactly one technical exception per failed execution, and a message to the
 *   ops channel.
 *
 * Against a real Odoo when ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_PASSWORD name one
 * (support/realRiskOdoo.ts): the risk inputs are Odoo's own (orders, stock, sales of a category the
 * run creates), the notes land in the orders' chatter, and the failing workflow is one of the test's
 * own (its webhook calls a closed port) whose executions become technical exceptions in Odoo's queue.
 *
 * Prints the timings and the request the provider received (to show the redaction).
 */
import { spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

import automationFailures from '../../workflows/automation-failures.json';
import criticalPartsRisk from '../../workflows/critical-parts-risk.json';
import procurementApproval from '../../workflows/procurement-approval.json';
import { riskOrder } from '../nodes/AiSummariser/fixtures';
import { harness, type N8nInstance } from './support/harness';
import { approvalRequested, pendingReview } from './support/procurementScenario';
import { realOdooFromEnvironment } from './support/realOdoo';
import { RealRiskOdoo } from './support/realRiskOdoo';
import { SmtpSink } from './support/smtpSink';
import { StandInAiProvider, type Behaviour } from './support/standInAiProvider';
import { StandInOdoo } from './support/standInOdoo';

const AI_TIMEOUT_MS = 3000;
const ODOO_KEY = ['stand', 'in', 'risk', 'key'].join('-');
const timings: Record<string, number> = {};
const odoo = new StandInOdoo('acme', 'n8n-integration', ODOO_KEY);
const named = realOdooFromEnvironment();
const real = named
	? new RealRiskOdoo(named.credential, { login: process.env.ODOO_ADMIN_LOGIN || 'admin', password: process.env.ODOO_ADMIN_PASSWORD || 'admin' })
	: undefined;
const standInOnly = real ? describe.skip : describe;
const realOnly = real ? describe : describe.skip;
/** A workflow that fails at its second node (a closed port), for S9 on a real Odoo. */
const FAILING_ID = 'dgE2eFailing0001';
const failing = {
	id: FAILING_ID,
	name: 'Failing on purpose (end-to-end test)',
	nodes: [
		{ id: 'f0000000-0000-4000-8000-000000000001', name: 'Incoming Event', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0],
			webhookId: 'f0000000-0000-4000-8000-0000000000f1', parameters: { httpMethod: 'POST', path: 'dg-e2e-failing', responseMode: 'onReceived', options: {} } },
		{ id: 'f0000000-0000-4000-8000-000000000002', name: 'Call Closed Port', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [220, 0],
			parameters: { method: 'POST', url: 'http://127.0.0.1:9/nothing-listens-here', options: { timeout: 3000 } } },
	],
	connections: { 'Incoming Event': { main: [[{ node: 'Call Closed Port', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1', errorWorkflow: automationFailures.id },
	pinData: {},
	active: false,
};
const provider = new StandInAiProvider({ apiKey: 'sk-e2e', slowMs: AI_TIMEOUT_MS + 3000 });
const smtp = new SmtpSink();
const opsMessages: Array<Record<string, unknown>> = [];
let opsChannel: Server;
let n8n: N8nInstance;
let folder: string;
let providerUrl: string;
let goodRunMs = 0;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${n8n?.tail() ?? ''}`);
		await sleep(100);
	}
}

/** `n8n execute --id` in its own process (the stand-ins in this process must keep answering). */
async function executeCli(workflowId: string): Promise<{ code: number | null; output: string; ms: number }> {
	const started = performance.now();
	const env = { ...(n8n as unknown as { env: Record<string, string> }).env };
	env.N8N_RUNNERS_BROKER_PORT = String(await harness.freePort());
	const install = (n8n as unknown as { install: { n8nBin: string } }).install;
	return await new Promise((resolve) => {
		const child = spawn(install.n8nBin, ['execute', `--id=${workflowId}`], { env, cwd: n8n.userFolder });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.once('exit', (code) => resolve({ code, output, ms: performance.now() - started }));
	});
}

const orders = () => [
	riskOrder(1, 'P00001', { demand: 1000, customers: ['Customer A'], forecast: 50, min: 10, daysLate: 0 }),
	riskOrder(2, 'P00002', { demand: 9000, customers: ['Customer B', 'Customer C'], forecast: -4, min: 10, daysLate: 14 }),
	riskOrder(3, 'P00003', { demand: 0, customers: [], forecast: 5, min: 10, daysLate: 3 }),
];

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
	const install = harness.ensureN8n(log);
	let credential: { url: string; database: string; login: string; secret: string };
	if (real) {
		await real.start();
		credential = real.credential;
	} else {
		await odoo.start();
		odoo.reviews.push(pendingReview());
		odoo.riskOrders.push(...orders());
		credential = { url: odoo.url, database: 'acme', login: 'n8n-integration', secret: ODOO_KEY };
	}
	providerUrl = await provider.start();
	const smtpPort = await smtp.start();
	opsChannel = createServer((request, response) => {
		let body = '';
		request.on('data', (chunk) => (body += chunk));
		request.on('end', () => {
			opsMessages.push(JSON.parse(body));
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => opsChannel.listen(0, '127.0.0.1', resolve));
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-risk-'));
	const tarball = harness.packPackage(join(folder, 'pack'));
	n8n = new harness.N8nInstance({
		install,
		userFolder: join(folder, 'n8n'),
		port: await harness.freePort(),
		brokerPort: await harness.freePort(),
		log,
	});
	n8n.installPackage(tarball);
	// The shipped templates, with the settings a user would fill in: the ops channel's URL and a
	// shorter AI timeout so the slow-provider case is quick.
	const failures = structuredClone(automationFailures);
	failures.nodes.find((node) => node.name === 'Tell Ops Channel')!.parameters.url =
		`http://127.0.0.1:${(opsChannel.address() as AddressInfo).port}/hooks/ops`;
	const risk = structuredClone(criticalPartsRisk);
	for (const node of risk.nodes.filter((candidate) => candidate.type.endsWith('.aiSummariser'))) {
		const limits = (node.parameters as { limits?: Record<string, number> }).limits;
		if (limits) limits.timeoutMs = AI_TIMEOUT_MS;
	}
	// On a real Odoo the list is this run's category only.
	if (real) risk.nodes.find((node) => node.type.endsWith('.purchaseRisk'))!.parameters.categoryIds = String(real.categoryId);
	n8n.importData({
		credentials: [
			{
				id: 'dg-odoo',
				name: 'Distribution Governance Odoo',
				type: 'distributionGovernanceOdooApi',
				data: { ...credential, protocol: 'jsonRpc' },
			},
			{
				id: 'dg-ai',
				name: 'Distribution Governance AI Provider',
				type: 'distributionGovernanceAiApi',
				data: { baseUrl: providerUrl, apiKey: 'sk-e2e', model: 'stand-in-1' },
			},
			{
				// The template's "n8n API" credential; its key exists only once n8n runs (set after login).
				id: 'n8n-api',
				name: 'n8n API',
				type: 'n8nApi',
				data: { apiKey: 'set-after-login', baseUrl: 'http://127.0.0.1:1/api/v1' },
			},
			{
				id: 'dg-smtp',
				name: 'Approver mail (SMTP)',
				type: 'smtp',
				data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true },
			},
		],
		workflows: real ? [failures, risk, failing] : [failures, risk, procurementApproval],
	});
	n8n.publish(real ? FAILING_ID : procurementApproval.id);
	// n8n 2.x runs an error workflow only when it is published.
	n8n.publish(automationFailures.id);
	timings['n8n start to ready (ms)'] = await n8n.start(400_000);
	if (real) {
		await n8n.waitForWebhook('dg-e2e-failing');
	} else {
		const trigger = procurementApproval.nodes.find((node) => node.name === 'Approval Requested')!;
		await n8n.waitForWebhook(`${trigger.webhookId}/odoo-governance`);
		await until('the trigger subscription in Odoo', () => (odoo.activeSubscriptions().length ? true : undefined));
	}
	await n8n.login();
	await n8n.rest('PATCH', '/rest/credentials/n8n-api', {
		name: 'n8n API',
		type: 'n8nApi',
		data: { apiKey: n8n.apiKey, baseUrl: `${n8n.baseUrl}/api/v1` },
	});
}, 1_200_000);

afterAll(async () => {
	await n8n?.stop();
	await smtp.stop();
	await provider.stop();
	if (real) await real.stop();
	else await odoo.stop();
	await new Promise<void>((resolve) => (opsChannel ? opsChannel.close(() => resolve()) : resolve()));
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(
		`\ne2e (S2, S9) ran against ${real ? real.description : 'the stand-in Odoo'}; timings, n8n ${harness.N8N_VERSION}:\n${Object.entries(timings)
			.map(([name, value]) => `  ${name}: ${value.toFixed(0)}`)
			.join('\n')}\n`,
	);
});

/** The three orders by creation: stand-in P00001..P00003, or this run's RFQs in a real Odoo. */
const orderOf = (index: number) => (real ? real.orders[index] : { id: index + 1, name: `P0000${index + 1}` });
/**
 * The fallback order: stand-in P00002 (demand 9000, forecast negative, 14 days late), P00003 (short,
 * 3 days late), P00001; real Odoo b (two customers, largest demand), a (some demand), c (none).
 */
const DETERMINISTIC = real ? [1, 0, 2] : [1, 2, 0];

describe('critical-parts risk ranking (S2)', () => {
	async function runRisk(behaviour: Behaviour | 'stopped') {
		if (behaviour === 'stopped') await provider.stop();
		else provider.reset(behaviour);
		const mails = smtp.mails.length;
		const notes = odoo.notes.length;
		if (real) await real.newNotes();
		const run = await executeCli(criticalPartsRisk.id);
		timings[`risk run, provider ${behaviour} (ms)`] = run.ms;
		if (run.code !== 0) throw new Error(`n8n execute failed (${run.code}):\n${run.output.slice(-3000)}`);
		await until('the ranked list', () => (smtp.mails.length > mails ? true : undefined));
		const mail = smtp.mails.at(-1)!;
		const posted = real
			? await real.newNotes()
			: odoo.notes.slice(notes).map((note) => ({
					orderId: (note.document as { id: number }).id,
					source: String(note.source),
					model: String(note.model),
					promptHash: String(note.prompt_hash),
				}));
		return { mail, posted, run };
	}

	it('mails the ranked list with AI summaries and posts each summary as a note', async () => {
		const { mail, posted, run } = await runRisk('good');
		goodRunMs = run.ms;
		expect(mail.to).toEqual(['procurement-managers@example.com']);
		expect(mail.content).not.toContain('The AI was unavailable');
		// The stand-in provider ranks in reverse id order.
		const order = [orderOf(2), orderOf(1), orderOf(0)].map((name) => mail.content.indexOf(name.name));
		expect(order).toEqual([...order].sort((a, b) => a - b));
		expect(mail.content).toContain('AI (stand-in-1)');
		expect(posted.map((note) => [note.orderId, note.source, note.model])).toEqual([
			[orderOf(2).id, 'ai', 'stand-in-1'],
			[orderOf(1).id, 'ai', 'stand-in-1'],
			[orderOf(0).id, 'ai', 'stand-in-1'],
		]);
		const rankRequest = provider.chats[0];
		process.stdout.write(`\nThe rank request the provider received:\n${rankRequest.body}\n`);
		expect(rankRequest.body).not.toMatch(/Alice|Sam Seller|buyer|salesperson/);
		if (real) expect(rankRequest.body).not.toMatch(/@e2e\.example|1234567/);
		expect(posted[0].promptHash).toMatch(/^sha256:[0-9a-f]{64}$/);
	}, 120_000);

	it.each(['slow', 'invalidJson', 'approve', 'stopped'] as const)(
		'sends the same list marked fallback when the provider is %s, within the timeout',
		async (behaviour) => {
			const { mail, posted, run } = await runRisk(behaviour);
			expect(mail.content).toContain('The AI was unavailable for some items');
			// Deterministic order (README "Deterministic ranking"): the largest demand at risk first.
			const order = DETERMINISTIC.map((index) => mail.content.indexOf(orderOf(index).name));
			expect(order.every((index) => index >= 0)).toBe(true);
			expect(order).toEqual([...order].sort((a, b) => a - b));
			expect(posted.map((note) => note.source)).toEqual(['fallback', 'fallback', 'fallback']);
			// n8n's CLI start dominates the run (tens of seconds on a loaded machine), so compare with the
			// run that had instant answers: one rank call, then three summaries two at a time, each
			// bounded by the timeout, add at most three timeouts.
			expect(run.ms).toBeLessThan(goodRunMs + 3 * AI_TIMEOUT_MS + 15_000);
			if (behaviour !== 'stopped') {
				const chats = provider.chats;
				expect(chats).toHaveLength(4);
				expect(chats[3].at - chats[0].at).toBeLessThan(2 * AI_TIMEOUT_MS + 2000);
				timings[`first request to last request, provider ${behaviour} (ms)`] = chats[3].at - chats[0].at;
			}
		},
		120_000,
	);
});

standInOnly('automation failure visibility (S9)', () => {
	async function failingExecution(eventId: string) {
		const before = odoo.callsOf('raise_exception').length;
		const started = Date.now();
		await odoo.deliver(approvalRequested(eventId, odoo.reviews[0]));
		await until('the technical exception', () => (odoo.callsOf('raise_exception').length > before ? true : undefined));
		timings[`failed execution to technical exception, ${eventId} (ms)`] = Date.now() - started;
	}

	it('a failing node in the procurement template raises one technical exception and tells the ops channel', async () => {
		await smtp.stop(); // Ask Approver cannot reach its mail server: the execution fails.
		await failingExecution('evt-e2e-fail-1');
		await until('the ops message', () => (opsMessages.length ? true : undefined));
		const [failure] = [...odoo.automationFailures.values()];
		const params = failure.params as Record<string, unknown>;
		const automation = params.automation as Record<string, string>;
		expect(params).toMatchObject({ exception_type: 'automation_failure', category: 'technical', severity: 'high' });
		expect(automation).toMatchObject({
			workflow_id: procurementApproval.id,
			workflow_name: procurementApproval.name,
			node: 'Ask Approver',
			trigger: 'approval.requested evt-e2e-fail-1, mode webhook',
			// read back from n8n's API by the template: the event that started the failed execution
			event: expect.objectContaining({ id: 'evt-e2e-fail-1', type: 'approval.requested' }),
		});
		expect(automation.execution_url).toContain(`/workflow/${procurementApproval.id}/executions/${automation.execution_id}`);
		expect(automation.error_message.length).toBeGreaterThan(0);
		expect(opsMessages[0]).toMatchObject({ exception: expect.stringMatching(/^EXC\//), execution_url: automation.execution_url });
		expect(String(opsMessages[0].text)).toContain('failed at Ask Approver');
	}, 120_000);

	it('each failed execution is exactly one technical exception', async () => {
		await failingExecution('evt-e2e-fail-2');
		await sleep(2000);
		const failures = [...odoo.automationFailures.keys()];
		expect(failures).toHaveLength(2);
		expect(new Set(failures).size).toBe(2);
		expect(odoo.callsOf('raise_exception')).toHaveLength(2);
	}, 120_000);
});

realOnly('automation failure visibility (S9) on a real Odoo', () => {
	const fire = async (event: Record<string, unknown>) => {
		const answer = await fetch(`${n8n.webhookUrl}webhook/dg-e2e-failing`, {
			method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event),
		});
		expect(answer.status).toBe(200);
	};

	it('each failing execution of a workflow is exactly one technical exception in Odoo, and the ops channel is told', async () => {
		const started = Date.now();
		await fire({ event: 'first' });
		const [first] = await until('the first technical exception', async () => {
			const rows = await real!.technicalExceptions();
			return rows.length ? rows : undefined;
		}, 90000);
		timings['failed execution to technical exception in Odoo (ms)'] = Date.now() - started;
		expect(first).toMatchObject({
			automation_key: `${FAILING_ID}:${first.automation_execution_id}`,
			automation_node: 'Call Closed Port',
			automation_trigger: 'mode webhook',
			state: 'open',
		});
		expect(first.automation_execution_url).toContain(`/workflow/${FAILING_ID}/executions/${first.automation_execution_id}`);
		await fire({ event: 'second' });
		const rows = await until('the second technical exception', async () => {
			const found = await real!.technicalExceptions();
			return found.length >= 2 ? found : undefined;
		}, 90000);
		await until('the ops messages', () => (opsMessages.length >= 2 ? true : undefined));
		await sleep(3000);
		const after = await real!.technicalExceptions();
		expect(after).toHaveLength(2);
		expect(new Set(after.map((row) => row.automation_execution_id)).size).toBe(2);
		const executions = await n8n.api<{ data: Array<{ id: string; status: string }> }>('GET', `/executions?workflowId=${FAILING_ID}`);
		expect(executions.data.map((execution) => execution.status)).toEqual(['error', 'error']);
		expect(after.map((row) => row.automation_execution_id).sort()).toEqual(executions.data.map((execution) => String(execution.id)).sort());
		process.stdout.write(`\nTechnical exceptions in Odoo:\n${rows.map((row) => JSON.stringify(row)).join('\n')}\nOps channel:\n${opsMessages.map((message) => JSON.stringify(message)).join('\n')}\n`);
	}, 240_000);
});
