import { mock } from 'jest-mock-extended';
import nock from 'nock';
import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';
import { Webhook } from 'standardwebhooks';

import example from '../../../contract/events/examples/approval.requested.json';
import { CLAIM_FIELD } from '../../../nodes/OdooGovernanceTrigger/delivery';
import { OdooGovernanceTrigger } from '../../../nodes/OdooGovernanceTrigger/OdooGovernanceTrigger.node';
import { generateSecret, signatureHeader } from '../../../nodes/shared/signature';
import { forgetOdooLogins, RETRY_DELAYS_MS } from '../../../nodes/shared/transport';
import {
	CREDENTIALS,
	fakeOdoo,
	hookContext,
	odooHelpers,
	OdooFault,
	UID,
	WEBHOOK_URL,
	webhookContext,
} from '../helpers/contexts';
import { wireHttp } from '../helpers/wireHttp';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => undefined),
}));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sleep } = require('n8n-workflow') as { sleep: jest.Mock };

const trigger = new OdooGovernanceTrigger();
const lifecycle = trigger.webhookMethods.default;
const parameters = {
	eventTypes: ['approval.requested', 'approval.completed'],
	filters: { documentModels: 'purchase.order, sale.order', companyIds: '1' },
};

function calls(http: ReturnType<typeof fakeOdoo>) {
	return http.mock.calls
		.map(([, request]) => (request.body as { params: { method: string; args: unknown[] } }).params)
		.filter((params) => params.method === 'execute_kw')
		.map((params) => ({ method: params.args[4], params: (params.args[5] as IDataObject[])[0] }));
}

describe('subscription lifecycle', () => {
	it('registers a subscription with a fresh secret and remembers it', async () => {
		const http = fakeOdoo({ register_subscription: () => ({ subscription_id: 31 }) });
		const { context, staticData } = hookContext(parameters, http);

		await expect(lifecycle.create.call(context)).resolves.toBe(true);

		const [call] = calls(http);
		expect(call.method).toBe('register_subscription');
		expect(call.params).toEqual({
			url: WEBHOOK_URL,
			event_types: ['approval.completed', 'approval.requested'],
			secret: staticData.secret,
			name: 'n8n: Procurement approval / Odoo Governance Trigger',
			filters: { document_models: ['purchase.order', 'sale.order'], company_ids: [1] },
			idempotency_key: expect.stringMatching(/^n8n-subscription:[0-9a-f]{48}$/),
		});
		expect(staticData).toMatchObject({ subscriptionId: 31, secret: expect.stringMatching(/^whsec_/) });
	});

	it('uses a new secret and a new idempotency key for every registration', async () => {
		const http = fakeOdoo({ register_subscription: () => ({ subscription_id: 31 }) });
		await lifecycle.create.call(hookContext(parameters, http).context);
		await lifecycle.create.call(hookContext(parameters, http).context);

		const [first, second] = calls(http).map((call) => call.params);
		expect(first.secret).not.toBe(second.secret);
		expect(first.idempotency_key).not.toBe(second.idempotency_key);
	});

	it('knows nothing exists before the first registration, without asking Odoo', async () => {
		const http = fakeOdoo({});
		await expect(lifecycle.checkExists.call(hookContext(parameters, http).context)).resolves.toBe(false);
		expect(http).not.toHaveBeenCalled();
	});

	async function registered(methods: Parameters<typeof fakeOdoo>[0]) {
		const http = fakeOdoo({ register_subscription: () => ({ subscription_id: 31 }), ...methods });
		const staticData: IDataObject = {};
		await lifecycle.create.call(hookContext(parameters, http, staticData).context);
		http.mockClear();
		return { http, staticData };
	}

	it('keeps a subscription Odoo still has', async () => {
		const { http, staticData } = await registered({ subscription_exists: () => ({ exists: true, active: true }) });

		await expect(lifecycle.checkExists.call(hookContext(parameters, http, staticData).context)).resolves.toBe(true);
		expect(calls(http)).toEqual([
			{ method: 'subscription_exists', params: { subscription_id: 31, url: WEBHOOK_URL } },
		]);
	});

	it('forgets a subscription that vanished from Odoo, so n8n registers a new one', async () => {
		const { http, staticData } = await registered({ subscription_exists: () => ({ exists: false, active: false }) });

		await expect(lifecycle.checkExists.call(hookContext(parameters, http, staticData).context)).resolves.toBe(false);
		expect(staticData.subscriptionId).toBeUndefined();
		expect(staticData.secret).toBeUndefined();
	});

	it('replaces a subscription deactivated in Odoo', async () => {
		const { http, staticData } = await registered({
			subscription_exists: () => ({ exists: true, active: false }),
			remove_subscription: () => ({ removed: true }),
		});

		await expect(lifecycle.checkExists.call(hookContext(parameters, http, staticData).context)).resolves.toBe(false);
		expect(calls(http).map((call) => call.method)).toEqual(['subscription_exists', 'remove_subscription']);
		expect(staticData.subscriptionId).toBeUndefined();
	});

	it('replaces the subscription when the event types change', async () => {
		const { http, staticData } = await registered({ remove_subscription: () => ({ removed: true }) });
		const changed = { ...parameters, eventTypes: ['exception.raised'] };

		await expect(lifecycle.checkExists.call(hookContext(changed, http, staticData).context)).resolves.toBe(false);
		expect(calls(http)).toEqual([{ method: 'remove_subscription', params: { subscription_id: 31 } }]);
	});

	it('removes the subscription on deactivation', async () => {
		const { http, staticData } = await registered({ remove_subscription: () => ({ removed: true }) });

		await expect(lifecycle.delete.call(hookContext(parameters, http, staticData).context)).resolves.toBe(true);
		expect(calls(http)).toEqual([{ method: 'remove_subscription', params: { subscription_id: 31 } }]);
		expect(staticData.secret).toBeUndefined();
	});

	it('logs a failed removal and keeps the subscription to retry later', async () => {
		const { http, staticData } = await registered({
			remove_subscription: () => {
				throw new OdooFault('odoo.exceptions.AccessError', '[dg:forbidden] n8n-integration lacks the integration group');
			},
		});
		const { context } = hookContext(parameters, http, staticData);

		await expect(lifecycle.delete.call(context)).resolves.toBe(false);
		expect(context.logger.warn).toHaveBeenCalledWith(expect.stringContaining('[dg:forbidden]'));
		expect(staticData.subscriptionId).toBe(31);
	});

	it('surfaces a failed registration as an error', async () => {
		const http = fakeOdoo({
			register_subscription: () => {
				throw new OdooFault('odoo.exceptions.ValidationError', '[dg:invalid_params] url: must be a URI');
			},
		});
		await expect(lifecycle.create.call(hookContext(parameters, http).context)).rejects.toThrow(
			'[dg:invalid_params] url: must be a URI',
		);
	});
});

