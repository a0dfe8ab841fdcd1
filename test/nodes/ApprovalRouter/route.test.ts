import { NodeOperationError, type IDataObject, type IPairedItemData } from 'n8n-workflow';

import { ApprovalRouter } from '../../../nodes/ApprovalRouter/ApprovalRouter.node';
import { checkDecisionLink } from '../../../nodes/ApprovalRouter/decisionLinks';
import { CREDENTIALS, executeContext, fakeOdoo } from '../helpers/contexts';
import levelOpened from '../../../contract/events/examples/approval.level_opened.json';
import escalated from '../../../contract/events/examples/approval.escalated.json';
import { approvalRequested, purchasingCases, purchasingPolicy } from '../helpers/fixtures';

const router = new ApprovalRouter();
const OUTPUTS = ['auto_approve', 'needs_approval', 'blocked', 'hold'];

describe('route as Odoo decided', () => {
	const parameters = { operation: 'route', mode: 'odooDecision', perApprover: false };

	it('sends each approval event to the output of its outcome, paired with its input', async () => {
		const items = [
			{ json: approvalRequested('e1', { outcome: 'hold' }) },
			{ json: approvalRequested('e2', { outcome: 'needs_approval' }) },
			{ json: approvalRequested('e3', { outcome: 'blocked' }) },
		];
		const { context } = executeContext({ parameters, items, http: fakeOdoo({}) });

		const outputs = await router.execute.call(context);

		expect(outputs).toEqual([
			[],
			[{ json: items[1].json, pairedItem: { item: 1 } }],
			[{ json: items[2].json, pairedItem: { item: 2 } }],
			[{ json: items[0].json, pairedItem: { item: 0 } }],
		]);
	});

	it('makes one item per pending review and eligible approver, with signed decision links', async () => {
		const event = approvalRequested('e1', {
			pending_reviews: [
				{
					review_id: 21,
					level: 1,
					tier_name: 'Purchasing manager',
					due: null,
					eligible_approvers: [
						{ login: 'maria@acme.example', name: 'Maria', email: 'maria@acme.example' },
						{ login: 'tom@acme.example', name: 'Tom', email: 'tom@acme.example' },
					],
				},
				{
					review_id: 22,
					level: 1,
					tier_name: 'Category manager',
					due: null,
					eligible_approvers: [{ login: 'cat@acme.example', name: 'Cat', email: null }],
				},
			],
		});
		const { context } = executeContext({
			parameters: {
				...parameters,
				perApprover: true,
				decisionLinkUrl: 'https://n8n.acme.example/webhook/procurement-decision',
				linkValidityHours: 2,
			},
			items: [{ json: event }],
			http: fakeOdoo({}),
		});

		const [, needsApproval] = await router.execute.call(context);

		expect(needsApproval.map((item) => [item.json.review, (item.json.approver as IDataObject).login])).toEqual([
			[{ review_id: 21, level: 1, tier_name: 'Purchasing manager', due: null }, 'maria@acme.example'],
			[{ review_id: 21, level: 1, tier_name: 'Purchasing manager', due: null }, 'tom@acme.example'],
			[{ review_id: 22, level: 1, tier_name: 'Category manager', due: null }, 'cat@acme.example'],
		]);
		expect(needsApproval.every((item) => (item.pairedItem as IPairedItemData).item === 0)).toBe(true);
		expect(needsApproval[0].json).toMatchObject({
			event_id: 'e1',
			request: { ref: 'APR/2026/0011' },
			document: { name: 'P00042' },
		});
		expect(needsApproval[0].json).not.toHaveProperty('pending_reviews');

		const link = new URL((needsApproval[1].json.decision_links as IDataObject).reject as string);
		expect(link.origin + link.pathname).toBe('https://n8n.acme.example/webhook/procurement-decision');
		const fields = Object.fromEntries(link.searchParams);
		expect(fields).toMatchObject({ review: '21', actor: 'tom@acme.example', outcome: 'reject' });
		const expires = Number(fields.expires);
		expect(expires - Date.now() / 1000).toBeGreaterThan(7190);
		const asSigned = { reviewId: 21, actor: 'tom@acme.example', outcome: 'reject', expires };
		expect(checkDecisionLink(CREDENTIALS.secret, asSigned, fields.signature, expires - 1)).toBeUndefined();
		expect(checkDecisionLink(CREDENTIALS.secret, { ...asSigned, actor: 'maria@acme.example' }, fields.signature, 0)).toBe(
			'bad_signature',
		);
		expect(checkDecisionLink(CREDENTIALS.secret, asSigned, fields.signature, expires + 1)).toBe('expired');
	});

	it("asks a later level's reviewers when Odoo opens it (approval.level_opened), like level 1's", async () => {
		const { context } = executeContext({
			parameters: { ...parameters, perApprover: true, decisionLinkUrl: 'https://n8n.acme.example/webhook/decide' },
			items: [{ json: levelOpened }],
			http: fakeOdoo({}),
		});

		const [auto, needsApproval, blocked, hold] = await router.execute.call(context);

		expect([auto, blocked, hold]).toEqual([[], [], []]);
		expect(needsApproval).toHaveLength(1);
		expect(needsApproval[0].json).toMatchObject({
			event_id: levelOpened.id,
			level: 2,
			review: { review_id: 22, level: 2, tier_name: 'Finance' },
			approver: { login: 'fiona@acme.example' },
			requester: { login: 'alice@acme.example' },
			document: { name: 'P00042' },
		});
		const link = new URL((needsApproval[0].json.decision_links as IDataObject).approve as string);
		expect(Object.fromEntries(link.searchParams)).toMatchObject({ review: '22', actor: 'fiona@acme.example' });
	});

	it('asks the people a review was escalated to (approval.escalated), each with links for that review', async () => {
		const { context } = executeContext({
			parameters: { ...parameters, perApprover: true, decisionLinkUrl: 'https://n8n.acme.example/webhook/decide' },
			items: [{ json: escalated }],
			http: fakeOdoo({}),
		});

		const [auto, needsApproval, blocked, hold] = await router.execute.call(context);

		expect([auto, blocked, hold]).toEqual([[], [], []]);
		expect(needsApproval).toHaveLength(1);
		expect(needsApproval[0]).toMatchObject({
			json: {
				event_id: escalated.id,
				escalated: true,
				reason: 'sla_expired',
				review: { review_id: 23, level: 1, tier_name: 'Finance', due: '2026-11-24T09:00:00Z' },
				approver: { login: 'ops.director@acme.example' },
				document: { name: 'ADJ/2026/0088' },
			},
			pairedItem: { item: 0 },
		});
		expect(needsApproval[0].json).not.toHaveProperty('escalated_to');
		const link = new URL((needsApproval[0].json.decision_links as IDataObject).approve as string);
		expect(Object.fromEntries(link.searchParams)).toMatchObject({ review: '23', actor: 'ops.director@acme.example' });
	});

	it('gives no decision links for a tier that confirms with password: it is decided in Odoo', async () => {
		const event = approvalRequested('e1', {
			pending_reviews: [
				{
					review_id: 31,
					level: 1,
					tier_name: 'Board',
					due: null,
					confirm_with_password: true,
					eligible_approvers: [{ login: 'maria@acme.example', name: 'Maria', email: 'maria@acme.example' }],
				},
			],
		});
		const { context } = executeContext({
			parameters: { ...parameters, perApprover: true, decisionLinkUrl: 'https://n8n.acme.example/webhook/decide' },
			items: [{ json: event }],
			http: fakeOdoo({}),
		});

		const [, needsApproval] = await router.execute.call(context);

		expect(needsApproval).toHaveLength(1);
		expect(needsApproval[0].json.review).toMatchObject({ review_id: 31, confirm_with_password: true });
		expect(needsApproval[0].json).not.toHaveProperty('decision_links');
	});

	it('refuses an item that is not an approval event, naming the item', async () => {
		const items = [{ json: approvalRequested('e1') }, { json: { amount: 5 } }];
		const { context } = executeContext({ parameters, items, http: fakeOdoo({}) });

		const error = await router.execute.call(context).catch((e) => e);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The item is not an approval event from Odoo: data.outcome is missing or unknown');
		expect(error.context.itemIndex).toBe(1);
	});

	it('holds an item it cannot route when continuing on fail', async () => {
		const items = [{ json: { amount: 5 } }, { json: approvalRequested('e2') }];
		const { context } = executeContext({ parameters, items, http: fakeOdoo({}), continueOnFail: true });

		const [auto, needs, blocked, hold] = await router.execute.call(context);

		expect([auto, blocked]).toEqual([[], []]);
		expect(needs).toHaveLength(1);
		expect(hold).toEqual([
			{
				json: {
					error: 'The item is not an approval event from Odoo: data.outcome is missing or unknown',
					details: expect.stringContaining('Policy Evaluated Here'),
				},
				pairedItem: { item: 0 },
			},
		]);
	});
});

