/** Loads the shared vectors of contract/ for the TypeScript tests. */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

export const CONTRACT_DIR = join(__dirname, '..', '..', 'contract');
export const POLICY_VECTOR_DIR = join(CONTRACT_DIR, 'vectors', 'policy');

export interface PolicyCase {
	name: string;
	policy: unknown;
	input: unknown;
	expected: unknown;
}

export const readContract = <T = any>(...parts: string[]): T =>
	JSON.parse(readFileSync(join(CONTRACT_DIR, ...parts), 'utf8')) as T;

export const policyVectorFiles = (): string[] =>
	readdirSync(POLICY_VECTOR_DIR)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => join(POLICY_VECTOR_DIR, name));

export const policyCases = (file: string): PolicyCase[] =>
	(JSON.parse(readFileSync(file, 'utf8')) as { cases: PolicyCase[] }).cases;

export const allPolicyCases = (): Array<[string, PolicyCase]> =>
	policyVectorFiles().flatMap((file) =>
		policyCases(file).map((testCase): [string, PolicyCase] => [`${file.split('/').pop()} ${testCase.name}`, testCase]),
	);

/** `[name, case]` pairs for `test.each`, so every vector is reported as its own test. */
export const named = <T extends { name: string }>(items: T[]): Array<[string, T]> =>
	items.map((item): [string, T] => [item.name, item]);
