import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

/**
 * An OpenAI-compatible chat completions API: OpenAI and other hosted providers, or a local
 * server (llama.cpp's `llama-server`, Ollama's `/v1`, vLLM). The test lists the provider's
 * models and names the reason when that fails.
 */
export class DistributionGovernanceAiApi implements ICredentialType {
	name = 'distributionGovernanceAiApi';

	displayName = 'Distribution Governance AI Provider API';

	icon: Icon = {
		light: 'file:../nodes/shared/icons/distributionGovernance.svg',
		dark: 'file:../nodes/shared/icons/distributionGovernance.dark.svg',
	};

	documentationUrl = 'https://platform.openai.com/docs/api-reference/chat/create';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.openai.com/v1',
			placeholder: 'http://127.0.0.1:11434/v1',
			description:
				'The URL before /chat/completions, usually ending in /v1 (Ollama: http://host:11434/v1, llama.cpp: http://host:8080/v1)',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Sent as a bearer token; local servers usually accept any value',
		},
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: '',
			placeholder: 'gpt-4o-mini',
			description: 'The model name the provider knows, e.g. gpt-4o-mini or llama3.1:8b',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.apiKey}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/models',
			method: 'GET',
			timeout: 10000,
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'The provider refused this API key (HTTP 401)' },
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'The provider refused access with this API key (HTTP 403): check the key\'s permissions',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No OpenAI-compatible API at this base URL (HTTP 404): it usually ends in /v1, without /chat/completions',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: 'The provider is rate-limiting this key (HTTP 429): the key works, try again later',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'object',
					value: undefined,
					message: 'This URL answers, but not with an OpenAI model list: check the base URL',
				},
			},
		] as unknown as ICredentialTestRequest['rules'],
	};
}
