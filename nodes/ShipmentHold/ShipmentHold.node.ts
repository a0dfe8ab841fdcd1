import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { secretKey, SignatureError } from '../shared/signature';
import { ODOO_CREDENTIAL_TYPE } from '../shared/transport';
import * as findDeliveries from './actions/findDeliveries.operation';
import * as listLateShipments from './actions/listLateShipments.operation';
import * as placeHold from './actions/placeHold.operation';
import * as reportUnmatchedEvent from './actions/reportUnmatchedEvent.operation';
import * as verifyCarrierEvent from './actions/verifyCarrierEvent.operation';

const operations = {
	verifyCarrierEvent,
	findDeliveries,
	placeHold,
	reportUnmatchedEvent,
	listLateShipments,
};
const main = NodeConnectionTypes.Main;

export class ShipmentHold implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Shipment Holds',
		name: 'shipmentHold',
		icon: {
			light: 'file:../shared/icons/distributionGovernance.svg',
			dark: 'file:../shared/icons/distributionGovernance.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Verifies carrier tracking webhooks, reconciles them with Odoo deliveries and puts deliveries on hold',
		defaults: { name: 'Shipment Holds' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter.operation === "verifyCarrierEvent" ? [{ type: "${main}", displayName: "Verified" }, { type: "${main}", displayName: "Refused" }] : ($parameter.operation === "findDeliveries" ? [{ type: "${main}", displayName: "Matched" }, { type: "${main}", displayName: "No Match" }] : ["${main}"]) }}`,
		credentials: [
			{
				name: ODOO_CREDENTIAL_TYPE,
				required: true,
				displayOptions: { hide: { operation: ['verifyCarrierEvent'] } },
			},
			{
				name: 'distributionGovernanceCarrierWebhookApi',
				required: true,
				testedBy: 'carrierSecret',
				displayOptions: { show: { operation: ['verifyCarrierEvent'] } },
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Find Deliveries',
						value: 'findDeliveries',
						action: 'Find odoo deliveries by tracking reference',
						description: 'Reconcile each item with Odoo deliveries; items matching none go to the second output',
					},
					{
						name: 'List Late Shipments',
						value: 'listLateShipments',
						action: 'List late shipments',
						description: 'Transfers flagged late by their warehouse policy',
					},
					{
						name: 'Place Hold',
						value: 'placeHold',
						action: 'Put a delivery on hold in odoo',
						description: 'Odoo refuses to validate it until a reviewer releases the hold',
					},
					{
						name: 'Report Unmatched Event',
						value: 'reportUnmatchedEvent',
						action: 'Raise an exception for a carrier event matching no delivery',
					},
					{
						name: 'Verify Carrier Event',
						value: 'verifyCarrierEvent',
						action: 'Verify a carrier webhook signature',
						description: 'Check the Standard Webhooks signature of a carrier tracking webhook and read the event',
					},
				],
				default: 'verifyCarrierEvent',
			},
			...verifyCarrierEvent.description,
			...findDeliveries.description,
			...placeHold.description,
			...reportUnmatchedEvent.description,
			...listLateShipments.description,
		],
	};

	methods = {
		credentialTest: {
			/** The carrier's secrets must be Standard Webhooks secrets: otherwise every event would be refused. */
			async carrierSecret(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
			): Promise<INodeCredentialTestResult> {
				const secrets = String(credential.data?.secret ?? '')
					.split(/\s+/)
					.filter(Boolean);
				if (!secrets.length)
					return {
						status: 'Error',
						message: 'Enter the whsec_ secret the carrier signs with',
					};
				try {
					secrets.forEach((secret) => secretKey(secret));
				} catch (error) {
					const reason = error instanceof SignatureError ? error.message : String(error);
					return { status: 'Error', message: `Not a signing secret: ${reason}` };
				}
				return {
					status: 'OK',
					message: `${secrets.length} signing secret(s) ready`,
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
		return await operations[operation].execute.call(this);
	}
}
