#!/usr/bin/env node
/**
 * Runs the product locally: a pinned n8n 2.x (SQLite, 127.0.0.1) with this package installed
 * as a community package and every template of workflows/ imported and published, connected to
 * the Odoo named in .env (see .env.example). Keeps running until Ctrl-C, then stops n8n.
 *
 * The n8n data (database, credentials, executions) stays in .cache/product-n8n/ between runs;
 * the package and the templates are installed again at every start. It first checks the Odoo
 * login and the addon's API version (scripts/check-odoo.cjs) and stops with the reason when
 * Odoo would refuse n8n.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const harness = require('./e2e-n8n.cjs');
const { checkOdoo } = require('./check-odoo.cjs');

function readEnvFile(file) {
	if (!existsSync(file)) return {};
	const values = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
		if (!match || line.trimStart().startsWith('#')) continue;
		values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
	}
	return values;
}

const env = { ...readEnvFile(join(harness.REPO, '.env')), ...process.env };
const missing = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_PASSWORD'].filter((name) => !env[name]);
if (missing.length) {
	console.error(`Missing ${missing.join(', ')}: copy .env.example to .env and name your Odoo (with the addon installed).`);
	process.exit(2);
}

const log = (line) => console.log(`[product] ${line}`);

// Stop before n8n starts when Odoo would refuse it: n8n would otherwise say "ready" and fail later,
// at the first trigger registration, in its own log.
try {
	const { info } = await checkOdoo({ url: env.ODOO_URL, database: env.ODOO_DB, login: env.ODOO_LOGIN, password: env.ODOO_PASSWORD });
	log(`Odoo ${env.ODOO_URL} (database ${info.database}): logged in as ${info.user.login}, addon ${info.addon_version}, API ${info.api_version}`);
} catch (error) {
	console.error(`[product] cannot start: ${error.message}`);
	process.exit(3);
}
const port = Number(env.N8N_PORT || 5678);
const folder = env.N8N_DATA_DIR || join(harness.REPO, '.cache', 'product-n8n');
const install = harness.ensureN8n(log);
log('building and packing the node package');
const tarball = harness.packPackage(join(folder, 'pack'));

const n8n = new harness.N8nInstance({
	install,
	userFolder: folder,
	port,
	brokerPort: Number(env.N8N_RUNNERS_BROKER_PORT || port + 1),
	webhookUrl: env.N8N_WEBHOOK_URL || undefined,
	encryptionKey: env.N8N_ENCRYPTION_KEY || 'change-me-distribution-governance-local',
	ownerEmail: env.N8N_OWNER_EMAIL || 'owner@example.com',
	ownerPassword: env.N8N_OWNER_PASSWORD || 'Governance-local-1',
	log,
});
n8n.installPackage(tarball);

const templates = readdirSync(join(harness.REPO, 'workflows'))
	.filter((name) => name.endsWith('.json'))
	.map((name) => JSON.parse(readFileSync(join(harness.REPO, 'workflows', name), 'utf8')));
n8n.importData({
	credentials: [
		{
			id: 'dg-odoo',
			name: 'Distribution Governance Odoo',
			type: 'distributionGovernanceOdooApi',
			data: {
				url: env.ODOO_URL,
				database: env.ODOO_DB,
				login: env.ODOO_LOGIN,
				secret: env.ODOO_PASSWORD,
				protocol: env.ODOO_PROTOCOL || 'jsonRpc',
			},
		},
		{
			id: 'dg-smtp',
			name: 'Approver mail (SMTP)',
			type: 'smtp',
			data: {
				host: env.SMTP_HOST || '127.0.0.1',
				port: Number(env.SMTP_PORT || 25),
				user: env.SMTP_USER || '',
				password: env.SMTP_PASSWORD || '',
				secure: env.SMTP_SECURE === 'true',
				disableStartTls: env.SMTP_SECURE !== 'true' && env.SMTP_STARTTLS !== 'true',
			},
		},
		{
			id: 'dg-imap',
			name: 'Supplier mailbox (IMAP)',
			type: 'imap',
			data: {
				host: env.IMAP_HOST || '127.0.0.1',
				port: Number(env.IMAP_PORT || 993),
				user: env.IMAP_USER || '',
				password: env.IMAP_PASSWORD || '',
				secure: env.IMAP_SECURE !== 'false',
				allowUnauthorizedCerts: false,
			},
		},
	],
	workflows: templates,
});
for (const template of templates) n8n.publish(template.id);

const readyMs = await n8n.start(180000);
log(`n8n ${harness.N8N_VERSION} is ready after ${(readyMs / 1000).toFixed(1)} s: ${n8n.baseUrl}/`);
log(`sign in as ${n8n.ownerEmail} / ${n8n.ownerPassword}; templates: ${templates.map((t) => t.name).join(', ')}`);
log(`Odoo ${env.ODOO_URL} (database ${env.ODOO_DB}) delivers to ${n8n.webhookUrl}webhook/…; n8n log: ${n8n.logFile}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, async () => {
		if (stopping) return;
		stopping = true;
		log('stopping n8n');
		await n8n.stop();
		process.exit(0);
	});
}
await n8n.exited;
if (!stopping) {
	console.error(`n8n stopped on its own; last lines of ${n8n.logFile}:\n${n8n.tail()}`);
	process.exit(1);
}
