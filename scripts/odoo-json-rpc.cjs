/**
 * Odoo's external API over /jsonrpc with plain fetch, for scripts and tests that set up data
 * or look at it as named users (scripts/walkthrough-two-tiers.mjs, the real-Odoo end-to-end
 * test). The n8n nodes have their own transport (nodes/shared/transport).
 */
'use strict';

/** An Odoo error answered over JSON-RPC, with Odoo's own message. */
class OdooRpcError extends Error {
	constructor(error) {
		super(error.data?.message ?? error.message);
		this.name = 'OdooRpcError';
		this.exception = error.data?.name;
	}
}

async function rpc(url, service, method, args) {
	const response = await fetch(`${url.replace(/\/+$/, '')}/jsonrpc`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args } }),
	});
	if (!response.ok) throw new Error(`${url}/jsonrpc answered HTTP ${response.status}`);
	const body = await response.json();
	if (body.error) throw new OdooRpcError(body.error);
	return body.result;
}

/**
 * Log in as `login` and return `call(model, method, args, kwargs)`, which runs `execute_kw` as
 * that user (so Odoo checks that user's rights), with `call.uid`.
 */
async function session(url, db, login, password) {
	const uid = await rpc(url, 'common', 'login', [db, login, password]);
	if (!uid) throw new Error(`Odoo ${url} (database ${db}) refused the login ${login}`);
	const call = (model, method, args, kwargs = {}) =>
		rpc(url, 'object', 'execute_kw', [db, uid, password, model, method, args, kwargs]);
	call.uid = uid;
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

module.exports = { OdooRpcError, rpc, session, xmlId };
