/**
 * Random policy documents and evaluation inputs for the differential test: valid ones (every fact
 * type, operator, missing facts, several rules, levels, content hashes) and broken ones (odd
 * strings and numbers, lone surrogates, trailing newlines, integers of 5,000 digits, wrong shapes).
 * Deterministic for a seed. The cases are written as JSON text so that number tokens JavaScript
 * cannot hold (`1.0`, `1e400`, 5,000 digits) reach both evaluators exactly as written.
 */
import catalogue from '../../contract/policy/facts.json';
import { policyContentHash } from '../../nodes/shared/policy';

/** A JSON token written as is (a number JavaScript would otherwise rewrite). */
export class RawJson {
	constructor(readonly text: string) {}
}

/** What a run may generate: leave a kind out (DG_DIFF_EXCLUDE) to look past a crash it causes. */
export type Feature = 'newlines' | 'surrogates' | 'huge';
export const FEATURES: Feature[] = ['newlines', 'surrogates', 'huge'];

type Value = unknown;

/** mulberry32: small, fast and the same in every JavaScript engine. */
export class Random {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	int(below: number): number {
		return Math.floor(this.next() * below);
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)];
	}

	/** `count` distinct items in random order. */
	sample<T>(items: readonly T[], count: number): T[] {
		const pool = [...items];
		const chosen: T[] = [];
		while (chosen.length < count && pool.length) chosen.push(pool.splice(this.int(pool.length), 1)[0]);
		return chosen;
	}
}

const raw = (text: string) => new RawJson(text);
const nest = (levels: number, inner: Value = 'x'): Value =>
	Array.from({ length: levels }).reduce<Value>((value) => [value], inner);
const HUGE = `1${'0'.repeat(5000)}`;

export const FACT_TYPES = Object.fromEntries(
	Object.entries(catalogue.facts).map(([name, spec]) => [name, spec.type]),
) as Record<string, 'decimal' | 'string' | 'boolean' | 'string_list'>;
const FACTS = Object.keys(FACT_TYPES);
const OPERATORS: Record<string, string[]> = Object.fromEntries(
	Object.entries(catalogue.types).map(([name, spec]) => [name, spec.operators]),
);
const ALL_OPERATORS = Object.values(OPERATORS).flat();
const DOCUMENT_TYPES = ['purchase.order', 'sale.order', 'stock.quant'];

export class PolicyGenerator {
	private readonly random: Random;
	private noisy = false;

	constructor(
		seed: number,
		private readonly features: Set<Feature> = new Set(FEATURES),
	) {
		this.random = new Random(seed);
	}

	/** Items of `kind` only when that kind is generated. */
	private only<T>(kind: Feature, items: T[]): T[] {
		return this.features.has(kind) ? items : [];
	}

	private validDecimal(): Value {
		return this.random.pick<Value>([
			'0', '1', '-1', '-0', '-0.0', '0.5', '99.5', '100', '9999.99', '9999.999', '10000', '10000.0', '10000.00',
			'10000.01', '12500', '50000', '50000.5', '123456789012345678901234567890.5', 10000, 12500, 0, -5, 100,
			9007199254740991, raw('10000.0'), raw('1e4'), raw('-0'), raw('1.25e2'),
		]);
	}

	private oddDecimal(): Value {
		return this.random.pick<Value>([
			' 10000', '+1', '01', '1.', '.5', '1e3', '1,000', '', '١٠٠', '１０', '10000\u0000', '0x10', 'NaN', 1.5,
			raw('1.5'), raw('0.1'), true, [], {}, ['1'], raw('1e400'), raw('9007199254740993'), raw('12345678901234567890'),
			...this.only('newlines', ['10000\n', '\n10000', '10000\r\n', '10000\r']),
			...this.only('huge', [raw(HUGE), raw(`-${HUGE}`)]),
		]);
	}

	private validString(): Value {
		return this.random.pick<Value>([
			'high', 'low', 'medium', 'normal', 'urgent', 'emergency', 'WH', 'WH2', 'ok', 'overdue', 'exceeded', 'manual',
			'replenishment', 'Acme', 'E01', '', 'HIGH', ' high', 'é', 'e\u0301', '😀', '\ud83d\ude00', '\u2028', 'hi\u0000gh',
			'quote " and \\', ...this.only('newlines', ['high\n', 'high\r\n']),
		]);
	}

