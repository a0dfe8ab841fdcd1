#!/usr/bin/env node
// `npm run test:odoo`: installs the addon on a fresh database of an existing Odoo with --test-enable
// and runs its tests. The Odoo is named by environment variables (nothing here installs Odoo):
//   ODOO_BIN          odoo-bin (or the `odoo` command)                         required
//   ODOO_PYTHON       interpreter for odoo-bin (e.g. /usr/bin/python3)          optional
//   ODOO_ADDONS_PATH  Odoo's own addons folders, comma-separated               required
//   ODOO_DB_HOST, ODOO_DB_PORT, ODOO_DB_USER, ODOO_DB_PASSWORD                  PostgreSQL role with CREATEDB
//   ODOO_TEST_TAGS    default /distribution_governance                         optional
//   ODOO_TEST_KEEP_DB set to 1 to keep the test database                        optional
// Variables not set in the environment are read from the user-level file
// ${XDG_CONFIG_HOME:-~/.config}/distribution-governance/odoo.env (KEY=VALUE lines, # comments), so a
// machine that has an Odoo 18 runs these tests in `npm test` and CI without anything in the repository.
// Prints "odoo: N passed, N failed" (or one "odoo: not run ..." line when no Odoo is configured) and
// exits non-zero when a test fails, the install logs an error, or Odoo cannot run.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configFile = join(
	process.env.XDG_CONFIG_HOME || join(homedir(), '.config'),
	'distribution-governance',
	'odoo.env',
);
const fromFile = {};
if (existsSync(configFile)) {
	for (const line of readFileSync(configFile, 'utf8').split('\n')) {
		const match = line.match(/^\s*(ODOO_[A-Z_]+)\s*=\s*(.*?)\s*$/);
		if (match) fromFile[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
	}
}
const env = { ...fromFile, ...process.env };
if (Object.keys(fromFile).length) console.log(`odoo: using ${configFile}`);

if (!env.ODOO_BIN || !env.ODOO_ADDONS_PATH) {
	console.log(`odoo: not run (no Odoo configured: set ODOO_BIN and ODOO_ADDONS_PATH or write ${configFile}, see README "Odoo tests")`);
	process.exit(0);
}
if (!existsSync(env.ODOO_BIN)) {
	console.log(`odoo: ODOO_BIN=${env.ODOO_BIN} does not exist`);
	process.exit(2);
}

const freePort = () =>
	new Promise((resolve, reject) => {
		const server = createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});

const database = `dg_test_${Date.now().toString(36)}`;
const dbArgs = [
	['--db_host', env.ODOO_DB_HOST],
	['--db_port', env.ODOO_DB_PORT],
	['--db_user', env.ODOO_DB_USER],
	['--db_password', env.ODOO_DB_PASSWORD],
]
	.filter(([, value]) => value)
	.map(([flag, value]) => `${flag}=${value}`);
const args = [
	...(env.ODOO_PYTHON ? [env.ODOO_BIN] : []),
	`--addons-path=${env.ODOO_ADDONS_PATH},${join(root, 'odoo_addon')}`,
	...dbArgs,
	'-d',
	database,
	'-i',
	'distribution_governance',
	'--without-demo=all',
	'--test-enable',
	`--test-tags=${env.ODOO_TEST_TAGS || '/distribution_governance'}`,
	'--stop-after-init',
	`--http-port=${await freePort()}`,
	'--http-interface=127.0.0.1',
	'--max-cron-threads=0',
	'--log-level=info',
];
const command = env.ODOO_PYTHON || env.ODOO_BIN;
const logFile = join(mkdtempSync(join(tmpdir(), 'dg-odoo-test-')), 'odoo.log');
const log = createWriteStream(logFile);
console.log(`odoo: installing distribution_governance on fresh database ${database} (log: ${logFile})`);

const started = Date.now();
const child = spawn(command, args, { env: { ...env, PYTHONUNBUFFERED: '1' } });
let output = '';
for (const stream of [child.stdout, child.stderr]) {
	stream.on('data', (chunk) => {
		output += chunk;
		log.write(chunk);
		// Show failures, errors and warnings as they happen; the full log stays in the file.
		for (const line of String(chunk).split('\n')) {
			if (/ (ERROR|WARNING|CRITICAL) |^(FAIL|ERROR):|Traceback|odoo\.tests\.(result|stats)/.test(line)) {
				console.log(line);
			}
		}
	});
}
const code = await new Promise((resolve) => child.on('close', resolve));
log.end();
const seconds = ((Date.now() - started) / 1000).toFixed(1);

if (env.ODOO_TEST_KEEP_DB !== '1') {
	const dropArgs = ['-h', env.ODOO_DB_HOST || '127.0.0.1', '-p', env.ODOO_DB_PORT || '5432'];
	if (env.ODOO_DB_USER) dropArgs.push('-U', env.ODOO_DB_USER);
	spawnSync('dropdb', [...dropArgs, '--if-exists', database], {
		env: { ...env, PGPASSWORD: env.ODOO_DB_PASSWORD || '' },
	});
}

// Odoo 17/18: "odoo.tests.result: 1 failed, 0 error(s) of 42 tests when loading database ..."
const result = output.match(/(\d+) failed, (\d+) error\(s\) of (\d+) tests/);
const ourErrors = output
	.split('\n')
	.filter((line) => / (ERROR|CRITICAL) /.test(line) && !/odoo\.tests\.result/.test(line));
if (!result) {
	console.log(`odoo: no test summary in the log after ${seconds} s (exit ${code}); see ${logFile}`);
	process.exit(code || 1);
}
const failedTests = Number(result[1]) + Number(result[2]);
const passedTests = Number(result[3]) - failedTests;
console.log(`odoo: ran ${result[3]} tests on ${database} in ${seconds} s; ${ourErrors.length} error lines in the log`);
console.log(`odoo: ${passedTests} passed, ${failedTests + (ourErrors.length && !failedTests ? 1 : 0)} failed`);
process.exit(code !== 0 || failedTests > 0 || ourErrors.length > 0 ? 1 : 0);
