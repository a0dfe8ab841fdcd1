import { canonicalJson } from '../../nodes/shared/canonicalJson';
import { evaluateOrThrow, evaluatePolicy, policyContentHash, PolicyError } from '../../nodes/shared/policy';
import catalogue from '../../contract/policy/facts.json';
import { allPolicyCases } from '../contract/vectors';

const cases = allPolicyCases();

describe('policy vectors (contract/vectors/policy)', () => {
	test.each(cases)('%s', (_name, testCase) => {
		expect(canonicalJson(evaluatePolicy(testCase.policy, testCase.input))).toBe(canonicalJson(testCase.expected));
	});

	it('has at least 60 cases covering every operator and outcome', () => {
		expect(cases.length).toBeGreaterThanOrEqual(60);
		const operators = new Set<string>();
		const outcomes = new Set<string>();
		for (const [, testCase] of cases) {
			const rules = (testCase.policy as any)?.rules;
			if (Array.isArray(rules)) {
				for (const rule of rules) {
					for (const condition of Array.isArray(rule?.conditions) ? rule.conditions : []) {
						operators.add(condition?.op);
					}
				}
			}
			const expected = testCase.expected as any;
			if (!expected.error) outcomes.add(expected.outcome);
		}
		for (const type of Object.values(catalogue.types)) {
			for (const op of type.operators) expect(operators).toContain(op);
		}
		expect([...outcomes].sort()).toEqual(['auto_approve', 'blocked', 'hold', 'needs_approval']);
	});
});

describe('evaluateOrThrow', () => {
	const policy = {
		format: 'distribution-governance.policy/1',
		name: 'Purchasing',
		version: 1,
		currency: 'EUR',
		rules: [
			{
				id: 'spend',
				sequence: 1,
				document_type: 'purchase.order',
				conditions: [{ fact: 'amount', op: 'gte', value: '10000' }],
				action: 'hold',
				reason: 'Large spend',
			},
		],
	};

	it('throws a PolicyError naming the path', () => {
		expect(() => evaluateOrThrow({ ...policy, currency: 'euro' }, { document_type: 'purchase.order', facts: {} })).toThrow(
			PolicyError,
		);
		try {
			evaluateOrThrow(policy, { document_type: 'purchase.order', facts: { amount: 1.5 } });
		} catch (error) {
			expect((error as PolicyError).toResult()).toEqual({
				error: { code: 'invalid_input', message: 'must be a decimal string or an integer', path: 'facts.amount' },
			});
		}
	});

	it('accepts a declared content hash and refuses a tampered document', () => {
		const hashed = { ...policy, content_hash: policyContentHash(policy) };
		expect(evaluateOrThrow(hashed, { document_type: 'purchase.order', facts: { amount: '10000' } }).outcome).toBe('hold');
		const tampered = { ...hashed, rules: [{ ...policy.rules[0], reason: 'edited' }] };
		expect(evaluatePolicy(tampered, { document_type: 'purchase.order', facts: {} })).toEqual({
			error: { code: 'invalid_policy', message: "does not match the document's content", path: 'content_hash' },
		});
	});

	it('does not modify its input', () => {
		const subject = { document_type: 'purchase.order', facts: { amount: '12000' } };
		const before = JSON.stringify([policy, subject]);
		evaluatePolicy(policy, subject);
		expect(JSON.stringify([policy, subject])).toBe(before);
	});
});
