/**
 * The one Odoo client every node uses: calls `governance.api` methods (contract/api/methods.json)
 * over legacy JSON-RPC (Odoo 17/18) or JSON-2 (Odoo 19+), validates the answer with zod and turns
 * every failure into a NodeApiError that carries Odoo's own message.
 *
 * Only calls that carry an `idempotency_key` are retried: Odoo promises that a repeated key
 * changes nothing, so a retry after a lost answer cannot decide or register twice.
 */
import { createHash } from 'crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { governanceResults, type GovernanceMethod, type GovernanceResult } from './results';

export const ODOO_CREDENTIAL_TYPE = 'distributionGovernanceOdooApi';
export const GOVERNANCE_MODEL = 'governance.api';

export type OdooContext = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export interface OdooCredentials {
	url: string;
	database: string;
	login: string;
	secret: string;
	protocol: 'jsonRpc' | 'json2';
}

interface HttpResponse {
	statusCode: number;
	statusMessage?: string;
	body: unknown;
}

/** Pauses before the 2nd and 3rd attempt of a retryable call. */
export const RETRY_DELAYS_MS = [500, 1500];
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const REQUEST_TIMEOUT_MS = 30_000;
// contract/api/methods.json, errors: a sentence, then `[dg:<code>]` at the end (addons before
// that convention put the code at the start).
const DG_CODE_AT_END = /\[(dg:[a-z_]+)\]\s*$/;
const DG_CODE_AT_START = /^\[(dg:[a-z_]+)\]/;
const ACCESS_DENIED = 'odoo.exceptions.AccessDenied';

// Odoo hashes the password or API key with 600,000 PBKDF2 rounds at every `authenticate`, while
// execute_kw's check of (uid, secret) is cached in Odoo; 20 webhook requests logging in at once
// took Odoo 20 s or more. So the uid of a credential is remembered, and a login in flight is
// shared, keyed by a hash of URL, database, login and secret: a changed credential logs in
// afresh. It is a cache of what the credential already says, not state: a process without it
// logs in, and Odoo refusing a remembered uid makes the call log in once more.
const uids = new Map<string, Promise<number>>();
const MAX_REMEMBERED_LOGINS = 100;

const credentialKey = (credentials: OdooCredentials) =>
	createHash('sha256')
		.update(JSON.stringify([baseUrl(credentials), credentials.database, credentials.login, credentials.secret]))
		.digest('hex');

/** Forget every remembered login (tests). */
export function forgetOdooLogins(): void {
	uids.clear();
}

/** The contract error code (`dg:not_found`, …) of an Odoo message, if any. */
export function odooErrorCode(error: unknown): string | undefined {
	const message = error instanceof Error ? error.message : '';
	return (DG_CODE_AT_END.exec(message) ?? DG_CODE_AT_START.exec(message))?.[1];
}

const baseUrl = (credentials: OdooCredentials) => credentials.url.trim().replace(/\/+$/, '');

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function apiError(
	context: OdooContext,
	cause: JsonObject,
	message: string,
	description: string,
	itemIndex?: number,
): NodeApiError {
	return new NodeApiError(context.getNode(), cause, { message, description, itemIndex });
}

/** An error Odoo raised (JSON-RPC `error.data`, or the JSON-2 error body). */
function odooRaised(
	context: OdooContext,
	credentials: OdooCredentials,
	what: string,
	raised: { name?: unknown; message?: unknown },
	itemIndex?: number,
): NodeApiError {
	const name = typeof raised.name === 'string' ? raised.name : 'Odoo error';
	const message = typeof raised.message === 'string' && raised.message ? raised.message : name;
	const addonMissing = /governance\.api/.test(message) && /exist/i.test(message);
	const description = addonMissing
		? `The Distribution Governance addon is not installed in database "${credentials.database}" (${name} from ${what})`
		: `${name} from ${what}`;
	return apiError(context, { name, message }, message, description, itemIndex);
}

async function post(
	context: OdooContext,
	credentials: OdooCredentials,
	path: string,
	body: IDataObject,
	retry: boolean,
	itemIndex?: number,
): Promise<HttpResponse> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${baseUrl(credentials)}${path}`,
		body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: REQUEST_TIMEOUT_MS,
		// The credential's `authenticate` headers, from the credentials this call already holds:
		// httpRequestWithAuthentication would load and decrypt them again and evaluate both header
		// expressions in n8n's expression sandbox, on every call (bench/README.md, "where the time goes").
		headers: { Authorization: `bearer ${credentials.secret}`, 'X-Odoo-Database': credentials.database },
	};
	const attempts = retry ? RETRY_DELAYS_MS.length + 1 : 1;
	for (let attempt = 1; ; attempt++) {
		let response: HttpResponse;
		try {
			response = (await context.helpers.httpRequest(request)) as HttpResponse;
		} catch (error) {
			if (attempt < attempts) {
				await sleep(RETRY_DELAYS_MS[attempt - 1]);
				continue;
			}
			throw apiError(
				context,
				error as JsonObject,
				`Cannot reach Odoo at ${baseUrl(credentials)}: ${(error as Error).message}`,
				`POST ${request.url} failed after ${attempt} attempt(s)`,
				itemIndex,
			);
		}
		if (TRANSIENT_STATUS.has(response.statusCode) && attempt < attempts) {
			await sleep(RETRY_DELAYS_MS[attempt - 1]);
			continue;
		}
		return response;
	}
}

function unexpectedStatus(
	context: OdooContext,
	credentials: OdooCredentials,
	path: string,
	response: HttpResponse,
	itemIndex?: number,
): NodeApiError {
	const hint =
		response.statusCode === 404
			? credentials.protocol === 'json2'
				? 'this Odoo has no JSON-2 API (choose JSON-RPC for Odoo 17 and 18 in the credential) or the addon is not installed'
				: 'no Odoo answers at this URL'
			: `HTTP ${response.statusCode}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
	return apiError(
		context,
		{ httpCode: String(response.statusCode) },
		`Odoo at ${baseUrl(credentials)} answered POST ${path} with HTTP ${response.statusCode}: ${hint}`,
		`Check the URL and API in the "${ODOO_CREDENTIAL_TYPE}" credential`,
		itemIndex,
	);
}

