/**
 * A local Odoo 18 for this repository, named by the same ODOO_* variables as `npm run test:odoo`:
 * shared by the product's run command (scripts/run-product.mjs, a demo database kept between
 * runs) and the test command (scripts/test-odoo-e2e.mjs, a fresh database per run).
 *
 *   ODOO_BIN, ODOO_PYTHON, ODOO_ADDONS_PATH, ODOO_DB_HOST, ODOO_DB_PORT, ODOO_DB_USER, ODOO_DB_PASSWORD
 *
 * Variables not set in the environment are read from the user-level file
 * ${XDG_CONFIG_HOME:-~/.config}/distribution-governance/odoo.env (KEY=VALUE lines, # comments).
 *
 * - readOdooConfig(): the configuration, the file it came from, and whether it names an Odoo.
 * - createDatabase(): a database with the addon installed (with or without demo data).
 * - prepareIntegration(): the integration user and a new API key for it; admin manages governance.
 * - startOdoo(): `odoo-bin` on 127.0.0.1 with its cron running; stop() ends it by PID.
 */
'use strict';

const { spawn, spawnSync } = require('child_process');
const { createWriteStream, existsSync, mkdirSync, readFileSync } = require('fs');
const { createServer } = require('net');
const { homedir } = require('os');
const { dirname, join, resolve } = require('path');

const REPO = resolve(__dirname, '..');
const ADDON = 'distribution_governance';

function configFile(env = process.env) {
	return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'distribution-governance', 'odoo.env');
}

