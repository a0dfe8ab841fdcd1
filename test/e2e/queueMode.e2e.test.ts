/**
 * n8n in queue mode (EXECUTIONS_MODE=queue, Redis 127.0.0.1:6379, PostgreSQL 127.0.0.1:5432): one
 * main process, two `n8n worker` and one `n8n webhook` process (support/queueMode.ts), this
 * package installed as users install it. A workflow Odoo Governance Trigger (governance.ping) →
 * Set → Governance Exception (report) runs on the workers and writes to Odoo: one technical
 * exception per event, keyed by the event id.
 *
 * - the trigger registers its subscription on activation (the main process), pointing at the
 *   webhook process;
 * - Odoo's delivery reaches the webhook process, the execution runs on a worker, its write
 *   reaches Odoo;
 * - 20 copies of one event posted at once to the webhook process start exactly one execution;
 * - after main, workers and webhook process restart, a redelivery starts nothing.
 *
 * Opt-in (about 3–4 minutes, four n8n processes): DG_E2E_QUEUE=1. Against a real Odoo when
 * ODOO_URL etc. name one (see support/pingDeliveries.ts), for example one started with
 * `--workers=2 --max-cron-threads=2`; otherwise the stand-in.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { harness } from './support/harness';
import { pingSource } from './support/pingDeliveries';
import { QueueCluster } from './support/queueMode';

const enabled = process.env.DG_E2E_QUEUE === '1';
const describeQueue = enabled ? describe : describe.skip;

const WORKFLOW_ID = 'dgQueueModeE2e1';
const WEBHOOK_ID = 'd4b1e2c3-0000-4000-8000-00000000a0e2';
const TRIGGER_PATH = `${WEBHOOK_ID}/odoo-governance`;
const credentials = { distributionGovernanceOdooApi: { id: 'dg-odoo', name: 'Distribution Governance Odoo' } };
const workflow = {
	id: WORKFLOW_ID,
	name: 'Queue mode (end-to-end test)',
	nodes: [
		{
			id: 'd4b1e2c3-0000-4000-8000-00000000a001',
			name: 'Ping',
			type: 'n8n-nodes-distribution-governance.odooGovernanceTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: { eventTypes: ['governance.ping'] },
			credentials,
		},
		{
			id: 'd4b1e2c3-0000-4000-8000-00000000a002',
			name: 'As Report',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				mode: 'manual',
				includeOtherFields: false,
				assignments: {
					assignments: [
						{ id: 'a1', name: 'workflow.id', value: '={{ $workflow.id }}', type: 'string' },
						{ id: 'a2', name: 'workflow.name', value: '={{ $workflow.name }}', type: 'string' },
						{ id: 'a3', name: 'execution.id', value: '={{ $json.id }}', type: 'string' },
						{ id: 'a4', name: 'execution.mode', value: 'queue', type: 'string' },
						{ id: 'a5', name: 'execution.lastNodeExecuted', value: 'Ping', type: 'string' },
						{ id: 'a6', name: 'execution.error.message', value: '=queue-mode ping {{ $json.id }}', type: 'string' },
					],
				},
				options: {},
			},
		},
		{
			id: 'd4b1e2c3-0000-4000-8000-00000000a003',
			name: 'Report',
			type: 'n8n-nodes-distribution-governance.governanceException',
			typeVersion: 1,
			position: [440, 0],
			parameters: { operation: 'reportAutomationFailure', severity: 'low' },
			credentials,
		},
	],
	connections: {
		Ping: { main: [[{ node: 'As Report', type: 'main', index: 0 }]] },
		'As Report': { main: [[{ node: 'Report', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
	pinData: {},
	active: false,
};

const source = pingSource();
const figures: Record<string, string | number> = {};
let cluster: QueueCluster;
let folder: string;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const SETTLE_MS = 4000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${cluster?.n8n.tail() ?? ''}`);
		await sleep(250);
	}
}

interface Execution {
	id: string;
	status: string;
	mode: string;
}

async function executions(): Promise<Execution[]> {
	const found: Execution[] = [];
	let cursor: string | undefined;
	do {
		const query = new URLSearchParams({ workflowId: WORKFLOW_ID, limit: '250', ...(cursor ? { cursor } : {}) });
		const page = await cluster.n8n.api<{ data: Execution[]; nextCursor: string | null }>('GET', `/executions?${query}`);
		found.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return found;
}

async function settled(expected: number): Promise<Execution[]> {
	await until(`${expected} finished executions`, async () => {
		const list = await executions();
		return list.length >= expected && list.every((execution) => execution.status !== 'running' && execution.status !== 'new')
			? true
			: undefined;
	});
	await sleep(SETTLE_MS);
	return await executions();
}

const answer = (delivery: { answer?: string; body?: string }) => JSON.parse((delivery.answer ?? delivery.body) as string);

async function waitForSubscription() {
	const url = `${cluster.n8n.webhookUrl}webhook/${TRIGGER_PATH}`;
	await cluster.n8n.waitForWebhook(TRIGGER_PATH, 60000);
	await until('the subscription in Odoo', async () => ((await source.findSubscription(url)) ? true : undefined));
	return url;
}

describeQueue('n8n queue mode: main, two workers, one webhook process', () => {
	beforeAll(async () => {
		const log = (line: string) => process.stdout.write(`[e2e queue] ${line}\n`);
		const install = harness.ensureN8n(log);
		await source.start();
		log(`running against ${source.description}`);
		folder = mkdtempSync(join(tmpdir(), 'dg-e2e-queue-'));
		const tarball = harness.packPackage(join(folder, 'pack'));
		cluster = new QueueCluster(install, folder, log);
		const n8n = await cluster.create();
		n8n.installPackage(tarball);
		n8n.importData({
			credentials: [
				{
					id: 'dg-odoo',
					name: 'Distribution Governance Odoo',
					type: 'distributionGovernanceOdooApi',
					data: { ...source.credential, protocol: 'jsonRpc' },
				},
			],
			workflows: [workflow],
		});
		n8n.publish(WORKFLOW_ID);
		await cluster.start({ first: true });
		const url = await waitForSubscription();
		figures['subscription URL (webhook process)'] = url;
	}, 1_200_000);

	afterAll(async () => {
		if (cluster?.n8n?.process) {
			await cluster.n8n.api('POST', `/workflows/${WORKFLOW_ID}/deactivate`).catch(() => undefined);
		}
		await cluster?.close();
		await source.stop();
		if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
		process.stdout.write(
			`\ne2e queue mode ran against ${source.description}\n${Object.entries(figures)
				.map(([name, value]) => `  ${name}: ${typeof value === 'number' ? value.toFixed(0) : value}`)
				.join('\n')}\n`,
		);
	});

	it("Odoo's delivery reaches the webhook process and starts one execution, run by a worker", async () => {
		const before = (await executions()).length;
		await source.queueEvent();
		const dispatched = await source.dispatch();
		figures['accepted delivery answered by the webhook process (ms)'] = dispatched.milliseconds;
		expect(dispatched.status).toBe(200);
		const after = await settled(before + 1);
		expect(after).toHaveLength(before + 1);
		const [latest] = after.sort((a, b) => Number(b.id) - Number(a.id));
		expect(latest.status).toBe('success');
		const byWorker = cluster.executionsByWorker();
		figures['executions by worker'] = JSON.stringify(byWorker);
		expect(Object.values(byWorker).flat()).toContain(String(latest.id));
		expect(cluster.n8n.tail(1_000_000)).not.toMatch(new RegExp(`[Ss]tart(?:ed|ing) execution ${latest.id}\\b`));
	});

	it('20 copies of a new event at once to the webhook process start exactly one execution', async () => {
		const before = (await executions()).length;
		await source.queueEvent();
		const copies = await source.deliverCopies(20);
		expect(copies.map((copy) => copy.status)).toEqual(Array(20).fill(200));
		expect(copies.filter((copy) => answer(copy).executed === true)).toHaveLength(1);
		const dispatched = await source.dispatch();
		expect(dispatched.status).toBe(200);
		const after = await settled(before + 1);
		figures['executions for 20 concurrent copies + Odoo delivery'] = after.length - before;
		expect(after).toHaveLength(before + 1);
		expect(after.every((execution) => execution.status === 'success')).toBe(true);
	});

	it('after every n8n process restarted, a redelivery starts nothing and a new event runs once', async () => {
		const before = (await executions()).length;
		await cluster.stop();
		await cluster.start();
		await waitForSubscription();
		const [again] = await source.deliverCopies(1);
		expect(answer(again)).toMatchObject({ executed: false, reason: 'duplicate event id' });
		await source.queueEvent();
		const dispatched = await source.dispatch();
		expect(dispatched.status).toBe(200);
		const after = await settled(before + 1);
		figures['executions after restart (1 redelivery + 1 new event)'] = after.length - before;
		expect(after).toHaveLength(before + 1);
	});
});

if (!enabled) {
	it('queue mode end-to-end is opt-in (DG_E2E_QUEUE=1)', () => {
		expect(enabled).toBe(false);
	});
}
