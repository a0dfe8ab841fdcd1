/**
 * What each `governance.api` method answers (contract/api/methods.json, `result`), checked
 * with zod before any node trusts it. Objects pass unknown keys through: a newer addon may
 * add fields without breaking older nodes.
 */
import { z } from 'zod';

const user = z
	.object({ login: z.string(), name: z.string(), email: z.string().nullable().optional() })
	.passthrough();

const documentRef = z
	.object({ model: z.string().min(1), id: z.number().int().min(1), name: z.string().optional() })
	.passthrough();

const requestState = z.enum(['pending', 'approved', 'rejected', 'changes_requested', 'cancelled']);

export const decisionOutcomes = [
	'approve',
	'reject',
	'request_changes',
	'approve_with_conditions',
	'escalate',
] as const;

export const pendingReview = z
	.object({
		review_id: z.number().int(),
		request_id: z.number().int(),
		request_ref: z.string().min(1),
		document: documentRef,
		level: z.number().int(),
		tier_name: z.string().min(1),
		rule: z.string().min(1),
		min_approvals: z.number().int(),
		approvals: z.number().int(),
		// Left out when the tier has no SLA (results hold no null); older addons sent null.
		due: z.string().nullable().optional(),
		eligible_approvers: z.array(user),
		requester: user,
	})
	.passthrough();

const holdReason = z.enum(['credit', 'quality', 'carrier_exception']);
const holdState = z.enum(['active', 'released', 'cancelled']);

const delivery = z
	.object({
		id: z.number().int(),
		name: z.string(),
		state: z.string(),
		origin: z.string(),
		tracking_reference: z.string(),
		on_hold: z.boolean(),
		holds: z.array(
			z.object({ hold_id: z.number().int(), reason: holdReason, state: holdState, summary: z.string() }).passthrough(),
		),
	})
	.passthrough();

const shipmentHold = z
	.object({
		hold_id: z.number().int(),
		delivery: documentRef,
		reason: holdReason,
		state: holdState,
		exception_id: z.number().int(),
		on_hold: z.boolean(),
	})
	.passthrough();

const confirmationState = z.enum(['awaiting', 'confirmed', 'date_changed', 'rejected', 'overdue', 'cancelled']);

const confirmationLine = z
	.object({
		line_id: z.number().int(),
		product: z.object({ id: z.number().int(), name: z.string(), code: z.string() }).passthrough(),
		quantity: z.string(),
		planned_date: z.string(),
		promised_date: z.string(),
		drift_days: z.number().int(),
	})
	.passthrough();

export const supplierConfirmation = z
	.object({
		confirmation_id: z.number().int(),
		purchase_order: documentRef,
		supplier: z.object({ id: z.number().int(), name: z.string(), email: z.string() }).passthrough(),
		buyer: z.object({ login: z.string(), name: z.string(), email: z.string() }).passthrough(),
		state: confirmationState,
		due: z.string(),
		overdue: z.boolean(),
		hours_left: z.number().int(),
		supplier_reference: z.string(),
		drift_days: z.number().int(),
		lines: z.array(confirmationLine),
	})
	.passthrough();

