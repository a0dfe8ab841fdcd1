/** A parameter or item value as trimmed text of at most `max` characters (the API's maxLength). */
export function cut(value: unknown, max: number): string {
	return String(value ?? '')
		.trim()
		.slice(0, max);
}
