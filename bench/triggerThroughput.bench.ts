/**
 * Our trigger's accepted deliveries per second against n8n's plain Webhook node in the same n8n
 * (issue 15, item 5), and where the time goes. One n8n 2.41.1 (SQLite, regular mode) with three
 * workflows, each ending in a No Op:
 *
 * - "plain": n8n's Webhook node (POST, respond immediately);
 * - "trigger": the Odoo Governance Trigger on governance.ping, fed signed, distinct events that
 *   Odoo queued (each is claimed in Odoo, then runs);
 * and the same trigger fed requests it does not run:
 * - "duplicate": already claimed events (signature, parsing and the claim in Odoo, no execution);
 * - "skipped": an event type the trigger does not select (signature and parsing only).
 *
 * Rounds alternate (plain, trigger, duplicate, skipped, then again), DG_BENCH_REQUESTS (400)
 * requests each at DG_BENCH_CONCURRENCY (10) at a time; prints requests/s per kind (best of the
 * rounds) and the ratios to "plain". Against the stand-in Odoo (n8n's own cost) or, with ODOO_URL,
 * ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD and ODOO_ADMIN_LOGIN/PASSWORD, a real Odoo (Odoo's claim cost
 * included; the events are Test pings queued while the subscription is archived).
 *
 *   npx jest -c bench/jest.bench.config.js bench/triggerThroughput.bench.ts
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { harness, type N8nInstance } from '../test/e2e/support/harness';
import { connectRealOdoo, realOdooFromEnvironment } from '../test/e2e/support/realOdoo';
import { postSignedDelivery } from '../test/e2e/support/signedDelivery';
import { StandInOdoo } from '../test/e2e/support/standInOdoo';

const REQUESTS = Number(process.env.DG_BENCH_REQUESTS || 400);
const CONCURRENCY = Number(process.env.DG_BENCH_CONCURRENCY || 10);
const ROUNDS = Number(process.env.DG_BENCH_ROUNDS || 2);
const TRIGGER_ID = 'd4b1e2c3-0000-4000-8000-0000000bb001';
const PLAIN_PATH = 'dg-bench-plain';
const credentials = { distributionGovernanceOdooApi: { id: 'dg-odoo', name: 'Distribution Governance Odoo' } };
const noOp = (id: string) => ({ id, name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} });
const workflows = [
	{
		id: 'dgBenchTrigger01',
		name: 'Bench: trigger',
		nodes: [
			{
				id: 'd4b1e2c3-0000-4000-8000-0000000bb011',
				name: 'Ping',
				type: 'n8n-nodes-distribution-governance.odooGovernanceTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: TRIGGER_ID,
				parameters: { eventTypes: ['governance.ping'] },
				credentials,
			},
			noOp('d4b1e2c3-0000-4000-8000-0000000bb012'),
		],
		connections: { Ping: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	},
	{
		id: 'dgBenchPlain0001',
		name: 'Bench: plain webhook',
		nodes: [
			{
				id: 'd4b1e2c3-0000-4000-8000-0000000bb021',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'd4b1e2c3-0000-4000-8000-0000000bb022',
				parameters: { httpMethod: 'POST', path: PLAIN_PATH, options: {} },
			},
			noOp('d4b1e2c3-0000-4000-8000-0000000bb023'),
		],
		connections: { Webhook: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	},
];

type Call = ((model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>) & { uid: number };

interface Source {
	credential: { url: string; database: string; login: string; secret: string };
	description: string;
	/** `count` distinct events queued for the subscription at `url`: [id, body] each. */
	events(url: string, count: number): Promise<Array<[string, string]>>;
	secret(url: string): Promise<string>;
	stop(): Promise<void>;
}

async function standIn(): Promise<Source> {
	const odoo = new StandInOdoo('acme', 'n8n-integration', ['bench', 'stand', 'in', 'key'].join('-'));
	await odoo.start();
	const subscription = (url: string) => odoo.activeSubscriptions().find((candidate) => candidate.url === url)!;
	let serial = 0;
	return {
		credential: { url: odoo.url, database: 'acme', login: 'n8n-integration', secret: ['bench', 'stand', 'in', 'key'].join('-') },
		description: `the stand-in Odoo at ${odoo.url}`,
		async events(url, count) {
			const { id: subscriptionId } = subscription(url);
			return Array.from({ length: count }, () => {
				const id = `evt_bench${(serial++).toString(16).padStart(24, '0')}`;
				odoo.queued.add(`${subscriptionId}/${id}`);
				const event = {
					specversion: '1.0', id, type: 'governance.ping', source: 'odoo://stand-in/acme',
					time: new Date().toISOString(), subject: `res.partner/${serial}`,
					data: { subscription_id: subscriptionId, message: 'bench' },
				};
				return [id, JSON.stringify(event)] as [string, string];
			});
		},
		async secret(url) {
			return subscription(url).secret;
		},
		stop: () => odoo.stop(),
	};
}

