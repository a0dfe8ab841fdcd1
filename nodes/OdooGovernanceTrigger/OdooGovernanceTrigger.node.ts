import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { callGovernanceApi, ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import {
	answerWithoutExecution,
	claimDelivery,
	claimedItem,
	examineDelivery,
	publicReason,
	startClaimed,
} from './delivery';
import {
	createSubscription,
	removeSubscription,
	subscriptionExists,
	type TriggerState,
} from './subscription';

export class OdooGovernanceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Odoo Governance Trigger',
		name: 'odooGovernanceTrigger',
		icon: {
			light: 'file:../shared/icons/distributionGovernance.svg',
			dark: 'file:../shared/icons/distributionGovernance.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["eventTypes"].join(", ")}}',
		description:
			'Starts the workflow on signed governance events from Odoo (approvals, exceptions, supplier confirmations)',
		defaults: { name: 'Odoo Governance Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: ODOO_CREDENTIAL_TYPE, required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty, so n8n answers with the node's webhookResponse; its default would send
				// Odoo the literal text "firstEntryJson".
				responseData: '',
				path: 'odoo-governance',
			},
		],
		properties: [
			{
				displayName: 'Event Type Names or IDs',
				name: 'eventTypes',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getEventTypes' },
				default: [],
				required: true,
				description:
					'Events Odoo should deliver to this workflow. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				description: 'Odoo only delivers events that match every filter given',
				options: [
					{
						displayName: 'Company IDs',
						name: 'companyIds',
						type: 'string',
						default: '',
						placeholder: '1, 3',
						description: 'Comma-separated Odoo company IDs',
					},
					{
						displayName: 'Document Models',
						name: 'documentModels',
						type: 'string',
						default: '',
						placeholder: 'purchase.order, sale.order',
						description: 'Comma-separated Odoo models of the governed documents',
					},
				],
			},
		],
	};

	methods = {
		loadOptions: {
			async getEventTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const { event_types } = await callGovernanceApi(this, 'list_event_types', {});
				return event_types.map(({ type, description }) => ({
					name: type,
					value: type,
					description,
				}));
			},
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await createSubscription.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await removeSubscription.call(this);
			},
		},
	};

	/**
	 * Runs first in every execution the webhook started, where n8n runs it (a queue-mode worker):
	 * confirms in Odoo that this execution runs the claimed event, or drops it.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await startClaimed(this)];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const state = this.getWorkflowStaticData('node') as TriggerState;
		const examined = examineDelivery(this, state);
		const delivery =
			examined.verdict === 'accept' ? await claimDelivery(this, state, examined.event) : examined;
		if (delivery.verdict === 'refuse') {
			// Fail closed and say why in the log; the sender only learns the status.
			this.logger.warn(`Odoo Governance Trigger refused a delivery: ${delivery.reason}`, {
				workflowId: this.getWorkflow().id,
			});
			return answerWithoutExecution(this, delivery.status, { error: publicReason(delivery) });
		}
		if (delivery.verdict === 'skip') {
			return answerWithoutExecution(this, 200, {
				received: true,
				executed: false,
				id: delivery.eventId,
				reason: delivery.reason,
			} as IDataObject);
		}
		return {
			workflowData: [[claimedItem(state, delivery.event, delivery.claimKey as string)]],
			webhookResponse: { received: true, executed: true, id: delivery.event.id },
		};
	}
}
