/**
 * Supplier e-mails: the subject and the body's own text (quoted replies and signatures after "-- "
 * are left out) must name the order and say what the supplier did. Dates are read in the common
 * formats (dates.ts); when several dates appear, the one after "new date", "revised", "now" or
 * "delivery" wins, and "PRODUCT-CODE ... date" lines give per-line dates.
 */
import { findDates, type FoundDate, type SlashOrder } from './dates';
import { receivedAt } from './portal';
import { bounded, LIMITS, type NormalisedLine, type NormalisedUpdate, UnreadableUpdate, type UpdateStatus } from './types';

export interface EmailInput {
	subject: string;
	text: string;
	from?: string;
	messageId?: string;
	date?: string;
}

export interface EmailOptions {
	orderPattern: RegExp;
	slash: SlashOrder;
}

const REJECT = /\b(reject(?:ed|s)?|declin(?:e|ed|es)|cannot (?:supply|deliver|accept|fulfil+)|unable to (?:supply|deliver|accept|fulfil+)|discontinued|abgelehnt|nicht lieferbar)\b/i;
const CHANGE = /\b(new (?:delivery |ship(?:ping)? )?date|revised|reschedul(?:e|ed)|postpone(?:d)?|delay(?:ed)?|pushed|moved|later than|change(?:d)? (?:of )?(?:the )?(?:delivery )?date|verschoben|neuer liefertermin)\b/i;
const CONFIRM = /\b(confirm(?:ed|s|ing)?|acknowledge(?:d|s)?|accept(?:ed|s)?|order (?:is )?booked|bestätig\w*)/i;
const NEW_DATE_CUE = /(new (?:delivery |ship(?:ping)? )?date|revised (?:delivery |ship(?:ping)? )?date|now|instead|delivery (?:on|date)|deliver(?:ed)? on|ship(?:ped)? on|ship on|arriv(?:e|al) on|expected on|for delivery|liefertermin)\W{0,12}$/i;

/** The body's own text: no quoted reply, no forwarded original, no signature. */
export function ownText(text: string): string {
	const lines: string[] = [];
	for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
		if (/^-{2,}\s*(original message|forwarded message)/i.test(line.trim())) break;
		if (/^on .{4,200} wrote:\s*$/i.test(line.trim()) || /^am .{4,200} schrieb .*:\s*$/i.test(line.trim())) break;
		if (/^(from|von):\s/i.test(line.trim()) && lines.length > 0) break;
		if (line.trim() === '--' || line === '-- ') break;
		if (line.trimStart().startsWith('>')) continue;
		lines.push(line);
	}
	return lines.join('\n');
}

function status(text: string): UpdateStatus {
	if (REJECT.test(text)) return 'rejected';
	if (CHANGE.test(text)) return 'date_changed';
	if (CONFIRM.test(text)) return 'confirmed';
	throw new UnreadableUpdate('The e-mail neither confirms, changes a date nor rejects the order in words this node knows');
}

function perLineDates(body: string, slash: SlashOrder): NormalisedLine[] {
	const lines: NormalisedLine[] = [];
	for (const row of body.split('\n')) {
		const dates = findDates(row, slash);
		if (dates.length !== 1) continue;
		const before = row.slice(0, dates[0].index);
		// Only a row that starts with the product code (after a bullet or "item no."), so a reference
		// elsewhere in a sentence is not taken for a product.
		const code = /^\s*(?:[-*•]\s*)?(?:(?:[Ii]tem|[Aa]rticle|[Aa]rt\.?|SKU|[Pp]art|[Pp]roduct)\s*(?:[Nn]o\.?|#)?\s*)?([A-Z][A-Z0-9]*-[A-Z0-9][A-Z0-9-]*)\b/.exec(before);
		const lineNo = /^\s*(?:line|pos(?:ition)?\.?)\s*(\d{1,5})\b/i.exec(before);
		if (code) lines.push({ product_code: code[1], promised_date: dates[0].date });
		else if (lineNo) lines.push({ line_number: Number(lineNo[1]), promised_date: dates[0].date });
	}
	return lines;
}

function chosenDate(body: string, dates: FoundDate[]): string | undefined {
	const distinct = [...new Set(dates.map((d) => d.date))];
	if (distinct.length === 1) return distinct[0];
	const cued = dates.filter((d) => NEW_DATE_CUE.test(body.slice(Math.max(0, d.index - 40), d.index)));
	const cuedDistinct = [...new Set(cued.map((d) => d.date))];
	if (cuedDistinct.length === 1) return cuedDistinct[0];
	return undefined;
}

export function readEmail(mail: EmailInput, options: EmailOptions, raw: string): NormalisedUpdate {
	const subject = (mail.subject ?? '').trim();
	const body = ownText(mail.text ?? '');
	if (!subject && !body.trim()) throw new UnreadableUpdate('The e-mail has neither a subject nor a text body');
	const references = new Set<string>();
	for (const source of [subject, body]) {
		const pattern = new RegExp(options.orderPattern.source, options.orderPattern.flags.includes('g') ? options.orderPattern.flags : options.orderPattern.flags + 'g');
		for (let m = pattern.exec(source); m; m = pattern.exec(source)) references.add((m[1] ?? m[0]).trim());
	}
	if (references.size === 0) throw new UnreadableUpdate(`The e-mail names no purchase order matching /${options.orderPattern.source}/`);
	if (references.size > 1) {
		throw new UnreadableUpdate(`The e-mail names several purchase orders (${[...references].join(', ')}); answer one per e-mail`);
	}
	const words = `${subject}\n${body}`;
	const what = status(words);
	const update: NormalisedUpdate = {
		purchase_order: bounded([...references][0], LIMITS.purchaseOrder, 'The order reference'),
		status: what,
		source: 'email',
		supplier_reference: bounded((mail.messageId ?? '').trim(), LIMITS.supplierReference, 'The Message-ID'),
		lines: [],
		raw_message: bounded(raw, LIMITS.rawMessage, 'The raw message'),
		warnings: [],
	};
	if (mail.date) {
		const at = new Date(mail.date);
		if (Number.isNaN(at.getTime())) throw new UnreadableUpdate(`The e-mail's Date "${mail.date}" cannot be read`);
		update.received_at = receivedAt(at.toISOString().replace(/\.\d{3}Z$/, 'Z'));
	}
	if (what === 'rejected') {
		update.reason = bounded(body.trim().split('\n').filter((l) => l.trim()).slice(0, 5).join(' ').slice(0, LIMITS.reason), LIMITS.reason, 'reason');
		return update;
	}
	const dates = [...findDates(subject, options.slash), ...findDates(body, options.slash)];
	const lines = perLineDates(body, options.slash);
	if (lines.length > 0) {
		update.lines = lines;
	} else if (dates.length > 0) {
		const date = chosenDate(`${subject}\n${body}`, [
			...findDates(subject, options.slash),
			...findDates(body, options.slash).map((d) => ({ ...d, index: d.index + subject.length + 1 })),
		]);
		if (!date) {
			throw new UnreadableUpdate(
				`The e-mail gives several dates (${[...new Set(dates.map((d) => d.date))].join(', ')}) without saying which is the promised one`,
			);
		}
		update.promised_date = date;
	}
	if (what === 'date_changed' && !update.promised_date && lines.length === 0) {
		throw new UnreadableUpdate('The e-mail says the date changes but gives no new date');
	}
	return update;
}