	private oddString(): Value {
		return this.random.pick<Value>([
			1, 0, true, [], {}, ['high'], raw('1.0'),
			...this.only('surrogates', ['\ud800', 'high\udc00', '\ude00\ud83d', '\udbff']),
		]);
	}

	private validList(): Value {
		const items = ['All', 'All / Spare parts', 'All / Spare parts / Critical', 'All / Saleable', 'a', 'b'];
		return this.random.sample(items, this.random.int(4));
	}

	private oddList(): Value {
		return this.random.pick<Value>([
			'All', [1], [null], [['All']], {}, 5,
			...this.only('newlines', [['All\n']]),
			...this.only('surrogates', [['\ud800'], ['All', 'x\udfff']]),
		]);
	}

	private validBoolean(): Value {
		return this.random.pick([true, false]);
	}

	private oddBoolean(): Value {
		return this.random.pick<Value>(['true', 0, 1, [], 'false', raw('1.0')]);
	}

	private odd(probability = 0.08): boolean {
		return this.noisy && this.random.chance(probability);
	}

	private factValue(type: string): Value {
		const odd = this.odd(0.1);
		switch (type) {
			case 'decimal':
				return odd ? this.oddDecimal() : this.validDecimal();
			case 'string':
				return odd ? this.oddString() : this.validString();
			case 'boolean':
				return odd ? this.oddBoolean() : this.validBoolean();
			default:
				return odd ? this.oddList() : this.validList();
		}
	}

	private conditionValue(type: string, op: string): Value {
		if (op === 'between') {
			if (this.odd(0.15)) {
				return this.random.pick<Value>([
					[this.validDecimal()], [this.validDecimal(), this.validDecimal(), this.validDecimal()], '0..10',
					[this.oddDecimal(), this.validDecimal()], [this.validDecimal(), this.oddDecimal()],
				]);
			}
			const ascending: Value[] = ['-5', -1, '0', 0, '0.5', '100', '9999.99', '10000', '10000.0', 10000, '12500', '50000.5'];
			const low = this.random.int(ascending.length);
			const high = low + this.random.int(ascending.length - low);
			return this.random.chance(0.9) ? [ascending[low], ascending[high]] : [ascending[high], ascending[low]];
		}
		if (['in', 'not_in', 'any_in', 'none_in'].includes(op)) {
			if (this.odd(0.15)) return this.random.pick<Value>([[], 'high', [1], [this.oddString()], ['high', null]]);
			const strings = type === 'string_list' ? ['All', 'All / Spare parts', 'All / Saleable', 'b', 'z'] : [];
			const count = 1 + this.random.int(3);
			return Array.from({ length: count }, () =>
				strings.length && this.random.chance(0.7) ? this.random.pick(strings) : this.validString(),
			);
		}
		if (type === 'decimal') return this.odd(0.15) ? this.oddDecimal() : this.validDecimal();
		if (type === 'string') return this.odd(0.15) ? this.oddString() : this.validString();
		return this.odd(0.15) ? this.oddBoolean() : this.validBoolean();
	}

	private condition(): Value {
		const fact = this.odd(0.03) ? this.random.pick<Value>(['colour', '', 5, 'Amount']) : this.random.pick(FACTS);
		const type = FACT_TYPES[fact as string] ?? 'string';
		let op: Value = this.random.pick(OPERATORS[type]);
		if (this.odd(0.05)) op = this.random.pick<Value>([...ALL_OPERATORS, 'like', '', 3, 'EQ']);
		const condition: Record<string, Value> = { fact, op, value: this.conditionValue(type, op as string) };
		if (this.odd(0.03)) delete condition[this.random.pick(['fact', 'op', 'value'])];
		return this.odd(0.02) ? this.random.pick<Value>([null, 'amount >= 1', [condition]]) : condition;
	}

	private approver(): Record<string, Value> {
		return this.random.pick([
			{ type: 'user', ref: 'alice@acme.example' },
			{ type: 'user', ref: 'bob@acme.example' },
			{ type: 'user', ref: 'carol' },
			{ type: 'group', ref: 'purchase.group_purchase_manager' },
			{ type: 'group', ref: 'base.group_system' },
			{ type: 'field', ref: 'user_id' },
			{ type: 'field', ref: 'category_manager_id' },
		]);
	}

