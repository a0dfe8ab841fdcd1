/** Runs the addon's pure-Python library (lib/) from the TypeScript tests. */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

export const LIB_DIR = join(__dirname, '..', '..', 'odoo_addon', 'distribution_governance', 'lib');
// Odoo runs under the system interpreter; the library must work there.
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export const runPolicyCli = (...files: string[]): string =>
	execFileSync(PYTHON, [join(LIB_DIR, 'policy.py'), ...files], { encoding: 'utf8' });

export function runSignatureCli(args: string[], body: Buffer): { status: number | null; stdout: string } {
	const result = spawnSync(PYTHON, [join(LIB_DIR, 'signature.py'), ...args], { input: body });
	return { status: result.status, stdout: result.stdout.toString().trim() };
}
