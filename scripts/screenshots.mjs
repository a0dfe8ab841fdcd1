#!/usr/bin/env node
/**
 * The README's screenshots (docs/images/*.png), taken from a real browser on the running demo:
 * start `npm run start:product` with a local Odoo (it writes .cache/product/running.json), then
 * run `node scripts/screenshots.mjs`. Uses playwright-core with the machine's Chromium
 * (CHROMIUM, default /usr/bin/chromium). The demo order must be waiting (the first start
 * confirms it; approve nothing before the pictures). `node scripts/screenshots.mjs n8n mail` takes
 * only those (odoo, n8n, mail).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const odooRpc = require('./odoo-session.cjs');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'images');
const runningFile = join(root, '.cache', 'product', 'running.json');
if (!existsSync(runningFile)) {
	console.error(`No running demo (${runningFile}): start \`npm run start:product\` with a local Odoo first.`);
	process.exit(2);
}
const running = JSON.parse(readFileSync(runningFile, 'utf8'));
if (running.mode !== 'local') {
	console.error('The screenshots are of the demo database: run `npm run start:product` with a local Odoo 18.');
	process.exit(2);
}
const { url: odooUrl, database } = running.odoo;
const admin = await odooRpc.session(odooUrl, database, 'admin', 'admin');
const orderId = await odooRpc.xmlId(admin, 'distribution_governance.demo_po_two_levels');

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const size = { width: 1280, height: 760 };

async function odooPage(login, password) {
	const context = await browser.newContext({ viewport: size });
	const page = await context.newPage();
	await page.goto(`${odooUrl}/web/login?db=${encodeURIComponent(database)}`);
	await page.fill('input[name="login"]', login);
	await page.fill('input[name="password"]', password);
	await Promise.all([page.waitForURL(/\/odoo/), page.click('button[type="submit"]')]);
	return page;
}

async function shoot(page, url, file, waitFor) {
	await page.goto(url);
	await page.waitForSelector(waitFor, { timeout: 30000 });
	await page.waitForLoadState('networkidle').catch(() => undefined);
	await page.waitForTimeout(800);
	await page.screenshot({ path: join(out, file) });
	console.log(`docs/images/${file}`);
}

const only = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['odoo', 'n8n', 'mail']);
const demo = running.demoPassword;
if (only.has('odoo')) {
const alice = await odooPage('alice', demo);
await shoot(alice, `${odooUrl}/odoo/purchase/${orderId}`, 'po-waiting.png', '.o_form_view');
const maria = await odooPage('maria', demo);
await shoot(maria, `${odooUrl}/odoo/purchase/${orderId}`, 'approver-buttons.png', '.o_form_view');
await shoot(maria, `${odooUrl}/odoo/action-distribution_governance.governance_approval_review_action_mine`, 'my-approvals.png', '.o_view_controller');
const grace = await odooPage('grace', demo);
await shoot(grace, `${odooUrl}/odoo/action-distribution_governance.governance_exception_action`, 'exception-queue.png', '.o_view_controller');
const adminPage = await odooPage('admin', 'admin');
await shoot(adminPage, `${odooUrl}/odoo/action-distribution_governance.governance_subscription_action`, 'subscriptions.png', '.o_view_controller');
await shoot(adminPage, `${odooUrl}/odoo/action-distribution_governance.governance_delivery_action`, 'deliveries.png', '.o_view_controller');
}

if (only.has('n8n')) {
	const n8n = await (await browser.newContext({ viewport: size })).newPage();
	await n8n.goto(`${running.n8n.url}/signin`);
	await n8n.fill('input[name="emailOrLdapLoginId"]', running.n8n.email);
	await n8n.fill('input[name="password"]', running.n8n.password);
	await n8n.keyboard.press('Enter');
	await n8n.waitForURL(/\/home\//, { timeout: 60000 });
	await n8n.goto(`${running.n8n.url}/workflow/dgProcApproval01`);
	await n8n.waitForSelector('[data-test-id="canvas"] .vue-flow__node', { timeout: 60000 });
	await n8n.waitForTimeout(3000);
	// n8n's own "Production Checklist" pop-over covers part of the canvas.
	const checklist = n8n.getByText('Production Checklist');
	if (await checklist.isVisible().catch(() => false)) await n8n.keyboard.press('Escape');
	await n8n.mouse.click(1100, 400);
	await n8n.keyboard.press('1'); // zoom to fit
	await n8n.waitForTimeout(1000);
	await n8n.screenshot({ path: join(out, 'n8n-template.png') });
	console.log('docs/images/n8n-template.png');
}

if (running.mail && only.has('mail')) {
	const mail = await browser.newPage({ viewport: size });
	await mail.goto(running.mail);
	const link = await mail.$('a[href$=".eml"]');
	if (link) await shoot(mail, `${running.mail}${(await link.getAttribute('href')).slice(1)}`, 'approver-mail.png', 'body');
}
await browser.close();
