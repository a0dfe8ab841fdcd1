import type { IConnections, INode } from 'n8n-workflow';

import template from '../../workflows/order-release.json';
import levelOpenedExample from '../../contract/events/examples/approval.level_opened.json';
import { ITEMS_NODE_TYPE, runWorkflow } from './support/inProcess';

const nodes = template.nodes as unknown as INode[];
const byName = (name: string) => nodes.find((node) => node.name === name)!;

/** The order-release template run from Route Approval with its Approval Channel set to `channel`. */
async function askOver(channel: string) {
	const choice = byName('Approval Channel');
	const output = String(choice.parameters.output).replace("['email']", `['${channel}']`);
	const items: INode = {
		id: 'items',
		name: 'Items',
		type: ITEMS_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: [levelOpenedExample] as never },
	};
	const execution = await runWorkflow({
		nodes: [
			items,
			byName('Route Approval'),
			{ ...choice, parameters: { ...choice.parameters, output } },
			...['Ask Approver', 'Tell Salesperson Held', 'Find Approver in Slack', 'Ask Approver in Slack'].map(byName),
		],
		connections: {
			Items: { main: [[{ node: 'Route Approval', type: 'main', index: 0 }]] },
			...(template.connections as unknown as IConnections),
		},
		// Routing per approver reads the event only; Odoo is not called.
		credentials: { distributionGovernanceOdooApi: { url: 'http://127.0.0.1:9', database: 'acme', login: 'n8n', secret: 'unused', protocol: 'jsonRpc' } as never },
		instanceBaseUrl: 'http://127.0.0.1:5678/',
	});
	return execution.outputs;
}

describe('the order release template asks approvers in chat when set to', () => {
	it('asks by e-mail only by default', async () => {
		expect(byName('Approval Channel').parameters.output).toBe("={{ ({ email: 0, slack: 1, both: 2 })['email'] }}");
		const outputs = await askOver('email');
		expect(outputs('Ask Approver')[0]).toHaveLength(1);
		expect(outputs('Find Approver in Slack')).toEqual([]);
	});

	it('slack: a direct message to the approver with the order, reasons, due, the Odoo link and their own links', async () => {
		const outputs = await askOver('slack');

		expect(outputs('Ask Approver')).toEqual([]);
		const [message] = outputs('Ask Approver in Slack')[0].map((item) => item.json);
		expect(message.user).toBe('U:fiona@acme.example');
		const text = String(message.text).split('\n');
		expect(text[0]).toBe('*Approval needed: P00042 – Nordic Bearings AB, € 12,500.00* (APR/2026/0011)');
		expect(text).toContain('Why: Spend of 10,000 or more');
		expect(text).toContain('<https://erp.acme.example/odoo/purchase.order/42|Open P00042 in Odoo>');
		const decisionPath = String(byName('Route Approval').parameters.decisionLinkUrl);
		const links = text.find((line) => line.startsWith(`<http://127.0.0.1:5678/${decisionPath}?`))!;
		expect(links).toMatch(/actor=fiona%40acme\.example&outcome=approve[^|>]*\|Approve> {4}<[^|>]*outcome=reject[^|>]*\|Reject>$/);
	});

	it('both: by e-mail and in Slack', async () => {
		const outputs = await askOver('both');
		expect(outputs('Ask Approver')[0]).toHaveLength(1);
		expect(outputs('Ask Approver in Slack')[0]).toHaveLength(1);
	});
});
