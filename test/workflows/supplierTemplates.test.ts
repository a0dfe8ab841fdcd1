import type { IConnections, INode, INodeProperties } from 'n8n-workflow';

import replenishment from '../../workflows/governed-replenishment.json';
import updates from '../../workflows/supplier-updates.json';
import { OdooGovernanceTrigger } from '../../nodes/OdooGovernanceTrigger/OdooGovernanceTrigger.node';
import { SupplierConfirmationTracker } from '../../nodes/SupplierConfirmationTracker/SupplierConfirmationTracker.node';
import eventTypes from '../../contract/events/event-types.json';

const PACKAGE = 'n8n-nodes-distribution-governance';
const ours: Record<string, { version: number; properties: INodeProperties[] }> = {
	[`${PACKAGE}.odooGovernanceTrigger`]: new OdooGovernanceTrigger().description as never,
	[`${PACKAGE}.supplierConfirmationTracker`]: new SupplierConfirmationTracker().description as never,
};
/** n8n's own nodes the templates use, at versions n8n 2.41 ships (the e2e test loads them for real). */
const n8nNodes: Record<string, number[]> = {
	'n8n-nodes-base.emailSend': [2.1],
	'n8n-nodes-base.webhook': [2],
	'n8n-nodes-base.switch': [3.2],
	'n8n-nodes-base.httpRequest': [4.2],
	'n8n-nodes-base.emailReadImap': [2.1],
};

const templates = { 'governed-replenishment': replenishment, 'supplier-updates': updates } as const;

describe.each(Object.entries(templates))('the %s template', (_name, template) => {
	const nodes = template.nodes as unknown as INode[];

	it('has a stable 16-character id and sends failures to the automation-failure workflow', () => {
		expect(template.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(template.settings).toEqual({ executionOrder: 'v1', errorWorkflow: 'dgAutomationFail' });
		expect(template.active).toBe(false);
	});

	it('uses our nodes at their current version, n8n nodes at versions n8n 2.x has, and only known parameters', () => {
		for (const node of nodes) {
			if (ours[node.type]) {
				expect([node.name, node.typeVersion]).toEqual([node.name, ours[node.type].version]);
				const known = new Set(ours[node.type].properties.map((property) => property.name));
				expect([node.name, Object.keys(node.parameters).filter((name) => !known.has(name))]).toEqual([node.name, []]);
			} else {
				expect([node.name, n8nNodes[node.type]]).toEqual([node.name, expect.arrayContaining([node.typeVersion])]);
			}
		}
	});

	it('has unique node and webhook ids and references credentials by name', () => {
		const ids = nodes.map((node) => node.id);
		expect(new Set(ids).size).toBe(ids.length);
		const webhookIds = nodes.filter((node) => node.webhookId).map((node) => node.webhookId);
		expect(new Set(webhookIds).size).toBe(webhookIds.length);
		for (const node of nodes) {
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				expect([node.name, type, reference]).toEqual([node.name, type, { id: expect.any(String), name: expect.any(String) }]);
			}
		}
	});
});

const targets = (template: { connections: unknown }, from: string) =>
	(template.connections as IConnections)[from].main.map((output) => (output ?? []).map((to) => to.node));

describe('governed replenishment (S1)', () => {
	it('listens to released and overdue confirmations, event types the contract has', () => {
		const trigger = (replenishment.nodes as unknown as INode[])[0];
		const known = eventTypes.event_types.map((event) => event.type);
		expect(trigger.parameters.eventTypes).toEqual(['supplier_confirmation.requested', 'supplier_confirmation.overdue']);
		expect(known).toEqual(expect.arrayContaining(trigger.parameters.eventTypes as string[]));
	});

	it('mails the supplier and posts to the planners for replenishment orders; reminds the supplier and tells the buyer when overdue', () => {
		expect(targets(replenishment, 'Supplier Confirmation Events')).toEqual([['By Event']]);
		expect(targets(replenishment, 'By Event')).toEqual([
			['E-mail Supplier', 'Post to Planners'],
			['Remind Supplier', 'Tell Buyer'],
			[],
		]);
		const byEvent = (replenishment.nodes as unknown as INode[]).find((node) => node.name === 'By Event')!;
		const route = new Function('$json', `return ${String(byEvent.parameters.output).replace(/^=\{\{|\}\}$/g, '')}`);
		expect(route({ type: 'supplier_confirmation.requested', data: { origin: 'replenishment' } })).toBe(0);
		expect(route({ type: 'supplier_confirmation.overdue', data: {} })).toBe(1);
		expect(route({ type: 'supplier_confirmation.requested', data: { origin: 'manual' } })).toBe(2);
	});
});

describe('supplier updates (S4)', () => {
	it('normalises portal, e-mail and EDI updates, records them, and alerts on material drift, rejections and unreadable ones', () => {
		for (const inbox of ['Supplier Portal', 'Supplier Mailbox', 'EDI Gateway']) {
			expect(targets(updates, inbox)).toEqual([['Normalise']]);
		}
		expect(targets(updates, 'Normalise')).toEqual([['Record in Odoo'], ['Unreadable Update']]);
		expect(targets(updates, 'Record in Odoo')).toEqual([[], ['Material Drift?'], [], ['Rejected by Supplier']]);
		expect(targets(updates, 'Material Drift?')).toEqual([['Drift Alert'], []]);
		const record = (updates.nodes as unknown as INode[]).find((node) => node.name === 'Record in Odoo')!;
		// A failure must fail the execution (so the error workflow records it), never vanish on an unconnected output.
		expect(record.onError).toBeUndefined();
	});
});
