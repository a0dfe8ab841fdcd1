import nock from 'nock';
import { NodeApiError } from 'n8n-workflow';

import contract from '../../../../contract/api/methods.json';
import errorMessages from '../../../../contract/vectors/error-messages.json';
import {
	callGovernanceApi,
	forgetOdooLogins,
	governanceResults,
	odooErrorCode,
	RETRY_DELAYS_MS,
} from '../../../../nodes/shared/transport';
import { CREDENTIALS, executeContext, fakeOdoo, OdooFault, UID } from '../../helpers/contexts';
import { wireHttp } from '../../helpers/wireHttp';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => undefined),
}));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sleep } = require('n8n-workflow') as { sleep: jest.Mock };

const decision = {
	review_id: 12,
	request_id: 4,
	request_state: 'approved',
	outcome: 'approve',
	actor: { login: 'anna', name: 'Anna', email: 'anna@acme.example' },
	on_behalf_of: null,
};

const decideParams = { review_id: 12, actor: 'anna', outcome: 'approve', idempotency_key: `decision-${12}-anna` };

beforeEach(() => {
	sleep.mockClear();
	forgetOdooLogins();
});

describe('JSON-RPC (Odoo 17/18)', () => {
	it('logs in once per node run, then calls governance.api with one params object', async () => {
		const http = fakeOdoo({ decide: () => decision, api_info: () => ({}) });
		const { context } = executeContext({ parameters: {}, http });

		const answer = await callGovernanceApi(context, 'decide', decideParams);
		await callGovernanceApi(context, 'decide', decideParams);

		expect(answer).toEqual(decision);
		expect(http).toHaveBeenCalledTimes(3);
		const [login, call] = http.mock.calls.map(([type, request]) => ({ type, request }));
		expect(login.type).toBe('distributionGovernanceOdooApi');
		expect(login.request).toEqual({
			method: 'POST',
			url: 'https://erp.acme.example/jsonrpc',
			body: {
				jsonrpc: '2.0',
				method: 'call',
				id: 1,
				params: { service: 'common', method: 'authenticate', args: ['acme', 'n8n-integration', 'api-key-123', {}] },
			},
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30000,
			// The credential's authenticate headers, set from the credentials already loaded.
			headers: { Authorization: 'bearer api-key-123', 'X-Odoo-Database': 'acme' },
		});
		expect(call.request.body).toEqual({
			jsonrpc: '2.0',
			method: 'call',
			id: 1,
			params: {
				service: 'object',
				method: 'execute_kw',
				args: ['acme', UID, 'api-key-123', 'governance.api', 'decide', [decideParams], {}],
			},
		});
	});

	it("surfaces Odoo's own message as a NodeApiError with the item index", async () => {
		const http = fakeOdoo({
			decide: () => {
				throw new OdooFault(
					'odoo.exceptions.AccessError',
					'[dg:not_eligible] bob@acme.example is not an eligible approver of review 12',
				);
			},
		});
		const { context } = executeContext({ parameters: {}, http });

		const error = await callGovernanceApi(context, 'decide', decideParams, 3).catch((e) => e);

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('[dg:not_eligible] bob@acme.example is not an eligible approver of review 12');
		expect(error.description).toBe('odoo.exceptions.AccessError from governance.api.decide');
		expect(error.context.itemIndex).toBe(3);
		expect(odooErrorCode(error)).toBe('dg:not_eligible');
		// An Odoo business error is an answer, not a lost request: never retried.
		expect(http).toHaveBeenCalledTimes(2);
	});

	it('reads the code after the sentence, as the addon writes it, and at the start, as older addons did', () => {
		const blocked = 'PO00012 is blocked by policy Purchasing v3: High-risk vendors are blocked [dg:blocked]';
		expect(odooErrorCode(new Error(blocked))).toBe('dg:blocked');
		expect(odooErrorCode(new Error('[dg:not_pending] review 12 is closed'))).toBe('dg:not_pending');
		expect(odooErrorCode(new Error('a [dg:quoted] code in the middle is not one'))).toBeUndefined();
		expect(odooErrorCode('not an error')).toBeUndefined();
	});

	it.each(errorMessages.cases)('reads the code the addon writes: $name (contract/vectors/error-messages.json)', (vector) => {
		expect(odooErrorCode(new Error(vector.message))).toBe(`dg:${vector.code}`);
	});

	it.each(errorMessages.not_codes)('finds no code: $name', (vector) => {
		expect(odooErrorCode(new Error(vector.message))).toBeUndefined();
	});

	it('parses a pending review without a due time (results hold no null)', () => {
		const review = {
			review_id: 1,
			request_id: 2,
			request_ref: 'APR/1',
			document: { model: 'purchase.order', id: 3 },
			level: 2,
			tier_name: 'Operations',
			rule: 'po-10k-ops',
			min_approvals: 1,
			approvals: 0,
			eligible_approvers: [{ login: 'olga', name: 'Olga' }],
			requester: { login: 'buyer', name: 'Buyer' },
		};
		const parsed = governanceResults.list_pending_reviews.parse({ reviews: [review] });
		expect(parsed.reviews[0].due).toBeUndefined();
	});

	it('says when the addon is not installed', async () => {
		const http = fakeOdoo({}, (request) => {
			const params = (request.body as { params: { service: string } }).params;
			if (params.service !== 'object') return undefined;
			return {
				statusCode: 200,
				body: { error: { message: 'Odoo Server Error', data: { name: 'builtins.Exception', message: "Object governance.api doesn't exist" } } },
			};
		});
		const { context } = executeContext({ parameters: {}, http });

		const error = await callGovernanceApi(context, 'api_info', {}).catch((e) => e);

		expect(error.message).toBe("Object governance.api doesn't exist");
		expect(error.description).toMatch(/addon is not installed in database "acme"/);
	});

	it('names a refused login', async () => {
		const http = fakeOdoo({}, () => ({ statusCode: 200, body: { jsonrpc: '2.0', id: 1, result: false } }));
		const { context } = executeContext({ parameters: {}, http });

		await expect(callGovernanceApi(context, 'api_info', {})).rejects.toThrow(
			'Odoo refused the login "n8n-integration" for database "acme"',
		);
	});

	it('explains a 404 on /jsonrpc', async () => {
		const http = fakeOdoo({}, () => ({ statusCode: 404, body: 'Not Found' }));
		const { context } = executeContext({ parameters: {}, http });

		await expect(callGovernanceApi(context, 'api_info', {})).rejects.toThrow(
			'Odoo at https://erp.acme.example answered POST /jsonrpc with HTTP 404: no Odoo answers at this URL',
		);
	});

	it('rejects an answer in the wrong shape, naming the field', async () => {
		const http = fakeOdoo({ register_subscription: () => ({ subscription_id: 'seven' }) });
		const { context } = executeContext({ parameters: {}, http });

		await expect(
			callGovernanceApi(context, 'register_subscription', {
				url: 'https://n8n/x',
				event_types: ['approval.requested'],
				secret: 'whsec_x',
				idempotency_key: 'n8n-subscription:1',
			}),
		).rejects.toThrow(/unexpected shape \(subscription_id: Expected number, received string\)/);
	});
});