async function jsonRpc(
	context: OdooContext,
	credentials: OdooCredentials,
	what: string,
	service: string,
	method: string,
	args: unknown[],
	retry: boolean,
	itemIndex?: number,
): Promise<unknown> {
	const response = await post(
		context,
		credentials,
		'/jsonrpc',
		{ jsonrpc: '2.0', method: 'call', id: 1, params: { service, method, args } },
		retry,
		itemIndex,
	);
	if (response.statusCode !== 200) {
		throw unexpectedStatus(context, credentials, '/jsonrpc', response, itemIndex);
	}
	const body = response.body;
	if (!isObject(body) || (!('result' in body) && !isObject(body.error))) {
		throw apiError(context, {}, `Odoo answered ${what} with something other than JSON-RPC`, 'POST /jsonrpc', itemIndex);
	}
	if (isObject(body.error)) {
		const data = isObject(body.error.data) ? body.error.data : body.error;
		throw odooRaised(context, credentials, what, data, itemIndex);
	}
	return body.result;
}

function login(context: OdooContext, credentials: OdooCredentials, itemIndex?: number): Promise<number> {
	const key = credentialKey(credentials);
	let session = uids.get(key);
	if (!session) {
		session = (async () => {
			const uid = await jsonRpc(
				context,
				credentials,
				'common.authenticate',
				'common',
				'authenticate',
				[credentials.database, credentials.login, credentials.secret, {}],
				false,
				itemIndex,
			);
			if (typeof uid !== 'number') {
				throw apiError(
					context,
					{},
					`Odoo refused the login "${credentials.login}" for database "${credentials.database}"`,
					'Check the login and the API key or password in the credential',
					itemIndex,
				);
			}
			return uid;
		})();
		if (uids.size >= MAX_REMEMBERED_LOGINS) uids.clear();
		uids.set(key, session);
		session.catch(() => uids.delete(key));
	}
	return session;
}

async function callJsonRpc(
	context: OdooContext,
	credentials: OdooCredentials,
	method: GovernanceMethod,
	params: IDataObject,
	retry: boolean,
	itemIndex?: number,
): Promise<unknown> {
	const call = async () => {
		const uid = await login(context, credentials, itemIndex);
		return await jsonRpc(
			context,
			credentials,
			`${GOVERNANCE_MODEL}.${method}`,
			'object',
			'execute_kw',
			[credentials.database, uid, credentials.secret, GOVERNANCE_MODEL, method, [params], {}],
			retry,
			itemIndex,
		);
	};
	const first = await call().then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	if ('value' in first) return first.value;
	const refusedUid =
		first.error instanceof NodeApiError && first.error.description?.startsWith(`${ACCESS_DENIED} from `);
	if (!refusedUid) throw first.error;
	// The remembered uid no longer goes with this secret (user or key changed in Odoo).
	uids.delete(credentialKey(credentials));
	return await call();
}

async function callJson2(
	context: OdooContext,
	credentials: OdooCredentials,
	method: GovernanceMethod,
	params: IDataObject,
	retry: boolean,
	itemIndex?: number,
): Promise<unknown> {
	const path = `/json/2/${GOVERNANCE_MODEL}/${method}`;
	const response = await post(context, credentials, path, { payload: params }, retry, itemIndex);
	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
	if (isObject(response.body) && typeof response.body.message === 'string') {
		throw odooRaised(context, credentials, `${GOVERNANCE_MODEL}.${method}`, response.body, itemIndex);
	}
	throw unexpectedStatus(context, credentials, path, response, itemIndex);
}

/**
 * Call one `governance.api` method with its params object and return Odoo's validated answer.
 * Errors: NodeApiError whose message is Odoo's own (`<sentence> [dg:<code>]`), with `itemIndex` when given.
 */
export async function callGovernanceApi<M extends GovernanceMethod>(
	context: OdooContext,
	method: M,
	params: IDataObject,
	itemIndex?: number,
): Promise<GovernanceResult<M>> {
	const credentials = await context.getCredentials<OdooCredentials & IDataObject>(ODOO_CREDENTIAL_TYPE);
	const retry = typeof params.idempotency_key === 'string' && params.idempotency_key.length > 0;
	const raw =
		credentials.protocol === 'json2'
			? await callJson2(context, credentials, method, params, retry, itemIndex)
			: await callJsonRpc(context, credentials, method, params, retry, itemIndex);
	const parsed = governanceResults[method].safeParse(raw);
	if (!parsed.success) {
		const issues = parsed.error.issues
			.slice(0, 3)
			.map((issue) => `${issue.path.join('.') || '<root>'}: ${issue.message}`)
			.join('; ');
		throw apiError(
			context,
			{ issues },
			`Odoo answered ${GOVERNANCE_MODEL}.${method} in an unexpected shape (${issues})`,
			'Is the Distribution Governance addon in Odoo the same API version as this n8n package?',
			itemIndex,
		);
	}
	return parsed.data as GovernanceResult<M>;
}
