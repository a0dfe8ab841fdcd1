import type { IConnections, IDataObject, INode, INodeProperties } from 'n8n-workflow';

import template from '../../workflows/procurement-approval.json';
import { ApprovalRouter } from '../../nodes/ApprovalRouter/ApprovalRouter.node';
import { OdooGovernanceTrigger } from '../../nodes/OdooGovernanceTrigger/OdooGovernanceTrigger.node';
import { approvalRequested, maria, pendingReview, requester } from '../e2e/support/procurementScenario';
import { StandInOdoo } from '../e2e/support/standInOdoo';
import levelOpenedExample from '../../contract/events/examples/approval.level_opened.json';
import completedExample from '../../contract/events/examples/approval.completed.json';
import { ITEMS_NODE_TYPE, runWorkflow } from './support/inProcess';

const PACKAGE = 'n8n-nodes-distribution-governance';
const ours: Record<string, { version: number; properties: INodeProperties[] }> = {
	[`${PACKAGE}.approvalRouter`]: new ApprovalRouter().description as never,
	[`${PACKAGE}.odooGovernanceTrigger`]: new OdooGovernanceTrigger().description as never,
};
/** n8n's own nodes the template uses, at versions n8n 2.41 ships (the e2e test loads them for real). */
const n8nNodes: Record<string, number[]> = {
	'n8n-nodes-base.emailSend': [2.1],
	'n8n-nodes-base.webhook': [2],
	'n8n-nodes-base.respondToWebhook': [1.1],
	'n8n-nodes-base.switch': [3.2],
	'n8n-nodes-base.slack': [2.3],
};

const nodes = template.nodes as unknown as INode[];
const byName = (name: string) => nodes.find((node) => node.name === name)!;

describe('the procurement approval template', () => {
	it('uses our nodes at their current version and n8n nodes at versions n8n 2.x has', () => {
		for (const node of nodes) {
			if (ours[node.type]) {
				expect([node.name, node.typeVersion]).toEqual([node.name, ours[node.type].version]);
			} else {
				expect([node.name, n8nNodes[node.type]]).toEqual([node.name, expect.arrayContaining([node.typeVersion])]);
			}
		}
	});

	it('sets only parameters our nodes have', () => {
		for (const node of nodes.filter((candidate) => ours[candidate.type])) {
			const known = new Set(ours[node.type].properties.map((property) => property.name));
			expect([node.name, Object.keys(node.parameters).filter((name) => !known.has(name))]).toEqual([node.name, []]);
		}
	});

	it('has stable, unique node ids and webhook ids, and references credentials by name', () => {
		const ids = nodes.map((node) => node.id);
		expect(new Set(ids).size).toBe(ids.length);
		const webhookIds = nodes.filter((node) => node.webhookId).map((node) => node.webhookId);
		expect(webhookIds).toHaveLength(4);
		expect(new Set(webhookIds).size).toBe(4);
		for (const node of nodes) {
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				expect([node.name, type, reference.name]).toEqual([node.name, type, expect.any(String)]);
			}
		}
		expect(byName('Approval Requested').credentials).toEqual({
			distributionGovernanceOdooApi: { id: 'dg-odoo', name: 'Distribution Governance Odoo' },
		});
	});

	it('asks approvers on Needs Approval, tells the requester on Blocked and Hold, and answers every decision', () => {
		const connections = template.connections as unknown as IConnections;
		const targets = (from: string) => connections[from].main.map((output) => (output ?? []).map((to) => to.node));
		expect(targets('Approval Requested')).toEqual([['Route Approval']]);
		expect(targets('Approval Completed')).toEqual([['Tell Requester Outcome']]);
		expect(targets('Route Approval')).toEqual([[], ['Approval Channel'], ['Tell Requester'], ['Tell Requester']]);
		expect(targets('Approval Channel')).toEqual([['Ask Approver'], ['Find Approver in Slack'], ['Ask Approver', 'Find Approver in Slack']]);
		expect(targets('Find Approver in Slack')).toEqual([['Ask Approver in Slack']]);
		expect(targets('Decision Submitted')).toEqual([['Record Decision']]);
		expect(targets('Record Decision')).toEqual([['Decision Recorded'], ['Decision Refused']]);
		expect(byName('Record Decision').onError).toBe('continueErrorOutput');
	});
});