describe('JSON-2 (Odoo 19+)', () => {
	const json2 = { ...CREDENTIALS, protocol: 'json2' };

	it('posts the params as payload to /json/2/governance.api/<method>', async () => {
		const http = fakeOdoo({ decide: () => decision });
		const { context } = executeContext({ parameters: {}, http, credentials: json2 });

		await expect(callGovernanceApi(context, 'decide', decideParams)).resolves.toEqual(decision);

		expect(http).toHaveBeenCalledTimes(1);
		expect(http.mock.calls[0][1]).toMatchObject({
			method: 'POST',
			url: 'https://erp.acme.example/json/2/governance.api/decide',
			body: { payload: decideParams },
		});
	});

	it("surfaces Odoo's error body", async () => {
		const http = fakeOdoo({
			decide: () => {
				throw new OdooFault('odoo.exceptions.UserError', '[dg:not_pending] review 12 is no longer waiting for a decision');
			},
		});
		const { context } = executeContext({ parameters: {}, http, credentials: json2 });

		const error = await callGovernanceApi(context, 'decide', decideParams).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('[dg:not_pending] review 12 is no longer waiting for a decision');
		expect(odooErrorCode(error)).toBe('dg:not_pending');
	});

	it('explains a 404 as a missing JSON-2 API', async () => {
		const http = fakeOdoo({}, () => ({ statusCode: 404, body: '<html>' }));
		const { context } = executeContext({ parameters: {}, http, credentials: json2 });

		await expect(callGovernanceApi(context, 'api_info', {})).rejects.toThrow(/this Odoo has no JSON-2 API/);
	});
});

