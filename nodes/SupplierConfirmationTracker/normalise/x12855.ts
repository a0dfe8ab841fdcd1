/**
 * ANSI ASC X12 855 (Purchase Order Acknowledgment), versions 004010 and later. The ISA header
 * (fixed 106 characters) names the element separator (4th character), the component separator
 * (105th) and the segment terminator (106th); one interchange may carry several 855 transaction
 * sets, each becomes one update. Segments read: ST, BAK, REF*VN, DTM, PO1, ACK, SE.
 */
import { x12Date } from './dates';
import {
	bounded,
	LIMITS,
	type NormalisedLine,
	type NormalisedUpdate,
	UnreadableUpdate,
	type UpdateStatus,
} from './types';

// BAK02 acknowledgment types (X12 587).
const REJECTED = new Set(['RJ', 'RD']);
const KNOWN_ACK_TYPES = new Set(['AC', 'AD', 'AE', 'AH', 'AK', 'AP', 'AT', 'NA', 'RD', 'RF', 'RJ', 'RN', 'RO', 'RV', 'ZZ']);
// ACK01 line item status codes (X12 668) that mean the supplier moved the date.
const DATE_MOVED = new Set(['DR', 'IC', 'IB']);
const LINE_REJECTED = new Set(['IR', 'ID', 'R1', 'R2', 'R3', 'R4']);
// DTM/ACK date qualifiers for the delivery or shipment the supplier promises.
const PROMISE_QUALIFIERS = new Set(['067', '068', '017', '002', '010', '069', '371', '372']);
// PO1 product qualifiers, best first: the buyer's own part number matches Odoo's internal reference.
const CODE_QUALIFIERS = ['BP', 'IN', 'VP', 'VN', 'SK', 'UP', 'EN'];

export interface X12Delimiters {
	element: string;
	component: string;
	segment: string;
}

export function delimiters(message: string): X12Delimiters {
	const start = message.replace(/^\uFEFF/, '').trimStart();
	if (!start.startsWith('ISA')) throw new UnreadableUpdate('Not an X12 interchange: it does not start with ISA');
	if (start.length < 106) throw new UnreadableUpdate('The ISA segment is shorter than the 106 characters X12 fixes');
	const element = start[3];
	const segment = start[105];
	const component = start[104];
	if (/[A-Za-z0-9 ]/.test(element) || /[A-Za-z0-9 ]/.test(segment)) {
		throw new UnreadableUpdate('The ISA segment does not have the fixed X12 length (separators are letters or digits)');
	}
	return { element, component, segment };
}

function segments(message: string, d: X12Delimiters): string[][] {
	return message
		.replace(/^\uFEFF/, '')
		.split(d.segment)
		.map((s) => s.replace(/^[\r\n]+|[\r\n]+$/g, '').trim())
		.filter((s) => s.length > 0)
		.map((s) => s.split(d.element));
}

