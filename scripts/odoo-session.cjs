/**
 * Odoo's external API as a named user, over XML-RPC with odoo-await, for scripts and tests that
 * set up data or look at it (scripts/walkthrough-two-tiers.mjs, the real-Odoo end-to-end tests).
 * XML-RPC on purpose: it cannot carry a null, so every answer read here also checks that Odoo
 * keeps the no-null rule of the contract. The n8n nodes have their own transport
 * (nodes/shared/transport).
 */
'use strict';

const Odoo = require('odoo-await');

/** Odoo's fault code for an unexpected error, whose faultString is a traceback. */
const APPLICATION_ERROR = 1;

/**
 * An Odoo fault with Odoo's own message: the faultString of a user, access or missing-record
 * error, the last line of the traceback of any other.
 */
class OdooRpcError extends Error {
	constructor(fault, what) {
		const text = String(fault?.faultString ?? fault?.message ?? fault).trim();
		const message = fault?.faultCode === APPLICATION_ERROR ? text.split('\n').pop() : text;
		super(`${what}: ${message}`);
		this.name = 'OdooRpcError';
		this.faultCode = fault?.faultCode;
		this.faultString = text;
	}
}

/**
 * Log in as `login` and return `call(model, method, args, kwargs)`, which runs `execute_kw` as
 * that user (so Odoo checks that user's rights), with `call.uid`.
 */
async function session(url, db, login, password) {
	const odoo = new Odoo({ baseUrl: url.replace(/\/+$/, ''), db, username: login, password });
	try {
		await odoo.connect();
	} catch (error) {
		throw new OdooRpcError(error, `Odoo ${url} (database ${db}) refused the login ${login}`);
	}
	const call = async (model, method, args, kwargs = {}) => {
		try {
			return await odoo.execute_kw(model, method, [args, kwargs]);
		} catch (error) {
			throw new OdooRpcError(error, `${model}.${method}`);
		}
	};
	call.uid = odoo.uid;
	return call;
}

/** The database id of an XML id such as `base.group_user`, read through `call`. */
async function xmlId(call, name) {
	const [module, key] = name.split('.');
	const [row] = await call('ir.model.data', 'search_read', [[['module', '=', module], ['name', '=', key]]], {
		fields: ['res_id'],
	});
	if (!row) throw new Error(`Odoo has no record ${name}: is the addon installed?`);
	return row.res_id;
}

/** Odoo's version as the base module states it (e.g. "18.0.1.3"), read through `call`. */
async function serverVersion(call) {
	const [base] = await call('ir.module.module', 'search_read', [[['name', '=', 'base']]], { fields: ['latest_version'] });
	return base.latest_version;
}

module.exports = { OdooRpcError, session, serverVersion, xmlId };
