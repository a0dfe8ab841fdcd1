/**
 * One purchase order waiting for approval, consistent on both sides: the review the stand-in
 * Odoo holds and the approval.requested event it sends (the contract's example event).
 */
import requested from '../../../contract/events/examples/approval.requested.json';
import type { Person, StandInReview } from './standInOdoo';

export const requester: Person = { login: 'alice@acme.example', name: 'Alice Buyer', email: 'alice@acme.example' };
export const maria: Person = { login: 'maria@acme.example', name: 'Maria Manager', email: 'maria@acme.example' };
export const tom: Person = { login: 'tom@acme.example', name: 'Tom Treasurer', email: 'tom@acme.example' };

/** How Odoo's policy can stop a document, and the word the template's mail to the requester uses. */
export type StopOutcome = 'hold' | 'blocked';
export const STOP_WORDS: Record<StopOutcome, string> = { hold: 'put on hold', blocked: 'blocked' };

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

/** The approval.requested event for `review`, with its own event id. */
export function approvalRequested(eventId: string, review: StandInReview, outcome = 'needs_approval') {
	return {
		...requested,
		id: eventId,
		time: new Date().toISOString(),
		data: {
			...requested.data,
			outcome,
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
