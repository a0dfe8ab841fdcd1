import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { withItemIndex } from '../../shared/items';
import type { SlashOrder } from '../normalise/dates';
import { readEmail } from '../normalise/email';
import { readPortal, readPortalText } from '../normalise/portal';
import { type NormalisedUpdate, UnreadableUpdate } from '../normalise/types';
import { readX12855 } from '../normalise/x12855';

type Format = 'auto' | 'portal' | 'edi' | 'email';

const properties: INodeProperties[] = [
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'Detect', value: 'auto', description: 'E-mail when the item has a subject, EDI when the text starts with ISA, otherwise portal JSON' },
			{ name: 'Supplier Portal JSON', value: 'portal' },
			{ name: 'EDI (X12 855 Acknowledgment)', value: 'edi' },
			{ name: 'E-Mail', value: 'email', description: 'Items of the Email Trigger (IMAP): subject, text, date, messageId' },
		],
		default: 'auto',
	},
	{
		displayName: 'Portal JSON Property',
		name: 'portalProperty',
		type: 'string',
		default: 'body',
		description: 'Property holding the portal\'s JSON (a Webhook node puts it in "body"); when the item has none, the whole item is read',
	},
	{
		displayName: 'EDI Property',
		name: 'ediProperty',
		type: 'string',
		default: 'data',
		description: 'Text property, or binary property, holding the X12 interchange',
	},
	{
		displayName: 'Order Reference Pattern',
		name: 'orderPattern',
		type: 'string',
		default: '\\b(P\\d{5,})\\b',
		description: 'Regular expression finding the purchase order reference in an e-mail (first group, or the whole match)',
	},
	{
		displayName: 'Slash Dates',
		name: 'slashDates',
		type: 'options',
		options: [
			{ name: 'Refuse When Ambiguous', value: 'refuseAmbiguous', description: '03/04/2026 goes to Unreadable; 13/04/2026 is read' },
			{ name: 'Day First (31/12/2026)', value: 'dayFirst' },
			{ name: 'Month First (12/31/2026)', value: 'monthFirst' },
		],
		default: 'refuseAmbiguous',
		description: 'How suppliers write dates with slashes in e-mails',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['normalise'] } }, properties);

function detect(item: INodeExecutionData, portalProperty: string, ediProperty: string): Exclude<Format, 'auto'> {
	const json = item.json;
	if (typeof json.subject === 'string' || typeof json.textPlain === 'string') return 'email';
	const edi = json[ediProperty];
	if ((typeof edi === 'string' && edi.trimStart().startsWith('ISA')) || item.binary?.[ediProperty]) return 'edi';
	if (typeof json[portalProperty] === 'string' && String(json[portalProperty]).trimStart().startsWith('ISA')) return 'edi';
	return 'portal';
}

async function ediText(context: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, property: string): Promise<string> {
	const value = item.json[property];
	if (typeof value === 'string') return value;
	if (item.binary?.[property]) {
		return (await context.helpers.getBinaryDataBuffer(itemIndex, property)).toString('utf8');
	}
	throw new UnreadableUpdate(`The item has no text or binary property "${property}" with the EDI message`);
}

function mailField(json: IDataObject, names: string[]): string | undefined {
	for (const name of names) {
		const value = json[name];
		if (typeof value === 'string' && value) return value;
		if (typeof value === 'object' && value && typeof (value as IDataObject).text === 'string') return (value as IDataObject).text as string;
	}
	return undefined;
}

async function normaliseItem(
	context: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): Promise<{ format: string; updates: NormalisedUpdate[] }> {
	const portalProperty = String(context.getNodeParameter('portalProperty', itemIndex, 'body'));
	const ediProperty = String(context.getNodeParameter('ediProperty', itemIndex, 'data'));
	let format = context.getNodeParameter('format', itemIndex) as Format;
	if (format === 'auto') format = detect(item, portalProperty, ediProperty);
	if (format === 'edi') {
		const text = await ediText(context, item, itemIndex, typeof item.json[portalProperty] === 'string' && !item.json[ediProperty] ? portalProperty : ediProperty);
		return { format, updates: readX12855(text) };
	}
	if (format === 'email') {
		let pattern: RegExp;
		const source = String(context.getNodeParameter('orderPattern', itemIndex));
		try {
			pattern = new RegExp(source);
		} catch (error) {
			throw new NodeOperationError(context.getNode(), `Order Reference Pattern is not a regular expression: ${(error as Error).message}`, { itemIndex });
		}
		const json = item.json;
		const mail = {
			subject: mailField(json, ['subject']) ?? '',
			text: mailField(json, ['textPlain', 'text', 'body']) ?? '',
			from: mailField(json, ['from']),
			messageId: mailField(json, ['messageId', 'message-id', 'messageID']),
			date: mailField(json, ['date']),
		};
		const raw = `From: ${mail.from ?? ''}\nDate: ${mail.date ?? ''}\nMessage-ID: ${mail.messageId ?? ''}\nSubject: ${mail.subject}\n\n${mail.text}`;
		return {
			format,
			updates: [readEmail(mail, { orderPattern: pattern, slash: context.getNodeParameter('slashDates', itemIndex) as SlashOrder }, raw)],
		};
	}
	const body = item.json[portalProperty] !== undefined ? item.json[portalProperty] : item.json;
	return { format, updates: [typeof body === 'string' ? readPortalText(body) : readPortal(body, JSON.stringify(body))] };
}

/** Normalised updates on output 0; what cannot be read on output 1 with the reason. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const normalised: INodeExecutionData[] = [];
	const unreadable: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const { updates } = await normaliseItem(this, items[itemIndex], itemIndex);
			for (const update of updates) normalised.push({ json: update as unknown as IDataObject, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (error instanceof UnreadableUpdate) {
				unreadable.push({ json: { error: error.message, itemIndex }, pairedItem: { item: itemIndex } });
				continue;
			}
			if (!this.continueOnFail()) throw withItemIndex(this, error, itemIndex);
			unreadable.push({ json: { error: (error as Error).message, itemIndex }, pairedItem: { item: itemIndex } });
		}
	}
	return [normalised, unreadable];
}