export const governanceResults = {
	api_info: z
		.object({
			api_version: z.string().min(1),
			addon_version: z.string().min(1),
			database: z.string().min(1),
			user,
			event_types: z.array(z.string().min(1)),
			integration: z.boolean().optional(),
		})
		.passthrough(),
	list_event_types: z
		.object({
			event_types: z.array(
				z.object({ type: z.string().min(1), description: z.string() }).passthrough(),
			),
		})
		.passthrough(),
	// The evaluator validates the rules in depth (contract/policy/SEMANTICS.md, Errors).
	export_policy_document: z
		.object({
			format: z.string(),
			name: z.string(),
			version: z.number().int(),
			currency: z.string(),
			rules: z.array(z.unknown()),
			content_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
		})
		.passthrough(),
	list_pending_reviews: z.object({ reviews: z.array(pendingReview) }).passthrough(),
	decide: z
		.object({
			review_id: z.number().int(),
			request_id: z.number().int(),
			request_state: requestState,
			outcome: z.enum(decisionOutcomes),
			actor: user,
			on_behalf_of: user.nullable().optional(),
			document: documentRef.optional(),
		})
		.passthrough(),
	register_subscription: z.object({ subscription_id: z.number().int() }).passthrough(),
	subscription_exists: z.object({ exists: z.boolean(), active: z.boolean() }).passthrough(),
	remove_subscription: z.object({ removed: z.boolean() }).passthrough(),
	claim_delivery: z
		.object({
			claimed: z.boolean(),
			started: z.boolean(),
			subscription_id: z.number().int(),
			event_id: z.string().min(1),
			claimed_at: z.string().min(1),
		})
		.passthrough(),
	confirm_delivery_start: z
		.object({
			started: z.boolean(),
			subscription_id: z.number().int(),
			event_id: z.string().min(1),
			execution_id: z.string(),
			started_at: z.string().min(1),
		})
		.passthrough(),
	rerun_crashed_execution: z
		.object({
			rerun: z.boolean(),
			execution_id: z.string(),
			event_id: z.string(),
			subscription_id: z.number().int(),
		})
		.passthrough(),
	raise_exception: z
		.object({
			exception_id: z.number().int(),
			name: z.string().min(1),
			state: z.enum(['open', 'in_progress', 'resolved', 'dismissed']),
		})
		.passthrough(),
	record_supplier_confirmation: z
		.object({
			confirmation_id: z.number().int(),
			update_id: z.number().int(),
			purchase_order: documentRef,
			state: confirmationState,
			outcome: z.enum(['on_time', 'date_changed', 'overdue', 'rejected']),
			drift_days: z.number().int(),
			lead_time_drift_days: z.number().int(),
			material_drift: z.boolean(),
			exception_id: z.number().int(),
			affected_sale_orders: z.array(
				z
					.object({
						id: z.number().int(),
						name: z.string(),
						customer: z.string(),
						product: z.string(),
						quantity: z.string(),
						commitment_date: z.string(),
					})
					.passthrough(),
			),
			lines: z.array(confirmationLine),
		})
		.passthrough(),
	list_supplier_confirmations: z.object({ confirmations: z.array(supplierConfirmation) }).passthrough(),
	list_overdue_supplier_confirmations: z.object({ confirmations: z.array(supplierConfirmation) }).passthrough(),
	resolve_exception: z
		.object({ exception_id: z.number().int(), state: z.enum(['resolved', 'dismissed']) })
		.passthrough(),
	post_summary_note: z
		.object({ message_id: z.number().int(), document: documentRef, posted: z.boolean() })
		.passthrough(),
	purchase_risk_inputs: z
		.object({
			orders: z.array(
				z.object({ order: z.object({ id: z.number().int(), name: z.string() }).passthrough() }).passthrough(),
			),
			has_more: z.boolean(),
			next_offset: z.number().int(),
		})
		.passthrough(),
	find_deliveries: z.object({ deliveries: z.array(delivery) }).passthrough(),
	place_shipment_hold: shipmentHold.extend({ created: z.boolean() }).passthrough(),
	release_shipment_hold: shipmentHold,
	list_late_shipments: z
		.object({
			late_shipments: z.array(
				z
					.object({
						late_shipment_id: z.number().int(),
						delivery: documentRef,
						step: z.enum(['pick', 'pack', 'ship']),
						state: z.enum(['late', 'escalated', 'closed']),
						hours_late: z.number().int(),
						exception_id: z.number().int(),
					})
					.passthrough(),
			),
		})
		.passthrough(),
};

export type GovernanceMethod = keyof typeof governanceResults;
export type GovernanceResult<M extends GovernanceMethod> = z.infer<(typeof governanceResults)[M]>;
export type PendingReview = z.infer<typeof pendingReview>;
