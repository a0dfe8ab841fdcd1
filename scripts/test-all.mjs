#!/usr/bin/env node
// The project's one test command (`npm test`): build, lint, then every test runner, each printing
// its own summary line; the last line totals them as "N passed, N failed".
//   --only jest,python   run only these steps      --skip e2e   leave these steps out
// Steps: build, lint, jest (unit, contract, in-process), python (addon lib/), odoo (real Odoo when
// ODOO_* is configured, else one line saying so), e2e (real n8n, started by the tests), odoo-e2e
// (the end-to-end files with a real-Odoo mode against a fresh real Odoo, when ODOO_* is configured).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const addon = join('odoo_addon', 'distribution_governance');

const countsFrom = {
	// Jest: "Tests:       2 failed, 1 skipped, 245 passed, 248 total"
	jest(output) {
		const line = output.match(/^Tests:.*$/m)?.[0];
		if (!line) return undefined;
		const count = (word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
		return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), line };
	},
	// unittest: "Ran 15 tests in 0.2s" then "OK (skipped=1)" or "FAILED (failures=1, errors=2)"
	unittest(output) {
		const ran = output.match(/^Ran (\d+) tests? in/m);
		if (!ran) return undefined;
		const count = (word) => Number(output.match(new RegExp(`${word}=(\\d+)`))?.[1] ?? 0);
		const failed = count('failures') + count('errors');
		const skipped = count('skipped');
		const passed = Number(ran[1]) - failed - skipped;
		return { passed, failed, skipped, line: `${passed} passed, ${failed} failed, ${skipped} skipped` };
	},
	// scripts/test-odoo.mjs: "odoo: 40 passed, 0 failed" or "odoo: not run ..."
	odoo(output) {
		const match = output.match(/^odoo: (\d+) passed, (\d+) failed$/m);
		if (match) return { passed: Number(match[1]), failed: Number(match[2]), skipped: 0, line: match[0].slice(6) };
		const notRun = output.match(/^odoo: (not run.*)$/m);
		return notRun ? { passed: 0, failed: 0, skipped: 0, line: notRun[1] } : undefined;
	},
	// scripts/test-odoo-e2e.mjs: Jest's summary, or "odoo-e2e: not run ..."
	odooE2e(output) {
		const notRun = output.match(/^odoo-e2e: (not run.*)$/m);
		return notRun ? { passed: 0, failed: 0, skipped: 0, line: notRun[1] } : countsFrom.jest(output);
	},
};

const steps = [
	{ name: 'build', command: ['npx', 'n8n-node', 'build'] },
	{ name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
	{ name: 'jest', command: ['npx', 'jest', '--ci'], counts: countsFrom.jest },
	{
		name: 'python',
		command: [python, '-m', 'unittest', 'discover', '-s', join(addon, 'lib', 'tests'), '-t', addon],
		counts: countsFrom.unittest,
	},
	{ name: 'odoo', command: ['node', join('scripts', 'test-odoo.mjs')], counts: countsFrom.odoo },
	{
		name: 'e2e',
		command: ['npx', 'jest', '--ci', '--runInBand', '--passWithNoTests', '-c', 'jest.e2e.config.js'],
		counts: countsFrom.jest,
	},
	{ name: 'odoo-e2e', command: ['node', join('scripts', 'test-odoo-e2e.mjs')], counts: countsFrom.odooE2e },
];

function option(name) {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 ? new Set(process.argv[index + 1].split(',')) : undefined;
}
const only = option('only');
const skip = option('skip') ?? new Set();
const selected = steps.filter((step) => (!only || only.has(step.name)) && !skip.has(step.name));

function run(step) {
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(step.command[0], step.command.slice(1), { cwd: root, env: process.env });
		let output = '';
		const collect = (stream, sink) =>
			stream.on('data', (chunk) => {
				output += chunk;
				sink.write(chunk);
			});
		collect(child.stdout, process.stdout);
		collect(child.stderr, process.stderr);
		child.on('error', (error) => resolve({ code: 127, output: String(error), seconds: 0 }));
		child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
	});
}

const summary = [];
let passed = 0;
let failed = 0;
let broken = false;
for (const step of selected) {
	console.log(`\n=== ${step.name}: ${step.command.join(' ')}`);
	const { code, output, seconds } = await run(step);
	const counts = step.counts?.(output);
	if (counts) {
		passed += counts.passed;
		failed += counts.failed;
	}
	const ok = code === 0 && (!counts || counts.failed === 0);
	if (!ok) broken = true;
	const detail = counts?.line ?? (step.counts ? 'no summary line found' : ok ? 'ok' : 'FAILED');
	summary.push(`${step.name}: ${detail}${ok ? '' : ` (exit ${code})`} [${seconds.toFixed(1)} s]`);
	if (step.name === 'build' && code !== 0) break;
}

console.log('\n=== summary');
for (const line of summary) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(broken || failed > 0 ? 1 : 0);
