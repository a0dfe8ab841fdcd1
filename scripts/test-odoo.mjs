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
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The Odoo configuration, its odoo-bin command line and the database helpers are shared with
// `npm run start:product` and the real-Odoo end-to-end step (scripts/odoo-local.cjs).
const local = createRequire(import.meta.url)('./odoo-local.cjs');
const { config: env, file: configFile, fromFile, configured } = local.readOdooConfig();
if (fromFile) console.log(`odoo: using ${configFile}`);

if (!configured) {
	console.log(`odoo: not run (no Odoo configured: set ODOO_BIN and ODOO_ADDONS_PATH or write ${configFile}, see README "Odoo tests")`);
	process.exit(0);
}
if (!existsSync(env.ODOO_BIN)) {
	console.log(`odoo: ODOO_BIN=${env.ODOO_BIN} does not exist`);
	process.exit(2);
}

const database = `dg_test_${Date.now().toString(36)}`;
const { command, args } = local.odooCommand(env, database, [
	'-i',
	'distribution_governance',
	'--without-demo=all',
	'--test-enable',
	`--test-tags=${env.ODOO_TEST_TAGS || '/distribution_governance'}`,
	'--stop-after-init',
	`--http-port=${await local.freePort()}`,
	'--http-interface=127.0.0.1',
	'--max-cron-threads=0',
	'--log-level=info',
]);
const logFile = join(mkdtempSync(join(tmpdir(), 'dg-odoo-test-')), 'odoo.log');
const log = createWriteStream(logFile);
console.log(`odoo: installing distribution_governance on fresh database ${database} (log: ${logFile})`);

const started = Date.now();
const child = spawn(command, args, { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
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

if (env.ODOO_TEST_KEEP_DB !== '1') local.dropDatabase(env, database);

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
