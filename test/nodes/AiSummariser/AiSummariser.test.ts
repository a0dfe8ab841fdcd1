import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { summaryFromFields } from '../../../nodes/AiSummariser/fallback';
import { StandInAiProvider, type Behaviour } from '../../e2e/support/standInAiProvider';
import { fakeOdoo } from '../helpers/contexts';
import { aiContext, API_KEY, MODEL, run } from './support';
import { approvalRequested, riskOrder } from './fixtures';

const TIMEOUT_MS = 600;
const provider = new StandInAiProvider({ apiKey: API_KEY, slowMs: 3000, retryAfterSeconds: 5 });
let baseUrl: string;

beforeAll(async () => {
	baseUrl = await provider.start();
});
afterAll(async () => await provider.stop());
beforeEach(() => provider.reset('good'));

const summarise = (items: IDataObject[], extra: Record<string, unknown> = {}) =>
	aiContext({
		baseUrl,
		items,
		parameters: { operation: 'summarise', itemType: 'approvalRequest', limits: { timeoutMs: TIMEOUT_MS }, ...extra },
	});

/** What the user message carried after "INPUT:". */
const sentInput = (body: string) =>
	JSON.parse(JSON.parse(body).messages[1].content.split('\n\nINPUT:\n')[1]) as IDataObject;

// Exactly the approval request's allow-listed fields, with names, e-mail and phone redacted.
const REDACTED_APPROVAL = {
	request: { ref: 'APR/2026/0011' },
	document: {
		model: 'purchase.order',
		name: 'P00042',
		amount: '12500.00',
		currency: 'EUR',
		company: 'Acme Distribution EU',
	},
	outcome: 'needs_approval',
	policy: { name: 'Purchasing', version: 3 },
	matched_rules: ['po-spend-10k', 'po-non-preferred'],
	missing_facts: [],
	reasons: [
		{ text: 'Spend of 10,000 or more' },
		{ text: 'Vendor is not preferred' },
		{ text: 'Urgent: [person] ([email], [phone]) says [person] promised it by 2026-11-24 for 12500.00' },
	],
	pending_reviews: [{ tier_name: 'Purchasing manager', due: '2026-11-24T09:00:00Z' }],
};

