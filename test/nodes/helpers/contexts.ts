/**
 * Mocked n8n contexts for node unit tests. HTTP goes through `helpers.httpRequestWithAuthentication`,
 * a jest.fn backed by a scripted Odoo (`fakeOdoo`), so tests assert the exact requests sent.
 */
import { mock } from 'jest-mock-extended';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	IWebhookFunctions,
	Logger,
} from 'n8n-workflow';

import { forgetOdooLogins } from '../../../nodes/shared/transport';

export const CREDENTIALS = {
	url: 'https://erp.acme.example/',
	database: 'acme',
	login: 'n8n-integration',
	secret: 'api-key-123',
	protocol: 'jsonRpc',
};

export const UID = 7;

type HttpMock = (credentialType: string, request: IHttpRequestOptions) => Promise<unknown>;

/**
 * The helpers a node's HTTP goes through: the Odoo client calls `httpRequest` with the
 * credential's headers set itself; other credentials use `httpRequestWithAuthentication`. Both
 * reach one mock, called as (credential type, request).
 */
export function odooHelpers(http: HttpMock | jest.Mock) {
	return {
		httpRequestWithAuthentication: http,
		httpRequest: (request: IHttpRequestOptions) => (http as HttpMock)('distributionGovernanceOdooApi', request),
	};
}

export const node: INode = {
	id: 'node-1',
	name: 'Approval Router',
	type: 'n8n-nodes-distribution-governance.approvalRouter',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** An Odoo exception as the JSON-RPC error object carries it. */
export class OdooFault {
	constructor(
		readonly name: string,
		readonly message: string,
	) {}
}

export type MethodHandler = (params: IDataObject) => unknown;

export interface HttpAnswer {
	statusCode: number;
	body: unknown;
	statusMessage?: string;
}

/**
 * A scripted Odoo: `methods` answer governance.api calls; `raw` may answer any request first
 * (return undefined to fall through), e.g. to fail the network.
 */
export function fakeOdoo(
	methods: Record<string, MethodHandler>,
	raw?: (request: IHttpRequestOptions) => HttpAnswer | Error | undefined,
) {
	// A new Odoo: no login to it is remembered yet (the transport remembers uids per credential).
	forgetOdooLogins();
	return jest.fn(async (_credentialType: string, request: IHttpRequestOptions): Promise<HttpAnswer> => {
		const scripted = raw?.(request);
		if (scripted instanceof Error) throw scripted;
		if (scripted) return scripted;
		const body = request.body as IDataObject;
		const answer = (value: unknown): HttpAnswer => {
			if (value instanceof OdooFault) {
				return {
					statusCode: 200,
					body: {
						jsonrpc: '2.0',
						id: 1,
						error: {
							code: 200,
							message: 'Odoo Server Error',
							data: { name: value.name, message: value.message, debug: 'Traceback …' },
						},
					},
				};
			}
			return { statusCode: 200, body: { jsonrpc: '2.0', id: 1, result: value } };
		};
		if (String(request.url).endsWith('/jsonrpc')) {
			const params = body.params as { service: string; method: string; args: unknown[] };
			if (params.service === 'common') return answer(UID);
			const [, , , , method, [methodParams]] = params.args as [string, number, string, string, string, IDataObject[]];
			const handler = methods[method];
			if (!handler) return answer(new OdooFault('builtins.AttributeError', `no method ${method}`));
			try {
				return answer(handler(methodParams));
			} catch (error) {
				return answer(error);
			}
		}
		const method = String(request.url).split('/').pop() as string;
		try {
			return { statusCode: 200, body: methods[method]((body as { payload: IDataObject }).payload) };
		} catch (error) {
			const fault = error as OdooFault;
			return { statusCode: 403, body: { name: fault.name, message: fault.message } };
		}
	});
}

type Parameters = Record<string, unknown | ((itemIndex: number) => unknown)>;

function parameterReader(parameters: Parameters) {
	return (name: string, itemIndex?: unknown, fallback?: unknown) => {
		const value = parameters[name];
		if (typeof value === 'function') return (value as (index: number) => unknown)(itemIndex as number);
		return value === undefined ? fallback : value;
	};
}

export interface ExecuteOptions {
	parameters: Parameters;
	items?: INodeExecutionData[];
	http: ReturnType<typeof fakeOdoo>;
	staticData?: IDataObject;
	continueOnFail?: boolean;
	credentials?: IDataObject;
}

export function executeContext(options: ExecuteOptions) {
	const context = mock<IExecuteFunctions>();
	context.logger = mock<Logger>();
	const staticData = options.staticData ?? {};
	context.getNode.mockReturnValue(node);
	context.getInputData.mockReturnValue(options.items ?? [{ json: {} }]);
	context.getNodeParameter.mockImplementation(parameterReader(options.parameters) as never);
	context.getCredentials.mockResolvedValue((options.credentials ?? CREDENTIALS) as never);
	context.getWorkflowStaticData.mockReturnValue(staticData);
	context.continueOnFail.mockReturnValue(options.continueOnFail ?? false);
	context.helpers = odooHelpers(options.http) as never;
	return { context, staticData };
}

export const triggerNode: INode = {
	...node,
	id: 'trigger-node-id',
	name: 'Odoo Governance Trigger',
	type: 'n8n-nodes-distribution-governance.odooGovernanceTrigger',
	webhookId: 'hook-id',
};

export const WEBHOOK_URL = 'https://n8n.acme.example/webhook/hook-id/odoo-governance';

export function hookContext(parameters: Parameters, http: ReturnType<typeof fakeOdoo>, staticData: IDataObject = {}) {
	const context = mock<IHookFunctions>();
	context.logger = mock<Logger>();
	context.getNode.mockReturnValue(triggerNode);
	context.getWorkflow.mockReturnValue({ id: 'wf-1', name: 'Procurement approval', active: true });
	context.getNodeParameter.mockImplementation(parameterReader(parameters) as never);
	context.getNodeWebhookUrl.mockReturnValue(WEBHOOK_URL);
	context.getCredentials.mockResolvedValue(CREDENTIALS as never);
	context.getWorkflowStaticData.mockReturnValue(staticData);
	context.helpers = odooHelpers(http) as never;
	return { context, staticData };
}

export interface FakeResponse {
	statusCode?: number;
	body?: unknown;
}

export function webhookContext(
	parameters: Parameters,
	request: { headers: Record<string, string>; rawBody?: Buffer },
	staticData: IDataObject,
	http?: (credentialType: string, request: IHttpRequestOptions) => Promise<unknown>,
) {
	const context = mock<IWebhookFunctions>();
	context.logger = mock<Logger>();
	const response: FakeResponse = {};
	interface FakeRes {
		status: jest.Mock;
		json: jest.Mock;
	}
	const res: FakeRes = {
		status: jest.fn((code: number) => {
			response.statusCode = code;
			return res;
		}),
		json: jest.fn((body: unknown) => {
			response.body = body;
			return res;
		}),
	};
	context.getNode.mockReturnValue(triggerNode);
	context.getWorkflow.mockReturnValue({ id: 'wf-1', name: 'Procurement approval', active: true });
	context.getNodeParameter.mockImplementation(parameterReader(parameters) as never);
	context.getWorkflowStaticData.mockReturnValue(staticData);
	context.getRequestObject.mockReturnValue(request as never);
	context.getResponseObject.mockReturnValue(res as never);
	context.getCredentials.mockResolvedValue(CREDENTIALS as never);
	context.helpers = odooHelpers(http ?? jest.fn()) as never;
	return { context, response };
}