/** ODOO_* from the environment, completed by the user-level file. */
function readOdooConfig(env = process.env) {
	const file = configFile(env);
	const fromFile = {};
	if (existsSync(file)) {
		for (const line of readFileSync(file, 'utf8').split('\n')) {
			const match = line.match(/^\s*(ODOO_[A-Z_]+)\s*=\s*(.*?)\s*$/);
			if (match) fromFile[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
		}
	}
	const config = { ...fromFile };
	for (const [key, value] of Object.entries(env)) if (key.startsWith('ODOO_') && value) config[key] = value;
	const configured = Boolean(config.ODOO_BIN && config.ODOO_ADDONS_PATH);
	return { config, file, fromFile: Object.keys(fromFile).length > 0, configured };
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

/** The command and the arguments shared by every odoo-bin call on `database`. */
function odooCommand(config, database, args) {
	const dbArgs = [
		['--db_host', config.ODOO_DB_HOST],
		['--db_port', config.ODOO_DB_PORT],
		['--db_user', config.ODOO_DB_USER],
		['--db_password', config.ODOO_DB_PASSWORD],
	]
		.filter(([, value]) => value)
		.map(([flag, value]) => `${flag}=${value}`);
	const all = [
		...(config.ODOO_PYTHON ? [config.ODOO_BIN] : []),
		...(args[0] === 'shell' ? ['shell'] : []),
		`--addons-path=${config.ODOO_ADDONS_PATH},${join(REPO, 'odoo_addon')}`,
		...dbArgs,
		'-d',
		database,
		...args.filter((arg) => arg !== 'shell'),
	];
	return { command: config.ODOO_PYTHON || config.ODOO_BIN, args: all };
}

function pgEnv(config) {
	return { ...process.env, PGPASSWORD: config.ODOO_DB_PASSWORD || '' };
}

function pgArgs(config) {
	const args = ['-h', config.ODOO_DB_HOST || '127.0.0.1', '-p', config.ODOO_DB_PORT || '5432'];
	if (config.ODOO_DB_USER) args.push('-U', config.ODOO_DB_USER);
	return args;
}

/** Whether `database` exists and has the addon installed. */
function databaseReady(config, database) {
	const answer = spawnSync(
		'psql',
		[...pgArgs(config), '-d', database, '-tAc', `SELECT state FROM ir_module_module WHERE name = '${ADDON}'`],
		{ env: pgEnv(config), encoding: 'utf8' },
	);
	return answer.status === 0 && answer.stdout.trim() === 'installed';
}

function dropDatabase(config, database) {
	spawnSync('dropdb', [...pgArgs(config), '--if-exists', database], { env: pgEnv(config) });
}

/** Run odoo-bin to the end; resolves with its output, rejects with the log's tail. */
function runOdoo(config, database, args, { logFile, input } = {}) {
	const { command, args: all } = odooCommand(config, database, args);
	return new Promise((done, fail) => {
		const child = spawn(command, all, { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
		const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
		let output = '';
		for (const stream of [child.stdout, child.stderr]) {
			stream.on('data', (chunk) => {
				output += chunk;
				log?.write(chunk);
			});
		}
		if (input !== undefined) child.stdin.end(input);
		child.on('error', fail);
		child.on('close', (code) => {
			log?.end();
			const errors = output.split('\n').filter((line) => / (ERROR|CRITICAL) /.test(line));
			if (code !== 0 || errors.length) {
				fail(new Error(`odoo-bin ${args.join(' ')} on ${database} failed (exit ${code}):\n${(errors.length ? errors : output.split('\n')).slice(-15).join('\n')}`));
			} else {
				done(output);
			}
		});
	});
}

/**
 * Create `database` with the addon installed. With demo data, Odoo's own apps are installed
 * first (their demo data and chart of accounts), then the addon and its demo data; without, one
 * install without any demo data, as a production database is.
 */
async function createDatabase(config, database, { demo = false, logFile, log = () => undefined } = {}) {
	const port = String(await freePort());
	const common = ['--stop-after-init', `--http-port=${port}`, '--http-interface=127.0.0.1', '--max-cron-threads=0', '--log-level=warn'];
	if (logFile) mkdirSync(dirname(logFile), { recursive: true });
	if (demo) {
		log(`creating database ${database} with Odoo's purchase and sales apps and their demo data`);
		await runOdoo(config, database, ['-i', 'purchase_stock,sale_stock', ...common], { logFile });
		log(`installing ${ADDON} and its demo data into ${database}`);
		await runOdoo(config, database, ['-i', ADDON, ...common], { logFile });
	} else {
		log(`creating database ${database} with ${ADDON} installed (no demo data)`);
		await runOdoo(config, database, ['-i', ADDON, '--without-demo=all', ...common], { logFile });
	}
}

/**
 * The integration user (created when missing, e.g. in a database without demo data) with a new
 * API key, and the administrator in the Governance Manager group. Returns { login, apiKey }.
 */
async function prepareIntegration(config, database, { login = 'n8n-integration', keyName = 'n8n (local)', logFile } = {}) {
	const code = `
import json
ref = env.ref
users = env['res.users'].sudo().with_context(active_test=False)
user = users.search([('login', '=', ${JSON.stringify(login)})], limit=1)
if not user:
    user = users.create({'name': 'n8n Integration', 'login': ${JSON.stringify(login)},
                         'groups_id': [(6, 0, [ref('base.group_user').id, ref('${ADDON}.group_integration').id])]})
user.active = True
ref('base.user_admin').sudo().write({'groups_id': [(4, ref('${ADDON}.group_manager').id)]})
key = env['res.users.apikeys'].with_user(user).sudo()._generate(None, ${JSON.stringify(keyName)}, None)
env.cr.commit()
print('DG-INTEGRATION ' + json.dumps({'login': user.login, 'apiKey': key}))
`;
	const output = await odooShell(config, database, code, { logFile });
	const line = output.split('\n').find((text) => text.startsWith('DG-INTEGRATION '));
	if (!line) throw new Error(`odoo shell made no API key on ${database}:\n${output.slice(-2000)}`);
	return JSON.parse(line.slice('DG-INTEGRATION '.length));
}

/** Run Python `code` in `odoo shell` on `database` (commit it yourself); resolves with the output. */
function odooShell(config, database, code, { logFile } = {}) {
	// End the process once the code ran: the shell would roll back and return to odoo-bin, and an
	// odoo-bin that calls odoo.cli.main() twice (seen on a real installation) would start again.
	const input = `${code}\nimport os, sys\nsys.stdout.flush()\nos._exit(0)\n`;
	return runOdoo(config, database, ['shell', '--no-http', '--log-level=warn'], { logFile, input });
}

/**
 * Start the Odoo server of `database` on 127.0.0.1:`port` with one cron thread (the outbox's
 * dispatcher is a cron job). Resolves when it answers HTTP; `stop()` ends it by PID.
 */
async function startOdoo(config, database, { port, logFile, timeoutMs = 180000, extraArgs = [] } = {}) {
	const httpPort = port || (await freePort());
	const { command, args } = odooCommand(config, database, [
		`--http-port=${httpPort}`,
		'--http-interface=127.0.0.1',
		`--gevent-port=${await freePort()}`,
		'--max-cron-threads=1',
		`--db-filter=^${database}$`,
		'--log-level=info',
		...(logFile ? [`--logfile=${logFile}`] : []),
		...extraArgs,
	]);
	if (logFile) mkdirSync(dirname(logFile), { recursive: true });
	const child = spawn(command, args, { env: { ...process.env, PYTHONUNBUFFERED: '1' }, stdio: 'ignore' });
	const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
	const url = `http://127.0.0.1:${httpPort}`;
	const started = Date.now();
	const tail = () => (logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '');
	const stop = async (graceMs = 15000) => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		let timer;
		const stopped = await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, graceMs)))]);
		clearTimeout(timer);
		if (!stopped) {
			child.kill('SIGKILL');
			await exited;
		}
	};
	for (;;) {
		if (child.exitCode !== null) throw new Error(`Odoo exited with ${child.exitCode}; see ${logFile}:\n${tail()}`);
		try {
			const response = await fetch(`${url}/web/webclient/version_info`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"jsonrpc":"2.0","method":"call","params":{}}',
			});
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() - started > timeoutMs) {
			await stop();
			throw new Error(`Odoo did not answer on ${url} within ${timeoutMs} ms; see ${logFile}:\n${tail()}`);
		}
		await sleep(500);
	}
	return { url, port: httpPort, pid: child.pid, process: child, exited, stop, readyMs: Date.now() - started, logFile };
}

module.exports = {
	ADDON,
	configFile,
	createDatabase,
	databaseReady,
	dropDatabase,
	freePort,
	odooCommand,
	odooShell,
	prepareIntegration,
	readOdooConfig,
	startOdoo,
};
