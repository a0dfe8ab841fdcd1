/**
 * Dates as suppliers write them, read into ISO 8601 calendar dates (YYYY-MM-DD). A date that could
 * mean two days is refused unless the workflow says how its suppliers write slash dates.
 */
import { UnreadableUpdate } from './types';

export type SlashOrder = 'dayFirst' | 'monthFirst' | 'refuseAmbiguous';

const MONTHS: Record<string, number> = {
	jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
	january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10,
	november: 11, december: 12,
};
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

/** Every way of writing a date we read, each with how to pull day, month and year out of a match. */
const PATTERNS: Array<{ regex: RegExp; read: (m: RegExpExecArray, slash: SlashOrder) => [number, number, number] }> = [
	// 2026-12-08, 2026-12-08T09:00:00Z
	{ regex: /\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, read: (m) => [+m[3], +m[2], +m[1]] },
	// 08.12.2026 (always day first)
	{ regex: /\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g, read: (m) => [+m[1], +m[2], +m[3]] },
	// 08/12/2026 or 12/08/2026
	{ regex: /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g, read: (m, slash) => slashDate(+m[1], +m[2], +m[3], m[0], slash) },
	// 8 December 2026, 8th Dec 2026, 8-Dec-2026
	{
		regex: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?[ -]${MONTH}\\.?,?[ -](\\d{4})\\b`, 'gi'),
		read: (m) => [+m[1], MONTHS[m[2].toLowerCase()], +m[3]],
	},
	// December 8, 2026, Dec 8th 2026
	{
		regex: new RegExp(`\\b${MONTH}\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b`, 'gi'),
		read: (m) => [+m[2], MONTHS[m[1].toLowerCase()], +m[3]],
	},
];

function slashDate(first: number, second: number, year: number, text: string, slash: SlashOrder): [number, number, number] {
	if (first > 12 && second <= 12) return [first, second, year];
	if (second > 12 && first <= 12) return [second, first, year];
	if (first === second) return [first, second, year];
	if (slash === 'dayFirst') return [first, second, year];
	if (slash === 'monthFirst') return [second, first, year];
	throw new UnreadableUpdate(
		`"${text}" could be ${iso(first, second, year)} or ${iso(second, first, year)}; set how this supplier writes slash dates`,
	);
}

function iso(day: number, month: number, year: number): string {
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function valid(day: number, month: number, year: number): boolean {
	if (!month || month > 12 || day < 1 || year < 2000 || year > 2100) return false;
	return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

export interface FoundDate {
	date: string;
	index: number;
	text: string;
}

/** Every date in `text`, in order of appearance; an impossible date (31.02.2026) is refused. */
export function findDates(text: string, slash: SlashOrder): FoundDate[] {
	const found: FoundDate[] = [];
	const taken: Array<[number, number]> = [];
	for (const { regex, read } of PATTERNS) {
		regex.lastIndex = 0;
		for (let m = regex.exec(text); m; m = regex.exec(text)) {
			const start = m.index;
			const end = start + m[0].length;
			if (taken.some(([s, e]) => start < e && end > s)) continue;
			const [day, month, year] = read(m, slash);
			if (!valid(day, month, year)) throw new UnreadableUpdate(`"${m[0]}" is not a real date`);
			taken.push([start, end]);
			found.push({ date: iso(day, month, year), index: start, text: m[0] });
		}
	}
	return found.sort((a, b) => a.index - b.index);
}

/** One date field (portal JSON): ISO 8601 only, as a calendar date. */
export function isoDate(value: unknown, what: string): string {
	if (typeof value !== 'string') throw new UnreadableUpdate(`${what} must be an ISO 8601 date, not ${JSON.stringify(value)}`);
	const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
	if (!m || !valid(+m[3], +m[2], +m[1])) throw new UnreadableUpdate(`${what} "${value}" is not an ISO 8601 date`);
	return `${m[1]}-${m[2]}-${m[3]}`;
}

/** CCYYMMDD (X12). */
export function x12Date(value: string, what: string): string {
	const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
	if (!m || !valid(+m[3], +m[2], +m[1])) throw new UnreadableUpdate(`${what} "${value}" is not a CCYYMMDD date`);
	return `${m[1]}-${m[2]}-${m[3]}`;
}
