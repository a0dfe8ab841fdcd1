/**
 * What the AI Summariser may send for each kind of governance item, and which of its fields
 * name people. Paths are dotted; `[]` walks every element of a list (`lines[].product`).
 * Users can replace either list in the node; these are the defaults.
 */
export interface ItemType {
	name: string;
	/** The fields sent to the provider: nothing else leaves n8n. */
	allowedFields: string[];
	/** Fields holding people's names; those names are redacted wherever they appear. */
	personFields: string[];
	/** Where the item's id and display name are, for output and the Odoo note. */
	idField: string;
	nameField: string;
	/** The Odoo document the item is about, for posting a note. */
	documentField: string;
}

export const ITEM_TYPES: Record<string, ItemType> = {
	approvalRequest: {
		name: 'Approval Request (approval.requested event)',
		allowedFields: [
			'request.ref',
			'document.model',
			'document.name',
			'document.amount',
			'document.currency',
			'document.company',
			'outcome',
			'policy.name',
			'policy.version',
			'matched_rules',
			'missing_facts',
			'reasons[].text',
			'pending_reviews[].tier_name',
			'pending_reviews[].due',
		],
		personFields: ['requester.name', 'pending_reviews[].eligible_approvers[].name'],
		idField: 'request.id',
		nameField: 'request.ref',
		documentField: 'document',
	},
	exception: {
		name: 'Exception (exception.raised event)',
		allowedFields: [
			'exception.name',
			'exception.exception_type',
			'exception.category',
			'exception.severity',
			'exception.state',
			'exception.summary',
			'exception.sla_due',
			'document.model',
			'document.name',
			'document.amount',
			'document.currency',
		],
		personFields: ['exception.owner.name'],
		idField: 'exception.id',
		nameField: 'exception.name',
		documentField: 'document',
	},
	purchaseOrderRisk: {
		name: 'Purchase Order Risk (Odoo purchase_risk_inputs)',
		allowedFields: [
			'order.name',
			'order.supplier',
			'order.amount_total',
			'order.currency',
			'order.date_planned',
			'lines[].product',
			'lines[].category',
			'lines[].qty_open',
			'lines[].date_planned',
			'delay',
			'shortage[].product',
			'shortage[].forecast_qty',
			'shortage[].min_qty',
			'shortage[].shortage_qty',
			'demand_at_risk.amount',
			'demand_at_risk.currency',
			'demand_at_risk.lines[].sale_order',
			'demand_at_risk.lines[].customer',
			'demand_at_risk.lines[].product',
			'demand_at_risk.lines[].qty',
			'demand_at_risk.lines[].amount',
			'demand_at_risk.lines[].commitment_date',
		],
		personFields: ['order.buyer.name', 'demand_at_risk.lines[].salesperson'],
		idField: 'order.id',
		nameField: 'order.name',
		documentField: 'document',
	},
};

export const ITEM_TYPE_OPTIONS = Object.entries(ITEM_TYPES)
	.map(([value, type]) => ({ name: type.name, value }))
	.concat([{ name: 'Other (Fields Given Below)', value: 'custom' }]);
