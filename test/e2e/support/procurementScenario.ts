/**
 * One purchase order waiting for approval, consistent on both sides: the review the stand-in
 * Odoo holds and the approval.requested event it sends (the contract's example event).
 */
import completed from '../../../contract/events/examples/approval.completed.json';
import levelOpened from '../../../contract/events/examples/approval.level_opened.json';
import requested from '../../../contract/events/examples/approval.requested.json';
import type { Person, StandInReview } from './standInOdoo';

export const requester: Person = { login: 'alice@acme.example', name: 'Alice Buyer', email: 'alice@acme.example' };
export const maria: Person = { login: 'maria@acme.example', name: 'Maria Manager', email: 'maria@acme.example' };
export const tom: Person = { login: 'tom@acme.example', name: 'Tom Treasurer', email: 'tom@acme.example' };
export const fiona: Person = { login: 'fiona@acme.example', name: 'Fiona Finance', email: 'fiona@acme.example' };

/** How Odoo's policy can stop a document, and the word the template's mail to the requester uses. */
export type StopOutcome = 'hold' | 'blocked';
export const STOP_WORDS: Record<StopOutcome, string> = { hold: 'put on hold', blocked: 'blocked' };
/** The reason of the rule that stopped the document; the approval tier's reason must not be in that mail. */
export const STOP_REASONS: Record<StopOutcome, string> = {
	hold: 'Spend of 50,000 or more waits for the budget review',
	blocked: 'Spend of 250,000 or more is beyond purchasing authority',
};
export const TIER_REASON = 'Spend of 1,000 or more';

export function pendingReview(reviewId = 21): StandInReview {
	return {
		review_id: reviewId,
		request_id: 11,
		request_ref: 'APR/2026/0011',
		document: { model: 'purchase.order', id: 42, name: 'P00042' },
		level: 1,
		tier_name: 'Purchasing manager',
		rule: 'po-spend-10k',
		min_approvals: 1,
		approvals: 0,
		due: '2026-11-24T09:00:00Z',
		eligible_approvers: [maria, tom],
		requester,
		state: 'pending',
	};
}

/** Level 2 of the same request: Finance, opened when level 1 is approved. */
export function financeReview(reviewId = 22): StandInReview {
	return { ...pendingReview(reviewId), level: 2, tier_name: 'Finance', rule: 'po-spend-10k-finance', eligible_approvers: [fiona], state: 'waiting' };
}

const stopReasons = (outcome: string) => {
	const tier = { rule: 'po-spend-1k', action: 'require_tier', text: TIER_REASON };
	if (outcome === 'blocked') return [tier, { rule: 'po-block', action: 'block', text: STOP_REASONS.blocked }];
	if (outcome === 'hold') return [tier, { rule: 'po-hold', action: 'hold', text: STOP_REASONS.hold }];
	return requested.data.reasons;
};

/** The approval.requested event for `review`, with its own event id. */
export function approvalRequested(eventId: string, review: StandInReview, outcome = 'needs_approval') {
	return {
		...requested,
		id: eventId,
		time: new Date().toISOString(),
		data: {
			...requested.data,
			outcome,
			reasons: stopReasons(outcome),
			request: { ...requested.data.request, id: review.request_id, ref: review.request_ref },
			requester: review.requester,
			pending_reviews:
				outcome === 'needs_approval'
					? [
							{
								review_id: review.review_id,
								level: review.level,
								tier_name: review.tier_name,
								due: review.due,
								eligible_approvers: review.eligible_approvers,
							},
						]
					: [],
		},
	};
}

/** The approval.level_opened event for `review` (a later level's review, now pending). */
export function approvalLevelOpened(eventId: string, review: StandInReview) {
	return {
		...levelOpened,
		id: eventId,
		time: new Date().toISOString(),
		data: {
			...levelOpened.data,
			level: review.level,
			requester: review.requester,
			pending_reviews: [
				{
					review_id: review.review_id,
					level: review.level,
					tier_name: review.tier_name,
					due: review.due,
					eligible_approvers: review.eligible_approvers,
				},
			],
		},
	};
}

/** The approval.completed event closing `review`'s request with `result`, after `decision`. */
export function approvalCompleted(
	eventId: string,
	review: StandInReview,
	result: string,
	decision: { outcome: string; actor: Person; comment: string | null },
) {
	return {
		...completed,
		id: eventId,
		time: new Date().toISOString(),
		data: {
			...completed.data,
			request: { id: review.request_id, ref: review.request_ref, state: result },
			result,
			conditions: [],
			requester: review.requester,
			closing_decision: {
				review_id: review.review_id,
				level: review.level,
				tier_name: review.tier_name,
				on_behalf_of: null,
				...decision,
			},
		},
	};
}
