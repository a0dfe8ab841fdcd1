/**
 * The policy document for local evaluation, fetched from Odoo (export_policy_document).
 *
 * Between executions it is kept in the workflow's static data (in n8n's database, so every
 * worker can read it) under its content hash and fetch time; after `maxAgeSeconds` it is
 * fetched again, so a policy changed in Odoo reaches n8n within that time. Within one
 * execution each company's document is fetched at most once.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { callGovernanceApi } from '../shared/transport';

interface CachedPolicy extends IDataObject {
	content_hash: string;
	fetched_at: number;
	document: IDataObject;
}

interface RouterState extends IDataObject {
	policies?: Record<string, CachedPolicy>;
}

export class PolicySource {
	private readonly fetched = new Map<string, Promise<IDataObject>>();

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly maxAgeSeconds: number,
	) {}

	/** The policy of `companyId` (0: the integration user's current company). */
	async policyFor(companyId: number, itemIndex: number): Promise<IDataObject> {
		const key = companyId > 0 ? `company:${companyId}` : 'default';
		let policy = this.fetched.get(key);
		if (!policy) {
			policy = this.load(key, companyId, itemIndex);
			this.fetched.set(key, policy);
			policy.catch(() => this.fetched.delete(key));
		}
		return await policy;
	}

	private async load(key: string, companyId: number, itemIndex: number): Promise<IDataObject> {
		const state = this.context.getWorkflowStaticData('node') as RouterState;
		const cached = state.policies?.[key];
		const now = Date.now();
		if (cached && now - cached.fetched_at < this.maxAgeSeconds * 1000) return cached.document;
		const document = (await callGovernanceApi(
			this.context,
			'export_policy_document',
			companyId > 0 ? { company_id: companyId } : {},
			itemIndex,
		)) as IDataObject;
		state.policies = {
			...(state.policies ?? {}),
			[key]: { content_hash: document.content_hash as string, fetched_at: now, document },
		};
		return document;
	}
}
