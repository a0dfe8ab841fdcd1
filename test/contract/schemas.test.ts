import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readdirSync } from 'fs';
import { join } from 'path';

import { allPolicyCases, CONTRACT_DIR, named, readContract } from './vectors';

function compiler() {
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	ajv.addSchema(readContract('policy', 'policy-document.schema.json'));
	ajv.addSchema(readContract('events', 'data-schemas.json'));
	return ajv;
}

const eventTypes: string[] = readContract('events', 'event-types.json').event_types.map((entry: any) => entry.type);
const examples = readdirSync(join(CONTRACT_DIR, 'events', 'examples')).map((file) => ({
	name: file,
	event: readContract('events', 'examples', file),
}));

describe('event contract', () => {
	const ajv = compiler();
	const envelope = ajv.compile(readContract('events', 'envelope.schema.json'));

	it('lists the same event types in the catalogue, the envelope and the data schemas', () => {
		const envelopeTypes = readContract('events', 'envelope.schema.json').properties.type.enum;
		const dataTypes = Object.keys(readContract('events', 'data-schemas.json').$defs)
			.filter((name) => name.includes('__'))
			.map((name) => name.replace('__', '.'));
		expect(envelopeTypes).toEqual(eventTypes);
		expect(dataTypes.sort()).toEqual([...eventTypes].sort());
		expect(examples.map((example) => example.event.type).sort()).toEqual([...eventTypes].sort());
	});

	test.each(named(examples))('example %s is a valid envelope with valid data', (_name, { event }) => {
		expect(envelope(event) ? [] : envelope.errors).toEqual([]);
		const data = ajv.getSchema(
			`https://distribution-governance.example/contract/events/data-schemas.json#/$defs/${event.type.replace('.', '__')}`,
		)!;
		expect(data(event.data) ? [] : data.errors).toEqual([]);
	});

	it('refuses an envelope without id or with an unknown type', () => {
		const [{ event }] = examples;
		expect(envelope({ ...event, id: undefined })).toBe(false);
		expect(envelope({ ...event, type: 'approval.maybe' })).toBe(false);
		expect(envelope({ ...event, specversion: '0.3' })).toBe(false);
	});
});

describe('policy document schema', () => {
	const validate = compiler().getSchema(
		'https://distribution-governance.example/contract/policy/policy-document.schema.json',
	)!;
	const valid = allPolicyCases().filter(([, testCase]) => !(testCase.expected as any).error);

	test.each(valid)('accepts the valid policy of %s', (_name, testCase) => {
		expect(validate(testCase.policy) ? [] : validate.errors).toEqual([]);
	});

	it('refuses a tier naming an approver twice', () => {
		const [, testCase] = allPolicyCases().find(([name]) => name === 'tiers.json duplicate-user-two-of-alice-alice')!;
		expect(validate(testCase.policy)).toBe(false);
		expect(validate.errors?.[0]).toMatchObject({ keyword: 'uniqueItems', instancePath: '/rules/0/tier/approvers' });
	});
});

describe('write-back API contract', () => {
	const api = readContract('api', 'methods.json');
	const ajv = compiler();

	test.each(Object.entries(api.methods))('%s has compilable params and result schemas', (_name, method: any) => {
		expect(typeof method.description).toBe('string');
		expect(() => ajv.compile(method.params)).not.toThrow();
		if (!method.result.$ref) expect(() => ajv.compile(method.result)).not.toThrow();
	});

	it('decide requires an actor, an outcome and an idempotency key', () => {
		const params = ajv.compile(api.methods.decide.params);
		expect(params({ review_id: 3, actor: 'maria@acme.example', outcome: 'approve', idempotency_key: 'chat-msg-1234' })).toBe(
			true,
		);
		expect(params({ review_id: 3, outcome: 'approve', idempotency_key: 'chat-msg-1234' })).toBe(false);
		expect(params({ review_id: 3, actor: 'maria', outcome: 'approve-ish', idempotency_key: 'chat-msg-1234' })).toBe(false);
	});
});
