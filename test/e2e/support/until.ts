/** Poll `probe` until it answers something other than undefined; fail after `timeoutMs` with `context()`. */
export async function until<T>(
	what: string,
	probe: () => Promise<T | undefined> | T | undefined,
	timeoutMs: number,
	context: () => string = () => '',
): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${context()}`);
		await new Promise((done) => setTimeout(done, 200));
	}
}
