/** Exact decimals for policy thresholds: no binary floating point near money. */

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export interface ExactDecimal {
	/** The value times 10^scale, exactly. */
	units: bigint;
	scale: number;
}

/** A decimal string or a safe integer as an exact decimal; undefined when it is neither. */
export function parseDecimal(value: unknown): ExactDecimal | undefined {
	if (typeof value === 'number') {
		return Number.isSafeInteger(value) ? { units: BigInt(value), scale: 0 } : undefined;
	}
	if (typeof value !== 'string' || !DECIMAL.test(value)) return undefined;
	const [whole, fraction = ''] = value.split('.');
	return { units: BigInt(whole + fraction), scale: fraction.length };
}

export function compareDecimals(a: ExactDecimal, b: ExactDecimal): number {
	const scale = Math.max(a.scale, b.scale);
	const left = a.units * 10n ** BigInt(scale - a.scale);
	const right = b.units * 10n ** BigInt(scale - b.scale);
	return left === right ? 0 : left < right ? -1 : 1;
}
