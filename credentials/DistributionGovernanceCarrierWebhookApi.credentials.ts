import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The secret a carrier (or the tracking aggregator in front of it) signs its webhooks with, in
 * the Standard Webhooks scheme (`whsec_…`). Several secrets separated by spaces are all accepted,
 * so a rotated secret keeps working while the carrier switches.
 */
export class DistributionGovernanceCarrierWebhookApi implements ICredentialType {
	name = 'distributionGovernanceCarrierWebhookApi';

	displayName = 'Distribution Governance Carrier Webhook Secret API';

	icon: Icon = {
		light: 'file:../nodes/shared/icons/distributionGovernance.svg',
		dark: 'file:../nodes/shared/icons/distributionGovernance.dark.svg',
	};

	documentationUrl = 'https://www.standardwebhooks.com/';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_...',
			description: 'The whsec_ secret the carrier signs with; several separated by spaces during a rotation',
			required: true,
		},
	];
}