describe('route by the policy evaluated here', () => {
	const parameters = {
		operation: 'route',
		mode: 'localPolicy',
		documentType: (index: number) => purchasingCases[index].input.document_type,
		facts: (index: number) => purchasingCases[index].input.facts,
		companyId: 0,
		policyMaxAge: 300,
	};

	it('routes every combination vector of the contract to its expected outcome', async () => {
		const policy = purchasingPolicy();
		const http = fakeOdoo({ export_policy_document: () => policy });
		const items = purchasingCases.map((vector) => ({ json: { name: vector.name } }));
		const { context } = executeContext({ parameters, items, http });

		const outputs = await router.execute.call(context);

		const routed = outputs.flatMap((output, index) =>
			output.map((item) => [(item.pairedItem as IPairedItemData).item, OUTPUTS[index], item.json.governance]),
		);
		routed.sort((a, b) => (a[0] as number) - (b[0] as number));
		expect(routed).toEqual(
			purchasingCases.map((vector, index) => [
				index,
				vector.expected.outcome,
				{ ...vector.expected, policy: { ...(vector.expected.policy as IDataObject), content_hash: policy.content_hash } },
			]),
		);
		expect(http).toHaveBeenCalledTimes(2); // one login, one export for all items
	});

	it('reuses the policy cached in static data by later executions, until it is too old', async () => {
		const policy = purchasingPolicy();
		const http = fakeOdoo({ export_policy_document: () => policy });
		const staticData: IDataObject = {};
		const items = [{ json: {} }];

		await router.execute.call(executeContext({ parameters, items, http, staticData }).context);
		await router.execute.call(executeContext({ parameters, items, http, staticData }).context);
		expect(http).toHaveBeenCalledTimes(2);
		expect(staticData.policies).toEqual({
			default: { content_hash: policy.content_hash, fetched_at: expect.any(Number), document: policy },
		});

		await router.execute.call(
			executeContext({ parameters: { ...parameters, policyMaxAge: 0 }, items, http, staticData }).context,
		);
		expect(http).toHaveBeenCalledTimes(3); // a new export; the login is remembered
	});

	it('asks for the policy of the company given', async () => {
		const http = fakeOdoo({ export_policy_document: () => purchasingPolicy() });
		const { context } = executeContext({ parameters: { ...parameters, companyId: 3 }, http });

		await router.execute.call(context);

		const body = http.mock.calls[1][1].body as { params: { args: unknown[] } };
		expect(body.params.args.slice(4)).toEqual(['export_policy_document', [{ company_id: 3 }], {}]);
	});

	it('turns invalid facts into an error naming the path and the problem', async () => {
		const http = fakeOdoo({ export_policy_document: () => purchasingPolicy() });
		const { context } = executeContext({
			parameters: { ...parameters, facts: { amount: 12.5 } },
			http,
		});

		const error = await router.execute.call(context).catch((e) => e);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Invalid input at facts.amount: must be a decimal string or an integer');
		expect(error.context.itemIndex).toBe(0);
	});

	it('turns a policy whose content does not match its hash into an error', async () => {
		const tampered = { ...purchasingPolicy(), version: 4 };
		const { context } = executeContext({ parameters, http: fakeOdoo({ export_policy_document: () => tampered }) });

		await expect(router.execute.call(context)).rejects.toThrow(
			"Invalid policy document at content_hash: does not match the document's content",
		);
	});
});
