import type { IConnections, IDataObject, INode, INodeProperties } from 'n8n-workflow';

import template from '../../workflows/procurement-approval.json';
import { ApprovalRouter } from '../../nodes/ApprovalRouter/ApprovalRouter.node';
import { OdooGovernanceTrigger } from '../../nodes/OdooGovernanceTrigger/OdooGovernanceTrigger.node';
import { approvalRequested, maria, pendingReview, requester } from '../e2e/support/procurementScenario';
import { StandInOdoo } from '../e2e/support/standInOdoo';
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
		expect(webhookIds).toHaveLength(3);
		expect(new Set(webhookIds).size).toBe(3);
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
		expect(targets('Route Approval')).toEqual([[], ['Ask Approver'], ['Tell Requester'], ['Tell Requester']]);
		expect(targets('Decision Submitted')).toEqual([['Record Decision']]);
		expect(targets('Record Decision')).toEqual([['Decision Recorded'], ['Decision Refused']]);
		expect(byName('Record Decision').onError).toBe('continueErrorOutput');
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