describe('deliveries', () => {
	const secret = generateSecret();
	const now = () => Math.floor(Date.now() / 1000);
	const body = JSON.stringify(example);
	const ODOO = 'https://erp.acme.example';
	const CLAIM_KEY = /^n8n-claim:[0-9a-f]{36}$/;

	beforeAll(() => nock.disableNetConnect());
	beforeEach(() => forgetOdooLogins());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	interface ClaimRequest {
		headers: Record<string, string | string[] | undefined>;
		params: IDataObject;
	}

	/**
	 * Odoo on the wire: the login, then claim_delivery answered by `answer` (a JSON-RPC result,
	 * or an Odoo fault). Every claim request is recorded with its headers.
	 */
	function odoo(answer: (params: IDataObject) => unknown, times = 1) {
		const claims: ClaimRequest[] = [];
		nock(ODOO)
			.post('/jsonrpc', {
				jsonrpc: '2.0',
				method: 'call',
				id: 1,
				params: { service: 'common', method: 'authenticate', args: ['acme', 'n8n-integration', 'api-key-123', {}] },
			})
			// Once for all the requests: the login is remembered, and shared while in flight.
			.reply(200, { jsonrpc: '2.0', id: 1, result: UID });
		nock(ODOO)
			.post('/jsonrpc', (sent) => sent.params?.service === 'object')
			.times(times)
			.reply(function (_uri, sent) {
				const [database, uid, password, model, method, [params], kwargs] = (sent as { params: { args: unknown[] } })
					.params.args as [string, number, string, string, string, IDataObject[], IDataObject];
				expect([database, uid, password, model, method, kwargs]).toEqual([
					'acme',
					UID,
					'api-key-123',
					'governance.api',
					'claim_delivery',
					{},
				]);
				claims.push({ headers: this.req.headers, params });
				const result = answer(params);
				if (result instanceof OdooFault) {
					return [200, { jsonrpc: '2.0', id: 1, error: { code: 200, message: 'Odoo Server Error', data: result } }];
				}
				return [200, { jsonrpc: '2.0', id: 1, result }];
			});
		return claims;
	}

	// The execution's item: the event and the claim its execution confirms when it starts.
	const claimedEvent = {
		...example,
		[CLAIM_FIELD]: { subscriptionId: 31, key: expect.stringMatching(CLAIM_KEY) },
	};

	const claimed = (params: IDataObject, yes = true) => ({
		claimed: yes,
		started: false,
		subscription_id: params.subscription_id,
		event_id: params.event_id,
		claimed_at: '2026-11-29T10:00:00Z',
	});

	function deliver(
		options: { body?: string; headers?: Record<string, string>; signWith?: string; timestamp?: number } = {},
		staticData: IDataObject = { subscriptionId: 31, secret },
	) {
		const raw = options.body ?? body;
		const timestamp = options.timestamp ?? now();
		const headers = options.headers ?? {
			'content-type': 'application/json',
			'webhook-id': 'msg_1',
			'webhook-timestamp': String(timestamp),
			'webhook-signature': signatureHeader([options.signWith ?? secret], 'msg_1', timestamp, raw),
		};
		const http = wireHttp();
		const { context, response } = webhookContext(
			parameters,
			{ headers, rawBody: Buffer.from(raw, 'utf8') },
			staticData,
			http,
		);
		return { run: trigger.webhook.call(context), response, context, staticData, http };
	}

	it('claims the event in Odoo, then starts the workflow with the event as the item', async () => {
		const claims = odoo((params) => claimed(params));
		const { run, response } = deliver();
		await expect(run).resolves.toEqual({
			workflowData: [[{ json: claimedEvent }]],
			webhookResponse: { received: true, executed: true, id: example.id },
		});
		expect(response.statusCode).toBeUndefined();
		expect(claims).toHaveLength(1);
		expect(claims[0].params).toEqual({
			subscription_id: 31,
			event_id: example.id,
			idempotency_key: expect.stringMatching(CLAIM_KEY),
			confirms_start: true,
		});
		expect(claims[0].headers).toMatchObject({
			authorization: 'bearer api-key-123',
			'x-odoo-database': 'acme',
			'content-type': 'application/json',
		});
		expect(nock.isDone()).toBe(true);
	});

	it('starts nothing for an event another request already claimed', async () => {
		odoo((params) => ({ ...claimed(params, false), started: true }));
		const { run, response } = deliver();
		await expect(run).resolves.toEqual({ noWebhookResponse: true });
		expect(response).toEqual({
			statusCode: 200,
			body: { received: true, executed: false, id: example.id, reason: 'duplicate event id' },
		});
	});

	it('says so when the earlier claim has not started its execution yet (Odoo redelivers if it never does)', async () => {
		odoo((params) => claimed(params, false));
		const { run, response } = deliver();
		await expect(run).resolves.toEqual({ noWebhookResponse: true });
		expect(response.body).toMatchObject({
			executed: false,
			reason: 'duplicate event id: claimed by an earlier delivery whose execution has not started yet',
		});
	});

	it('starts one execution for 20 concurrent copies of one event, each claiming with its own key', async () => {
		const winners = new Map<string, string>();
		const claims = odoo((params) => {
			const key = `${params.subscription_id}/${params.event_id}`;
			if (!winners.has(key)) winners.set(key, params.idempotency_key as string);
			return claimed(params, winners.get(key) === params.idempotency_key);
		}, 20);
		const runs = await Promise.all(Array.from({ length: 20 }, () => deliver().run));
		expect(runs.filter((run) => 'workflowData' in run)).toHaveLength(1);
		expect(nock.isDone()).toBe(true); // one login for the 20
		expect(new Set(claims.map((claim) => claim.params.idempotency_key)).size).toBe(20);
	});

	it('keeps nothing in static data and asks Odoo again for a redelivery', async () => {
		const staticData: IDataObject = { subscriptionId: 31, secret };
		const claims = odoo((params) => claimed(params, claims.length === 1), 2);
		await expect(deliver({}, staticData).run).resolves.toHaveProperty('workflowData');
		await expect(deliver({}, staticData).run).resolves.toEqual({ noWebhookResponse: true });
		expect(staticData).toEqual({ subscriptionId: 31, secret });
		expect(claims).toHaveLength(2);
	});

	it('retries a lost claim answer with the same key', async () => {
		const keys: unknown[] = [];
		const claimKey = (sent: { params: { args: IDataObject[][] } }) => sent.params.args[5][0].idempotency_key;
		nock(ODOO).post('/jsonrpc', (sent) => sent.params?.service === 'common').reply(200, { jsonrpc: '2.0', id: 1, result: UID });
		nock(ODOO)
			.post('/jsonrpc', (sent) => sent.params?.service === 'object')
			.reply(function (_uri, sent) {
				keys.push(claimKey(sent as never));
				return [502, 'Bad Gateway'];
			})
			.post('/jsonrpc', (sent) => sent.params?.service === 'object')
			.reply(function (_uri, sent) {
				keys.push(claimKey(sent as never));
				return [200, { jsonrpc: '2.0', id: 1, result: claimed({ subscription_id: 31, event_id: example.id }) }];
			});
		await expect(deliver().run).resolves.toHaveProperty('workflowData');
		expect(sleep).toHaveBeenCalledWith(RETRY_DELAYS_MS[0]);
		expect(keys).toEqual([expect.stringMatching(CLAIM_KEY), keys[0]]);
	});

	it.each([
		['Odoo refuses the claim', () => odoo(() => new OdooFault('odoo.exceptions.MissingError', '[dg:not_found] Subscription 31 does not exist.'))],
		['Odoo is unreachable', () => nock(ODOO).post('/jsonrpc').reply(503, 'down')],
	])('answers 503 and runs nothing when %s', async (_name, setUp) => {
		setUp();
		const { run, response, context } = deliver();
		await expect(run).resolves.toEqual({ noWebhookResponse: true });
		expect(response).toEqual({
			statusCode: 503,
			body: { error: 'cannot claim the event in Odoo now; deliver it again later' },
		});
		expect(context.logger.warn).toHaveBeenCalledWith(
			expect.stringMatching(/^Odoo Governance Trigger refused a delivery: could not claim event /),
			{ workflowId: 'wf-1' },
		);
	});

	it('accepts what the reference Standard Webhooks library signs', async () => {
		odoo((params) => claimed(params));
		const timestamp = new Date();
		const signature = new Webhook(secret).sign('msg_ref', timestamp, body);
		const { context } = webhookContext(
			parameters,
			{
				headers: {
					'webhook-id': 'msg_ref',
					'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
					'webhook-signature': signature,
				},
				rawBody: Buffer.from(body),
			},
			{ subscriptionId: 31, secret },
			wireHttp(),
		);
		await expect(trigger.webhook.call(context)).resolves.toHaveProperty('workflowData');
	});

	it.each([
		['a forged signature', { signWith: generateSecret() }],
		['a replay older than five minutes', { timestamp: Math.floor(Date.now() / 1000) - 400 }],
		['a timestamp from the future', { timestamp: Math.floor(Date.now() / 1000) + 400 }],
		['missing signature headers', { headers: { 'content-type': 'application/json' } }],
	])('refuses %s with 401, runs nothing and claims nothing', async (_name, options) => {
		const { run, response, context, http } = deliver(options);
		await expect(run).resolves.toEqual({ noWebhookResponse: true });
		expect(response).toEqual({ statusCode: 401, body: { error: 'unauthorized' } });
		expect(context.logger.warn).toHaveBeenCalledWith(
			expect.stringMatching(/^Odoo Governance Trigger refused a delivery: /),
			{ workflowId: 'wf-1' },
		);
		expect(http).not.toHaveBeenCalled();
	});

	it('refuses a body altered after signing', async () => {
		const timestamp = now();
		const { context, response } = webhookContext(
			parameters,
			{
				headers: {
					'webhook-id': 'msg_1',
					'webhook-timestamp': String(timestamp),
					'webhook-signature': signatureHeader([secret], 'msg_1', timestamp, body),
				},
				rawBody: Buffer.from(body.replace('needs_approval', 'auto_approve')),
			},
			{ subscriptionId: 31, secret },
		);
		await expect(trigger.webhook.call(context)).resolves.toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(401);
	});

	it('fails closed when no secret or no subscription is stored', async () => {
		for (const staticData of [{}, { secret }]) {
			const { run, response, http } = deliver({}, staticData);
			await expect(run).resolves.toEqual({ noWebhookResponse: true });
			expect(response.statusCode).toBe(401);
			expect(http).not.toHaveBeenCalled();
		}
	});

	it('answers an event type the node does not listen to without running or claiming', async () => {
		const ping = JSON.stringify({ ...example, id: 'evt-ping', type: 'governance.ping', data: { subscription_id: 31, message: 'hi' } });
		const { run, response, http } = deliver({ body: ping });
		await expect(run).resolves.toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(200);
		expect(http).not.toHaveBeenCalled();
	});

	it('refuses a signed body that is not a governance event with 400', async () => {
		const { run, response } = deliver({ body: JSON.stringify({ hello: 'world' }) });
		await expect(run).resolves.toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(400);
		expect(response.body).toEqual({ error: expect.stringMatching(/^not a governance event: /) });
	});
});

it('loads the event types from Odoo', async () => {
	const context = mock<ILoadOptionsFunctions>();
	context.getCredentials.mockResolvedValue(CREDENTIALS as never);
	context.helpers = odooHelpers(
		fakeOdoo({
			list_event_types: () => ({
				event_types: [{ type: 'approval.requested', description: 'A governed document needs approval' }],
			}),
		}),
	) as never;

	await expect(trigger.methods.loadOptions.getEventTypes.call(context)).resolves.toEqual([
		{ name: 'approval.requested', value: 'approval.requested', description: 'A governed document needs approval' },
	]);
});
