#!/usr/bin/env node
// Evaluate policy vectors (or one policy + input) with the TypeScript evaluator and print canonical
// results in the same format as odoo_addon/distribution_governance/lib/policy.py, so that
//   diff <(npm run -s evaluate -- FILE) <(python3 odoo_addon/distribution_governance/lib/policy.py FILE)
// compares the two implementations. Needs `npm run build` first (it reads dist/).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let policy, canonical;
try {
	policy = require(join(root, 'dist/nodes/shared/policy/index.js'));
	canonical = require(join(root, 'dist/nodes/shared/canonicalJson.js'));
} catch {
	console.error('dist/ is missing: run `npm run build` first');
	process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 1 || args.length > 2) {
	console.error('usage: evaluate-policy.mjs VECTORS.json | evaluate-policy.mjs POLICY.json INPUT.json');
	process.exit(2);
}
let first, second;
try {
	[first, second] = args.map((path) => JSON.parse(readFileSync(path, 'utf8')));
} catch (error) {
	console.error(`evaluate-policy.mjs: cannot read ${args.join(' ')}: ${error.name}: ${error.message}`);
	process.exit(2);
}
if (args.length === 2) {
	console.log(canonical.canonicalJson(policy.evaluatePolicy(first, second)));
} else {
	for (const testCase of first.cases) {
		console.log(testCase.name, canonical.canonicalJson(policy.evaluatePolicy(testCase.policy, testCase.input)));
	}
}
