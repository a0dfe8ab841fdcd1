/**
 * One event, at most one execution, in a real n8n 2.x (pinned, Node 24, SQLite, 127.0.0.1) with
 * this package installed as users install it: a workflow whose Odoo Governance Trigger listens to
 * governance.ping. The same signed event delivered again (fresh timestamp, also after n8n
 * restarted) and 20 copies of a new event at once start exactly one execution, counted through
 * n8n's public API; an admin's replay in Odoo runs it once more. Against a real Odoo when
 * ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_PASSWORD name one, otherwise the stand-in
 * (support/pingDeliveries.ts).
 *
 * Prints which Odoo it ran against, the executions counted and the answer times.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { harness, type N8nInstance } from './support/harness';
import { pingSource, type Dispatched } from './support/pingDeliveries';

const WORKFLOW_ID = 'dgDuplicateE2e01';
const TRIGGER_PATH = 'd4b1e2c3-0000-4000-8000-00000000d0e2/odoo-governance';
const workflow = {
	id: WORKFLOW_ID,
	name: 'Duplicate deliveries (end-to-end test)',
	nodes: [
		{
			id: 'd4b1e2c3-0000-4000-8000-000000000001',
			name: 'Ping',
			type: 'n8n-nodes-distribution-governance.odooGovernanceTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: TRIGGER_PATH.split('/')[0],
			parameters: { eventTypes: ['governance.ping'] },
			credentials: { distributionGovernanceOdooApi: { id: 'dg-odoo', name: 'Distribution Governance Odoo' } },
		},
		{
			id: 'd4b1e2c3-0000-4000-8000-000000000002',
			name: 'Done',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [220, 0],
			parameters: {},
		},
	],
	connections: { Ping: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
	pinData: {},
	active: false,
};

const source = pingSource();
const figures: Record<string, string | number> = {};
let n8n: N8nInstance;
let folder: string;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** Time for a wrongly started execution to show up in n8n's list. */
const SETTLE_MS = 3000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${n8n?.tail() ?? ''}`);
		await sleep(200);
	}
}

/** Executions of the workflow, whatever their status, through n8n's public API. */
async function executionCount(): Promise<number> {
	let count = 0;
	let cursor: string | undefined;
	do {
		const query = new URLSearchParams({ workflowId: WORKFLOW_ID, limit: '250', ...(cursor ? { cursor } : {}) });
		const page = await n8n.api<{ data: unknown[]; nextCursor: string | null }>('GET', `/executions?${query}`);
		count += page.data.length;
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return count;
}

async function settledCount(expected: number): Promise<number> {
	await until(`${expected} executions`, async () => ((await executionCount()) >= expected ? true : undefined));
	await sleep(SETTLE_MS);
	return await executionCount();
}

const answer = (delivery: { answer?: string; body?: string }) => JSON.parse((delivery.answer ?? delivery.body) as string);

/** Start n8n (again: its API key stays valid across restarts) and wait for the subscription. */
async function startN8n({ first }: { first: boolean }) {
	await n8n.start(300_000);
	await n8n.waitForWebhook(TRIGGER_PATH);
	if (first) await n8n.login();
	const url = `${n8n.webhookUrl}webhook/${TRIGGER_PATH}`;
	await until('the subscription in Odoo', async () => ((await source.findSubscription(url)) ? true : undefined));
}

beforeAll(async () => {
	const log = (line: string) => process.stdout.write(`[e2e duplicates] ${line}\n`);
	const install = harness.ensureN8n(log);
	await source.start();
	log(`running against ${source.description}`);
	folder = mkdtempSync(join(tmpdir(), 'dg-e2e-dup-'));
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
				data: { ...source.credential, protocol: 'jsonRpc' },
			},
		],
		workflows: [workflow],
	});
	n8n.publish(WORKFLOW_ID);
	await startN8n({ first: true });
}, 1_200_000);

afterAll(async () => {
	if (n8n?.process) await n8n.api('POST', `/workflows/${WORKFLOW_ID}/deactivate`).catch(() => undefined);
	await n8n?.stop();
	await source.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
	process.stdout.write(
		`\ne2e duplicates ran against ${source.description}\n${Object.entries(figures)
			.map(([name, value]) => `  ${name}: ${typeof value === 'number' ? value.toFixed(0) : value}`)
			.join('\n')}\n`,
	);
});

let first: Dispatched;

it("Odoo's delivery of an event starts one execution", async () => {
	const before = await executionCount();
	await source.queueEvent();
	first = await source.dispatch();
	figures['accepted delivery answered, claim included (ms)'] = first.milliseconds;
	expect(first.status).toBe(200);
	if (first.answer) expect(answer(first)).toMatchObject({ received: true, executed: true });
	expect(await settledCount(before + 1)).toBe(before + 1);
});

it('the same event delivered again with a fresh timestamp, after n8n restarted, starts nothing', async () => {
	const before = await executionCount();
	await n8n.stop();
	await startN8n({ first: false });
	const [again] = await source.deliverCopies(1);
	figures['duplicate answered (ms)'] = again.milliseconds;
	expect(again.status).toBe(200);
	expect(answer(again)).toMatchObject({ received: true, executed: false, reason: 'duplicate event id' });
	await sleep(SETTLE_MS);
	const after = await executionCount();
	figures['executions for 1 redelivery'] = after - before;
	expect(after).toBe(before);
});

it('20 copies of a new event at once start exactly one execution, and Odoo\'s own delivery after them none', async () => {
	const before = await executionCount();
	await source.queueEvent();
	const started = performance.now();
	const copies = await source.deliverCopies(20);
	figures['20 concurrent copies, all answered (ms)'] = performance.now() - started;
	const times = copies.map((copy) => copy.milliseconds).sort((a, b) => a - b);
	figures['20 concurrent copies, fastest / median / slowest answer (ms)'] = [times[0], times[10], times[19]]
		.map((time) => time.toFixed(0))
		.join(' / ');
	expect(copies.map((copy) => copy.status)).toEqual(Array(20).fill(200));
	expect(copies.filter((copy) => answer(copy).executed === true)).toHaveLength(1);
	const dispatched = await source.dispatch();
	expect(dispatched.status).toBe(200);
	const after = await settledCount(before + 1);
	figures['executions for 20 concurrent copies (+ Odoo\'s delivery)'] = after - before;
	expect(after).toBe(before + 1);
});

it("an admin's replay in Odoo runs the event once more, and only once", async () => {
	const before = await executionCount();
	const replayed = await source.replay();
	expect(replayed.status).toBe(200);
	const [again] = await source.deliverCopies(1);
	expect(answer(again)).toMatchObject({ executed: false });
	const after = await settledCount(before + 1);
	figures['executions for a replay in Odoo'] = after - before;
	expect(after).toBe(before + 1);
});
