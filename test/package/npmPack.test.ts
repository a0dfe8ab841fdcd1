/**
 * The npm tarball holds what n8n loads and nothing else: the compiled nodes and credentials, their
 * icons and codex files, the contract files the compiled code requires, README, LICENSE and
 * package.json. Needs a build first (`npm run build`; `npm test` builds before jest).
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { dirname, join, normalize } from 'path';

import manifest from '../../package.json';

const ROOT = join(__dirname, '..', '..');

const LOADED = [
	/^package\.json$/,
	/^README\.md$/,
	/^LICENSE$/,
	/^dist\/(nodes|credentials)\/.+\.js$/,
	/^dist\/nodes\/.+\.node\.json$/,
	/^dist\/(nodes|credentials)\/.+\.(svg|png)$/,
	/^dist\/contract\/.+\.json$/,
];

function packedFiles(): string[] {
	if (!existsSync(join(ROOT, manifest.n8n.nodes[0]))) {
		throw new Error(`${manifest.n8n.nodes[0]} is missing: run \`npm run build\` before this test`);
	}
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [pack] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
	return pack.files.map((file) => file.path).sort();
}

const files = packedFiles();

it('holds only files n8n loads', () => {
	expect(files.filter((path) => !LOADED.some((pattern) => pattern.test(path)))).toEqual([]);
	expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
	expect(files.filter((path) => path.includes('odoo_addon') || path.endsWith('.map') || path.endsWith('.d.ts'))).toEqual([]);
});

it("holds every node and credential of package.json's n8n section, with the icons they name", () => {
	const entries = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
	expect(files).toEqual(expect.arrayContaining(entries));
	for (const entry of entries) {
		const source = readFileSync(join(ROOT, entry), 'utf8');
		for (const [, icon] of source.matchAll(/file:([^'"]+\.(?:svg|png))/g)) {
			expect(files).toContain(normalize(join(dirname(entry), icon)));
		}
	}
});

it('holds every file the packed code requires by a relative path', () => {
	const missing: string[] = [];
	for (const path of files.filter((file) => file.endsWith('.js'))) {
		const source = readFileSync(join(ROOT, path), 'utf8');
		for (const [, target] of source.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
			const resolved = normalize(join(dirname(path), target));
			const candidates = [resolved, `${resolved}.js`, join(resolved, 'index.js')];
			if (!candidates.some((candidate) => files.includes(candidate))) missing.push(`${path} → ${target}`);
		}
	}
	expect(missing).toEqual([]);
	expect(files).toContain('dist/contract/policy/facts.json');
});
