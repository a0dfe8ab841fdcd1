/**
 * Differential test: thousands of random policies and inputs (fixed seed) through both evaluators,
 * compared byte for byte. TypeScript runs in-process; Python runs once, on a whole vector file,
 * through lib/policy.py's command line. On a failure the message names the seed, the differing
 * cases and a file that replays them.
 *
 *   DG_DIFF_SEED=<n>      another seed (default below)      DG_DIFF_CASES=<n>   how many cases
 *   DG_DIFF_EXCLUDE=huge,surrogates,newlines               leave kinds of odd values out
 *   DG_POLICY_PY=<path>   another policy.py (e.g. an old one from git, with its canonical_json.py and facts.json)
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { canonicalJson } from '../../nodes/shared/canonicalJson';
import { evaluatePolicy } from '../../nodes/shared/policy';
import { LIB_DIR, PYTHON } from './python';
import { type Feature, FEATURES, FACT_TYPES, randomCaseTexts, vectorFileText } from './randomPolicies';

const SEED = Number(process.env.DG_DIFF_SEED ?? 20261129);
const COUNT = Number(process.env.DG_DIFF_CASES ?? 4000);
const EXCLUDED = new Set((process.env.DG_DIFF_EXCLUDE ?? '').split(',').filter(Boolean));
const FEATURE_SET = new Set<Feature>(FEATURES.filter((feature) => !EXCLUDED.has(feature)));
const POLICY_PY = process.env.DG_POLICY_PY ?? join(LIB_DIR, 'policy.py');

interface Case {
	name: string;
	policy: unknown;
	input: unknown;
}

function typescriptLine(testCase: Case): string {
	try {
		return `${testCase.name} ${canonicalJson(evaluatePolicy(testCase.policy, testCase.input))}`;
	} catch (error) {
		return `${testCase.name} TypeScript threw ${String(error)}`;
	}
}

function pythonLines(file: string): string[] {
	try {
		const output = execFileSync(PYTHON, [POLICY_PY, file], {
			encoding: 'utf8',
			maxBuffer: 256 * 1024 * 1024,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		return output.split('\n').slice(0, -1);
	} catch (error) {
		const stderr = String((error as { stderr?: unknown }).stderr ?? error);
		throw new Error(
			`seed ${SEED}: the Python command line failed on ${file} (replay: ${PYTHON} ${POLICY_PY} ${file}):\n` +
				stderr.split('\n').slice(-8).join('\n'),
		);
	}
}

const clip = (text: string, length = 1500) => (text.length > length ? `${text.slice(0, length)}… (${text.length} chars)` : text);

describe('differential: random policies and facts through both evaluators', () => {
	const folder = mkdtempSync(join(tmpdir(), 'dg-differential-'));
	const caseTexts = randomCaseTexts(SEED, COUNT, FEATURE_SET);
	const text = vectorFileText(caseTexts);
	const file = join(folder, `random-seed-${SEED}.json`);
	writeFileSync(file, text);
	const cases = (JSON.parse(text) as { cases: Case[] }).cases;

	it(`agree byte for byte on ${COUNT} cases (seed ${SEED})`, () => {
		const typescript = cases.map(typescriptLine);
		const python = pythonLines(file);
		const differing = cases.map((_case, index) => index).filter((index) => typescript[index] !== python[index]);
		if (differing.length || python.length !== typescript.length) {
			// The cases as generated (JSON.stringify would turn a 5,000-digit integer into null).
			const replay = join(folder, `differing-seed-${SEED}.json`);
			writeFileSync(replay, vectorFileText(differing.map((index) => caseTexts[index])));
			const shown = differing.slice(0, 5).map((index) =>
				[
					`--- case:   ${clip(caseTexts[index], 3000)}`,
					`typescript: ${clip(typescript[index])}`,
					`python:     ${clip(python[index] ?? '<no line>')}`,
				].join('\n'),
			);
			throw new Error(
				`seed ${SEED}: ${differing.length} of ${cases.length} cases differ (Python printed ${python.length} lines). ` +
					`Rerun: DG_DIFF_SEED=${SEED} npx jest test/contract/differential.test.ts; the differing cases are in ` +
					`${replay} (a vector file both command lines read).\n${shown.join('\n')}`,
			);
		}
	}, 120_000);

	it('covers every outcome, operator, fact type, missing facts and both error codes', () => {
		const outcomes: Record<string, number> = {};
		const errors: Record<string, number> = {};
		const evaluatedOperators = new Set<string>();
		const evaluatedFactTypes = new Set<string>();
		let withMissingFacts = 0;
		let withSeveralLevels = 0;
		for (const testCase of cases) {
			const result = evaluatePolicy(testCase.policy, testCase.input) as any;
			if (result.error) {
				errors[result.error.code] = (errors[result.error.code] ?? 0) + 1;
				errors[result.error.message] = (errors[result.error.message] ?? 0) + 1;
				continue;
			}
			outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
			if (result.missing_facts.length) withMissingFacts++;
			if (result.levels.length > 1) withSeveralLevels++;
			for (const rule of (testCase.policy as any).rules) {
				for (const condition of rule.conditions) {
					evaluatedOperators.add(condition.op);
					evaluatedFactTypes.add(FACT_TYPES[condition.fact]);
				}
			}
		}
		const rare = ['auto_approve', 'needs_approval', 'hold', 'blocked'].filter(
			(outcome) => (outcomes[outcome] ?? 0) < COUNT / 100,
		);
		expect({ rare, outcomes }).toEqual({ rare: [], outcomes });
		expect([...evaluatedOperators].sort()).toEqual(
			['any_in', 'between', 'eq', 'gt', 'gte', 'in', 'lt', 'lte', 'ne', 'none_in', 'not_in'],
		);
		expect([...evaluatedFactTypes].sort()).toEqual(['boolean', 'decimal', 'string', 'string_list']);
		expect(withMissingFacts).toBeGreaterThan(COUNT / 50);
		expect(withSeveralLevels).toBeGreaterThan(COUNT / 400);
		expect(errors.invalid_policy).toBeGreaterThan(COUNT / 20);
		expect(errors.invalid_input).toBeGreaterThan(COUNT / 50);
		const messages = Object.keys(errors).filter((key) => !key.startsWith('invalid_'));
		expect(messages.length).toBeGreaterThanOrEqual(25);
		expect(errors['must not be nested more than 64 levels deep']).toBeGreaterThan(0);
		expect(errors['duplicate approver']).toBeGreaterThan(0);
		if (FEATURE_SET.has('surrogates')) expect(errors['must not contain a lone surrogate']).toBeGreaterThan(0);
	});
});
