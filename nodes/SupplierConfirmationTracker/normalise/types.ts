/** The one shape every supplier update becomes (the params of Odoo's record_supplier_confirmation). */
export type UpdateStatus = 'confirmed' | 'date_changed' | 'rejected';
export type UpdateSource = 'portal' | 'edi' | 'email';

export interface NormalisedLine {
	line_number?: number;
	product_code?: string;
	promised_date?: string;
	quantity?: string;
}

export interface NormalisedUpdate {
	purchase_order: string;
	status: UpdateStatus;
	source: UpdateSource;
	supplier_reference: string;
	promised_date?: string;
	lines: NormalisedLine[];
	received_at?: string;
	reason?: string;
	raw_message: string;
	/** What the reader noticed but could not express in Odoo's terms (e.g. one line rejected). */
	warnings: string[];
}

/** Input the reader cannot turn into an update; `reason` says why, nothing is guessed. */
export class UnreadableUpdate extends Error {
	constructor(reason: string) {
		super(reason);
		this.name = 'UnreadableUpdate';
	}
}

/** Odoo's bounds (contract/api/methods.json, record_supplier_confirmation). */
export const LIMITS = {
	purchaseOrder: 64,
	supplierReference: 100,
	productCode: 100,
	reason: 2000,
	rawMessage: 200_000,
	lines: 500,
};

export function bounded(value: string, max: number, what: string): string {
	if (value.length > max) throw new UnreadableUpdate(`${what} has ${value.length} characters; Odoo takes at most ${max}`);
	return value;
}
