import type { IDataObject } from 'n8n-workflow';

import { GovernanceException } from '../../../nodes/GovernanceException/GovernanceException.node';
import { executeContext, fakeOdoo } from '../helpers/contexts';

/** What n8n 2.41's Error Trigger emits for a failed execution (execute-error-workflow.js). */
const errorTriggerItem = (executionId = '231') => ({
	execution: {
		id: executionId,
		url: `http://127.0.0.1:5678/workflow/dgProcApproval01/executions/${executionId}`,
		error: { message: '[dg:not_eligible] bob is not an eligible approver of review 12', description: 'Odoo error', stack: 'NodeApiError: …' },
		lastNodeExecuted: 'Record Decision',
		mode: 'webhook',
	},
	workflow: { id: 'dgProcApproval01', name: 'Procurement approval (Distribution Governance)' },
});

async function report(items: IDataObject[], raise = jest.fn(() => ({ exception_id: 5, name: 'EXC/2026/0005', state: 'open' }))) {
	const http = fakeOdoo({ raise_exception: raise });
	const { context } = executeContext({
		parameters: { operation: 'reportAutomationFailure', exceptionType: 'automation_failure', severity: 'high' },
		items: items.map((json) => ({ json })),
		http,
	});
	context.getExecutionId.mockReturnValue('990');
	const [output] = await new GovernanceException().execute.call(context);
	return { output, raise };
}

describe('Governance Exception: report automation failure', () => {
	it('raises one technical exception keyed by workflow and execution, with node, URL, error and mode', async () => {
		const { output, raise } = await report([errorTriggerItem()]);
		expect(raise).toHaveBeenCalledWith({
			exception_type: 'automation_failure',
			category: 'technical',
			severity: 'high',
			summary:
				'Procurement approval (Distribution Governance): Record Decision failed: [dg:not_eligible] bob is not an eligible approver of review 12',
			automation: {
				workflow_id: 'dgProcApproval01',
				workflow_name: 'Procurement approval (Distribution Governance)',
				node: 'Record Decision',
				execution_id: '231',
				execution_url: 'http://127.0.0.1:5678/workflow/dgProcApproval01/executions/231',
				error_message: '[dg:not_eligible] bob is not an eligible approver of review 12',
				trigger: 'mode webhook',
			},
			details: 'Odoo error\n\nNodeApiError: …',
			idempotency_key: expect.stringMatching(/^n8n-failure:dgProcApproval01:231:[0-9a-f]{16}$/),
		});
		expect(output[0]).toMatchObject({ json: { exception_id: 5, name: 'EXC/2026/0005' }, pairedItem: { item: 0 } });
	});

	it('stands in its own execution id when the trigger failed before an execution existed', async () => {
		const item = { trigger: { error: { message: 'Could not register the webhook' }, mode: 'trigger' }, workflow: { id: 'wf9', name: 'X' } };
		const { raise } = await report([item]);
		expect(raise.mock.calls[0]).toEqual([
			expect.objectContaining({
				idempotency_key: expect.stringMatching(/^n8n-failure:wf9:trigger-990:[0-9a-f]{16}$/),
				automation: expect.objectContaining({ execution_id: 'trigger-990', error_message: 'Could not register the webhook' }),
			}),
		]);
	});

	it('bounds every string to the contract\'s limits', async () => {
		const item = errorTriggerItem('7');
		item.execution.error.message = 'm'.repeat(10000);
		item.workflow.name = 'w'.repeat(500);
		const { raise } = await report([item]);
		const params = (raise.mock.calls[0] as unknown as [IDataObject])[0];
		const automation = params.automation as IDataObject;
		expect([String(automation.error_message).length, String(automation.workflow_name).length, String(params.summary).length]).toEqual([
			4000, 200, 200,
		]);
	});

	it('refuses an item that is not from the Error Trigger', async () => {
		await expect(report([{ hello: 'world' }])).rejects.toThrow(/not from an Error Trigger/);
	});
	/** The failed execution as n8n's n8n node reads it (Execution > Get with details), merged by position. */
	const readExecution = (firstJson: IDataObject) => ({
		id: '231',
		mode: 'webhook',
		workflowData: { id: 'dgProcApproval01' },
		data: {
			resultData: {
				runData: {
					'Approval Requested': [{ data: { main: [[{ json: firstJson }]] } }],
					'Record Decision': [{ error: { message: 'x' } }],
				},
			},
		},
	});
	const event = {
		specversion: '1.0',
		id: 'evt_01JDG0000000000000000001',
		type: 'approval.requested',
		source: 'odoo://acme/distribution_governance',
		subject: 'purchase.order/12',
		data: { request: { id: 3 } },
	};

	it('carries the Governance Trigger event that started the failed execution', async () => {
		const { raise } = await report([{ ...errorTriggerItem(), ...readExecution(event) }]);
		const automation = (raise.mock.calls[0] as unknown as [IDataObject])[0].automation as IDataObject;
		expect(automation.event).toEqual({ id: 'evt_01JDG0000000000000000001', type: 'approval.requested', subject: 'purchase.order/12' });
		expect(automation.trigger).toBe('approval.requested evt_01JDG0000000000000000001, mode webhook');
	});

	it('still reports the failure, without an event, when the read failed, read another execution or another trigger started it', async () => {
		const otherExecution = { ...readExecution(event), id: '230' };
		for (const extra of [{ error: 'The resource you are requesting could not be found' }, readExecution({ body: 'a form' }), otherExecution, {}]) {
			const { raise } = await report([{ ...errorTriggerItem(), ...extra }]);
			const automation = (raise.mock.calls[0] as unknown as [IDataObject])[0].automation as IDataObject;
			expect(automation.event).toBeUndefined();
			expect(automation.trigger).toBe('mode webhook');
		}
	});

	it('bounds the event to the contract\'s limits', async () => {
		const { raise } = await report([{ ...errorTriggerItem(), ...readExecution({ ...event, id: 'e'.repeat(300), subject: 's'.repeat(300) }) }]);
		const found = ((raise.mock.calls[0] as unknown as [IDataObject])[0].automation as IDataObject).event as IDataObject;
		expect([String(found.id).length, String(found.subject).length]).toEqual([100, 200]);
	});
});