async function realOdoo(): Promise<Source | undefined> {
	const real = realOdooFromEnvironment(process.env);
	if (!real) return undefined;
	const { admin, version } = (await connectRealOdoo(real.credential, {
		login: process.env.ODOO_ADMIN_LOGIN || 'admin',
		password: process.env.ODOO_ADMIN_PASSWORD || 'admin',
	})) as { admin: Call; version: string };
	const find = async (url: string) =>
		(await admin('governance.subscription', 'search_read', [[['url', '=', url]]], {
			fields: ['secret'], order: 'id desc', limit: 1, context: { active_test: false },
		}))[0] as { id: number; secret: string };
	return {
		credential: real.credential,
		description: `a real Odoo ${version} at ${real.credential.url}, database ${real.credential.database}`,
		async events(url, count) {
			const { id } = await find(url);
			// Archived: the dispatcher leaves the pings to this benchmark.
			await admin('governance.subscription', 'write', [[id], { active: false }]);
			const [last] = await admin('governance.delivery', 'search_read', [[['subscription_id', '=', id]]], {
				fields: ['id'], order: 'id desc', limit: 1, context: { active_test: false },
			});
			for (let index = 0; index < count; index++) {
				await admin('governance.subscription', 'action_test_ping', [[id]], { context: { active_test: false } });
			}
			const deliveries = await admin('governance.delivery', 'search_read', [
				[['subscription_id', '=', id], ['id', '>', last?.id ?? 0]],
			], { fields: ['event_id'], order: 'id', context: { active_test: false } });
			const events = await admin('governance.event', 'read', [deliveries.map((row: { event_id: [number] }) => row.event_id[0])], {
				fields: ['event_uid', 'body'],
			});
			return events.map((event: { event_uid: string; body: string }) => [event.event_uid, event.body] as [string, string]);
		},
		async secret(url) {
			return (await find(url)).secret;
		},
		stop: async () => undefined,
	};
}

async function load(bodies: Array<() => Promise<{ status: number }>>): Promise<{ rate: number; statuses: Record<number, number> }> {
	const statuses: Record<number, number> = {};
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next < bodies.length) {
				const send = bodies[next++];
				const { status } = await send();
				statuses[status] = (statuses[status] ?? 0) + 1;
			}
		}),
	);
	return { rate: bodies.length / ((performance.now() - started) / 1000), statuses };
}

let n8n: N8nInstance;
let folder: string;
let source: Source;

afterAll(async () => {
	await n8n?.stop();
	await source?.stop();
	if (folder && !process.env.DG_E2E_KEEP) rmSync(folder, { recursive: true, force: true });
});

it('trigger vs plain Webhook node: accepted deliveries per second', async () => {
	const log = (line: string) => process.stdout.write(`[bench trigger] ${line}\n`);
	source = (await realOdoo()) ?? (await standIn());
	log(`against ${source.description}; ${REQUESTS} requests per round, ${CONCURRENCY} at a time`);
	const install = harness.ensureN8n(log);
	folder = mkdtempSync(join(tmpdir(), 'dg-bench-trigger-'));
	n8n = new harness.N8nInstance({
		install,
		userFolder: join(folder, 'n8n'),
		port: await harness.freePort(),
		brokerPort: await harness.freePort(),
		log,
	});
	n8n.installPackage(harness.packPackage(join(folder, 'pack')));
	n8n.importData({
		credentials: [{
			id: 'dg-odoo', name: 'Distribution Governance Odoo', type: 'distributionGovernanceOdooApi',
			data: { ...source.credential, protocol: 'jsonRpc' },
		}],
		workflows,
	});
	for (const workflow of workflows) n8n.publish(workflow.id);
	await n8n.start(300_000);
	await n8n.waitForWebhook(`${TRIGGER_ID}/odoo-governance`);
	await n8n.waitForWebhook(PLAIN_PATH);
	const triggerUrl = `${n8n.webhookUrl}webhook/${TRIGGER_ID}/odoo-governance`;
	const plainUrl = `${n8n.webhookUrl}webhook/${PLAIN_PATH}`;
	let secret = '';
	for (let tries = 0; !secret && tries < 100; tries++) {
		secret = await source.secret(triggerUrl).catch(() => '');
		if (!secret) await new Promise((done) => setTimeout(done, 300));
	}
	const post = (url: string, id: string, body: string) => () => postSignedDelivery(url, secret, `msg_${id}`, body);
	const plainBody = JSON.stringify({ specversion: '1.0', id: 'evt_plain', type: 'governance.ping', data: { message: 'bench' } });
	const rates: Record<string, number[]> = {};
	const warm = await source.events(triggerUrl, 20);
	await load(warm.map(([id, body]) => post(triggerUrl, id, body)));
	for (let round = 0; round < ROUNDS; round++) {
		const fresh = await source.events(triggerUrl, REQUESTS);
		const skipped = fresh.slice(0, REQUESTS).map(([id, body]) => {
			const other = { ...JSON.parse(body), type: 'governance.not_selected' };
			return post(triggerUrl, `${id}x`, JSON.stringify(other));
		});
		const kinds: Array<[string, Array<() => Promise<{ status: number }>>]> = [
			['plain', Array.from({ length: REQUESTS }, () => () => fetch(plainUrl, {
				method: 'POST', headers: { 'content-type': 'application/json' }, body: plainBody,
			}).then(async (response) => ({ status: response.status, text: await response.text() })))],
			['trigger', fresh.map(([id, body]) => post(triggerUrl, id, body))],
			['duplicate', fresh.map(([id, body]) => post(triggerUrl, id, body))],
			['skipped', skipped],
		];
		for (const [kind, requests] of kinds) {
			const { rate, statuses } = await load(requests);
			(rates[kind] ??= []).push(rate);
			log(`round ${round + 1} ${kind}: ${rate.toFixed(1)} requests/s, statuses ${JSON.stringify(statuses)}`);
		}
	}
	const best = Object.fromEntries(Object.entries(rates).map(([kind, list]) => [kind, Math.max(...list)]));
	const lines = [
		`\nTrigger throughput against ${source.description} (n8n ${harness.N8N_VERSION}, ${CONCURRENCY} concurrent, best of ${ROUNDS} rounds of ${REQUESTS}):`,
		...Object.entries(best).map(([kind, rate]) => `  ${kind.padEnd(10)} ${rate.toFixed(1).padStart(7)} requests/s  ${(rate / best.plain).toFixed(2)} of plain`),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	expect(best.trigger).toBeGreaterThan(0);
}, 3_600_000);
