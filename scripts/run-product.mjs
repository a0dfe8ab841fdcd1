#!/usr/bin/env node
/**
 * `npm run start:product`: the whole product on this machine, everything it can start.
 *
 * 1. An Odoo named in .env (ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD): n8n connects to it.
 * 2. Otherwise an Odoo 18 installation named by the ODOO_* variables of `npm run test:odoo`
 *    (environment or ~/.config/distribution-governance/odoo.env): a demo database is created once
 *    (ODOO_DEMO_DB, default distribution_governance_demo) with the addon's demo data, the
 *    integration user gets an API key, Odoo runs on 127.0.0.1 with its cron, and a mail sink
 *    keeps every mail Odoo and n8n send (SMTP on 127.0.0.1, a page to read them, .eml files).
 *    On the first start the buyer's demo order is confirmed once n8n listens, so its approvers'
 *    mail is waiting in the sink.
 * 3. No Odoo at all: n8n starts with the nodes and the templates imported (inactive), and one line
 *    says what is missing.
 *
 * n8n (a pinned 2.x, SQLite) gets this package as a community package and every template of
 * workflows/, published (live) when there is an Odoo. Its data stays in .cache/product-n8n/, the
 * local Odoo's state (database name, API key) and the mail in .cache/product/, so a second start
 * reuses them. Ctrl-C stops everything this command started.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const harness = require('./e2e-n8n.cjs');
const { checkOdoo } = require('./check-odoo.cjs');
const local = require('./odoo-local.cjs');
const { MailSink } = require('./mail-sink.cjs');
const odooRpc = require('./odoo-session.cjs');

const started = Date.now();
const DEMO_PASSWORD = 'governance-demo';
const DEMO_PEOPLE = [
	['alice', 'buyer (requester)'],
	['maria', 'purchasing approver'],
	['tom', 'purchasing approver'],
	['fiona', 'finance approver (level 2)'],
	['oscar', 'operations approver (critical spare parts, replenishment)'],
	['grace', 'governance manager'],
	['audrey', 'auditor'],
];

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

const log = (line) => console.log(`[product] ${line}`);
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const env = { ...readEnvFile(join(harness.REPO, '.env')), ...process.env };
const stateFolder = join(harness.REPO, '.cache', 'product');
mkdirSync(stateFolder, { recursive: true });

/** A hash of what goes into the package: package.json and the sources the build reads. */
function packageSourcesHash() {
	const hash = createHash('sha256');
	const walk = (path) => {
		if (!existsSync(path)) return;
		if (statSync(path).isDirectory()) {
			for (const name of readdirSync(path).sort()) walk(join(path, name));
		} else {
			hash.update(`${path}\0`).update(readFileSync(path));
		}
	};
	for (const entry of ['package.json', 'tsconfig.json', 'nodes', 'credentials', 'contract']) walk(join(harness.REPO, entry));
	return hash.digest('hex');
}

/** `preferred` when nothing listens there, else any free port. */
function portOr(preferred) {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => harness.freePort().then(resolve));
		server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
	});
}

const stops = [];
let stopping = false;
async function stopAll(code) {
	if (stopping) return;
	stopping = true;
	for (const [name, stop] of stops.reverse()) {
		log(`stopping ${name}`);
		await stop().catch((error) => console.error(`[product] ${name}: ${error.message}`));
	}
	process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));

const inEnv = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_PASSWORD'];
const localOdoo = local.readOdooConfig(env);
const mode = inEnv.every((name) => env[name]) ? 'env' : localOdoo.configured ? 'local' : 'none';

let odoo; // { url, database, login, secret }
let mail; // { host, port, user, password, secure }
let sink;
let firstStart = false;