describe('AI Summariser: what the provider receives', () => {
	it('sends only the allow-listed fields, redacted, with the credential key and model, and hashes the exact body', async () => {
		const [output] = await run(summarise([approvalRequested()]));
		expect(provider.chats).toHaveLength(1);
		const received = provider.chats[0];
		expect(received.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(received.headers['content-type']).toBe('application/json');
		const body = JSON.parse(received.body);
		expect(Object.keys(body)).toEqual(['model', 'messages', 'temperature', 'max_tokens', 'response_format']);
		expect(body.model).toBe(MODEL);
		expect(body.response_format).toEqual({ type: 'json_object' });
		expect(body.messages[0].role).toBe('system');
		expect(body.messages[0].content).toMatch(/never approve, reject, release or decide/);
		expect(sentInput(received.body)).toEqual(REDACTED_APPROVAL);
		for (const secret of ['alice', 'Alice', 'Maria', '1234567', 'DE89', 'internal_note', 'requester', 'maria@']) {
			expect([secret, received.body.includes(secret)]).toEqual([secret, false]);
		}
		expect(output.prompt_hash).toBe(`sha256:${createHash('sha256').update(received.body).digest('hex')}`);
		expect(output).toMatchObject({
			id: '11',
			name: 'APR/2026/0011',
			document: { model: 'purchase.order', id: 42, name: 'P00042' },
			source: 'ai',
			model: MODEL,
			fallback_reason: null,
			summary: 'Stand-in summary of 8 field group(s).',
			pairedItem: { item: 0 },
		});
	});

	it('sends the user\'s own field list and redaction patterns instead of the defaults', async () => {
		await run(
			summarise([approvalRequested()], {
				allowedFields: 'document.name, reasons[].text',
				redactionPatterns: 'promised\nP000\\d+',
			}),
		);
		expect(sentInput(provider.chats[0].body)).toEqual({
			document: { name: '[redacted]' },
			reasons: [
				{ text: 'Spend of 10,000 or more' },
				{ text: 'Vendor is not preferred' },
				{ text: 'Urgent: [person] ([email], [phone]) says [person] [redacted] it by 2026-11-24 for 12500.00' },
			],
		});
	});

	it('refuses a bad field path or pattern before sending anything', async () => {
		await expect(run(summarise([approvalRequested()], { allowedFields: 'document.name; DROP' }))).rejects.toThrow(
			/is not a field path/,
		);
		await expect(run(summarise([approvalRequested()], { redactionPatterns: '(' }))).rejects.toThrow(
			/not a valid regular expression/,
		);
		expect(provider.chats).toHaveLength(0);
	});

	it('keeps to the concurrency limit', async () => {
		provider.reset('slow');
		const items = Array.from({ length: 5 }, () => approvalRequested());
		// The timeout leaves room for a loaded machine to let every request reach the provider
		// (at 300 ms, with load average 30, a request could end before the provider saw it).
		await run(summarise(items, { limits: { timeoutMs: 1000, concurrency: 2 } }));
		expect(provider.chats).toHaveLength(5);
		expect(provider.maxInFlight).toBe(2);
	});
});

describe('AI Summariser: every failure yields the deterministic fallback within the timeout', () => {
	const cases: Array<[Behaviour, string, RegExp]> = [
		['slow', 'timeout', /no answer within 600 ms/],
		['error500', 'http_error', /HTTP 500/],
		['rateLimited', 'rate_limited', /Retry-After 5 s does not fit in the 600 ms timeout/],
		['invalidJson', 'invalid_json', /not JSON/],
		['schemaViolation', 'schema_violation', /summary: Required|Unrecognized key/],
		['approve', 'decision_in_answer', /says "approve"/],
	];

	it.each(cases)('%s → fallback (%s)', async (behaviour, reason, detail) => {
		provider.reset(behaviour);
		const started = Date.now();
		const [output] = await run(summarise([approvalRequested()]));
		const elapsed = Date.now() - started;
		expect(elapsed).toBeLessThan(TIMEOUT_MS + 250);
		expect(provider.chats).toHaveLength(1);
		expect(output).toMatchObject({ source: 'fallback', model: MODEL, fallback_reason: reason });
		expect(output.fallback_detail).toMatch(detail);
		expect(output.summary).toBe(summaryFromFields('APR/2026/0011', REDACTED_APPROVAL));
		expect(output.prompt_hash).toBe(
			`sha256:${createHash('sha256').update(provider.chats[0].body).digest('hex')}`,
		);
		expect(String(output.summary)).not.toMatch(/approve/i);
	});

	it('falls back when the provider is not there at all', async () => {
		const context = aiContext({
			baseUrl: 'http://127.0.0.1:9/v1',
			items: [approvalRequested()],
			parameters: { operation: 'summarise', itemType: 'approvalRequest', limits: { timeoutMs: TIMEOUT_MS } },
		});
		const [output] = await run(context);
		expect(output).toMatchObject({ source: 'fallback', fallback_reason: 'network_error' });
	});

	it('does not send a request over the token budget', async () => {
		const [output] = await run(summarise([approvalRequested()], { limits: { timeoutMs: TIMEOUT_MS, tokenBudget: 200 } }));
		expect(provider.chats).toHaveLength(0);
		expect(output).toMatchObject({ source: 'fallback', fallback_reason: 'token_budget' });
		expect(JSON.parse(String(JSON.stringify(output)))).toHaveProperty('summary');
	});

	it('waits out a 429 whose Retry-After fits in the timeout and then uses the answer', async () => {
		const patient = new StandInAiProvider({ apiKey: API_KEY, retryAfterSeconds: 1 });
		const url = await patient.start();
		try {
			patient.reset('rateLimited');
			const context = aiContext({
				baseUrl: url,
				items: [approvalRequested()],
				parameters: { operation: 'summarise', itemType: 'approvalRequest', limits: { timeoutMs: 3000 } },
			});
			const [output] = await run(context);
			expect(patient.chats).toHaveLength(2);
			expect(patient.chats[1].at - patient.chats[0].at).toBeGreaterThanOrEqual(990);
			expect(patient.chats[1].body).toBe(patient.chats[0].body);
			expect(output).toMatchObject({ source: 'ai', fallback_reason: null });
		} finally {
			await patient.stop();
		}
	});
});

describe('AI Summariser: classify', () => {
	const classify = (extra: Record<string, unknown> = {}) =>
		aiContext({
			baseUrl,
			items: [approvalRequested()],
			parameters: {
				operation: 'classify',
				itemType: 'approvalRequest',
				labels: 'spend, supplier, other',
				rules: { rule: [{ label: 'supplier', keywords: 'vendor, supplier' }] },
				limits: { timeoutMs: TIMEOUT_MS },
				...extra,
			},
		});

	it('returns one of the labels with the confidence the model gave', async () => {
		const [output] = await run(classify());
		expect(output).toMatchObject({ label: 'spend', confidence: 0.82, source: 'ai' });
		expect(JSON.parse(provider.chats[0].body).messages[1].content).toContain('["spend","supplier","other"]');
	});

	it('classifies by the rules when the answer is not one of the labels or the provider fails', async () => {
		provider.reset('schemaViolation');
		const [output] = await run(classify());
		expect(output).toMatchObject({
			label: 'supplier',
			confidence: 1,
			reason: 'rule: "vendor" found',
			source: 'fallback',
			fallback_reason: 'schema_violation',
		});
	});

	it('refuses a rule naming a label that is not in the list', async () => {
		await expect(run(classify({ rules: { rule: [{ label: 'urgent', keywords: 'x' }] } }))).rejects.toThrow(
			/"urgent" is used by a fallback rule but is not one of the Labels/,
		);
	});
});

describe('AI Summariser: rank', () => {
	const orders = () => [
		riskOrder(1, 'P00001', { demand: 1000, customers: ['Customer A'], forecast: 50, min: 10, daysLate: 0 }),
		riskOrder(2, 'P00002', { demand: 9000, customers: ['Customer B', 'Customer C'], forecast: -4, min: 10, daysLate: 14 }),
		riskOrder(3, 'P00003', { demand: 0, customers: [], forecast: 5, min: 10, daysLate: 3 }),
	];
	const rank = () =>
		aiContext({
			baseUrl,
			items: orders(),
			parameters: { operation: 'rank', itemType: 'purchaseOrderRisk', limits: { timeoutMs: TIMEOUT_MS } },
		});

	it('takes the model\'s order and keeps the deterministic score and rank beside it', async () => {
		const output = await run(rank());
		expect(output.map((item) => [item.rank, item.name, item.deterministic_rank, item.source])).toEqual([
			[1, 'P00003', 2, 'ai'],
			[2, 'P00002', 1, 'ai'],
			[3, 'P00001', 3, 'ai'],
		]);
		expect(output[0].reasons).toEqual(['stand-in reason for 3']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 2 }, { item: 1 }, { item: 0 }]);
		const sent = sentInput(provider.chats[0].body) as { items: IDataObject[] };
		expect(sent.items.map((item) => item.id)).toEqual(['1', '2', '3']);
		expect(provider.chats[0].body).not.toMatch(/Alice|Sam Seller|salesperson|buyer/);
	});

	it('ranks by the documented score when the provider answers with a decision', async () => {
		provider.reset('approve');
		const output = await run(rank());
		// P00002: 3 × 9000/9000 + 2 × 1 (negative forecast) + 2 × 14/14 + 2/5 = 7.4
		// P00003: 0 + 2 × 5/10 + 2 × 3/14 + 0 = 1.429;  P00001: 3 × 1000/9000 + 0 + 0 + 1/5 = 0.533
		expect(output.map((item) => [item.rank, item.name, item.score, item.source, item.fallback_reason])).toEqual([
			[1, 'P00002', 7.4, 'fallback', 'decision_in_answer'],
			[2, 'P00003', 1.429, 'fallback', 'decision_in_answer'],
			[3, 'P00001', 0.533, 'fallback', 'decision_in_answer'],
		]);
		expect(output[0].reasons).toEqual([
			'sales demand at risk 9000 across 2 customer(s)',
			'stock shortage 100% of the minimum',
			"supplier's receipts up to 14 day(s) late",
		]);
	});
});

