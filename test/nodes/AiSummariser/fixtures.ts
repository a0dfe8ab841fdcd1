import type { IDataObject } from 'n8n-workflow';

import approvalRequestedExample from '../../../contract/events/examples/approval.requested.json';

/** An approval.requested event whose texts carry personal data the provider must never see. */
export function approvalRequested(): IDataObject {
	const event = structuredClone(approvalRequestedExample) as IDataObject;
	const data = event.data as IDataObject;
	(data.reasons as IDataObject[]).push({
		rule: 'po-urgent',
		action: 'require_tier',
		text: 'Urgent: Alice Buyer (alice@acme.example, +49 170 1234567) says Maria Manager promised it by 2026-11-24 for 12500.00',
	});
	data.internal_note = 'not allow-listed: bank DE89 3704 0044 0532 0130 00';
	return event;
}

/** Open purchase orders as Odoo's purchase_risk_inputs returns them. */
export function riskOrder(
	id: number,
	name: string,
	facts: { demand: number; customers: string[]; forecast: number; min: number; daysLate: number },
): IDataObject {
	return {
		order: {
			id,
			name,
			supplier: { id: 100 + id, name: `Supplier ${id}` },
			buyer: { login: 'alice@acme.example', name: 'Alice Buyer' },
			amount_total: 1000 * id,
			currency: 'EUR',
			date_planned: '2026-12-10',
		},
		document: { model: 'purchase.order', id, name },
		lines: [{ product: { id: 7, code: 'VALVE-9', name: 'Valve 9' }, category: 'Critical spares', qty_open: 10 }],
		delay: { source: 'late_receipts', late_receipts: facts.daysLate ? 2 : 0, max_days_late: facts.daysLate },
		shortage:
			facts.forecast < facts.min
				? [
						{
							product: { id: 7, code: 'VALVE-9', name: 'Valve 9' },
							forecast_qty: facts.forecast,
							min_qty: facts.min,
							shortage_qty: facts.min - facts.forecast,
						},
					]
				: [],
		demand_at_risk: {
			amount: facts.demand,
			currency: 'EUR',
			lines: facts.customers.map((customer, index) => ({
				sale_order: `S0${index + 1}`,
				customer: { id: index + 1, name: customer },
				salesperson: 'Sam Seller',
				product: { id: 7, code: 'VALVE-9', name: 'Valve 9' },
				qty: 2,
				amount: facts.demand / facts.customers.length,
				commitment_date: '2026-12-01',
			})),
		},
	};
}
