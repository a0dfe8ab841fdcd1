import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { evaluatePolicy, type EvaluationOutcome } from '../../shared/policy';
import { failedItem, withItemIndex } from '../../shared/items';
import { ODOO_CREDENTIAL_TYPE, type OdooCredentials } from '../../shared/transport';
import { decisionLinkUrl } from '../decisionLinks';
import { PolicySource } from '../policyCache';

/** Output order of the router; the node's outputs are declared in the same order. */
export const ROUTES: EvaluationOutcome[] = ['auto_approve', 'needs_approval', 'blocked', 'hold'];
const HOLD = ROUTES.indexOf('hold');
/** A later approval level opened: its reviewers are asked like level 1's (no policy outcome in it). */
const LEVEL_OPENED = 'approval.level_opened';
/** A review passed its SLA (or was escalated by hand): the next authority is asked for that review. */
const ESCALATED = 'approval.escalated';
const LINK_OUTCOMES = ['approve', 'reject'];

const properties: INodeProperties[] = [
	{
		displayName: 'Decided By',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Odoo (From an Approval Event)',
				value: 'odooDecision',
				description:
					'Take the route Odoo decided: items are approval.requested, approval.level_opened or approval.escalated events from the Odoo Governance Trigger',
			},
			{
				name: 'Policy Evaluated Here',
				value: 'localPolicy',
				description:
					'Evaluate Odoo\'s policy document in n8n, for items that do not come from Odoo (Odoo re-checks when the document reaches it)',
			},
		],
		default: 'odooDecision',
	},
	{
		displayName: 'One Item per Eligible Approver',
		name: 'perApprover',
		type: 'boolean',
		default: false,
		displayOptions: { show: { mode: ['odooDecision'] } },
		description:
			'Whether the Needs Approval output gets one item per pending review and eligible approver, so each approver can be asked in their own message and their answer carries who gave it',
	},
	{
		displayName: 'Decision Link URL',
		name: 'decisionLinkUrl',
		type: 'string',
		default: '',
		placeholder: 'webhook/procurement-decision',
		displayOptions: { show: { mode: ['odooDecision'], perApprover: [true] } },
		description:
			'When set, each approver item gets signed approve and reject links to this URL, naming the review and the approver; the Record Decision operation checks them. A path without scheme and host is taken relative to this n8n\'s base URL.',
	},
	{
		displayName: 'Link Validity (Hours)',
		name: 'linkValidityHours',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 72,
		displayOptions: { show: { mode: ['odooDecision'], perApprover: [true] } },
	},
	{
		displayName: 'Document Type',
		name: 'documentType',
		type: 'string',
		default: '={{ $json.document_type }}',
		required: true,
		displayOptions: { show: { mode: ['localPolicy'] } },
		description: 'The Odoo model of the document, e.g. purchase.order',
	},
	{
		displayName: 'Facts',
		name: 'facts',
		type: 'json',
		default: '={{ $json.facts }}',
		required: true,
		displayOptions: { show: { mode: ['localPolicy'] } },
		description:
			'The document\'s facts, named as in the contract\'s fact catalogue (amounts as decimal strings); a missing fact holds the document',
	},
	{
		displayName: 'Company ID',
		name: 'companyId',
		type: 'number',
		default: 0,
		displayOptions: { show: { mode: ['localPolicy'] } },
		description: 'Whose policy to use; 0 uses the current company of the credential\'s user',
	},
	{
		displayName: 'Policy Cache (Seconds)',
		name: 'policyMaxAge',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 300,
		displayOptions: { show: { mode: ['localPolicy'] } },
		description:
			'How long a fetched policy is reused by later executions; 0 fetches it once per execution',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['route'] } }, properties);

function failure(context: IExecuteFunctions, message: string, itemIndex: number, description?: string) {
	return new NodeOperationError(context.getNode(), message, { itemIndex, description });
}

function asObject(value: unknown): IDataObject | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

interface LinkSettings {
	base: string;
	secret: string;
	validitySeconds: number;
	now: number;
}

/** One item per (pending review, eligible approver) of an approval.requested or approval.level_opened event. */
function approverItems(
	context: IExecuteFunctions,
	event: IDataObject,
	data: IDataObject,
	links: LinkSettings | undefined,
	itemIndex: number,
): INodeExecutionData[] {
	const reviews = Array.isArray(data.pending_reviews) ? (data.pending_reviews as IDataObject[]) : [];
	const common: IDataObject = { ...data };
	delete common.pending_reviews;
	const items: INodeExecutionData[] = [];
	for (const review of reviews) {
		const { eligible_approvers: approvers, ...reviewFields } = review;
		for (const approver of (approvers as IDataObject[] | undefined) ?? []) {
			const json: IDataObject = { ...common, event_id: event.id, review: reviewFields, approver };
			// A tier that confirms with password is decided in Odoo only: its message links to the document.
			if (links && reviewFields.confirm_with_password !== true) {
				const expires = links.now + links.validitySeconds;
				json.decision_links = Object.fromEntries(
					LINK_OUTCOMES.map((outcome) => [
						outcome,
						decisionLinkUrl(links.base, links.secret, {
							reviewId: review.review_id as number,
							actor: approver.login as string,
							outcome,
							expires,
						}),
					]),
				);
			}
			items.push({ json, pairedItem: { item: itemIndex } });
		}
	}
	if (items.length === 0) {
		throw failure(
			context,
			'The approval event names no pending review with an eligible approver',
			itemIndex,
			`Request ${String(asObject(data.request)?.ref ?? '')}: nobody can be asked; check the tier's approvers in Odoo`,
		);
	}
	return items;
}

