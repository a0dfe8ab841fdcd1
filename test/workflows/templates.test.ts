/**
 * Every shipped template: its nodes exist at the versions used (ours from the package, n8n's at
 * versions n8n 2.41 ships), it names the automation-failures workflow as its error workflow, and
 * the S2 and S9 templates are wired as the scenarios need.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { IConnections, INode, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import packageJson from '../../package.json';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = 'n8n-nodes-distribution-governance';
const ERROR_WORKFLOW = 'dgAutomationFail';

interface Template {
	id: string;
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings: { errorWorkflow?: string };
}

const templates: Record<string, Template> = Object.fromEntries(
	readdirSync(join(ROOT, 'workflows'))
		.filter((file) => file.endsWith('.json'))
		.map((file) => [file, JSON.parse(readFileSync(join(ROOT, 'workflows', file), 'utf8')) as Template]),
);

/** Our node types, loaded from the files package.json's n8n section names (as n8n loads them). */
const ours: Record<string, INodeTypeDescription> = Object.fromEntries(
	packageJson.n8n.nodes.map((built) => {
		const source = join(ROOT, built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const module = require(source) as Record<string, new () => { description: INodeTypeDescription }>;
		const description = new (Object.values(module)[0])().description;
		return [`${PACKAGE}.${description.name}`, description];
	}),
);

/** n8n's own nodes the templates use, at the versions n8n 2.41.1 ships (read from its n8n-nodes-base). */
const n8nNodes: Record<string, number[]> = {
	'n8n-nodes-base.emailSend': [2, 2.1],
	'n8n-nodes-base.webhook': [1, 1.1, 2, 2.1],
	'n8n-nodes-base.respondToWebhook': [1, 1.1, 1.2, 1.3, 1.4, 1.5],
	'n8n-nodes-base.errorTrigger': [1],
	'n8n-nodes-base.scheduleTrigger': [1, 1.1, 1.2, 1.3, 1.4],
	'n8n-nodes-base.manualTrigger': [1],
	'n8n-nodes-base.httpRequest': [3, 4, 4.1, 4.2, 4.3, 4.4, 4.5],
	'n8n-nodes-base.aggregate': [1],
	'n8n-nodes-base.switch': [3, 3.1, 3.2, 3.3, 3.4],
	'n8n-nodes-base.emailReadImap': [2, 2.1, 2.2],
	'n8n-nodes-base.slack': [2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7],
	'n8n-nodes-base.n8n': [1],
	'n8n-nodes-base.merge': [1, 2, 2.1, 3, 3.1, 3.2],
	'n8n-nodes-base.set': [3, 3.1, 3.2, 3.3, 3.4, 3.5],
	'n8n-nodes-base.splitOut': [1],
	'n8n-nodes-base.filter': [2, 2.1, 2.2, 2.3],
};

/** The names of the nodes each output of `from` leads to. */
const targetsOf = (template: Template, from: string) =>
	template.connections[from].main.map((out) => (out ?? []).map((to) => to.node));

const versions = (description: INodeTypeDescription) =>
	Array.isArray(description.version) ? description.version : [description.version];

describe.each(Object.keys(templates))('template %s', (file) => {
	const template = templates[file];

	it('names the automation-failures workflow as its error workflow', () => {
		expect(template.settings.errorWorkflow).toBe(ERROR_WORKFLOW);
	});

	it('uses node types and versions that exist, and only parameters our nodes have', () => {
		for (const node of template.nodes) {
			const own = ours[node.type];
			if (own) {
				expect([node.name, versions(own)]).toEqual([node.name, expect.arrayContaining([node.typeVersion])]);
				const known = new Set((own.properties as INodeProperties[]).map((property) => property.name));
				expect([node.name, Object.keys(node.parameters).filter((name) => !known.has(name))]).toEqual([node.name, []]);
			} else {
				expect([node.name, n8nNodes[node.type]]).toEqual([node.name, expect.arrayContaining([node.typeVersion])]);
			}
		}
	});

	it('connects only nodes it has', () => {
		const names = new Set(template.nodes.map((node) => node.name));
		for (const [from, outputs] of Object.entries(template.connections)) {
			expect(names.has(from)).toBe(true);
			for (const targets of outputs.main ?? []) for (const target of targets ?? []) expect(names.has(target.node)).toBe(true);
		}
	});
});

describe('the automation-failures template (S9)', () => {
	const template = templates['automation-failures.json'];

	it('has the stable id every template names, and goes Error Trigger → Odoo exception → ops channel', () => {
		expect(template.id).toBe(ERROR_WORKFLOW);
		// Any workflow that names it as its error workflow may call it, whatever project it is in.
		expect((template.settings as { callerPolicy?: string }).callerPolicy).toBe('any');
		const targets = (from: string) => targetsOf(template, from);
		expect(template.nodes.find((node) => node.type === 'n8n-nodes-base.errorTrigger')?.name).toBe('Execution Failed');
		expect(targets('Execution Failed')).toEqual([['Worker Died', 'With Its Execution', 'Read Failed Execution']]);
		expect(targets('Read Failed Execution')).toEqual([['With Its Execution']]);
		expect(targets('With Its Execution')).toEqual([['Raise Technical Exception']]);
		expect(targets('Raise Technical Exception')).toEqual([['Tell Ops Channel']]);
		const raise = template.nodes.find((node) => node.name === 'Raise Technical Exception')!;
		expect(raise.parameters.operation).toBe('reportAutomationFailure');
	});

	it('reads the failed execution (for its starting event) without ever stopping the report', () => {
		const read = template.nodes.find((node) => node.name === 'Read Failed Execution')! as Template['nodes'][number] & {
			onError?: string;
			credentials?: Record<string, { name: string }>;
		};
		expect(read.parameters).toMatchObject({ resource: 'execution', operation: 'get', options: { activeWorkflows: true } });
		expect(read.onError).toBe('continueRegularOutput');
		expect(read.credentials?.n8nApi.name).toBe('n8n API');
		const merge = template.nodes.find((node) => node.name === 'With Its Execution')!;
		expect(merge.parameters).toMatchObject({ mode: 'combine', combineBy: 'combineByPosition' });
	});

	it('every 5 minutes, runs again the events of executions n8n marked crashed (a killed worker)', () => {
		const targets = (from: string) => targetsOf(template, from);
		expect(targets('Every 5 Minutes')).toEqual([['n8n API URL']]);
		expect(targets('n8n API URL')).toEqual([['Crashed Executions']]);
		expect(targets('Crashed Executions')).toEqual([['Each Crashed Execution']]);
		expect(targets('Each Crashed Execution')).toEqual([['Run Its Event Again']]);
		expect(targets('Run Its Event Again')).toEqual([['Rerun Started']]);
		expect(targets('Rerun Started')).toEqual([['Tell Ops About Rerun']]);
		const list = template.nodes.find((node) => node.name === 'Crashed Executions')!;
		expect(JSON.stringify(list.parameters.queryParameters)).toContain('"name":"status","value":"crashed"');
		const rerun = template.nodes.find((node) => node.name === 'Run Its Event Again')!;
		expect(rerun.parameters).toMatchObject({
			operation: 'rerunCrashedExecution',
			executionId: '={{ $json.execution?.id ?? $json.id }}',
		});
		// A worker that died fails its execution with n8n's "processed too many times" error.
		expect(targets('Worker Died')).toEqual([['Run Its Event Again']]);
		expect(JSON.stringify(template.nodes.find((node) => node.name === 'Worker Died')!.parameters)).toContain(
			'failed to be processed too many times',
		);
	});
});

describe('the critical-parts risk template (S2)', () => {
	const template = templates['critical-parts-risk.json'];

	it('runs on a schedule and on demand, ranks, summarises, mails the list and posts notes', () => {
		const targets = (from: string) => targetsOf(template, from);
		expect(targets('Every Weekday Morning')).toEqual([['Read Risk Inputs']]);
		expect(targets('Run Now')).toEqual([['Read Risk Inputs']]);
		expect(targets('Read Risk Inputs')).toEqual([['Rank by Risk']]);
		expect(targets('Rank by Risk')).toEqual([['Summarise Each Order']]);
		expect(targets('Summarise Each Order')).toEqual([['Collect Ranked List', 'Post Summary on Order']]);
		expect(targets('Collect Ranked List')).toEqual([['Email Procurement Managers']]);
	});

	it('approves and changes nothing: no decision, no write but the summary note', () => {
		const operations = template.nodes.map((node) => `${node.type}:${String(node.parameters.operation ?? '')}`);
		expect(operations.filter((operation) => operation.startsWith(PACKAGE))).toEqual([
			`${PACKAGE}.purchaseRisk:listOpenOrders`,
			`${PACKAGE}.aiSummariser:rank`,
			`${PACKAGE}.aiSummariser:summarise`,
			`${PACKAGE}.aiSummariser:postSummary`,
		]);
		expect(template.nodes.filter((node) => node.type === 'n8n-nodes-base.httpRequest')).toEqual([]);
	});
});
