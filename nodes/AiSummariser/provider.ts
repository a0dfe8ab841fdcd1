/**
 * One bounded conversation with an OpenAI-compatible chat completions endpoint. It never
 * throws: every failure becomes a `FallbackReason`, so the caller always has an answer (the AI's
 * or the deterministic one). The whole call, retries after 429 included, ends by its deadline.
 */
import { createHash } from 'crypto';
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import type { z } from 'zod';

import { decisionIn } from './answers';

export const AI_CREDENTIAL_TYPE = 'distributionGovernanceAiApi';

export interface AiCredentials {
	baseUrl: string;
	apiKey: string;
	model: string;
}

export type FallbackReason =
	| 'timeout'
	| 'rate_limited'
	| 'http_error'
	| 'network_error'
	| 'invalid_json'
	| 'schema_violation'
	| 'decision_in_answer'
	| 'token_budget';

export interface Limits {
	timeoutMs: number;
	tokenBudget: number;
}

export type Outcome<T> =
	| { ok: true; answer: T; promptHash: string; durationMs: number }
	| { ok: false; reason: FallbackReason; detail: string; promptHash: string; durationMs: number };

const SYSTEM = [
	'You assist procurement staff of a distributor. You only summarise, classify and rank;',
	'you never approve, reject, release or decide anything: people decide in the ERP.',
	'Answer with one JSON object exactly in the shape the user message asks for, and nothing else.',
].join(' ');

/** A rough, conservative token count (4 characters a token) for the budget check. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

export const sha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

export function chatUrl(credentials: AiCredentials): string {
	return `${credentials.baseUrl.trim().replace(/\/+$/, '')}/chat/completions`;
}

/** The exact body sent; its sha256 is the output's prompt_hash. */
export function requestBody(model: string, task: string, payload: unknown, maxTokens: number): string {
	return JSON.stringify({
		model,
		messages: [
			{ role: 'system', content: SYSTEM },
			{ role: 'user', content: `${task}\n\nINPUT:\n${JSON.stringify(payload)}` },
		],
		temperature: 0,
		max_tokens: maxTokens,
		response_format: { type: 'json_object' },
	});
}

interface HttpResponse {
	statusCode: number;
	headers?: Record<string, string | string[] | undefined>;
	body: unknown;
}

function retryAfterMs(headers: HttpResponse['headers']): number {
	const raw = headers?.['retry-after'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (!value) return 1000;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

/** The model's message content (a JSON object, possibly inside a ```json fence), or why not. */
function contentOf(body: unknown): { content: string } | { reason: FallbackReason; detail: string } {
	const parsed = typeof body === 'string' ? parseJson(body) : { ok: true as const, value: body };
	const choice = parsed.ok
		? (parsed.value as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> })
				?.choices?.[0]
		: undefined;
	const content = choice?.message?.content;
	if (typeof content !== 'string') {
		return { reason: 'invalid_json', detail: 'the response is not an OpenAI chat completion' };
	}
	if (choice?.finish_reason === 'length') {
		return { reason: 'token_budget', detail: 'the answer was cut at the token budget (finish_reason "length")' };
	}
	return {
		content: content
			.trim()
			.replace(/^```(?:json)?\s*/i, '')
			.replace(/\s*```$/, ''),
	};
}

export async function ask<T>(
	context: IExecuteFunctions,
	credentials: AiCredentials,
	task: string,
	payload: unknown,
	schema: z.ZodType<T>,
	limits: Limits,
): Promise<Outcome<T>> {
	const started = Date.now();
	const deadline = started + limits.timeoutMs;
	const promptTokens = estimateTokens(task) + estimateTokens(JSON.stringify(payload)) + estimateTokens(SYSTEM);
	const answerTokens = Math.min(1024, limits.tokenBudget - promptTokens);
	const body = requestBody(credentials.model, task, payload, Math.max(1, answerTokens));
	const promptHash = sha256(body);
	const fail = (reason: FallbackReason, detail: string): Outcome<T> => ({
		ok: false,
		reason,
		detail,
		promptHash,
		durationMs: Date.now() - started,
	});
	if (answerTokens < 64) {
		return fail(
			'token_budget',
			`the request needs about ${promptTokens} tokens, leaving ${Math.max(0, answerTokens)} of the budget of ${limits.tokenBudget} for the answer`,
		);
	}
	let response: HttpResponse;
	for (let attempt = 1; ; attempt++) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) return fail('timeout', `no answer within ${limits.timeoutMs} ms`);
		const request: IHttpRequestOptions = {
			method: 'POST',
			url: chatUrl(credentials),
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: remaining,
			abortSignal: AbortSignal.timeout(remaining),
		};
		try {
			response = (await context.helpers.httpRequestWithAuthentication.call(
				context,
				AI_CREDENTIAL_TYPE,
				request,
			)) as HttpResponse;
		} catch (error) {
			const message = (error as Error).message ?? String(error);
			if (Date.now() >= deadline - 5 || /timeout|aborted|abort/i.test(message)) {
				return fail('timeout', `no answer within ${limits.timeoutMs} ms`);
			}
			return fail('network_error', message.slice(0, 300));
		}
		if (response.statusCode !== 429) break;
		const wait = retryAfterMs(response.headers);
		if (Date.now() + wait >= deadline) {
			return fail(
				'rate_limited',
				`HTTP 429 after ${attempt} attempt(s); Retry-After ${Math.round(wait / 1000)} s does not fit in the ${limits.timeoutMs} ms timeout`,
			);
		}
		await sleep(wait);
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		return fail('http_error', `HTTP ${response.statusCode}: ${String(response.body ?? '').slice(0, 200)}`);
	}
	const message = contentOf(response.body);
	if ('reason' in message) return fail(message.reason, message.detail);
	const content = message.content;
	const parsed = parseJson(content);
	if (!parsed.ok) return fail('invalid_json', `the answer is not JSON: ${content.slice(0, 120)}`);
	const decision = decisionIn(parsed.value);
	if (decision) return fail('decision_in_answer', `the answer tries to decide (${decision}); only Odoo decides`);
	const valid = schema.safeParse(parsed.value);
	if (!valid.success) {
		const issues = valid.error.issues
			.slice(0, 3)
			.map((issue) => `${issue.path.join('.') || '<root>'}: ${issue.message}`)
			.join('; ');
		return fail('schema_violation', issues);
	}
	return { ok: true, answer: valid.data, promptHash, durationMs: Date.now() - started };
}

/** Run `work` over `inputs` with at most `limit` at a time, results in input order. */
export async function mapLimited<I, O>(inputs: I[], limit: number, work: (input: I, index: number) => Promise<O>) {
	const results = new Array<O>(inputs.length);
	let next = 0;
	const worker = async () => {
		while (next < inputs.length) {
			const index = next++;
			results[index] = await work(inputs[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker));
	return results;
}
