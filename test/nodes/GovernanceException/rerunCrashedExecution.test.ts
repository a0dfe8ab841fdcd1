import type { IDataObject } from 'n8n-workflow';

import { GovernanceException } from '../../../nodes/GovernanceException/GovernanceException.node';
import { executeContext, fakeOdoo } from '../helpers/contexts';

/** Items as n8n's public API lists executions (GET /api/v1/executions?status=crashed → data[]). */
const listed = (id: string, status = 'crashed') => ({ id, status, workflowId: 'dgProcApproval01', mode: 'webhook' });

async function rerun(items: IDataObject[], parameters: IDataObject = {}, continueOnFail = false) {
	const odoo = jest.fn((params: IDataObject) => ({
		rerun: params.execution_id === '77',
		execution_id: params.execution_id,
		event_id: params.execution_id === '77' ? 'evt_1' : '',
		subscription_id: params.execution_id === '77' ? 4 : 0,
	}));
	const { context } = executeContext({
		parameters: { operation: 'rerunCrashedExecution', executionId: (index: number) => items[index].id, workflowName: '', ...parameters },
		items: items.map((json) => ({ json })),
		http: fakeOdoo({ rerun_crashed_execution: odoo }),
		continueOnFail,
	});
	const [output] = await new GovernanceException().execute.call(context);
	return { output, odoo };
}

describe('Governance Exception: rerun crashed execution', () => {
	it("asks Odoo to deliver a crashed execution's event again, and passes on its answer", async () => {
		const { output, odoo } = await rerun([listed('77'), listed('78')], { workflowName: 'Procurement approval' });
		expect(odoo.mock.calls.map(([params]) => params)).toEqual([
			{ execution_id: '77', workflow_name: 'Procurement approval' },
			{ execution_id: '78', workflow_name: 'Procurement approval' },
		]);
		expect(output.map((item) => item.json)).toEqual([
			{ rerun: true, execution_id: '77', event_id: 'evt_1', subscription_id: 4 },
			{ rerun: false, execution_id: '78', event_id: '', subscription_id: 0 },
		]);
	});

	it('never sends an execution that says it did not crash (its event must not run twice)', async () => {
		const { output, odoo } = await rerun([listed('79', 'success')]);
		expect(odoo).not.toHaveBeenCalled();
		expect(output[0].json).toEqual({ rerun: false, execution_id: '79', reason: 'status is success, not crashed' });
	});

	it('names an empty or too long execution id instead of sending it', async () => {
		const { output } = await rerun([{ id: '' }, { id: '9'.repeat(65) }], {}, true);
		expect(output.map((item) => item.json.error)).toEqual([
			'Execution ID is empty',
			expect.stringMatching(/^Execution ID is longer than 64 characters/),
		]);
	});
});
