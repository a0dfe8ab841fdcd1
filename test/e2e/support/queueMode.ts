/**
 * n8n in queue mode for the end-to-end runs and the fault suite: one main process, `workers`
 * `n8n worker` processes and one `n8n webhook` process sharing a PostgreSQL database (created
 * here, prefixed, dropped by close()) and the Redis on 127.0.0.1:6379 under a Bull prefix of
 * their own. Production webhooks (the trigger's subscription URL) point at the webhook process.
 *
 * Environment: DG_QUEUE_REDIS_HOST/PORT (127.0.0.1:6379), DG_QUEUE_PG_HOST/PORT/USER/PASSWORD
 * (127.0.0.1:5432 odoo/odoo), DG_QUEUE_DB_PREFIX (scale_n8n).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { join } from 'path';

import { harness, type N8nInstall, type N8nInstance } from './harness';

export interface Helper {
	kind: 'worker' | 'webhook';
	name: string;
	port: number;
	logFile: string;
	process: { pid: number };
	tail(lines?: number): string;
	stop(graceMs?: number): Promise<void>;
	kill(signal?: string): Promise<void>;
}

export type QueueInstance = N8nInstance & {
	readonly helpers: Helper[];
	startHelper(kind: 'worker' | 'webhook', options: { port: number; brokerPort: number; name?: string; concurrency?: number }): Promise<Helper>;
	stopHelpers(): Promise<void>;
};

export interface PgSettings {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
}

function pgSettings(database: string, env = process.env): PgSettings {
	return {
		host: env.DG_QUEUE_PG_HOST || '127.0.0.1',
		port: Number(env.DG_QUEUE_PG_PORT || 5432),
		user: env.DG_QUEUE_PG_USER || 'odoo',
		password: env.DG_QUEUE_PG_PASSWORD || 'odoo',
		database,
	};
}

function pgCommand(pg: PgSettings, command: 'createdb' | 'dropdb', extra: string[] = []) {
	execFileSync(command, ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, ...extra, pg.database], {
		env: { ...process.env, PGPASSWORD: pg.password },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

export class QueueCluster {
	readonly tag = randomBytes(4).toString('hex');
	readonly pg: PgSettings;
	n8n!: QueueInstance;
	webhook!: Helper;
	workers: Helper[] = [];
	private webhookPort = 0;

	constructor(
		private readonly install: N8nInstall,
		private readonly folder: string,
		private readonly log: (line: string) => void,
	) {
		this.pg = pgSettings(`${process.env.DG_QUEUE_DB_PREFIX || 'scale_n8n'}_${this.tag}`);
	}

	async create() {
		pgCommand(this.pg, 'createdb');
		this.webhookPort = await harness.freePort();
		this.n8n = new harness.N8nInstance({
			install: this.install,
			userFolder: join(this.folder, 'n8n'),
			port: await harness.freePort(),
			brokerPort: await harness.freePort(),
			webhookUrl: `http://127.0.0.1:${this.webhookPort}/`,
			postgres: this.pg,
			queue: {
				host: process.env.DG_QUEUE_REDIS_HOST || '127.0.0.1',
				port: Number(process.env.DG_QUEUE_REDIS_PORT || 6379),
				prefix: `dgq${this.tag}`,
			},
			log: this.log,
		}) as QueueInstance;
		return this.n8n;
	}

	/** Main, then the workers and the webhook process. */
	async start({ workers = 2, first = false }: { workers?: number; first?: boolean } = {}) {
		const took = await this.n8n.start(300_000);
		this.log(`main ready after ${(took / 1000).toFixed(1)} s`);
		if (first) await this.n8n.login();
		// Started together: each takes about as long as main to come up.
		const [webhook, ...started] = await Promise.all([
			this.n8n.startHelper('webhook', { port: this.webhookPort, brokerPort: await harness.freePort(), name: 'webhook' }),
			...Array.from({ length: workers }, (_unused, index) => this.startWorker(`worker-${index + 1}`)),
		]);
		this.webhook = webhook;
		this.workers = started;
		this.log(`${workers} workers and the webhook process on port ${this.webhookPort} are up`);
	}

	async startWorker(name: string) {
		return await this.n8n.startHelper('worker', {
			port: await harness.freePort(),
			brokerPort: await harness.freePort(),
			name,
		});
	}

	async stop() {
		await this.n8n?.stopHelpers();
		await this.n8n?.stop();
	}

	async close() {
		await this.stop();
		if (!process.env.DG_E2E_KEEP) {
			try {
				pgCommand(this.pg, 'dropdb', ['--if-exists']);
			} catch (error) {
				this.log(`could not drop ${this.pg.database}: ${(error as Error).message}`);
			}
			this.flushRedis();
		}
	}

	/** Remove this run's Bull keys from Redis (only those under its own prefix). */
	flushRedis() {
		const host = process.env.DG_QUEUE_REDIS_HOST || '127.0.0.1';
		const port = process.env.DG_QUEUE_REDIS_PORT || '6379';
		try {
			const keys = execFileSync('redis-cli', ['-h', host, '-p', port, '--scan', '--pattern', `dgq${this.tag}:*`], {
				encoding: 'utf8',
			})
				.split('\n')
				.filter(Boolean);
			for (let start = 0; start < keys.length; start += 500) {
				execFileSync('redis-cli', ['-h', host, '-p', port, 'DEL', ...keys.slice(start, start + 500)]);
			}
		} catch {
			// redis-cli missing: the keys expire with Bull's own clean-up
		}
	}

	/** Worker name -> execution ids it ran, read from the workers' logs. */
	executionsByWorker(): Record<string, string[]> {
		const result: Record<string, string[]> = {};
		for (const worker of this.n8n.helpers.filter((helper) => helper.kind === 'worker')) {
			const text = worker.tail(1_000_000);
			result[worker.name] = [...text.matchAll(/[Ss]tart(?:ed|ing) execution (\d+)/g)].map((match) => match[1]);
		}
		return result;
	}
}
