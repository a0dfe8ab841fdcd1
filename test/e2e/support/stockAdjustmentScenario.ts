/**
 * S7 on the stand-in Odoo: a count of a serialised, high-value item waits for Finance and
 * Operations in parallel at level 1; the Finance review passes its SLA and is escalated to the
 * regional operations manager. The reviews the stand-in holds and the events it sends agree.
 */
import completed from '../../../contract/events/examples/approval.completed.json';
import escalated from '../../../contract/events/examples/approval.escalated.json';
import requested from '../../../contract/events/examples/approval.requested.json';
import type { Person, StandInReview } from './standInOdoo';

export const counter: Person = { login: 'wes@acme.example', name: 'Wes Warehouse', email: 'wes@acme.example' };
export const olga: Person = { login: 'olga@acme.example', name: 'Olga Operations', email: 'olga@acme.example' };
export const fay: Person = { login: 'fay@acme.example', name: 'Fay Finance', email: 'fay@acme.example' };
export const regional: Person = { login: 'rita@acme.example', name: 'Rita Regional', email: 'rita@acme.example' };
export const WAREHOUSE_MAIL = 'warehouse@acme.example';

const adjustment = { model: 'governance.stock.adjustment', id: 7, name: 'ADJ/2026/0007', company: 'Acme Distribution EU' };
const request = { id: 51, ref: 'APR/2026/0051' };

function review(reviewId: number, tierName: string, rule: string, approvers: Person[]): StandInReview {
	return {
		review_id: reviewId,
		request_id: request.id,
		request_ref: request.ref,
		document: { model: adjustment.model, id: adjustment.id, name: adjustment.name },
		level: 1,
		tier_name: tierName,
		rule,
		min_approvals: 1,
		approvals: 0,
		due: '2026-11-30T13:00:00Z',
		eligible_approvers: approvers,
		requester: counter,
		state: 'pending',
	};
}

export const operationsReview = () => review(61, 'Operations', 'adj-serialised', [olga]);
export const financeReview = () => review(62, 'Finance', 'adj-finance', [fay]);

/** What Odoo's stock adjustment puts in front of its approvers (governance.stock.adjustment). */
export const CONTEXT = [
	{ key: 'value', label: 'Value at cost', value: '6000.00 EUR' },
	{ key: 'reason', label: 'Reason', value: 'damaged: Damaged goods' },
	{ key: 'counted', label: 'Counted', value: 'Handheld scanner [SN-0001] at WH/Stock: 1.0 counted 0.0 (-6000.00)' },
	{ key: 'evidence', label: 'Evidence attachments', value: '1' },
];

const pending = (reviews: StandInReview[]) =>
	reviews.map(({ review_id, level, tier_name, due, eligible_approvers }) => ({ review_id, level, tier_name, due, eligible_approvers }));

/** approval.requested of the adjustment: both level-1 reviews pending at once. */
export function adjustmentRequested(reviews: StandInReview[]) {
	return {
		...requested,
		id: 'evt-s7-requested',
		subject: `${adjustment.model}/${adjustment.id}`,
		time: new Date().toISOString(),
		data: {
			...requested.data,
			request: { ...request, state: 'pending' },
			document: adjustment,
			requester: counter,
			matched_rules: ['adj-serialised', 'adj-finance'],
			reasons: [
				{ rule: 'adj-serialised', action: 'require_tier', text: 'Serialised items need operations review' },
				{ rule: 'adj-finance', action: 'require_tier', text: 'Adjustments of 5,000 or more need finance review in parallel' },
			],
			levels: [{ level: 1, tiers: ['adj-serialised', 'adj-finance'] }],
			pending_reviews: pending(reviews),
			context: CONTEXT,
		},
	};
}

/** approval.escalated: nobody decided `escalatedReview` within its SLA; `to` may decide it now. */
export function adjustmentEscalated(escalatedReview: StandInReview, to: Person[]) {
	return {
		...escalated,
		id: `evt-s7-escalated-${escalatedReview.review_id}`,
		subject: `${adjustment.model}/${adjustment.id}`,
		time: new Date().toISOString(),
		data: {
			request: { ...request, state: 'pending' },
			document: adjustment,
			review_id: escalatedReview.review_id,
			level: escalatedReview.level,
			tier_name: escalatedReview.tier_name,
			reason: 'sla_expired',
			escalated_to: to,
			due: '2026-11-30T17:00:00Z',
		},
	};
}

/** approval.completed: the last decision (`by` on `closing`) closed the request with `result`. */
export function adjustmentCompleted(closing: StandInReview, result: string, by: Person, comment: string | null = null) {
	return {
		...completed,
		id: `evt-s7-completed-${result}`,
		subject: `${adjustment.model}/${adjustment.id}`,
		time: new Date().toISOString(),
		data: {
			...completed.data,
			request: { ...request, state: result },
			document: adjustment,
			result,
			conditions: [],
			requester: counter,
			closing_decision: {
				review_id: closing.review_id,
				level: closing.level,
				tier_name: closing.tier_name,
				outcome: result === 'approved' ? 'approve' : 'reject',
				actor: by,
				on_behalf_of: null,
				comment,
			},
		},
	};
}
