#!/usr/bin/env node
/**
 * Where a process spent its CPU: the functions with the most self time in a V8 .cpuprofile
 * (written by node --cpu-prof), grouped by function and file, and by package.
 *
 *   node bench/cpuprofile_top.cjs /tmp/prof/CPU.*.cpuprofile [top]
 */
'use strict';
const { readFileSync } = require('fs');

const [file, top = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const intervals = profile.timeDeltas;
profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (intervals[index] ?? 0)));
const total = [...self.values()].reduce((sum, value) => sum + value, 0);
const byFunction = new Map();
const byPackage = new Map();
const packageOf = (url) => {
	if (!url) return '(native/idle)';
	const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
	if (match) return match[match.length - 1].replace('node_modules/', '');
	return url.startsWith('node:') ? 'node core' : url;
};
for (const [id, time] of self) {
	const { callFrame } = byId.get(id);
	const name = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
	byFunction.set(name, (byFunction.get(name) ?? 0) + time);
	const pkg = callFrame.functionName === '(idle)' ? '(idle)' : packageOf(callFrame.url);
	byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
}
const show = (title, map) => {
	console.log(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)`);
	for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
		console.log(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${(time / 1e6).toFixed(2).padStart(7)} s  ${name}`);
	}
};
show('self time by package', byPackage);
show('self time by function', byFunction);
