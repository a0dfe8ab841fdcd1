/**
 * Supplier-portal JSON. The portal posts one object per answer; the names below are those portals
 * commonly use (README, "Supplier Confirmation Tracker"). Dates are ISO 8601 only.
 */
import { isoDate } from './dates';
import {
	bounded,
	LIMITS,
	type NormalisedLine,
	type NormalisedUpdate,
	UnreadableUpdate,
	type UpdateStatus,
} from './types';

type Json = Record<string, unknown>;

const STATUS: Record<string, UpdateStatus> = {
	confirmed: 'confirmed', confirm: 'confirmed', accepted: 'confirmed', acknowledged: 'confirmed',
	date_changed: 'date_changed', changed: 'date_changed', rescheduled: 'date_changed', delayed: 'date_changed',
	rejected: 'rejected', declined: 'rejected', refused: 'rejected',
};

function pick(object: Json, names: string[]): unknown {
	for (const name of names) if (object[name] !== undefined && object[name] !== null && object[name] !== '') return object[name];
	return undefined;
}

function text(value: unknown, what: string, max: number): string {
	if (typeof value !== 'string' && typeof value !== 'number') throw new UnreadableUpdate(`${what} must be text`);
	return bounded(String(value).trim(), max, what);
}

function quantity(value: unknown, what: string): string {
	const textValue = typeof value === 'number' ? String(value) : value;
	if (typeof textValue !== 'string' || !/^(0|[1-9]\d*)(\.\d+)?$/.test(textValue)) {
		throw new UnreadableUpdate(`${what} must be a quantity of 0 or more, not ${JSON.stringify(value)}`);
	}
	return textValue;
}

function line(raw: unknown, index: number): NormalisedLine {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UnreadableUpdate(`lines[${index}] is not an object`);
	const item = raw as Json;
	const result: NormalisedLine = {};
	const number = pick(item, ['line_number', 'line', 'line_no', 'position']);
	if (number !== undefined) {
		if (!Number.isSafeInteger(Number(number)) || Number(number) < 1) {
			throw new UnreadableUpdate(`lines[${index}].line_number must be a positive whole number`);
		}
		result.line_number = Number(number);
	}
	const code = pick(item, ['product_code', 'sku', 'buyer_part_number', 'item_code']);
	if (code !== undefined) result.product_code = text(code, `lines[${index}].product_code`, LIMITS.productCode);
	if (result.line_number === undefined && result.product_code === undefined) {
		throw new UnreadableUpdate(`lines[${index}] names neither a line number nor a product code`);
	}
	const date = pick(item, ['promised_date', 'delivery_date', 'confirmed_date', 'ship_date']);
	if (date !== undefined) result.promised_date = isoDate(date, `lines[${index}].promised_date`);
	const qty = pick(item, ['quantity', 'confirmed_quantity', 'qty']);
	if (qty !== undefined) result.quantity = quantity(qty, `lines[${index}].quantity`);
	return result;
}

export function readPortal(body: unknown, raw: string): NormalisedUpdate {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new UnreadableUpdate('The portal message is not a JSON object');
	}
	const json = body as Json;
	const order = pick(json, ['purchase_order', 'order_reference', 'po_number', 'order_number']);
	if (order === undefined) throw new UnreadableUpdate('The portal message names no purchase order (purchase_order, po_number)');
	const statusText = pick(json, ['status', 'state', 'action']);
	const status = typeof statusText === 'string' ? STATUS[statusText.trim().toLowerCase()] : undefined;
	if (!status) throw new UnreadableUpdate(`The portal status ${JSON.stringify(statusText)} is not one this node knows`);
	const rawLines = pick(json, ['lines', 'items', 'order_lines']);
	if (rawLines !== undefined && !Array.isArray(rawLines)) throw new UnreadableUpdate('lines must be a list');
	const lines = ((rawLines as unknown[] | undefined) ?? []).map(line);
	if (lines.length > LIMITS.lines) throw new UnreadableUpdate(`${lines.length} lines; Odoo takes at most ${LIMITS.lines}`);
	const date = pick(json, ['promised_date', 'delivery_date', 'confirmed_date']);
	const update: NormalisedUpdate = {
		purchase_order: text(order, 'purchase_order', LIMITS.purchaseOrder),
		status,
		source: 'portal',
		supplier_reference: text(pick(json, ['supplier_reference', 'confirmation_number', 'reference']) ?? '', 'supplier_reference', LIMITS.supplierReference),
		lines,
		raw_message: bounded(raw, LIMITS.rawMessage, 'The raw message'),
		warnings: [],
	};
	if (date !== undefined) update.promised_date = isoDate(date, 'promised_date');
	if (status === 'date_changed' && !update.promised_date && !lines.some((l) => l.promised_date)) {
		throw new UnreadableUpdate('The portal says the date changed but gives no new date');
	}
	const reason = pick(json, ['reason', 'comment', 'note']);
	if (reason !== undefined) update.reason = text(reason, 'reason', LIMITS.reason);
	const at = pick(json, ['submitted_at', 'timestamp', 'received_at']);
	if (at !== undefined) update.received_at = receivedAt(at);
	return update;
}

/** An ISO 8601 date-time as given (Odoo reads the offset). */
export function receivedAt(value: unknown): string {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
		throw new UnreadableUpdate(`The arrival time ${JSON.stringify(value)} is not an ISO 8601 date-time`);
	}
	return value;
}

/** A portal message that arrived as text (e.g. a file or a text/plain webhook). */
export function readPortalText(text: string): NormalisedUpdate {
	let body: unknown;
	let problem = '';
	try {
		body = JSON.parse(text);
	} catch (error) {
		problem = (error as Error).message;
	}
	if (problem) throw new UnreadableUpdate(`The portal message is not JSON: ${problem}`);
	return readPortal(body, text);
}
