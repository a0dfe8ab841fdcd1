/**
 * What every AI operation shares: which fields of an item may be sent (per item type, editable),
 * how personal data is redacted, and the limits (timeout, token budget, concurrency).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ITEM_TYPE_OPTIONS, ITEM_TYPES } from '../itemTypes';
import { AI_CREDENTIAL_TYPE, type AiCredentials, type FallbackReason, type Limits, type Outcome } from '../provider';
import { compilePatterns, personNames, pickFields, redact, valuesAt, type Json } from '../redaction';

const MAX_TIMEOUT_MS = 300_000;
const MAX_FIELDS = 100;

export const itemProperties: INodeProperties[] = [
	{
		displayName: 'Item Type',
		name: 'itemType',
		type: 'options',
		options: ITEM_TYPE_OPTIONS,
		default: 'approvalRequest',
		description: 'Decides the default fields sent and the fields that name people',
	},
	{
		displayName: 'Fields to Send',
		name: 'allowedFields',
		type: 'string',
		default: '',
		placeholder: 'document.name, document.amount, reasons[].text',
		description:
			'Comma-separated paths of the only fields sent to the AI provider (`[]` walks a list). Empty: the item type\'s default list (see the README).',
	},
	{
		displayName: 'Person Fields',
		name: 'personFields',
		type: 'string',
		default: '',
		placeholder: 'requester.name, exception.owner.name',
		description:
			'Comma-separated paths of fields holding people\'s names; those names are replaced by [person] in everything sent. Empty: the item type\'s default list.',
	},
	{
		displayName: 'Redaction Patterns',
		name: 'redactionPatterns',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'IBAN [A-Z]{2}\\d{2}[A-Z0-9 ]+',
		description:
			'One regular expression per line; matches are replaced by [redacted]. E-mail addresses and phone numbers are always redacted.',
	},
];

export const limitProperties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'limits',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Timeout (Ms)',
				name: 'timeoutMs',
				type: 'number',
				typeOptions: { minValue: 100, maxValue: MAX_TIMEOUT_MS },
				default: 20000,
				description:
					'Longest wait for one answer, waits after HTTP 429 included; after it the deterministic fallback is used',
			},
			{
				displayName: 'Token Budget',
				name: 'tokenBudget',
				type: 'number',
				typeOptions: { minValue: 200, maxValue: 200000 },
				default: 4000,
				description:
					'Most tokens one request may use, question and answer together; a larger request is not sent and the fallback is used',
			},
			{
				displayName: 'Concurrent Requests',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 2,
				description: 'How many requests may be waiting on the provider at once',
			},
		],
	},
];

export interface Settings {
	credentials: AiCredentials;
	limits: Limits;
	concurrency: number;
	itemTypeKey: string;
	allowedFields: string[];
	personFields: string[];
	patterns: RegExp[];
}

function paths(context: IExecuteFunctions, parameter: string, fallback: string[] | undefined): string[] {
	const given = String(context.getNodeParameter(parameter, 0, ''))
		.split(',')
		.map((path) => path.trim())
		.filter(Boolean);
	const list = given.length ? given : (fallback ?? []);
	if (list.length > MAX_FIELDS) {
		throw new NodeOperationError(context.getNode(), `${parameter}: at most ${MAX_FIELDS} paths`);
	}
	const bad = list.find((path) => path.length > 200 || !/^[\w-]+(\[\])?(\.[\w-]+(\[\])?)*$/.test(path));
	if (bad) throw new NodeOperationError(context.getNode(), `${parameter}: "${bad.slice(0, 60)}" is not a field path`);
	return list;
}

/** The operation's settings, checked once for the whole run. */
export async function settings(context: IExecuteFunctions): Promise<Settings> {
	const credentials = await context.getCredentials<AiCredentials & IDataObject>(AI_CREDENTIAL_TYPE);
	if (!credentials.model?.trim()) {
		throw new NodeOperationError(context.getNode(), 'The AI provider credential names no model');
	}
	const itemTypeKey = context.getNodeParameter('itemType', 0) as string;
	const itemType = ITEM_TYPES[itemTypeKey];
	const allowedFields = paths(context, 'allowedFields', itemType?.allowedFields);
	if (!allowedFields.length) {
		throw new NodeOperationError(context.getNode(), 'Fields to Send is empty: name the fields the provider may see');
	}
	const compiled = compilePatterns(String(context.getNodeParameter('redactionPatterns', 0, '')));
	if ('problem' in compiled) throw new NodeOperationError(context.getNode(), compiled.problem);
	const patterns = compiled.patterns;
	const limits = context.getNodeParameter('limits', 0, {}) as IDataObject;
	const timeoutMs = Number(limits.timeoutMs ?? 20000);
	if (!(timeoutMs >= 100 && timeoutMs <= MAX_TIMEOUT_MS)) {
		throw new NodeOperationError(context.getNode(), `Timeout must be 100 to ${MAX_TIMEOUT_MS} ms`);
	}
	return {
		credentials: { ...credentials, model: credentials.model.trim() },
		limits: { timeoutMs, tokenBudget: Number(limits.tokenBudget ?? 4000) },
		concurrency: Math.max(1, Math.min(10, Math.floor(Number(limits.concurrency ?? 2)))),
		itemTypeKey,
		allowedFields,
		personFields: paths(context, 'personFields', itemType?.personFields),
		patterns,
	};
}

/**
 * What an item is about: the original item when it comes out of Rank (so Rank → Summarise
 * summarises the orders), the event data of a CloudEvents envelope, else the item itself.
 */
export function subject(item: INodeExecutionData): IDataObject {
	const ranked = item.json;
	const json =
		typeof ranked.rank === 'number' && ranked.source && typeof ranked.item === 'object' && ranked.item !== null
			? (ranked.item as IDataObject)
			: ranked;
	return json.specversion && typeof json.data === 'object' && json.data !== null ? (json.data as IDataObject) : json;
}

/** The allow-listed, redacted fields of one item: exactly what the provider sees of it. */
export function outgoing(item: IDataObject, settings: Settings): Json {
	const names = personNames(item, settings.personFields);
	return redact(pickFields(item, settings.allowedFields), { names, patterns: settings.patterns });
}

const first = (item: IDataObject, path: string | undefined) => (path ? valuesAt(item, path)[0] : undefined);

/** The id, display name and Odoo document of an item, for the output and the Odoo note. */
export function identity(item: IDataObject, settings: Settings, index: number) {
	const type = ITEM_TYPES[settings.itemTypeKey];
	const id = first(item, type?.idField) ?? item.id;
	const name = first(item, type?.nameField) ?? item.name;
	const document = first(item, type?.documentField ?? 'document');
	return {
		id: typeof id === 'string' || typeof id === 'number' ? String(id) : `item-${index + 1}`,
		name: typeof name === 'string' ? name : `Item ${index + 1}`,
		document: document && typeof document === 'object' ? (document as IDataObject) : null,
	};
}

/** The provenance every output item carries. */
export function provenance(outcome: Outcome<unknown>, settings: Settings): IDataObject {
	return {
		source: outcome.ok ? 'ai' : 'fallback',
		model: settings.credentials.model,
		prompt_hash: outcome.promptHash,
		fallback_reason: outcome.ok ? null : (outcome.reason as FallbackReason),
		fallback_detail: outcome.ok ? null : outcome.detail,
		duration_ms: outcome.durationMs,
	};
}
