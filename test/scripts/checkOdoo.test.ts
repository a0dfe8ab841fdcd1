/** The start-up check of `npm run start:product` (scripts/check-odoo.cjs) against the stand-in Odoo. */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import { StandInOdoo } from '../e2e/support/standInOdoo';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkOdoo } = require('../../scripts/check-odoo.cjs') as {
	checkOdoo: (target: object, apiVersion?: string) => Promise<{ uid: number; info: { api_version: string } }>;
};

const KEY = ['integration', 'key', '7'].join('-');
const odoo = new StandInOdoo('acme', 'n8n-integration', KEY);
let url = '';

beforeAll(async () => {
	url = await odoo.start();
});
afterAll(async () => await odoo.stop());

const target = (change: object = {}) => ({ url, database: 'acme', login: 'n8n-integration', password: KEY, ...change });

describe('the Odoo check before n8n starts', () => {
	it("passes with the integration user's key and names the addon's API", async () => {
		const { info } = await checkOdoo(target());
		expect(info.api_version).toMatch(/^1\./);
	});

	it('refuses a wrong API key, naming the login and what to check', async () => {
		await expect(checkOdoo(target({ password: 'wrong-key-0' }))).rejects.toThrow(
			`Odoo at ${url} (database acme) refused the login n8n-integration with this password or API key; check ODOO_LOGIN and ODOO_PASSWORD`,
		);
	});

	it('refuses a database that does not exist', async () => {
		await expect(checkOdoo(target({ database: 'nope' }))).rejects.toThrow(
			`Odoo at ${url} (database nope): there is no such database; check ODOO_DB.`,
		);
	});

	it('refuses an addon of another major API version', async () => {
		await expect(checkOdoo(target(), '2.0')).rejects.toThrow(/the addon speaks API 1\.\d+ .*this package needs API 2\.x/);
	});

	it('says so when Odoo does not answer', async () => {
		const closed = await new Promise<Server>((resolve) => {
			const server = createServer();
			server.listen(0, '127.0.0.1', () => resolve(server));
		});
		const port = (closed.address() as AddressInfo).port;
		await new Promise((done) => closed.close(done));
		await expect(checkOdoo(target({ url: `http://127.0.0.1:${port}` }))).rejects.toThrow(
			`Odoo at http://127.0.0.1:${port} (database acme) did not answer`,
		);
	});
});
