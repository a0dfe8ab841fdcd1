/**
 * docker-compose.yml, checked without a Docker engine: it parses, every reference resolves, and it
 * does what `npm run start:product` does for a local Odoo (demo database by ODOO_DEMO, the
 * integration user's API key, cron on, a mail sink, every template published).
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { parse } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { N8N_VERSION } = require('../../scripts/e2e-n8n.cjs') as { N8N_VERSION: string };

const REPO = join(__dirname, '..', '..');
const text = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as {
	services: Record<string, {
		image?: string;
		depends_on?: Record<string, { condition: string }>;
		volumes?: string[];
		ports?: string[];
		command?: string | string[];
		environment?: Record<string, string>;
	}>;
	volumes: Record<string, unknown>;
};
const services = compose.services;
const script = (name: string) => [services[name].command].flat().join('\n');

describe('docker-compose.yml', () => {
	it('parses, and every dependency and named volume it uses is declared', () => {
		const conditions = ['service_started', 'service_healthy', 'service_completed_successfully'];
		for (const [name, service] of Object.entries(services)) {
			expect(service.image).toBeTruthy();
			for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
				expect([name, dependency, services[dependency] !== undefined]).toEqual([name, dependency, true]);
				expect(conditions).toContain(condition);
			}
			for (const volume of service.volumes ?? []) {
				const source = volume.split(':')[0];
				if (!source.startsWith('.')) expect(Object.keys(compose.volumes)).toContain(source);
			}
			for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
		}
	});

	it('creates the database with or without the demo company, by ODOO_DEMO', () => {
		const init = script('odoo-init');
		expect(init).toContain('if [ "${ODOO_DEMO:-true}" = "true" ]');
		expect(init).toMatch(/-i purchase_stock,sale_stock --stop-after-init\n\s*odoo \$\$DB_ARGS -i distribution_governance --stop-after-init/);
		expect(init).toContain('-i distribution_governance --without-demo=all --stop-after-init');
	});

	it("makes the integration user's API key once and hands it to n8n's credentials", () => {
		expect(script('odoo-init')).toContain("._generate(None, 'n8n (docker compose)', None)");
		expect(services['n8n-setup'].depends_on).toHaveProperty('odoo-init');
		expect(services['n8n-setup'].environment).toMatchObject({ ODOO_LOGIN: '${ODOO_LOGIN:-n8n-integration}' });
		expect(script('n8n-setup')).toContain('ODOO_PASSWORD="$$(cat /odoo-data/dg-integration-key)"');
		expect(services['n8n-setup'].volumes).toContain('odoo-data:/odoo-data:ro');
	});

	it('runs Odoo with its cron, sends all mail to the sink, and publishes every template', () => {
		expect(script('odoo')).toContain('--max-cron-threads=1');
		expect(script('odoo')).toContain('--smtp=mail');
		expect(services.mail.ports).toContain('127.0.0.1:8025:8025');
		expect(script('n8n-setup')).toContain('n8n import:workflow --separate --input=/workflows');
		expect(script('n8n-setup')).toContain('n8n publish:workflow');
		for (const name of ['n8n', 'n8n-setup']) expect(services[name].image).toBe(`n8nio/n8n:${N8N_VERSION}`);
	});
});
