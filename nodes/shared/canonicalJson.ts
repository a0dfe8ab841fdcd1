/**
 * Canonical JSON as defined in contract/policy/SEMANTICS.md: keys sorted by code point, no
 * insignificant white space, integer numbers only, no lone surrogates. Byte for byte the same as
 * odoo_addon/distribution_governance/lib/canonical_json.py.
 */

export class NonCanonicalNumberError extends Error {}

/** A string or key holds a lone surrogate (U+D800-U+DFFF not in a pair): UTF-8 cannot encode it. */
export class NonCanonicalStringError extends Error {}

// With the u flag a high-low pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

export function hasLoneSurrogate(text: string): boolean {
	return LONE_SURROGATE.test(text);
}

function text(value: string): string {
	if (hasLoneSurrogate(value)) throw new NonCanonicalStringError(JSON.stringify(value));
	return JSON.stringify(value);
}

export function isSafeInteger(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Whether `value` can be written canonically: every number in it is a safe integer. */
export function hasCanonicalForm(value: unknown): boolean {
	if (typeof value === 'number') return isSafeInteger(value);
	if (Array.isArray(value)) return value.every(hasCanonicalForm);
	if (typeof value === 'object' && value !== null) return Object.values(value).every(hasCanonicalForm);
	return true;
}

export function compareCodePoints(a: string, b: string): number {
	const left = Array.from(a);
	const right = Array.from(b);
	const length = Math.min(left.length, right.length);
	for (let index = 0; index < length; index++) {
		const difference = (left[index].codePointAt(0) ?? 0) - (right[index].codePointAt(0) ?? 0);
		if (difference !== 0) return difference;
	}
	return left.length - right.length;
}

export function canonicalJson(value: unknown): string {
	if (typeof value === 'string') return text(value);
	if (value === null || typeof value === 'boolean') return JSON.stringify(value);
	if (typeof value === 'number') {
		if (!isSafeInteger(value)) throw new NonCanonicalNumberError(String(value));
		return String(value === 0 ? 0 : value);
	}
	if (Array.isArray(value)) {
		return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
	}
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, item]) => item !== undefined)
			.sort(([a], [b]) => compareCodePoints(a, b));
		return `{${entries.map(([key, item]) => `${text(key)}:${canonicalJson(item)}`).join(',')}}`;
	}
	throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}