try {
	if (mode === 'none') {
		console.log(
			`[product] No Odoo: .env names none (${inEnv.filter((name) => !env[name]).join(', ')} missing) and no Odoo 18 installation is configured ` +
				`(ODOO_BIN, ODOO_ADDONS_PATH in the environment or ${localOdoo.file}). Get one with \`docker compose up -d\`, ` +
				`or install Odoo 18 and name it by ODOO_* (README "Running it"); n8n starts with the templates inactive.`,
		);
	}
	if (mode === 'local' || (mode === 'none' && !env.SMTP_HOST)) {
		sink = new MailSink(join(stateFolder, 'mail'));
		// Same ports at every start when free, so that n8n's credentials stay as they were.
		await sink.start(await portOr(Number(env.DG_SMTP_SINK_PORT || 2525)), await portOr(Number(env.DG_MAIL_PAGE_PORT || 8025)));
		stops.push(['the mail sink', () => sink.stop()]);
		mail = { host: '127.0.0.1', port: sink.smtpPort, user: '', password: '', secure: false };
		if (!env.IMAP_HOST) await sink.startImap(await portOr(Number(env.DG_IMAP_SINK_PORT || 1143)));
		log(
			`mail sink: SMTP 127.0.0.1:${sink.smtpPort}, messages at ${sink.url} (files in ${sink.folder})` +
				(sink.imapPort ? `; an empty supplier mailbox on IMAP 127.0.0.1:${sink.imapPort}` : ''),
		);
	}
	if (mode === 'local') {
		const config = localOdoo.config;
		const database = env.ODOO_DEMO_DB || 'distribution_governance_demo';
		const stateFile = join(stateFolder, 'odoo.json');
		const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
		const logFile = join(stateFolder, 'odoo.log');
		log(`Odoo 18 installation ${config.ODOO_BIN}${localOdoo.fromFile ? ` (from ${localOdoo.file})` : ''}`);
		if (!local.databaseReady(config, database)) {
			const t = Date.now();
			await local.createDatabase(config, database, { demo: true, logFile, log });
			log(`demo database ${database} ready after ${((Date.now() - t) / 1000).toFixed(0)} s`);
			firstStart = true;
			delete state[database];
		} else {
			log(`reusing demo database ${database}`);
		}
		if (!state[database]?.apiKey) {
			const { login, apiKey } = await local.prepareIntegration(config, database, { logFile });
			state[database] = { login, apiKey, sampleConfirmed: false };
			writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
			log(`made an API key for ${login} (kept in ${stateFile})`);
		}
		const server = await local.startOdoo(config, database, {
			port: await portOr(Number(env.ODOO_HTTP_PORT || 8069)),
			logFile,
			// Odoo's own mail (notifications, activities) goes to the sink too.
			extraArgs: [`--smtp=127.0.0.1`, `--smtp-port=${sink.smtpPort}`],
		});
		stops.push(['Odoo', () => server.stop()]);
		log(`Odoo is up at ${server.url} after ${(server.readyMs / 1000).toFixed(1)} s (pid ${server.pid}, log ${logFile})`);
		odoo = { url: server.url, database, login: state[database].login, secret: state[database].apiKey, state, stateFile };
	} else if (mode === 'env') {
		odoo = { url: env.ODOO_URL, database: env.ODOO_DB, login: env.ODOO_LOGIN, secret: env.ODOO_PASSWORD };
	}
	if (!mail) {
		mail = {
			host: env.SMTP_HOST || '127.0.0.1',
			port: Number(env.SMTP_PORT || 25),
			user: env.SMTP_USER || '',
			password: env.SMTP_PASSWORD || '',
			secure: env.SMTP_SECURE === 'true',
		};
	}
	// Stop before n8n starts when Odoo would refuse it: n8n would otherwise say "ready" and fail
	// later, at the first trigger registration, in its own log.
	if (odoo) {
		const { info } = await checkOdoo({ url: odoo.url, database: odoo.database, login: odoo.login, password: odoo.secret });
		log(`Odoo ${odoo.url} (database ${info.database}): logged in as ${info.user.login}, addon ${info.addon_version}, API ${info.api_version}`);
	}
} catch (error) {
	console.error(`[product] cannot start: ${error.message}`);
	await stopAll(3);
}

const port = await portOr(Number(env.N8N_PORT || 5678));
const folder = env.N8N_DATA_DIR || join(harness.REPO, '.cache', 'product-n8n');
const install = harness.ensureN8n(log);
// Build and pack only when the package's sources changed since the last start (most of a second
// start's time otherwise, on a busy machine).
const packFolder = join(folder, 'pack');
const sourcesHash = packageSourcesHash();
const packedFile = join(packFolder, 'sources.sha256');
const packed = existsSync(packedFile) ? JSON.parse(readFileSync(packedFile, 'utf8')) : {};
let tarball = packed.tarball;
const reusePack = packed.hash === sourcesHash && tarball && existsSync(tarball);
if (!reusePack) {
	log('building and packing the node package');
	tarball = harness.packPackage(packFolder);
} else {
	log(`the node package is unchanged since the last start: reusing ${tarball}`);
}

