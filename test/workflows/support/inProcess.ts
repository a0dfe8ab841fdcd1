/**
 * Runs workflows inside jest with n8n-core's own engine (WorkflowExecute): real node classes,
 * real request helpers (so HTTP really leaves the process), credentials from a plain map.
 * Nodes of n8n-nodes-base are not available here; tests use our nodes plus `Items`, a start
 * node that emits the items it is given.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsHelper,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IConnections,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { ApprovalRouter } from '../../../nodes/ApprovalRouter/ApprovalRouter.node';
import { OdooGovernanceTrigger } from '../../../nodes/OdooGovernanceTrigger/OdooGovernanceTrigger.node';

export const ITEMS_NODE_TYPE = 'test.items';

/** A start node that outputs its `items` parameter. */
class Items implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items',
		name: ITEMS_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits the items of its parameter',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
		usableAsTool: true,
	};

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getNodeParameter('items', 0) as IDataObject[];
		return [items.map((json, index) => ({ json, pairedItem: { item: index } }))];
	}
}

export const MAIL_NODE_TYPE = 'n8n-nodes-base.emailSend';
export const RESPOND_NODE_TYPE = 'n8n-nodes-base.respondToWebhook';

/**
 * Stands in for one of n8n's own nodes (not available here): outputs the given parameters, their
 * expressions resolved by n8n-core, so a test can read the mail or the page the template makes.
 */
class Captured implements INodeType {
	description: INodeTypeDescription;

	// execute() runs with n8n's context as `this`, so it picks the fields by the node's type.
	constructor(type: string, names: string[]) {
		this.description = {
			displayName: `${type} (captured)`,
			name: type,
			group: ['output'],
			version: [1, 1.1, 2, 2.1],
			description: 'Outputs what the node would send',
			defaults: { name: type },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: names.map((name) => ({ displayName: name, name, type: 'string' as const, default: '' })),
			usableAsTool: true,
		};
	}

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const names = (this.getNode().type === MAIL_NODE_TYPE ? MAIL_FIELDS : RESPOND_FIELDS).filter((name) => name !== 'emailFormat');
		return [
			this.getInputData().map((_item, index) => ({
				json: Object.fromEntries(names.map((name) => [name, this.getNodeParameter(name, index) as string])),
				pairedItem: { item: index },
			})),
		];
	}
}
const MAIL_FIELDS = ['toEmail', 'subject', 'html', 'emailFormat'];
const RESPOND_FIELDS = ['responseBody'];

export const SWITCH_NODE_TYPE = 'n8n-nodes-base.switch';
export const SLACK_NODE_TYPE = 'n8n-nodes-base.slack';

/** Stands in for n8n's Switch in expression mode: each item goes to the output its `output` names. */
class SwitchByExpression implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Switch (expression mode)',
		name: SWITCH_NODE_TYPE,
		group: ['transform'],
		version: [3, 3.1, 3.2],
		description: 'Routes each item to the output its expression names',
		defaults: { name: 'Switch' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Output', name: 'output', type: 'number', default: 0 },
			{ displayName: 'Outputs', name: 'numberOutputs', type: 'number', default: 4 },
		],
		usableAsTool: true,
	};

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const outputs: INodeExecutionData[][] = [[], [], [], []];
		this.getInputData().forEach((item, index) => {
			outputs[this.getNodeParameter('output', index) as number].push({ json: item.json, pairedItem: { item: index } });
		});
		return outputs;
	}
}

/**
 * Stands in for n8n's Slack node: `user: lookupByEmail` answers a user whose id is `U:<email>`,
 * `message: post` outputs the user id and the text it would send.
 */
class StandInSlack implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack (stand-in)',
		name: SLACK_NODE_TYPE,
		group: ['output'],
		version: [2, 2.1, 2.2, 2.3],
		description: 'Outputs what the Slack node would send',
		defaults: { name: 'Slack' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: ['resource', 'operation', 'email', 'user', 'text'].map((name) => ({ displayName: name, name, type: 'string' as const, default: '' })),
		usableAsTool: true,
	};

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((_item, index) => {
				const json: IDataObject =
					this.getNodeParameter('operation', index) === 'lookupByEmail'
						? { id: `U:${this.getNodeParameter('email', index) as string}` }
						: {
								user: (this.getNodeParameter('user', index) as IDataObject).value as string,
								text: this.getNodeParameter('text', index) as string,
							};
				return { json, pairedItem: { item: index } };
			}),
		];
	}
}

