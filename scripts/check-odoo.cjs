/**
 * Checks, before `npm run start:product` starts n8n, that the Odoo named in .env answers, takes
 * the integration user's login and API key, has the Distribution Governance addon installed with
 * an API this package speaks, and that the user is in the addon's Integration group. Each failure
 * says what to fix; nothing is written to Odoo.
 */
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const { session } = require('./odoo-session.cjs');

const CONTRACT_API_VERSION = JSON.parse(
	readFileSync(join(__dirname, '..', 'contract', 'api', 'methods.json'), 'utf8'),
).api_version;

class OdooCheckError extends Error {
	constructor(message) {
		super(message);
		this.name = 'OdooCheckError';
	}
}

const major = (version) => String(version).split('.')[0];

/**
 * Resolves to `{ uid, info }` (governance.api's api_info) when Odoo is ready for n8n, or rejects
 * with an OdooCheckError naming the problem.
 */
async function checkOdoo({ url, database, login, password }, apiVersion = CONTRACT_API_VERSION) {
	const where = `Odoo at ${url} (database ${database})`;
	let call;
	try {
		call = await session(url, database, login, password);
	} catch (error) {
		const text = String(error.faultString ?? error.message);
		if (/database .* does not exist|OperationalError/i.test(text)) {
			throw new OdooCheckError(`${where}: there is no such database; check ODOO_DB.`);
		}
		if (/invalid credentials|AccessDenied/i.test(text)) {
			throw new OdooCheckError(
				`${where} refused the login ${login} with this password or API key; check ODOO_LOGIN and ODOO_PASSWORD ` +
					'(an API key of the integration user: logged in as it, My Profile › Account Security › New API Key).',
			);
		}
		throw new OdooCheckError(`${where} did not answer: ${text}. Check ODOO_URL and that Odoo is running.`);
	}
	let info;
	try {
		info = await call('governance.api', 'api_info', [{}]);
	} catch (error) {
		if (/governance\.api|doesn't exist|does not exist/i.test(error.message)) {
			throw new OdooCheckError(
				`${where}: the Distribution Governance addon is not installed (governance.api is missing); ` +
					'install it with -i distribution_governance (see the README, "Installing the addon into an existing Odoo").',
			);
		}
		throw new OdooCheckError(`${where}: governance.api api_info failed as ${login}: ${error.message}`);
	}
	if (major(info.api_version) !== major(apiVersion)) {
		throw new OdooCheckError(
			`${where}: the addon speaks API ${info.api_version} (addon ${info.addon_version}), this package needs API ` +
				`${major(apiVersion)}.x; install the addon and the package from the same release.`,
		);
	}
	if (!info.integration) {
		throw new OdooCheckError(
			`${where}: ${login} is not in the group Distribution Governance / Integration (API); ` +
				'add the group on the user form (Settings › Users).',
		);
	}
	return { uid: call.uid, info };
}

module.exports = { checkOdoo, OdooCheckError, CONTRACT_API_VERSION };
