/**
 * Picks the allow-listed fields of an item and removes personal data from them, before anything
 * is sent to an AI provider. Pure functions: the unit tests pin exactly what leaves n8n.
 */
import type { IDataObject } from 'n8n-workflow';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Candidates for phone numbers: 7+ characters of digits and the usual separators. Dates and
// amounts have the same shape, so `isPhone` keeps those.
const PHONE_CANDIDATE = /(?<![\w./-])\+?\(?\d[\d ()./-]{5,}\d(?![\w])/g;
const DATE = /^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}$/;
const AMOUNT = /^\d{1,3}(?:[.,]\d{3})*(?:[.,]\d+)?$|^\d+[.,]\d{1,2}$/;
const MAX_PATTERNS = 20;
const MAX_PATTERN_LENGTH = 200;

/** Values at a dotted path; `[]` walks every element of a list. */
export function valuesAt(item: unknown, path: string): unknown[] {
	let current: unknown[] = [item];
	for (const part of path.split('.')) {
		const each = part.endsWith('[]');
		const key = each ? part.slice(0, -2) : part;
		const next: unknown[] = [];
		for (const value of current) {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
			const child = (value as IDataObject)[key];
			if (child === undefined) continue;
			if (each) {
				if (Array.isArray(child)) next.push(...child);
			} else {
				next.push(child);
			}
		}
		current = next;
	}
	return current;
}

/** A copy of `item` holding only the allow-listed paths, in their original nesting. */
export function pickFields(item: unknown, paths: string[]): Json {
	const result: { [key: string]: Json } = {};
	for (const path of paths) merge(result, item, path.split('.'));
	return result;
}

function merge(target: { [key: string]: Json }, source: unknown, parts: string[]): void {
	if (typeof source !== 'object' || source === null || Array.isArray(source)) return;
	const [part, ...rest] = parts;
	const each = part.endsWith('[]');
	const key = each ? part.slice(0, -2) : part;
	const child = (source as IDataObject)[key];
	if (child === undefined) return;
	if (!rest.length) {
		target[key] = structuredClone(child) as Json;
		return;
	}
	if (each) {
		if (!Array.isArray(child)) return;
		const list = (Array.isArray(target[key]) ? target[key] : child.map(() => ({}))) as Json[];
		child.forEach((element, index) => merge(list[index] as { [key: string]: Json }, element, rest));
		target[key] = list;
		return;
	}
	const nested = (typeof target[key] === 'object' && target[key] !== null ? target[key] : {}) as {
		[key: string]: Json;
	};
	merge(nested, child, rest);
	target[key] = nested;
}

/** Turns the user's pattern lines into regular expressions, or names the first bad one. */
export function compilePatterns(lines: string): { patterns: RegExp[] } | { problem: string } {
	const sources = lines
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	if (sources.length > MAX_PATTERNS) return { problem: `At most ${MAX_PATTERNS} redaction patterns are allowed` };
	const patterns: RegExp[] = [];
	for (const source of sources) {
		if (source.length > MAX_PATTERN_LENGTH) {
			return { problem: `Redaction pattern "${source.slice(0, 40)}…" is longer than ${MAX_PATTERN_LENGTH} characters` };
		}
		try {
			patterns.push(new RegExp(source, 'gi'));
		} catch (error) {
			return { problem: `Redaction pattern "${source}" is not a valid regular expression: ${(error as Error).message}` };
		}
	}
	return { patterns };
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The people named in the item's person fields: whole names (any case) and each capitalised part
 * of 3+ letters (as written, so "Maria Manager" hides "Manager" but not "purchasing manager").
 */
export function personNames(item: unknown, personFields: string[]): RegExp[] {
	const whole = new Set<string>();
	const parts = new Set<string>();
	for (const path of personFields) {
		for (const value of valuesAt(item, path)) {
			if (typeof value !== 'string' || !value.trim()) continue;
			whole.add(value.trim());
			for (const part of value.trim().split(/\s+/)) if (part.length >= 3) parts.add(part);
		}
	}
	const bounded = (name: string, flags: string) =>
		new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, flags);
	// Longest first, so "Maria Lopez" is replaced whole before "Maria".
	const byLength = (a: string, b: string) => b.length - a.length;
	return [
		...[...whole].sort(byLength).map((name) => bounded(name, 'giu')),
		...[...parts].sort(byLength).map((name) => bounded(name, 'gu')),
	];
}

export interface Redaction {
	names: RegExp[];
	patterns: RegExp[];
}

function isPhone(candidate: string): boolean {
	const digits = candidate.replace(/\D/g, '').length;
	return digits >= 7 && !DATE.test(candidate) && !AMOUNT.test(candidate);
}

function redactText(text: string, redaction: Redaction): string {
	let result = text
		.replace(EMAIL, '[email]')
		.replace(PHONE_CANDIDATE, (candidate) => (isPhone(candidate) ? '[phone]' : candidate));
	for (const name of redaction.names) result = result.replace(name, '[person]');
	for (const pattern of redaction.patterns) result = result.replace(pattern, '[redacted]');
	return result;
}

/** Every string in `value` (keys stay) with e-mails, phones, names and user patterns replaced. */
export function redact(value: Json, redaction: Redaction): Json {
	if (typeof value === 'string') return redactText(value, redaction);
	if (Array.isArray(value)) return value.map((element) => redact(element, redaction));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redact(child, redaction)]));
	}
	return value;
}
