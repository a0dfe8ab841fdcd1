import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { canonicalJson } from '../../nodes/shared/canonicalJson';
import { evaluatePolicy } from '../../nodes/shared/policy';
import { generateSecret, signatureHeader, SignatureError, verify } from '../../nodes/shared/signature';
import { runPolicyCli, runSignatureCli } from './python';
import { policyCases, policyVectorFiles } from './vectors';

const ROOT = join(__dirname, '..', '..');

describe('Python and TypeScript evaluators agree byte for byte', () => {
	test.each(policyVectorFiles().map((file) => [file.split('/').pop(), file]))('%s', (_name, file) => {
		const python = runPolicyCli(file as string).trimEnd().split('\n');
		const typescript = policyCases(file as string).map(
			(testCase) => `${testCase.name} ${canonicalJson(evaluatePolicy(testCase.policy, testCase.input))}`,
		);
		expect(python).toEqual(typescript);
	});

	it('on a policy file and an input file given on the command line', () => {
		const folder = mkdtempSync(join(tmpdir(), 'dg-policy-'));
		const [testCase] = policyCases(policyVectorFiles()[0]);
		writeFileSync(join(folder, 'policy.json'), JSON.stringify(testCase.policy));
		writeFileSync(join(folder, 'input.json'), JSON.stringify(testCase.input));
		const python = runPolicyCli(join(folder, 'policy.json'), join(folder, 'input.json')).trim();
		expect(python).toBe(canonicalJson(testCase.expected));
	});

	it('the TypeScript command line prints what the Python one prints (needs the build)', () => {
		const built = existsSync(join(ROOT, 'dist', 'nodes', 'shared', 'policy', 'index.js'));
		expect({ built, hint: 'run `npm run build` before the tests' }).toEqual({ built: true, hint: expect.any(String) });
		for (const file of policyVectorFiles()) {
			const typescript = execFileSync(process.execPath, [join(ROOT, 'scripts', 'evaluate-policy.mjs'), file], {
				encoding: 'utf8',
			});
			expect(typescript).toBe(runPolicyCli(file));
		}
	});
});

describe('signatures cross languages', () => {
	const bodies = ['{"specversion":"1.0","id":"evt_x"}', '{"note":"Stück ✓ – 😀"}', ''];

	test.each(bodies.map((body) => [JSON.stringify(body), body]))('Python signs, TypeScript verifies: %s', (_n, body) => {
		const secrets = [generateSecret(), generateSecret()];
		const now = 1763856000;
		const header = runSignatureCli(['sign', secrets.join(','), 'evt_py', String(now)], Buffer.from(body as string)).stdout;
		const headers = { 'webhook-id': 'evt_py', 'webhook-timestamp': String(now), 'webhook-signature': header };
		expect(header.split(' ')).toHaveLength(2);
		expect(() => verify(secrets[1], headers, body as string, now + 60)).not.toThrow();
		expect(() => verify(secrets[0], headers, `${body} `, now)).toThrow(SignatureError);
	});

	test.each(bodies.map((body) => [JSON.stringify(body), body]))('TypeScript signs, Python verifies: %s', (_n, body) => {
		const secret = generateSecret();
		const now = 1763856000;
		const header = signatureHeader([secret], 'evt_ts', now, body as string);
		const args = (n: number) => ['verify', secret, 'evt_ts', String(now), header, String(n)];
		expect(runSignatureCli(args(now + 299), Buffer.from(body as string))).toEqual({ status: 0, stdout: 'valid' });
		expect(runSignatureCli(args(now + 301), Buffer.from(body as string))).toEqual({
			status: 1,
			stdout: 'timestamp_too_old',
		});
		expect(runSignatureCli(args(now), Buffer.from(`${body}x`))).toEqual({ status: 1, stdout: 'no_matching_signature' });
	});
});
