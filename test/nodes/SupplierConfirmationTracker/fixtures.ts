/** The supplier messages under fixtures/, as the items n8n hands the node. */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { INodeExecutionData } from 'n8n-workflow';

export const FIXTURES = join(__dirname, 'fixtures');

export function fixtureNames(): string[] {
	return ['portal', 'edi', 'email'].flatMap((folder) =>
		readdirSync(join(FIXTURES, folder)).map((name) => `${folder}/${name}`),
	);
}

export function fixtureText(name: string): string {
	return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A webhook item for portal JSON, a text property for EDI and portal text, the mail item for e-mails. */
export function fixtureItem(name: string): INodeExecutionData {
	const text = fixtureText(name);
	if (name.endsWith('.edi')) return { json: { data: text, fileName: name.split('/')[1] } };
	if (name.endsWith('.txt')) return { json: { body: text } };
	return { json: JSON.parse(text) };
}