	private tier(): Value {
		const approvers: Value[] = [];
		const wanted = 1 + this.random.int(3);
		while (approvers.length < wanted) {
			const approver = this.approver();
			const repeated = approvers.some((other) => JSON.stringify(other) === JSON.stringify(approver));
			if (!repeated || this.random.chance(0.15)) approvers.push({ ...approver });
		}
		if (this.odd(0.05)) {
			approvers.push(this.random.pick<Value>([{ type: 'role', ref: 'x' }, { type: 'user', ref: '' }, 'alice', null]));
		}
		const tier: Record<string, Value> = {
			level: this.random.pick<Value>([1, 1, 1, 2, 2, 3]),
			name: this.random.pick(['Purchasing manager', 'Finance director', 'Zweite Stufe – Prüfung']),
			approvers,
			min_approvals: this.random.chance(0.9) ? 1 + this.random.int(approvers.length) : this.random.pick([2, 3, 4]),
		};
		if (this.random.chance(0.6)) tier.sla_hours = this.random.pick<Value>([24, 48, null]);
		if (this.random.chance(0.5)) tier.escalate_to = this.random.chance(0.5) ? null : this.approver();
		if (this.odd(0.1)) {
			const key = this.random.pick(['level', 'name', 'approvers', 'min_approvals', 'sla_hours', 'escalate_to']);
			tier[key] = this.random.pick<Value>([
				0, -1, 1.5, '1', '', null, [], {}, true, raw('2.0'), 'boss', { type: 'user' },
				...this.only('huge', [raw(HUGE)]),
			]);
		}
		return tier;
	}

	private rule(index: number, ids: string[]): Value {
		let id: Value = `${this.random.pick(['spend', 'risk', 'po-spend-10k', 'a.b:c-d_e', 'Z9', 'x'.repeat(60)])}${index}`;
		if (ids.length && this.odd(0.04)) id = this.random.pick(ids);
		if (this.odd(0.04)) {
			id = this.random.pick<Value>([
				'', 'x'.repeat(65), 'sp end', 'ü', 5, null,
				...this.only('newlines', ['spend\n', 'spend\r\n']),
				...this.only('surrogates', ['spend\ud800']),
			]);
		}
		ids.push(String(id));
		const action = this.random.pick(['require_tier', 'require_tier', 'block', 'hold']);
		const rule: Record<string, Value> = {
			id,
			sequence: this.random.pick<Value>([0, 10, 10, 20, 20, 30, raw('10.0')]),
			document_type: this.random.chance(0.8) ? 'purchase.order' : this.random.pick(DOCUMENT_TYPES),
			conditions: Array.from({ length: this.random.int(4) }, () => this.condition()),
			action,
			reason: this.random.pick<Value>([
				'Spend of 10,000 or more', 'Risky vendor', 'Müller – Stück ✓ 😀', 'quote " backslash \\ newline \n tab \t',
				'\u0001 control', 'line\u2028separator', ...(this.odd(0.2) ? ['', 5, null] : []),
				...(this.odd(0.2) ? this.only('surrogates', ['Spend \ud800', '\udc00']) : []),
			]),
		};
		if (action === 'require_tier' ? !this.odd(0.03) : this.odd(0.05)) rule.tier = this.tier();
		else if (this.random.chance(0.2)) rule.tier = null;
		if (this.odd(0.03)) rule.action = this.random.pick<Value>(['approve', '', null, 'BLOCK']);
		if (this.odd(0.03)) rule.sequence = this.random.pick<Value>([-1, 1.5, '10', null]);
		if (this.odd(0.03)) rule.document_type = this.random.pick<Value>(['', 5, null]);
		if (this.odd(0.02)) rule.conditions = this.random.pick<Value>([{}, 'amount', null]);
		if (this.odd(0.03)) delete rule[this.random.pick(Object.keys(rule))];
		return this.odd(0.02) ? this.random.pick<Value>([null, 'rule', []]) : rule;
	}

	/** An ignored member with an odd value: every value of the document is hashed, even these. */
	private ignoredMember(target: Record<string, Value>): void {
		const [key, value] = this.random.pick<[string, Value]>([
			['note', 'fine'],
			['note', 1.5],
			['note', { nested: [raw('1.0'), -0, 'x'] }],
			['01', 1],
			['é', 'accent'],
			['note', nest(58)],
			['note', nest(59 + this.random.int(10))],
			['note', nest(300, 1.5)],
			...this.only('surrogates', [['note', '\ud800'], [`note\udc00`, 1], ['deep', { a: ['ok', { b: '\ud83d' }] }]] as Array<
				[string, Value]
			>),
			...this.only('huge', [['note', raw(HUGE)]] as Array<[string, Value]>),
		]);
		target[key] = value;
	}