async function routeOdooDecision(
	context: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	perApprover: boolean,
	links: LinkSettings | undefined,
): Promise<{ route: number; items: INodeExecutionData[] }> {
	let data = asObject(item.json.data);
	if (data && item.json.type === ESCALATED) {
		// Only the people it was escalated to are new: each is asked for the one escalated review.
		const { review_id: reviewId, level, tier_name: tierName, due, escalated_to: escalatedTo, ...rest } = data;
		data = {
			...rest,
			escalated: true,
			pending_reviews: [{ review_id: reviewId, level, tier_name: tierName, due, eligible_approvers: escalatedTo }],
		};
	}
	const outcome = item.json.type === LEVEL_OPENED || item.json.type === ESCALATED ? 'needs_approval' : data?.outcome;
	const route = ROUTES.indexOf(outcome as EvaluationOutcome);
	if (!data || route < 0) {
		throw failure(
			context,
			'The item is not an approval event from Odoo: data.outcome is missing or unknown',
			itemIndex,
			'Use "Decided By: Policy Evaluated Here" for items that do not come from the Odoo Governance Trigger',
		);
	}
	if (perApprover && outcome === 'needs_approval') {
		return { route, items: approverItems(context, item.json, data, links, itemIndex) };
	}
	return { route, items: [{ json: item.json, pairedItem: { item: itemIndex } }] };
}

async function routeLocalPolicy(
	context: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	policies: PolicySource,
): Promise<{ route: number; items: INodeExecutionData[] }> {
	const documentType = context.getNodeParameter('documentType', itemIndex) as string;
	const rawFacts = context.getNodeParameter('facts', itemIndex, {}) as unknown;
	let facts: unknown = rawFacts;
	if (typeof rawFacts === 'string') {
		try {
			facts = JSON.parse(rawFacts);
		} catch {
			throw failure(context, 'Facts is not valid JSON', itemIndex);
		}
	}
	const companyId = context.getNodeParameter('companyId', itemIndex, 0) as number;
	const policy = await policies.policyFor(companyId, itemIndex);
	const result = evaluatePolicy(policy, { document_type: documentType, facts });
	if ('error' in result) {
		const { code, path, message } = result.error;
		throw failure(
			context,
			`${code === 'invalid_policy' ? 'Invalid policy document' : 'Invalid input'} at ${path || '<root>'}: ${message}`,
			itemIndex,
			code === 'invalid_policy'
				? `Policy "${String(policy.name)}" version ${String(policy.version)} from Odoo`
				: 'Check Document Type and Facts (contract/policy/facts.json)',
		);
	}
	const governance: IDataObject = { ...result, policy: { ...result.policy, content_hash: policy.content_hash } };
	return {
		route: ROUTES.indexOf(result.outcome),
		items: [{ json: { ...item.json, governance }, pairedItem: { item: itemIndex } }],
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = ROUTES.map(() => []);
	const items = this.getInputData();
	const mode = this.getNodeParameter('mode', 0) as string;
	let links: LinkSettings | undefined;
	let policies: PolicySource | undefined;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			let routed;
			if (mode === 'localPolicy') {
				policies ??= new PolicySource(this, this.getNodeParameter('policyMaxAge', 0, 300) as number);
				routed = await routeLocalPolicy(this, items[itemIndex], itemIndex, policies);
			} else {
				const perApprover = this.getNodeParameter('perApprover', itemIndex, false) as boolean;
				const linkUrl = perApprover
					? (this.getNodeParameter('decisionLinkUrl', itemIndex, '') as string).trim()
					: '';
				// A path is resolved against this n8n's own base URL (WEBHOOK_URL), so a template
				// can name its decision webhook without knowing where it will run.
				const base = linkUrl && new URL(linkUrl, this.getInstanceBaseUrl()).toString();
				if (base && !links) {
					const credentials = await this.getCredentials<OdooCredentials & IDataObject>(ODOO_CREDENTIAL_TYPE);
					links = {
						base,
						secret: credentials.secret,
						validitySeconds: Math.round((this.getNodeParameter('linkValidityHours', itemIndex, 72) as number) * 3600),
						now: Math.floor(Date.now() / 1000),
					};
				}
				routed = await routeOdooDecision(this, items[itemIndex], itemIndex, perApprover, base ? links : undefined);
			}
			outputs[routed.route].push(...routed.items);
		} catch (error) {
			if (!this.continueOnFail()) throw withItemIndex(this, error, itemIndex);
			// Fail safe: an item that could not be routed is held, never approved.
			outputs[HOLD].push(failedItem(error as Error, itemIndex));
		}
	}
	return outputs;
}
