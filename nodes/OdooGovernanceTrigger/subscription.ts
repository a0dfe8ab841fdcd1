/**
 * The trigger's subscription in Odoo, kept in the workflow's static data (saved in n8n's
 * database, so every main and webhook process sees the same secret).
 */
import { createHash } from 'crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import { generateSecret } from '../shared/signature';
import { callGovernanceApi } from '../shared/transport';

export interface TriggerState extends IDataObject {
	subscriptionId?: number;
	secret?: string;
	/** What was registered (URL, event types, filters): a change means a new registration. */
	registration?: string;
}

export interface SubscriptionFilters extends IDataObject {
	company_ids?: number[];
	document_models?: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function splitList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry.length > 0);
}

/** The `filters` object of register_subscription from the node's Filters collection. */
export function subscriptionFilters(filters: IDataObject): SubscriptionFilters | undefined {
	const result: SubscriptionFilters = {};
	const models = splitList(filters.documentModels);
	if (models.length) result.document_models = models;
	const companies = splitList(filters.companyIds).map(Number);
	if (companies.length) result.company_ids = companies;
	return Object.keys(result).length ? result : undefined;
}

interface Registration {
	url: string;
	eventTypes: string[];
	filters?: SubscriptionFilters;
}

function desiredRegistration(context: IHookFunctions): Registration {
	const eventTypes = [...(context.getNodeParameter('eventTypes') as string[])].sort();
	const filters = subscriptionFilters(context.getNodeParameter('filters', {}) as IDataObject);
	return { url: context.getNodeWebhookUrl('default') as string, eventTypes, filters };
}

const fingerprint = (registration: Registration) => sha256(JSON.stringify(registration));

function forget(state: TriggerState): void {
	delete state.subscriptionId;
	delete state.secret;
	delete state.registration;
}

export async function subscriptionExists(this: IHookFunctions): Promise<boolean> {
	const state = this.getWorkflowStaticData('node') as TriggerState;
	if (!state.subscriptionId || !state.secret) return false;
	const wanted = desiredRegistration(this);
	if (state.registration !== fingerprint(wanted)) {
		// URL, types or filters changed: the old subscription would deliver the wrong events.
		await removeSubscription.call(this);
		return false;
	}
	const found = await callGovernanceApi(this, 'subscription_exists', {
		subscription_id: state.subscriptionId,
		url: wanted.url,
	});
	if (found.exists && found.active) return true;
	if (found.exists) {
		// Deactivated in Odoo: replace it rather than leave the trigger silently deaf.
		await removeSubscription.call(this);
	} else {
		this.logger.info(
			`Odoo Governance Trigger: subscription ${state.subscriptionId} vanished from Odoo; registering a new one`,
		);
		forget(state);
	}
	return false;
}

export async function createSubscription(this: IHookFunctions): Promise<boolean> {
	const state = this.getWorkflowStaticData('node') as TriggerState;
	const wanted = desiredRegistration(this);
	const secret = generateSecret();
	const workflow = this.getWorkflow();
	const node = this.getNode();
	// Same key for a retried call of this registration, a new one for every fresh secret.
	const idempotencyKey = `n8n-subscription:${sha256(
		[workflow.id, node.id, wanted.url, sha256(secret)].join('|'),
	).slice(0, 48)}`;
	const params: IDataObject = {
		url: wanted.url,
		event_types: wanted.eventTypes,
		secret,
		name: `n8n: ${workflow.name ?? workflow.id} / ${node.name}`.slice(0, 200),
		idempotency_key: idempotencyKey,
	};
	if (wanted.filters) params.filters = wanted.filters;
	const registered = await callGovernanceApi(this, 'register_subscription', params);
	state.subscriptionId = registered.subscription_id;
	state.secret = secret;
	state.registration = fingerprint(wanted);
	return true;
}

export async function removeSubscription(this: IHookFunctions): Promise<boolean> {
	const state = this.getWorkflowStaticData('node') as TriggerState;
	if (!state.subscriptionId) {
		forget(state);
		return true;
	}
	try {
		await callGovernanceApi(this, 'remove_subscription', { subscription_id: state.subscriptionId });
	} catch (error) {
		// Kept in static data so the next activation finds it (and the next deactivation retries).
		this.logger.warn(
			`Odoo Governance Trigger: could not remove subscription ${state.subscriptionId} from Odoo: ${(error as Error).message}`,
		);
		return false;
	}
	forget(state);
	return true;
}