describe('retries', () => {
	const flaky = (failures: Array<Error | { statusCode: number; body: string }>) => {
		let calls = 0;
		return fakeOdoo({ decide: () => decision, list_pending_reviews: () => ({ reviews: [] }) }, (request) => {
			const params = (request.body as { params: { service: string } }).params;
			if (params.service !== 'object') return undefined;
			return failures[calls++];
		});
	};

	it('retries a call that carries an idempotency key after a network failure or a 503', async () => {
		const http = flaky([new Error('socket hang up'), { statusCode: 503, body: 'busy' }]);
		const { context } = executeContext({ parameters: {}, http });

		await expect(callGovernanceApi(context, 'decide', decideParams)).resolves.toEqual(decision);

		expect(http).toHaveBeenCalledTimes(4); // login + 3 attempts
		expect(sleep.mock.calls).toEqual(RETRY_DELAYS_MS.map((delay) => [delay]));
	});

	it('gives up after the last attempt with a clear message', async () => {
		const http = flaky([new Error('ECONNREFUSED'), new Error('ECONNREFUSED'), new Error('ECONNREFUSED')]);
		const { context } = executeContext({ parameters: {}, http });

		const error = await callGovernanceApi(context, 'decide', decideParams, 0).catch((e) => e);

		// n8n's own wording for a refused connection; where and how often is in the description.
		expect(error.message).toBe('The service refused the connection - perhaps it is offline');
		expect(error.description).toBe('POST https://erp.acme.example/jsonrpc failed after 3 attempt(s)');
		expect(error.context.itemIndex).toBe(0);
		expect(http).toHaveBeenCalledTimes(4);
	});

	it('never retries a call without an idempotency key', async () => {
		const http = flaky([new Error('socket hang up')]);
		const { context } = executeContext({ parameters: {}, http });

		await expect(callGovernanceApi(context, 'list_pending_reviews', {})).rejects.toThrow('socket hang up');
		expect(http).toHaveBeenCalledTimes(2);
		expect(sleep).not.toHaveBeenCalled();
	});
});

