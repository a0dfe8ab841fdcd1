/**
 * `helpers.httpRequestWithAuthentication` over real HTTP (axios, as n8n itself uses), with the
 * Odoo credential's `authenticate` headers applied: tests intercept it with nock and assert the
 * exact requests on the wire.
 */
import axios from 'axios';
import type { IHttpRequestOptions } from 'n8n-workflow';

import { CREDENTIALS } from './contexts';

export function wireHttp(credentials: { secret: string; database: string } = CREDENTIALS) {
	return jest.fn(async (_credentialType: string, request: IHttpRequestOptions) => {
		const response = await axios.request({
			method: request.method,
			url: request.url,
			data: request.body,
			headers: {
				...(request.headers ?? {}),
				// DistributionGovernanceOdooApi.credentials.ts `authenticate`
				Authorization: `bearer ${credentials.secret}`,
				'X-Odoo-Database': credentials.database,
			},
			timeout: request.timeout,
			validateStatus: request.ignoreHttpStatusErrors ? () => true : undefined,
		});
		return { statusCode: response.status, statusMessage: response.statusText, body: response.data };
	});
}