const nodeTypeClasses: Record<string, INodeType> = {
	[SWITCH_NODE_TYPE]: new SwitchByExpression(),
	[SLACK_NODE_TYPE]: new StandInSlack(),
	[MAIL_NODE_TYPE]: new Captured(MAIL_NODE_TYPE, MAIL_FIELDS),
	[RESPOND_NODE_TYPE]: new Captured(RESPOND_NODE_TYPE, RESPOND_FIELDS),
	'n8n-nodes-distribution-governance.approvalRouter': new ApprovalRouter(),
	'n8n-nodes-distribution-governance.odooGovernanceTrigger': new OdooGovernanceTrigger(),
	[ITEMS_NODE_TYPE]: new Items(),
};

const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeClasses[type],
	getByNameAndVersion: (type) => nodeTypeClasses[type],
	getKnownTypes: () => ({}),
};

/** Credentials by type; applies our credential's `authenticate` headers as n8n does. */
function credentialsHelper(credentials: Record<string, ICredentialDataDecryptedObject>): ICredentialsHelper {
	return {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		authenticate: async (data: ICredentialDataDecryptedObject, type: string, request: IHttpRequestOptions) => {
			if (type !== 'distributionGovernanceOdooApi') return request;
			return {
				...request,
				headers: {
					...(request.headers ?? {}),
					Authorization: `bearer ${String(data.secret)}`,
					'X-Odoo-Database': String(data.database),
				},
			};
		},
		preAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not used');
		},
		getDecrypted: async (_additionalData: unknown, nodeCredentials: unknown, type: string) => credentials[type],
		updateCredentials: async () => undefined,
		updateCredentialsOauthTokenData: async () => undefined,
		getCredentialsProperties: () => [],
	} as unknown as ICredentialsHelper;
}

export interface InProcessRun {
	run: IRun;
	/** The items each node output, by node name, per output index. */
	outputs: (node: string) => INodeExecutionData[][];
	staticData: IDataObject;
}

export async function runWorkflow(options: {
	nodes: INode[];
	connections: IConnections;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	staticData?: IDataObject;
	instanceBaseUrl?: string;
}): Promise<InProcessRun> {
	const staticData = options.staticData ?? {};
	const workflow = new Workflow({
		id: 'wf-in-process',
		name: 'in-process',
		nodes: options.nodes,
		connections: options.connections,
		active: false,
		nodeTypes,
		staticData,
		settings: { executionOrder: 'v1' },
	});
	const base = options.instanceBaseUrl ?? 'http://127.0.0.1:5678/';
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-1', {
		id: 'wf-in-process',
		name: 'in-process',
		nodes: options.nodes,
		connections: options.connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const additionalData = {
		credentialsHelper: credentialsHelper(options.credentials),
		hooks,
		executionId: 'exec-1',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}form`,
		formWaitingBaseUrl: `${base}form-waiting`,
		formTestBaseUrl: `${base}form-test`,
		webhookBaseUrl: `${base}webhook`,
		webhookWaitingBaseUrl: `${base}webhook-waiting`,
		webhookTestBaseUrl: `${base}webhook-test`,
		mcpBaseUrl: `${base}mcp`,
		mcpTestBaseUrl: `${base}mcp-test`,
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
	const start = options.nodes.find((node) => node.type === ITEMS_NODE_TYPE)!;
	const runData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: start, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	const run = await new WorkflowExecute(additionalData, 'manual', runData).processRunExecutionData(workflow);
	const outputs = (name: string) => {
		const task = run.data.resultData.runData[name]?.[0];
		if (task?.error) throw task.error;
		return (task?.data?.main ?? []).map((items) => items ?? []);
	};
	return { run, outputs, staticData };
}