	policy(): Value {
		this.noisy = this.random.chance(0.45);
		const ids: string[] = [];
		const document: Record<string, Value> = {
			format: 'distribution-governance.policy/1',
			name: this.random.pick(['Purchasing', 'Einkauf – Freigaben ✓', 'Ventes 😀']),
			version: this.random.pick<Value>([1, 3, 12, raw('3.0')]),
			currency: 'EUR',
			rules: Array.from({ length: this.random.int(5) }, (_, index) => this.rule(index, ids)),
		};
		if (this.odd(0.15)) {
			const key = this.random.pick(['format', 'name', 'version', 'currency', 'rules']);
			document[key] = this.random.pick<Value>([
				'', 0, -1, 1.5, '3', null, {}, 'distribution-governance.policy/2', 'eur', 'EURO', 978, raw('3.0'),
				...this.only('newlines', ['EUR\n', 'Purchasing\n']),
				...this.only('surrogates', ['Purchasing \ud800']),
				...this.only('huge', [raw(HUGE)]),
			]);
		}
		if (this.odd(0.1)) delete document[this.random.pick(Object.keys(document))];
		const rules = document.rules;
		if (this.odd(0.15)) {
			const target = Array.isArray(rules) && rules.length && this.random.chance(0.6) ? this.random.pick(rules) : document;
			if (target && typeof target === 'object' && !Array.isArray(target)) this.ignoredMember(target as Record<string, Value>);
		}
		if (this.random.chance(0.3)) {
			try {
				document.content_hash = policyContentHash(JSON.parse(toJsonText(document)));
			} catch {
				document.content_hash = `sha256:${'0'.repeat(64)}`;
			}
			if (this.random.chance(0.1)) document.name = `${document.name} (edited after hashing)`;
			if (this.odd(0.2)) {
				const hash = document.content_hash as string;
				document.content_hash = this.random.pick<Value>([
					hash.toUpperCase(), hash.slice(0, -1), `sha256:${'a'.repeat(64)}`, 5, null,
					...this.only('newlines', [`${hash}\n`]),
				]);
			}
		}
		return this.odd(0.01) ? this.random.pick<Value>([[document], 'policy', null]) : document;
	}

	input(): Value {
		this.noisy = this.random.chance(0.45);
		const facts: Record<string, Value> = {};
		for (const fact of FACTS) {
			const roll = this.random.next();
			if (roll < 0.35) continue;
			facts[fact] = roll < 0.43 ? null : this.factValue(FACT_TYPES[fact]);
		}
		if (this.random.chance(0.15)) {
			facts.currency = this.random.pick<Value>([
				'EUR', 'EUR', null, ...(this.odd(0.5) ? ['USD', 'eur', 5, ...this.only('surrogates', ['EU\ud800'])] : []),
			]);
		}
		if (this.odd(0.1)) this.ignoredMember(facts);
		let documentType: Value = this.random.chance(0.9) ? 'purchase.order' : this.random.pick(DOCUMENT_TYPES);
		if (this.odd(0.04)) {
			documentType = this.random.pick<Value>([
				'', 5, null, ...this.only('newlines', ['purchase.order\n']),
				...this.only('surrogates', ['purchase.order\ud800']),
			]);
		}
		const subject: Record<string, Value> = { document_type: documentType, facts };
		if (this.odd(0.03)) subject.facts = this.random.pick<Value>([[], 'amount=1', null]);
		return this.odd(0.01) ? this.random.pick<Value>([[subject], 'input', null]) : subject;
	}
}

/** JSON text of `value`, with RawJson tokens written as they are. */
export function toJsonText(value: Value): string {
	if (value instanceof RawJson) return value.text;
	if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const members = Object.entries(value).filter(([, item]) => item !== undefined);
		return `{${members.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

/** `count` cases, each the JSON text of `{name, policy, input}`. */
export function randomCaseTexts(seed: number, count: number, features?: Set<Feature>): string[] {
	const generator = new PolicyGenerator(seed, features);
	const cases: string[] = [];
	for (let index = 0; index < count; index++) {
		const policy = toJsonText(generator.policy());
		const input = toJsonText(generator.input());
		cases.push(`{"name":"case-${index}","policy":${policy},"input":${input}}`);
	}
	return cases;
}

/** The JSON text of a vector file (`{"cases": [...]}`) holding these case texts. */
export const vectorFileText = (caseTexts: string[]): string => `{"cases":[\n${caseTexts.join(',\n')}\n]}\n`;
