import { decisionIn } from '../../../nodes/AiSummariser/answers';
import { personNames, pickFields, redact } from '../../../nodes/AiSummariser/redaction';

const scrub = (text: string, names: string[] = []) =>
	redact(text, { names: personNames({ people: names }, ['people[]']), patterns: [] });

describe('redaction', () => {
	it.each([
		['call +49 170 1234567 or (030) 123-45678', 'call [phone] or [phone]'],
		['due 2026-11-24, 24.11.2026, amount 12500.00 or 1,250,000.50', 'due 2026-11-24, 24.11.2026, amount 12500.00 or 1,250,000.50'],
		['ref APR/2026/0011 and P00042', 'ref APR/2026/0011 and P00042'],
		['write to anna.b+po@acme.example today', 'write to [email] today'],
	])('%s', (text, expected) => expect(scrub(text)).toBe(expected));

	it('replaces whole names in any case and capitalised parts, not common words', () => {
		expect(scrub('MARIA LOPEZ asked; Lopez agreed; the purchasing manager too', ['Maria Lopez'])).toBe(
			'[person] asked; [person] agreed; the purchasing manager too',
		);
	});

	it('picks nested and listed paths only', () => {
		const item = { a: { b: 1, c: 2 }, list: [{ x: 1, y: 2 }, { x: 3 }], other: 'no' };
		expect(pickFields(item, ['a.b', 'list[].x', 'missing.path'])).toEqual({ a: { b: 1 }, list: [{ x: 1 }, { x: 3 }] });
	});
});

describe('decisions in answers', () => {
	it.each([
		[{ summary: 'Awaiting approval by the purchasing manager.' }, undefined],
		[{ summary: 'This order should be approved.' }, 'summary says "approved"'],
		[{ summary: 'ok', decision: 'approve' }, 'decision is a decision field'],
		[{ ranking: [{ id: '1', reasons: ['Reject the supplier'] }] }, 'ranking[0].reasons[0] says "Reject"'],
	])('%j → %s', (answer, expected) => expect(decisionIn(answer)).toBe(expected));
});