const n8n = new harness.N8nInstance({
	install,
	userFolder: folder,
	port,
	brokerPort: Number(env.N8N_RUNNERS_BROKER_PORT || (await harness.freePort())),
	webhookUrl: env.N8N_WEBHOOK_URL || undefined,
	encryptionKey: env.N8N_ENCRYPTION_KEY || 'change-me-distribution-governance-local',
	ownerEmail: env.N8N_OWNER_EMAIL || 'owner@example.com',
	ownerPassword: env.N8N_OWNER_PASSWORD || 'Governance-local-1',
	log,
});
if (!reusePack || !existsSync(join(folder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-distribution-governance'))) {
	n8n.installPackage(tarball);
	writeFileSync(packedFile, JSON.stringify({ hash: sourcesHash, tarball }));
}

const templates = readdirSync(join(harness.REPO, 'workflows'))
	.filter((name) => name.endsWith('.json'))
	.map((name) => JSON.parse(readFileSync(join(harness.REPO, 'workflows', name), 'utf8')));
const importPayload = {
	credentials: [
		{
			id: 'dg-odoo',
			name: 'Distribution Governance Odoo',
			type: 'distributionGovernanceOdooApi',
			data: {
				url: odoo?.url ?? 'http://127.0.0.1:8069',
				database: odoo?.database ?? 'governance',
				login: odoo?.login ?? 'n8n-integration',
				secret: odoo?.secret ?? 'set-the-integration-user-api-key',
				protocol: env.ODOO_PROTOCOL || 'jsonRpc',
			},
		},
		{
			id: 'dg-smtp',
			name: 'Approver mail (SMTP)',
			type: 'smtp',
			data: {
				host: mail.host,
				port: mail.port,
				user: mail.user,
				password: mail.password,
				secure: mail.secure,
				disableStartTls: !mail.secure && env.SMTP_STARTTLS !== 'true',
			},
		},
		{
			id: 'dg-imap',
			name: 'Supplier mailbox (IMAP)',
			type: 'imap',
			data: sink?.imapPort
				? { host: '127.0.0.1', port: sink.imapPort, user: 'supplier-updates', password: 'sink', secure: false, allowUnauthorizedCerts: false }
				: {
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
};
// The supplier-updates template reads a mailbox: live with the sink's (empty) one or the one .env
// names (IMAP_HOST); not when neither is there.
const live = odoo ? templates.filter((t) => t.id !== 'dgSupplierUpdt01' || env.IMAP_HOST || sink?.imapPort) : [];
// Import and publish only when the credentials, the templates or what is live changed since the
// last start (each is an n8n command of its own, most of a second start otherwise).
const importFile = join(folder, 'import', 'imported.sha256');
const importHash = createHash('sha256').update(JSON.stringify([importPayload, live.map((t) => t.id)])).digest('hex');
if (!existsSync(importFile) || readFileSync(importFile, 'utf8') !== importHash) {
	log(`importing the credentials and ${templates.length} templates`);
	n8n.importData(importPayload);
	if (odoo) {
		for (const template of live) n8n.publish(template.id);
	} else {
		n8n.n8n(['unpublish:workflow', '--all']);
	}
	writeFileSync(importFile, importHash);
} else {
	log('credentials and templates unchanged since the last start: n8n keeps them as they are');
}

let readyMs;
try {
	readyMs = await n8n.start(180000);
} catch (error) {
	console.error(`[product] n8n did not start: ${error.message}`);
	await stopAll(1);
}
stops.push(['n8n', () => n8n.stop()]);
log(`n8n ${harness.N8N_VERSION} is ready after ${(readyMs / 1000).toFixed(1)} s: ${n8n.baseUrl}/ (log ${n8n.logFile})`);
const skipped = templates.filter((t) => !live.includes(t));
log(
	`templates live: ${live.map((t) => t.name).join(', ') || 'none'}` +
		(skipped.length ? `; imported, inactive: ${skipped.map((t) => t.name).join(', ')}` : '') +
		(odoo && skipped.length ? ' (set IMAP_HOST etc. in .env for the supplier mailbox)' : ''),
);

/** The demo order waiting for approval: confirmed as Alice once, when n8n listens. */
async function confirmSampleOrder() {
	const admin = await odooRpc.session(odoo.url, odoo.database, 'admin', 'admin');
	// Wait until n8n's procurement-approval trigger registered its subscription with Odoo.
	for (let i = 0; i < 120; i += 1) {
		const count = await admin('governance.subscription', 'search_count', [[['event_types', 'ilike', 'approval.requested']]]);
		if (count) break;
		await new Promise((done) => setTimeout(done, 500));
	}
	const orderId = await odooRpc.xmlId(admin, 'distribution_governance.demo_po_two_levels');
	const alice = await odooRpc.session(odoo.url, odoo.database, 'alice', DEMO_PASSWORD);
	await alice('purchase.order', 'button_confirm', [[orderId]]);
	const [order] = await admin('purchase.order', 'read', [[orderId]], { fields: ['name', 'state'] });
	log(`confirmed Alice's demo order ${order.name} (12,500): ${order.state}; its approvers' mail arrives in the sink within a minute`);
	odoo.state[odoo.database].sampleConfirmed = true;
	writeFileSync(odoo.stateFile, JSON.stringify(odoo.state, null, 2), { mode: 0o600 });
	return order.name;
}

if (mode === 'local' && !odoo.state[odoo.database].sampleConfirmed) {
	try {
		const name = await confirmSampleOrder();
		const t = Date.now();
		for (;;) {
			const mails = sink.messages().filter((m) => /maria@|tom@/.test(m.to) && m.subject.startsWith('Approval needed'));
			if (mails.length) {
				log(`approvers' mail for ${name} arrived after ${((Date.now() - t) / 1000).toFixed(1)} s: "${mails[0].subject}" to ${mails.map((m) => m.to).join(', ')}`);
				break;
			}
			if (Date.now() - t > 120000) {
				log(`no approver mail for ${name} yet after 120 s: see Governance › Integration › Deliveries in Odoo and ${n8n.logFile}`);
				break;
			}
			await new Promise((done) => setTimeout(done, 1000));
		}
	} catch (error) {
		log(`could not confirm the demo order: ${error.message}`);
	}
}

console.log(`
Distribution Governance is running (${mode === 'local' ? 'local demo Odoo' : mode === 'env' ? 'Odoo from .env' : 'no Odoo'}), started in ${seconds()} s.
  n8n          ${n8n.baseUrl}/   sign in as ${n8n.ownerEmail} / ${n8n.ownerPassword}`);
if (odoo) console.log(`  Odoo         ${odoo.url}/odoo   database ${odoo.database}`);
if (sink) console.log(`  mail         ${sink.url}   (every mail Odoo and n8n send; .eml files in ${sink.folder})`);
if (mode === 'local') {
	console.log(`  Odoo logins  admin / admin (administrator, governance manager); password ${DEMO_PASSWORD} for:`);
	for (const [login, role] of DEMO_PEOPLE) console.log(`               ${login.padEnd(7)} ${role}`);
	console.log(`
A walk through the demo (README "First ten minutes"):
  1. Mail page: the approval request for Alice's 12,500 order to Maria and Tom, with Approve / Reject links.
  2. Odoo as maria: Purchase › the order (banner "Waiting for approval"), or Governance › My Approvals; approve.
     Level 2 opens for fiona (Finance); her approval releases the order and Nordic Bearings is asked to confirm.
  3. Odoo as alice: confirm the other drafts: the seal kits (critical spare parts: Operations too), bearings
     from Rapid Parts (not the preferred vendor), the controllers from Unvetted Imports (held: high risk).
  4. Inventory › Replenishment: "Order Once" on hydraulic oil fires the reordering rule (n8n's governed
     replenishment template); confirming that order asks Operations (oscar).
  5. Governance › Exceptions: the queue (a price variance, an overdue lead-time drift); the order released to
     Slow Supply Co becomes an overdue supplier confirmation after one hour.
  6. Governance › Integration: n8n's event subscriptions and every delivery; n8n: the templates and their executions.
Ctrl-C stops everything.`);
} else if (mode === 'none') {
	console.log('  Odoo         none: the templates are imported but inactive (see the line at the top).\nCtrl-C stops n8n.');
} else {
	console.log(`  Odoo delivers to ${n8n.webhookUrl}webhook/…\nCtrl-C stops n8n.`);
}

// What is running, for scripts/screenshots.mjs (removed when stopped).
const runningFile = join(stateFolder, 'running.json');
writeFileSync(runningFile, JSON.stringify({
	mode,
	odoo: odoo && { url: odoo.url, database: odoo.database },
	n8n: { url: n8n.baseUrl, email: n8n.ownerEmail, password: n8n.ownerPassword },
	mail: sink?.url,
	demoPassword: mode === 'local' ? DEMO_PASSWORD : undefined,
}, null, 2));
stops.unshift(['the run file', async () => rmSync(runningFile, { force: true })]);

const result = await n8n.exited;
if (!stopping) {
	console.error(`n8n stopped on its own (${JSON.stringify(result)}); last lines of ${n8n.logFile}:\n${n8n.tail()}`);
	await stopAll(1);
}