describe('remembered logins', () => {
	it('logs in once for every run with the same credential, again for another secret', async () => {
		const http = fakeOdoo({ api_info: () => ({}) });
		const login = () => http.mock.calls.filter(([, request]) => JSON.stringify(request.body).includes('authenticate'));
		await callGovernanceApi(executeContext({ parameters: {}, http }).context, 'api_info', {}).catch(() => undefined);
		await callGovernanceApi(executeContext({ parameters: {}, http }).context, 'api_info', {}).catch(() => undefined);
		expect(login()).toHaveLength(1);
		const rotated = { ...CREDENTIALS, secret: 'api-key-456' };
		await callGovernanceApi(executeContext({ parameters: {}, http, credentials: rotated }).context, 'api_info', {}).catch(() => undefined);
		expect(login()).toHaveLength(2);
	});

	it('logs in once more when Odoo refuses a remembered uid', async () => {
		let refuse = false;
		const http = fakeOdoo({
			api_info: () => {
				if (refuse) {
					refuse = false;
					throw new OdooFault('odoo.exceptions.AccessDenied', 'Access Denied');
				}
				return { api_version: '1.0', addon_version: '18.0', database: 'acme', user: { login: 'n8n', name: 'n8n' }, event_types: [] };
			},
		});
		await callGovernanceApi(executeContext({ parameters: {}, http }).context, 'api_info', {});
		refuse = true;
		await expect(callGovernanceApi(executeContext({ parameters: {}, http }).context, 'api_info', {})).resolves.toHaveProperty('database', 'acme');
		const services = http.mock.calls.map(([, request]) => (request.body as { params: { service: string } }).params.service);
		expect(services).toEqual(['common', 'object', 'object', 'common', 'object']);
	});
});

describe('on the wire (nock)', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	const claim = { subscription_id: 31, event_id: 'evt-1', idempotency_key: 'n8n-claim:0123456789' };
	const claimed = { claimed: true, started: false, subscription_id: 31, event_id: 'evt-1', claimed_at: '2026-11-29T10:00:00Z' };

	it('JSON-RPC: one login, then execute_kw with the params object, as JSON with the credential headers', async () => {
		const scope = nock('https://erp.acme.example', {
			reqheaders: { 'content-type': 'application/json', 'x-odoo-database': 'acme', authorization: 'bearer api-key-123' },
		})
			.post('/jsonrpc', {
				jsonrpc: '2.0',
				method: 'call',
				id: 1,
				params: { service: 'common', method: 'authenticate', args: ['acme', 'n8n-integration', 'api-key-123', {}] },
			})
			.reply(200, { jsonrpc: '2.0', id: 1, result: UID })
			.post('/jsonrpc', {
				jsonrpc: '2.0',
				method: 'call',
				id: 1,
				params: {
					service: 'object',
					method: 'execute_kw',
					args: ['acme', UID, 'api-key-123', 'governance.api', 'claim_delivery', [claim], {}],
				},
			})
			.reply(200, { jsonrpc: '2.0', id: 1, result: claimed });
		const { context } = executeContext({ parameters: {}, http: wireHttp() as never });

		await expect(callGovernanceApi(context, 'claim_delivery', claim)).resolves.toEqual(claimed);
		expect(scope.isDone()).toBe(true);
	});

	it('JSON-2: the params as payload to /json/2/governance.api/<method> with the bearer key and database', async () => {
		const scope = nock('https://erp.acme.example', {
			reqheaders: { authorization: 'bearer api-key-123', 'x-odoo-database': 'acme' },
		})
			.post('/json/2/governance.api/claim_delivery', { payload: claim })
			.reply(200, claimed);
		const { context } = executeContext({
			parameters: {},
			http: wireHttp() as never,
			credentials: { ...CREDENTIALS, protocol: 'json2' },
		});

		await expect(callGovernanceApi(context, 'claim_delivery', claim)).resolves.toEqual(claimed);
		expect(scope.isDone()).toBe(true);
	});

	it("a claim Odoo answers with a null is refused as the wrong shape (the contract's results hold no null)", async () => {
		nock('https://erp.acme.example')
			.post('/json/2/governance.api/claim_delivery')
			.reply(200, { ...claimed, claimed_at: null });
		const { context } = executeContext({
			parameters: {},
			http: wireHttp() as never,
			credentials: { ...CREDENTIALS, protocol: 'json2' },
		});

		await expect(callGovernanceApi(context, 'claim_delivery', claim)).rejects.toThrow(/unexpected shape \(claimed_at: /);
	});
});

it('validates the answer of every method of the contract, and only those', () => {
	expect(Object.keys(governanceResults).sort()).toEqual(Object.keys(contract.methods).sort());
});
