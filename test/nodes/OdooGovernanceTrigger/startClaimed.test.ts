/**
 * The trigger's execute(): the first step of every execution its webhook started confirms in Odoo
 * that this execution runs the claimed event (confirm_delivery_start), or does nothing.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import example from '../../../contract/events/examples/approval.requested.json';
import { CLAIM_FIELD } from '../../../nodes/OdooGovernanceTrigger/delivery';
import { OdooGovernanceTrigger } from '../../../nodes/OdooGovernanceTrigger/OdooGovernanceTrigger.node';
import { executeContext, fakeOdoo, OdooFault } from '../helpers/contexts';

const trigger = new OdooGovernanceTrigger();

describe('the execution confirms its start in Odoo', () => {
	const ticket = { subscriptionId: 31, key: 'n8n-claim:0123456789abcdef0123456789abcdef0123' };
	const item: INodeExecutionData = { json: { ...example, [CLAIM_FIELD]: ticket } };

	function run(answer: (params: IDataObject) => unknown, items: INodeExecutionData[] = [item]) {
		const calls: IDataObject[] = [];
		const http = fakeOdoo({
			confirm_delivery_start: (params) => {
				calls.push(params);
				return answer(params);
			},
		});
		const { context } = executeContext({ parameters: {}, items, http });
		context.getExecutionId.mockReturnValue('4711');
		return { result: trigger.execute.call(context), calls, context };
	}

	const started = (yes: boolean, execution = '4711') => () => ({
		started: yes,
		subscription_id: 31,
		event_id: example.id,
		execution_id: execution,
		started_at: '2026-11-30T10:00:00Z',
	});

	it('passes the event on, without the claim, when this execution is the one that runs it', async () => {
		const { result, calls } = run(started(true));
		await expect(result).resolves.toEqual([[{ json: example, pairedItem: { item: 0 } }]]);
		expect(calls).toEqual([
			{ subscription_id: 31, event_id: example.id, claim_key: ticket.key, execution_id: '4711' },
		]);
	});

	it('does nothing when another execution already runs the event', async () => {
		const { result, context } = run(started(false, '4700'));
		await expect(result).resolves.toEqual([[]]);
		expect(context.logger.info).toHaveBeenCalledWith(expect.stringContaining('already runs in execution 4700'));
	});

	it('does nothing when a replay released the claim (the replay runs the event)', async () => {
		const { result } = run(() => {
			throw new OdooFault('odoo.exceptions.MissingError', 'Event evt has no claim awaiting its start. [dg:not_found]');
		});
		await expect(result).resolves.toEqual([[]]);
	});

	it('fails the execution when Odoo cannot say, so the event is delivered again later', async () => {
		const { result } = run(() => {
			throw new OdooFault('odoo.exceptions.AccessError', 'no [dg:forbidden]');
		});
		await expect(result).rejects.toThrow(/Could not confirm in Odoo that this execution runs event/);
	});

	it('passes items without a claim as they are (pinned or test data)', async () => {
		const plain = { json: { ...example } };
		const { result, calls } = run(started(true), [plain]);
		await expect(result).resolves.toEqual([[plain]]);
		expect(calls).toEqual([]);
	});
});