function transactionSet(segs: string[][], raw: string, warnings: string[]): NormalisedUpdate {
	const st = segs[0];
	const se = segs[segs.length - 1];
	if (se[0] !== 'SE') throw new UnreadableUpdate(`Transaction set ${st[2] ?? ''} has no SE trailer`);
	if (Number(se[1]) !== segs.length) {
		throw new UnreadableUpdate(`SE says ${se[1]} segments but transaction set ${st[2]} has ${segs.length}: the message is cut or altered`);
	}
	if (se[2] !== st[2]) throw new UnreadableUpdate(`SE control number ${se[2]} does not match ST ${st[2]}`);
	const bak = segs.find((s) => s[0] === 'BAK');
	if (!bak) throw new UnreadableUpdate(`Transaction set ${st[2]} has no BAK segment`);
	const ackType = bak[2] ?? '';
	if (!KNOWN_ACK_TYPES.has(ackType)) throw new UnreadableUpdate(`BAK02 "${ackType}" is not an X12 acknowledgment type`);
	const order = (bak[3] ?? '').trim();
	if (!order) throw new UnreadableUpdate('BAK03 (purchase order number) is empty');
	const vendorRef = segs.find((s) => s[0] === 'REF' && s[1] === 'VN')?.[2];
	const reference = (vendorRef ?? bak[8] ?? '').trim() || `${st[2]}`;
	let headerDate: string | undefined;
	for (const dtm of segs.filter((s) => s[0] === 'DTM')) {
		if (PROMISE_QUALIFIERS.has(dtm[1])) headerDate = x12Date(dtm[2] ?? '', `DTM*${dtm[1]}`);
	}
	const lines: NormalisedLine[] = [];
	let moved = false;
	let rejectedLines = 0;
	let current: NormalisedLine | undefined;
	for (const seg of segs) {
		if (seg[0] === 'PO1') {
			current = {};
			const assigned = (seg[1] ?? '').trim();
			if (/^[1-9]\d{0,4}$/.test(assigned)) current.line_number = Number(assigned);
			for (const qualifier of CODE_QUALIFIERS) {
				const at = seg.findIndex((value, index) => index >= 6 && index % 2 === 0 && value === qualifier);
				if (at > 0 && seg[at + 1]) {
					current.product_code = bounded(seg[at + 1].trim(), LIMITS.productCode, `PO1 ${qualifier}`);
					break;
				}
			}
			if (current.line_number === undefined && current.product_code === undefined) {
				throw new UnreadableUpdate(`PO1 "${seg.join('*')}" names neither a line number nor a product`);
			}
			lines.push(current);
		} else if (seg[0] === 'ACK') {
			if (!current) throw new UnreadableUpdate('An ACK segment comes before any PO1 line');
			const status = seg[1] ?? '';
			if (DATE_MOVED.has(status)) moved = true;
			if (LINE_REJECTED.has(status)) {
				rejectedLines++;
				warnings.push(`Line ${current.line_number ?? current.product_code} rejected by the supplier (ACK ${status})`);
			}
			if (seg[2] && /^\d+(\.\d+)?$/.test(seg[2])) current.quantity = seg[2].replace(/^0+(?=\d)/, '');
			if (seg[4] && PROMISE_QUALIFIERS.has(seg[4]) && seg[5]) {
				current.promised_date = x12Date(seg[5], `ACK05 of line ${current.line_number ?? current.product_code}`);
			}
		}
	}
	let status: UpdateStatus = moved || ackType === 'AC' ? 'date_changed' : 'confirmed';
	if (REJECTED.has(ackType) || (lines.length > 0 && rejectedLines === lines.length)) status = 'rejected';
	if (status === 'date_changed' && !headerDate && !lines.some((l) => l.promised_date)) status = 'confirmed';
	const update: NormalisedUpdate = {
		purchase_order: bounded(order, LIMITS.purchaseOrder, 'BAK03'),
		status,
		source: 'edi',
		supplier_reference: bounded(reference, LIMITS.supplierReference, 'The supplier reference'),
		lines: status === 'rejected' ? [] : lines.filter((l) => l.promised_date || l.quantity),
		raw_message: bounded(raw, LIMITS.rawMessage, 'The raw message'),
		warnings,
	};
	if (headerDate && status !== 'rejected') update.promised_date = headerDate;
	if (status === 'rejected') update.reason = `X12 855 acknowledgment type ${ackType}`;
	return update;
}

/** Every 855 transaction set of an X12 interchange, as updates. */
export function readX12855(message: string): NormalisedUpdate[] {
	const d = delimiters(message);
	const segs = segments(message, d);
	if (!segs.some((s) => s[0] === 'IEA')) throw new UnreadableUpdate('The interchange has no IEA trailer: it is cut');
	const updates: NormalisedUpdate[] = [];
	let open: string[][] | undefined;
	for (const seg of segs) {
		if (seg[0] === 'ST') {
			if (seg[1] !== '855') {
				throw new UnreadableUpdate(`Transaction set ${seg[1]} is not an 855 purchase order acknowledgment`);
			}
			open = [seg];
		} else if (open) {
			open.push(seg);
			if (seg[0] === 'SE') {
				updates.push(transactionSet(open, message, []));
				open = undefined;
			}
		}
	}
	if (open) throw new UnreadableUpdate(`Transaction set ${open[0][2]} has no SE trailer`);
	if (!updates.length) throw new UnreadableUpdate('The interchange holds no 855 transaction set');
	return updates;
}
