import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

/**
 * The Odoo that runs the Distribution Governance addon. Named apart from n8n's own `odooApi`
 * so both can live in one instance.
 *
 * The test logs in (JSON-RPC) or calls `governance.api/api_info` (JSON-2); each way a wrong
 * login, key or database gets its own message rather than a bare HTTP status.
 */
export class DistributionGovernanceOdooApi implements ICredentialType {
	name = 'distributionGovernanceOdooApi';

	displayName = 'Distribution Governance Odoo API';

	icon: Icon = {
		light: 'file:../nodes/shared/icons/distributionGovernance.svg',
		dark: 'file:../nodes/shared/icons/distributionGovernance.dark.svg',
	};

	documentationUrl = 'https://www.odoo.com/documentation/18.0/developer/reference/external_api.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Odoo URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://erp.example.com',
			required: true,
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Login',
			name: 'login',
			type: 'string',
			default: '',
			description:
				'Login of the technical user in the addon\'s Integration group; it acts on behalf of the named approvers, and Odoo re-checks their authority',
			required: true,
		},
		{
			displayName: 'API Key or Password',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'An API key (Preferences → Account Security) is preferred; JSON-2 accepts only API keys',
			required: true,
		},
		{
			displayName: 'API',
			name: 'protocol',
			type: 'options',
			options: [
				{
					name: 'JSON-RPC (Odoo 17 and 18)',
					value: 'jsonRpc',
					description: 'POST /jsonrpc with the login and the key or password',
				},
				{
					name: 'JSON-2 (Odoo 19 and Later)',
					value: 'json2',
					description: 'POST /json/2/<model>/<method> with a bearer API key',
				},
			],
			default: 'jsonRpc',
		},
	];

	// JSON-2 reads the bearer key and database from headers; /jsonrpc ignores both.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=bearer {{$credentials.secret}}',
				'X-Odoo-Database': '={{$credentials.database}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.url.replace(/\\/+$/, "")}}',
			url: '={{$credentials.protocol === "json2" ? "/json/2/governance.api/api_info" : "/jsonrpc"}}',
			method: 'POST',
			// Odoo 17/18 answer an unknown route (no JSON-2 there) with a redirect to the login page,
			// which would pass for a working connection if followed.
			disableFollowRedirect: true,
			// No two closing braces in a row before the end: "}}" would end the expression early.
			body: '={{ $credentials.protocol === "json2" ? { payload: {} } : { jsonrpc: "2.0", method: "call", id: 1, params: { service: "common", method: "authenticate", args: [$credentials.database, $credentials.login, $credentials.secret, {}] } } }}',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'result',
					value: false,
					message: 'Odoo refused this login and API key or password for this database',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.message',
					value: 'Odoo Server Error',
					message: 'Odoo could not log in to this database: check the database name',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Odoo refused this API key for this database (JSON-2 needs an API key, not a password)',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 303,
					message:
						'Not found: this Odoo has no JSON-2 API (choose JSON-RPC for Odoo 17 and 18) or the Distribution Governance addon is not installed',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Not found: this Odoo has no JSON-2 API (choose JSON-RPC for Odoo 17 and 18) or the Distribution Governance addon is not installed',
				},
			},
		] as unknown as ICredentialTestRequest['rules'],
	};
}