describe('AI Summariser: post summary to Odoo', () => {
	it('posts the summary with its source, model and prompt hash, keyed for idempotency', async () => {
		const calls: IDataObject[] = [];
		const odoo = fakeOdoo({
			post_summary_note: (params) => {
				calls.push(params);
				return { message_id: 91, document: { model: 'purchase.order', id: 42, name: 'P00042' }, posted: true };
			},
		});
		const summary = {
			summary: 'Urgent valve order.',
			source: 'fallback',
			model: MODEL,
			prompt_hash: `sha256:${'a'.repeat(64)}`,
			fallback_reason: 'timeout',
			document: { model: 'purchase.order', id: 42 },
		};
		const context = aiContext({
			baseUrl,
			items: [summary],
			odoo,
			parameters: {
				operation: 'postSummary',
				documentModel: 'purchase.order',
				documentId: '42',
				summary: 'Urgent valve order.',
				idempotencyKey: `summary:purchase.order:42:${summary.prompt_hash}`,
			},
		});
		const [output] = await run(context);
		expect(calls).toEqual([
			{
				document: { model: 'purchase.order', id: 42 },
				summary: 'Urgent valve order.',
				source: 'fallback',
				model: MODEL,
				prompt_hash: summary.prompt_hash,
				fallback_reason: 'timeout',
				idempotency_key: `summary:purchase.order:42:${summary.prompt_hash}`,
			},
		]);
		expect(output.note).toEqual({ message_id: 91, document: { model: 'purchase.order', id: 42, name: 'P00042' }, posted: true });
	});
});
