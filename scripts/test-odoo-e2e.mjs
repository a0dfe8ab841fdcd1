#!/usr/bin/env node
// The real-Odoo end-to-end step of `npm test`: when an Odoo 18 is configured (the ODOO_* variables
// of `npm run test:odoo`, from the environment or ~/.config/distribution-governance/odoo.env), it
// creates a fresh database with the addon (no demo data), the integration user and its API key,
// starts that Odoo on 127.0.0.1 with its cron, runs the end-to-end files that have a real-Odoo mode
// against it (REAL_ODOO_E2E_FILES; ODOO_E2E_FILES overrides), stops it and drops the database.
// Prints "odoo-e2e: N passed, N failed", or one "odoo-e2e: not run ..." line without an Odoo.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const local = require('./odoo-local.cjs');

/** The end-to-end files run against the real Odoo (the others have no real-Odoo mode). */
export const REAL_ODOO_E2E_FILES = [
	'test/e2e/procurementApproval.e2e.test.ts',
	'test/e2e/orderRelease.e2e.test.ts',
	'test/e2e/stockAdjustment.e2e.test.ts',
	'test/e2e/inboundControl.e2e.test.ts',
	'test/e2e/outboundTemplates.e2e.test.ts',
	'test/e2e/supplierTemplates.e2e.test.ts',
	'test/e2e/riskAndFailures.e2e.test.ts',
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { config, file, configured } = local.readOdooConfig();
if (!configured) {
	console.log(`odoo-e2e: not run (no Odoo configured: set ODOO_BIN and ODOO_ADDONS_PATH or write ${file}, see README "Odoo tests")`);
	process.exit(0);
}
const files = process.env.ODOO_E2E_FILES ? process.env.ODOO_E2E_FILES.split(',') : REAL_ODOO_E2E_FILES;
const database = process.env.ODOO_E2E_DB || `dg_e2e_${Date.now().toString(36)}`;
const logFile = join(mkdtempSync(join(tmpdir(), 'dg-odoo-e2e-')), 'odoo.log');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const say = (line) => console.log(`odoo-e2e: ${line}`);

let server;
let code = 1;
try {
	await local.createDatabase(config, database, { demo: false, logFile, log: say });
	const { login, apiKey } = await local.prepareIntegration(config, database, { logFile });
	server = await local.startOdoo(config, database, { logFile });
	say(`Odoo on ${server.url} (database ${database}, log ${logFile}) after ${elapsed()}; running ${files.join(', ')}`);
	const child = spawn('npx', ['jest', '--ci', '--runInBand', '-c', 'jest.e2e.config.js', ...files], {
		cwd: root,
		stdio: 'inherit',
		env: {
			...process.env,
			ODOO_URL: server.url,
			ODOO_DB: database,
			ODOO_LOGIN: login,
			ODOO_PASSWORD: apiKey,
			ODOO_ADMIN_LOGIN: 'admin',
			ODOO_ADMIN_PASSWORD: 'admin',
		},
	});
	code = await new Promise((done) => child.on('close', done));
} catch (error) {
	say(`could not run: ${error.message}`);
} finally {
	await server?.stop();
	if (process.env.ODOO_TEST_KEEP_DB !== '1') {
		local.dropDatabase(config, database);
		rmSync(join(homedir(), '.local', 'share', 'Odoo', 'filestore', database), { recursive: true, force: true });
	}
	say(`done in ${elapsed()} (exit ${code})`);
}
process.exit(code);
