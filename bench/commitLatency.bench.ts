/**
 * Commit → trigger execution started, p50/p95, n8n in one process (SQLite, regular mode) against
 * n8n in queue mode (main + 2 workers + webhook process, PostgreSQL, Redis), in the same run and
 * against the same real Odoo (issue 15, item 5).
 *
 * For each mode: a workflow Odoo Governance Trigger (governance.ping) → No Op; DG_BENCH_PINGS (20)
 * Test pings, one at a time: the admin's RPC call commits the event (t0 = when the call returns),
 * Odoo's dispatcher delivers it, n8n runs it; latency = the execution's startedAt − t0 (same
 * machine clock). Prints p50/p95 per mode and the ratio queue/single.
 *
 *   ODOO_URL=http://127.0.0.1:18669 ODOO_DB=scale_odoo ODOO_LOGIN=n8n-integration ODOO_PASSWORD=… \
 *   npx jest -c bench/jest.bench.config.js bench/commitLatency.bench.ts
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { harness, type N8nInstance } from '../test/e2e/support/harness';
import { QueueCluster } from '../test/e2e/support/queueMode';
import { connectRealOdoo, realOdooFromEnvironment } from '../test/e2e/support/realOdoo';

type Call = ((model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>) & { uid: number };

const PINGS = Number(process.env.DG_BENCH_PINGS || 20);
const WEBHOOK_ID = 'd4b1e2c3-0000-4000-8000-0000000cc001';
const PATH = `${WEBHOOK_ID}/odoo-governance`;
const WORKFLOW_ID = 'dgBenchLatency01';
const workflow = {
	id: WORKFLOW_ID,
	name: 'Bench: commit to execution',
	nodes: [
		{
			id: 'd4b1e2c3-0000-4000-8000-0000000cc011',
			name: 'Ping',
			type: 'n8n-nodes-distribution-governance.odooGovernanceTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: { eventTypes: ['governance.ping'] },
			credentials: { distributionGovernanceOdooApi: { id: 'dg-odoo', name: 'Distribution Governance Odoo' } },
		},
		{ id: 'd4b1e2c3-0000-4000-8000-0000000cc012', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
	],
	connections: { Ping: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
	pinData: {},
	active: false,
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const log = (line: string) => process.stdout.write(`[bench latency] ${line}\n`);
const percentile = (values: number[], share: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(share * (sorted.length - 1))))];
};

const real = realOdooFromEnvironment(process.env);
let folder: string;
let cluster: QueueCluster | undefined;
let single: N8nInstance | undefined;

afterAll(async () => {
	await single?.stop();
	await cluster?.close();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
});

async function measure(n8n: N8nInstance, admin: Call): Promise<number[]> {
	const url = `${n8n.webhookUrl}webhook/${PATH}`;
	let subscription = 0;
	for (let tries = 0; !subscription && tries < 200; tries++) {
		const [found] = await admin('governance.subscription', 'search_read', [[['url', '=', url]]], {
			fields: ['id'], order: 'id desc', limit: 1,
		});
		subscription = found?.id ?? 0;
		if (!subscription) await sleep(300);
	}
	await admin('governance.subscription', 'write', [[subscription], { timeout_seconds: 60 }]);
	const seen = new Set<string>();
	const list = async () =>
		(await n8n.api<{ data: Array<{ id: string; startedAt: string | null }> }>('GET', `/executions?workflowId=${WORKFLOW_ID}&limit=50`)).data;
	for (const execution of await list()) seen.add(execution.id);
	const latencies: number[] = [];
	for (let index = 0; index < PINGS + 1; index++) {
		await admin('governance.subscription', 'action_test_ping', [[subscription]]);
		const committed = Date.now();
		const started = Date.now();
		for (;;) {
			const fresh = (await list()).find((execution) => !seen.has(execution.id) && execution.startedAt);
			if (fresh) {
				seen.add(fresh.id);
				// the first ping warms up logins and connections
				if (index > 0) latencies.push(new Date(fresh.startedAt as string).getTime() - committed);
				break;
			}
			if (Date.now() - started > 120000) throw new Error('no execution within 120 s');
			await sleep(50);
		}
	}
	return latencies;
}

(real ? it : it.skip)('commit → trigger execution started: single process vs queue mode', async () => {
	const { admin, version } = (await connectRealOdoo(real!.credential, {
		login: process.env.ODOO_ADMIN_LOGIN || 'admin',
		password: process.env.ODOO_ADMIN_PASSWORD || 'admin',
	})) as { admin: Call; version: string };
	const install = harness.ensureN8n(log);
	folder = mkdtempSync(join(tmpdir(), 'dg-bench-latency-'));
	const tarball = harness.packPackage(join(folder, 'pack'));
	const data = {
		credentials: [{
			id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi',
			data: { ...real!.credential, protocol: 'jsonRpc' },
		}],
		workflows: [workflow],
	};
	single = new harness.N8nInstance({
		install, userFolder: join(folder, 'single'), port: await harness.freePort(), brokerPort: await harness.freePort(), log,
	});
	single.installPackage(tarball);
	single.importData(data);
	single.publish(WORKFLOW_ID);
	await single.start(300_000);
	await single.waitForWebhook(PATH);
	await single.login();
	const singleLatencies = await measure(single, admin);
	await single.api('POST', `/workflows/${WORKFLOW_ID}/deactivate`).catch(() => undefined);
	await single.stop();
	single = undefined;

	cluster = new QueueCluster(install, join(folder, 'queue'), log);
	const queued = await cluster.create();
	queued.installPackage(tarball);
	queued.importData(data);
	queued.publish(WORKFLOW_ID);
	await cluster.start({ first: true });
	await queued.waitForWebhook(PATH, 60000);
	const queueLatencies = await measure(queued, admin);
	await queued.api('POST', `/workflows/${WORKFLOW_ID}/deactivate`).catch(() => undefined);

	const line = (name: string, values: number[]) =>
		`  ${name.padEnd(12)} p50 ${percentile(values, 0.5).toFixed(0).padStart(5)} ms  p95 ${percentile(values, 0.95).toFixed(0).padStart(5)} ms  (${values.length} pings)`;
	process.stdout.write(
		[
			`\nCommit → trigger execution started, real Odoo ${version} at ${real!.credential.url}:`,
			line('single', singleLatencies),
			line('queue mode', queueLatencies),
			`  ratio queue/single: p50 ${(percentile(queueLatencies, 0.5) / percentile(singleLatencies, 0.5)).toFixed(2)}, p95 ${(percentile(queueLatencies, 0.95) / percentile(singleLatencies, 0.95)).toFixed(2)}`,
		].join('\n') + '\n',
	);
	expect(singleLatencies.length).toBe(PINGS);
}, 3_600_000);
