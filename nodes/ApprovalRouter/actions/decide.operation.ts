import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem } from '../../shared/items';
import {
	callGovernanceApi,
	decisionOutcomes,
	ODOO_CREDENTIAL_TYPE,
	type OdooCredentials,
} from '../../shared/transport';
import { checkDecisionLink } from '../decisionLinks';

const OUTCOME_NAMES: Record<(typeof decisionOutcomes)[number], string> = {
	approve: 'Approve',
	reject: 'Reject',
	request_changes: 'Request Changes',
	approve_with_conditions: 'Approve With Conditions',
	escalate: 'Escalate',
};

const LINK_PROBLEMS = {
	expired: 'The decision link has expired',
	bad_signature: 'The decision link is not signed for this review, approver and outcome',
	malformed: 'The decision link is incomplete',
};

const properties: INodeProperties[] = [
	{
		displayName: 'Review ID',
		name: 'reviewId',
		type: 'number',
		default: 0,
		required: true,
		description: 'The Odoo review to decide (review_id of a pending review)',
	},
	{
		displayName: 'Approver',
		name: 'actor',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'anna@acme.example',
		description:
			'Odoo login or e-mail of the person who decided; Odoo checks that they may decide this review',
	},
	{
		displayName: 'Outcome',
		name: 'outcome',
		type: 'options',
		options: decisionOutcomes.map((value) => ({ name: OUTCOME_NAMES[value], value })),
		default: 'approve',
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		required: true,
		description:
			'8–200 characters naming this one decision (e.g. the chat action ID, or the decision link\'s signature); a repeated key returns Odoo\'s first answer and changes nothing',
	},
	{
		displayName: 'Approver Identity',
		name: 'identity',
		type: 'options',
		options: [
			{
				name: 'As Given',
				value: 'asGiven',
				description: 'The channel already identified the approver (e.g. a chat user mapped to an Odoo login)',
			},
			{
				name: 'Signed Decision Link',
				value: 'signedLink',
				description:
					'The decision came through a link made by the Route operation: check its signature and expiry first',
			},
		],
		default: 'asGiven',
	},
	{
		displayName: 'Link Expires',
		name: 'linkExpires',
		type: 'number',
		default: 0,
		displayOptions: { show: { identity: ['signedLink'] } },
		description: 'The link\'s "expires" query parameter',
	},
	{
		displayName: 'Link Signature',
		name: 'linkSignature',
		type: 'string',
		default: '',
		displayOptions: { show: { identity: ['signedLink'] } },
		description: 'The link\'s "signature" query parameter',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Comment',
				name: 'comment',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'Required by Odoo for reject, request changes and approve with conditions',
			},
			{
				displayName: 'Conditions',
				name: 'conditions',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'Required by Odoo for approve with conditions',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['decide'] } }, properties);

const CLOSED_STEPS: Record<string, string> = {
	approved: 'The request is approved and the document is released; the requester is told.',
	rejected: 'The request is rejected; the requester is told, with the comment.',
	changes_requested: 'The requester is asked to change the document and submit it again.',
	cancelled: 'The request was cancelled.',
};

/** What happens after this decision, in words for the person who took it ("Finance (level 2) decides next."). */
export function nextStep(answer: IDataObject): string {
	if (answer.request_state !== 'pending') return CLOSED_STEPS[answer.request_state as string] ?? '';
	const reviews = (Array.isArray(answer.pending_reviews) ? answer.pending_reviews : []) as IDataObject[];
	if (reviews.length === 0) return 'The request waits for the other approvers.';
	const names = reviews.map((review) => `${String(review.tier_name)} (level ${String(review.level)})`);
	const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
	return `${who} ${names.length === 1 ? 'decides' : 'decide'} next.`;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const output = await forEachItem(this, async (itemIndex) => {
		const reviewId = Number(this.getNodeParameter('reviewId', itemIndex));
		const actor = String(this.getNodeParameter('actor', itemIndex)).trim();
		const outcome = this.getNodeParameter('outcome', itemIndex) as string;
		const idempotencyKey = String(this.getNodeParameter('idempotencyKey', itemIndex)).trim();
		if (!Number.isSafeInteger(reviewId) || reviewId < 1) {
			throw new NodeOperationError(this.getNode(), 'Review ID must be a positive integer', { itemIndex });
		}
		if (!actor) {
			throw new NodeOperationError(this.getNode(), 'Approver is empty: Odoo needs to know who decided', {
				itemIndex,
			});
		}
		if (idempotencyKey.length < 8 || idempotencyKey.length > 200) {
			throw new NodeOperationError(this.getNode(), 'Idempotency Key must have 8 to 200 characters', {
				itemIndex,
			});
		}
		if (this.getNodeParameter('identity', itemIndex) === 'signedLink') {
			const credentials = await this.getCredentials<OdooCredentials & IDataObject>(ODOO_CREDENTIAL_TYPE);
			const problem = checkDecisionLink(
				credentials.secret,
				{ reviewId, actor, outcome, expires: Number(this.getNodeParameter('linkExpires', itemIndex)) },
				String(this.getNodeParameter('linkSignature', itemIndex)),
				Math.floor(Date.now() / 1000),
			);
			if (problem) {
				throw new NodeOperationError(this.getNode(), LINK_PROBLEMS[problem], {
					itemIndex,
					description: `No decision was sent to Odoo for review ${reviewId} as ${actor}`,
				});
			}
		}
		const fields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const params: IDataObject = {
			review_id: reviewId,
			actor,
			outcome,
			idempotency_key: idempotencyKey,
		};
		if (fields.comment) params.comment = fields.comment;
		if (fields.conditions) params.conditions = fields.conditions;
		const answer = await callGovernanceApi(this, 'decide', params, itemIndex);
		const json = answer as IDataObject;
		return [{ json: { ...json, next_step: nextStep(json) }, pairedItem: { item: itemIndex } }];
	});
	return [output];
}