describe('who the template tells', () => {
	it('hears of every level that opens and of every outcome, for purchase orders', () => {
		expect(byName('Approval Requested').parameters).toEqual({
			eventTypes: ['approval.requested', 'approval.level_opened'],
			filters: { documentModels: 'purchase.order' },
		});
		expect(byName('Approval Completed').parameters).toEqual({
			eventTypes: ['approval.completed'],
			filters: { documentModels: 'purchase.order' },
		});
	});
});

describe('the template run in-process by n8n-core against the stand-in Odoo', () => {
	const integrationKey = ['integration', 'key', '1'].join('-');
	const odoo = new StandInOdoo('acme', 'n8n-integration', integrationKey);
	let credentials: IDataObject;

	beforeAll(async () => {
		const url = await odoo.start();
		credentials = { url, database: 'acme', login: 'n8n-integration', secret: integrationKey, protocol: 'jsonRpc' };
	});
	afterAll(async () => await odoo.stop());
	beforeEach(() => {
		odoo.reset();
		odoo.reviews.push(pendingReview());
	});

	const items = (json: IDataObject[]): INode => ({
		id: 'items',
		name: 'Items',
		type: ITEMS_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: json as never },
	});
	const feed = (node: string) => ({ Items: { main: [[{ node, type: 'main' as const, index: 0 }]] } });

	async function route(event: IDataObject) {
		const execution = await runWorkflow({
			nodes: [items([event]), byName('Route Approval')],
			connections: feed('Route Approval'),
			credentials: { distributionGovernanceOdooApi: credentials as never },
			instanceBaseUrl: 'http://127.0.0.1:5678/',
		});
		return execution.outputs('Route Approval');
	}

	async function decide(query: IDataObject, body: IDataObject = {}, protocol = 'jsonRpc') {
		const execution = await runWorkflow({
			nodes: [items([{ query, body }]), byName('Record Decision')],
			connections: feed('Record Decision'),
			credentials: { distributionGovernanceOdooApi: { ...credentials, protocol } as never },
		});
		return execution.outputs('Record Decision');
	}

	async function mariasLink(outcome: 'approve' | 'reject') {
		const [, needsApproval] = await route(approvalRequested('evt-1', pendingReview()));
		const item = needsApproval.find((candidate) => (candidate.json.approver as IDataObject).login === maria.login)!;
		const link = new URL((item.json.decision_links as IDataObject)[outcome] as string);
		return { link, query: Object.fromEntries(link.searchParams) };
	}

	it("routes Odoo's approval event to one item per approver, with links to this n8n's decision webhook", async () => {
		const [auto, needsApproval, blocked, hold] = await route(approvalRequested('evt-1', pendingReview()));

		expect([auto, blocked, hold]).toEqual([[], [], []]);
		expect(needsApproval.map((item) => (item.json.approver as IDataObject).login)).toEqual([
			'maria@acme.example',
			'tom@acme.example',
		]);
		const link = new URL((needsApproval[0].json.decision_links as IDataObject).approve as string);
		expect(link.origin + link.pathname).toBe('http://127.0.0.1:5678/webhook/procurement-decision');
		expect(odoo.calls).toEqual([]);
	});

	/** The nodes that ask approvers, by e-mail or in Slack. */
	const asking = ['Approval Channel', 'Ask Approver', 'Find Approver in Slack', 'Ask Approver in Slack'];

	/** The template from `from` on, fed `event`: what each node output. */
	async function run(from: string, event: IDataObject, extra: string[]) {
		const execution = await runWorkflow({
			nodes: [items([event]), byName(from), ...extra.map(byName)],
			connections: { ...feed(from), ...(template.connections as unknown as IConnections) },
			credentials: { distributionGovernanceOdooApi: credentials as never },
			instanceBaseUrl: 'http://127.0.0.1:5678/',
		});
		return execution.outputs;
	}

	it('asks the level-2 approver by e-mail, with links, when Odoo opens level 2', async () => {
		const outputs = await run('Route Approval', levelOpenedExample as IDataObject, [...asking, 'Tell Requester']);

		const [mail] = outputs('Ask Approver')[0].map((item) => item.json);
		expect(mail.toEmail).toBe('fiona@acme.example');
		expect(mail.subject).toBe('Approval needed: P00042 – Nordic Bearings AB, € 12,500.00 (APR/2026/0011)');
		expect(mail.html).toContain('Hello Fiona Finance,');
		expect(mail.html).toContain('Alice Buyer asks for approval of <b>P00042</b> from Nordic Bearings AB: <b>€ 12,500.00</b>');
		expect(mail.html).toContain('<td>[B-6204] Bearing 6204</td><td align="right">500 Units</td><td align="right">€ 25.00</td>');
		expect(mail.html).toContain('Why: Spend of 10,000 or more');
		expect(mail.html).toContain('Your review: <b>Finance</b> (level 2), due Nov 25, 2026, 11:30:00 AM.');
		expect(mail.html).toContain('<a href="https://erp.acme.example/odoo/purchase.order/42">Open P00042 in Odoo</a>');
		expect(mail.html).toContain('href="http://127.0.0.1:5678/webhook/procurement-decision?review=22&actor=fiona%40acme.example&outcome=approve');
	});

	it('sends no decision links for a tier that confirms with password, only the link to the order in Odoo', async () => {
		const data = levelOpenedExample.data;
		const event = {
			...levelOpenedExample,
			data: { ...data, pending_reviews: data.pending_reviews.map((review) => ({ ...review, confirm_with_password: true })) },
		};
		const outputs = await run('Route Approval', event as IDataObject, [...asking, 'Tell Requester']);

		const [mail] = outputs('Ask Approver')[0].map((item) => item.json);
		expect(mail.html).not.toContain('webhook/procurement-decision');
		expect(mail.html).toContain('This approval asks for your password: decide in Odoo');
		expect(mail.html).toContain('href="https://erp.acme.example/odoo/purchase.order/42"');
	});

	/** The template with the approval channel set to `channel`, run from Route Approval. */
	async function askOver(channel: string, event: IDataObject) {
		const choice = byName('Approval Channel');
		const switchNode = { ...choice, parameters: { ...choice.parameters, output: String(choice.parameters.output).replace("['email']", `['${channel}']`) } };
		const execution = await runWorkflow({
			nodes: [
				items([event]),
				byName('Route Approval'),
				switchNode,
				...[...asking.slice(1), 'Tell Requester'].map(byName),
			],
			connections: { ...feed('Route Approval'), ...(template.connections as unknown as IConnections) },
			credentials: { distributionGovernanceOdooApi: credentials as never },
			instanceBaseUrl: 'http://127.0.0.1:5678/',
		});
		return execution.outputs;
	}

	it('asks by e-mail only unless the template is set to chat', async () => {
		expect(byName('Approval Channel').parameters.output).toBe("={{ ({ email: 0, slack: 1, both: 2 })['email'] }}");
		const outputs = await run('Route Approval', levelOpenedExample as IDataObject, [...asking, 'Tell Requester']);
		expect(outputs('Ask Approver')[0]).toHaveLength(1);
		expect(outputs('Find Approver in Slack')).toEqual([]);
	});

	it('asks the approver in a Slack direct message with the same content and their own links', async () => {
		const outputs = await askOver('slack', levelOpenedExample as IDataObject);

		expect(outputs('Ask Approver')).toEqual([]);
		const [message] = outputs('Ask Approver in Slack')[0].map((item) => item.json);
		expect(message.user).toBe('U:fiona@acme.example');
		const text = String(message.text).split('\n');
		expect(text[0]).toBe('*Approval needed: P00042 – Nordic Bearings AB, € 12,500.00* (APR/2026/0011)');
		expect(text[1]).toBe('Alice Buyer asks for approval of *P00042* from Nordic Bearings AB.');
		expect(text).toContain('• [B-6204] Bearing 6204: 500 Units × € 25.00');
		expect(text).toContain('Why: Spend of 10,000 or more');
		expect(text).toContain('Your review: *Finance* (level 2), due Nov 25, 2026, 11:30:00 AM.');
		expect(text).toContain('<https://erp.acme.example/odoo/purchase.order/42|Open P00042 in Odoo>');
		const links = text.find((line) => line.startsWith('<http://127.0.0.1:5678/webhook/procurement-decision?'))!;
		expect(links).toMatch(/^<http:\/\/127\.0\.0\.1:5678\/webhook\/procurement-decision\?review=22&actor=fiona%40acme\.example&outcome=approve[^|>]*\|Approve> {4}<[^|>]*outcome=reject[^|>]*\|Reject>$/);
		expect(text).toContain('These links are yours alone: Odoo records the decision in your name and checks that you may take it. You can also decide in Odoo under My Approvals.');
	});

	it('asks by e-mail and in Slack when set to both, escaping what Slack would read as markup', async () => {
		const data = levelOpenedExample.data as IDataObject;
		const event = { ...levelOpenedExample, data: { ...data, document: { ...(data.document as IDataObject), counterparty: 'Nuts & <Bolts>' } } };
		const outputs = await askOver('both', event as IDataObject);

		expect(outputs('Ask Approver')[0]).toHaveLength(1);
		const [message] = outputs('Ask Approver in Slack')[0].map((item) => item.json);
		expect(String(message.text)).toContain('from Nuts &amp; &lt;Bolts&gt;.');
	});

	it('sends no decision links in chat for a tier that confirms with password', async () => {
		const data = levelOpenedExample.data;
		const event = {
			...levelOpenedExample,
			data: { ...data, pending_reviews: data.pending_reviews.map((review) => ({ ...review, confirm_with_password: true })) },
		};
		const outputs = await askOver('slack', event as IDataObject);

		const [message] = outputs('Ask Approver in Slack')[0].map((item) => item.json);
		expect(String(message.text)).not.toContain('webhook/procurement-decision');
		expect(String(message.text)).toContain('This approval asks for your password: decide in Odoo');
	});

	const completed = (result: string, closing: IDataObject | null) => ({
		...completedExample,
		data: { ...completedExample.data, result, conditions: [], closing_decision: closing },
	});
	const decisionBy = (outcome: string, comment: string | null) => ({
		...completedExample.data.closing_decision,
		outcome,
		comment,
	});

	it.each([
		['approved', decisionBy('approve', null), 'P00042: approved', 'was <b>approved</b> by Fiona Finance (Finance, level 2).'],
		['rejected', decisionBy('reject', 'Over budget this quarter'), 'P00042: rejected', '<p>Comment: Over budget this quarter</p>'],
		['changes_requested', decisionBy('request_changes', 'Split the delivery'), 'P00042: changes requested', 'Comment: Split the delivery'],
	])('tells the requester the outcome (%s)', async (result, closing, subject, text) => {
		const outputs = await run('Tell Requester Outcome', completed(result, closing), []);

		const [mail] = outputs('Tell Requester Outcome')[0].map((item) => item.json);
		expect([mail.toEmail, mail.subject]).toEqual([requester.email, subject]);
		expect(mail.html).toContain('Hello Alice Buyer,');
		expect(mail.html).toContain(text);
	});

	it("tells the requester only what blocked the order, not the approval tiers", async () => {
		const event = approvalRequested('evt-block', pendingReview(), 'blocked');
		(event.data as IDataObject).reasons = [
			{ rule: 'po-spend-10k', action: 'require_tier', text: 'Spend of 10,000 or more' },
			{ rule: 'po-risk-high', action: 'block', text: 'High-risk vendors are blocked' },
		];
		const outputs = await run('Route Approval', event as IDataObject, [...asking, 'Tell Requester']);

		const [mail] = outputs('Tell Requester')[0].map((item) => item.json);
		expect(mail.subject).toBe('P00042: blocked');
		expect(mail.html).toContain('High-risk vendors are blocked');
		expect(mail.html).not.toContain('Spend of 10,000');
	});

	it('says on the decision page what happens next after a level-1 approval', async () => {
		odoo.reviews.push({ ...pendingReview(22), level: 2, tier_name: 'Finance', state: 'waiting' });
		const { query } = await mariasLink('approve');

		const outputs = await run('Record Decision', { query, body: {} }, ['Decision Recorded', 'Decision Refused']);

		const [page] = outputs('Decision Recorded')[0].map((item) => item.json.responseBody as string);
		expect(page).toContain('Thank you, Maria Manager');
		expect(page).toContain('Odoo recorded your decision (<b>approve</b>) on <b>P00042</b>.');
		expect(page).toContain('Finance (level 2) decides next.');
		expect(page).not.toContain('now pending');
		expect(page).toContain('name="viewport"');
	});

	it('routes blocked and held documents to their outputs', async () => {
		const [, , blocked] = await route(approvalRequested('evt-2', pendingReview(), 'blocked'));
		const [, , , hold] = await route(approvalRequested('evt-3', pendingReview(), 'hold'));
		expect([blocked.length, hold.length]).toEqual([1, 1]);
	});

	it.each(['jsonRpc', 'json2'])("writes Maria's approval back to Odoo in her name (%s)", async (protocol) => {
		const { query } = await mariasLink('approve');

		const [recorded, refused] = await decide(query, {}, protocol);

		expect(refused ?? []).toEqual([]);
		expect(recorded[0].json).toMatchObject({ review_id: 21, request_state: 'approved', actor: { login: maria.login } });
		expect(odoo.calls.map(({ method, params, via }) => ({ method, params, via }))).toEqual([
			{
				method: 'decide',
				params: {
					review_id: 21,
					actor: 'maria@acme.example',
					outcome: 'approve',
					idempotency_key: `decision-link:${query.signature}`,
				},
				via: protocol === 'json2' ? 'json2' : 'jsonrpc',
			},
		]);
	});

	it("answers a second click on the same link with Odoo's first answer", async () => {
		const { query } = await mariasLink('approve');

		const [first] = await decide(query);
		const [second] = await decide(query);

		expect(second[0].json).toEqual(first[0].json);
		expect(odoo.callsOf('decide')).toHaveLength(2);
		expect(odoo.reviews[0].state).toBe('decided');
	});

	it("sends a rejection with the approver's comment", async () => {
		const { query } = await mariasLink('reject');

		await decide(query, { comment: 'Supplier quote expired' });

		expect(odoo.callsOf('decide')).toEqual([expect.objectContaining({ outcome: 'reject', comment: 'Supplier quote expired' })]);
	});

	it('refuses a link altered to act as someone else, and Odoo hears nothing', async () => {
		const { query } = await mariasLink('approve');

		const [recorded, refused] = await decide({ ...query, actor: requester.login });

		expect(recorded).toEqual([]);
		expect(refused[0].json.error).toBe('The decision link is not signed for this review, approver and outcome');
		expect(odoo.calls).toEqual([]);
	});

	it("passes Odoo's refusal on to the error output", async () => {
		const { query } = await mariasLink('approve');
		odoo.reviews[0].state = 'decided';

		const [recorded, refused] = await decide(query);

		expect(recorded).toEqual([]);
		expect(refused[0].json.error).toBe('review 21 is no longer waiting for a decision [dg:not_pending]');
	});
});
