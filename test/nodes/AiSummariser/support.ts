/**
 * An execute context for the AI Summariser whose HTTP really goes out (n8n's own request code,
 * axios) to the stand-in provider on 127.0.0.1, with the credential's bearer header applied as
 * n8n applies it.
 */
import { httpRequest } from '@n8n/backend-network/testing';
import { mock } from 'jest-mock-extended';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INodeExecutionData, Logger } from 'n8n-workflow';

import { AiSummariser } from '../../../nodes/AiSummariser/AiSummariser.node';
import { odooHelpers } from '../helpers/contexts';

export const API_KEY = 'sk-standin-123';
export const MODEL = 'stand-in-1';

export function aiContext(options: {
	baseUrl: string;
	parameters: Record<string, unknown>;
	items: IDataObject[];
	odoo?: jest.Mock;
}): IExecuteFunctions {
	const context = mock<IExecuteFunctions>();
	context.logger = mock<Logger>();
	context.getNode.mockReturnValue({
		id: 'ai-1',
		name: 'AI Summariser',
		type: 'n8n-nodes-distribution-governance.aiSummariser',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	});
	context.getInputData.mockReturnValue(options.items.map((json) => ({ json })) as INodeExecutionData[]);
	context.getNodeParameter.mockImplementation(((name: string, _index: number, fallback?: unknown) =>
		options.parameters[name] === undefined ? fallback : options.parameters[name]) as never);
	context.continueOnFail.mockReturnValue(false);
	context.getCredentials.mockImplementation((async (type: string) =>
		type === 'distributionGovernanceAiApi'
			? { baseUrl: options.baseUrl, apiKey: API_KEY, model: MODEL }
			: {
					url: 'https://erp.acme.example/',
					database: 'acme',
					login: 'n8n-integration',
					secret: 'api-key-123',
					protocol: 'jsonRpc',
				}) as never);
	const http = jest.fn(async (type: string, request: IHttpRequestOptions) => {
		if (type !== 'distributionGovernanceAiApi') return await options.odoo!(type, request);
		return await httpRequest({ ...request, headers: { ...request.headers, Authorization: `Bearer ${API_KEY}` } } as never);
	});
	context.helpers = odooHelpers(http) as never;
	return context;
}

export async function run(context: IExecuteFunctions): Promise<IDataObject[]> {
	const [output] = await new AiSummariser().execute.call(context);
	return output.map((item) => ({ ...item.json, pairedItem: item.pairedItem }));
}
