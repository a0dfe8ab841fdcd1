/**
 * The deterministic answers used whenever the AI provider fails: a summary built from the
 * item's (already allow-listed and redacted) fields, classification by the user's keyword
 * rules, and ranking by a documented risk score. Same input, same output, every time.
 */
import type { Json } from './redaction';
import { valuesAt } from './redaction';

const SUMMARY_MAX = 600;

function flatten(value: Json, prefix: string, out: string[]): void {
	if (value === null || value === '') return;
	if (Array.isArray(value)) {
		if (value.every((element) => typeof element !== 'object' || element === null)) {
			if (value.length) out.push(`${prefix}: ${value.join(', ')}`);
			return;
		}
		value.forEach((element, index) => flatten(element, `${prefix}[${index + 1}]`, out));
		return;
	}
	if (typeof value === 'object') {
		for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
		return;
	}
	out.push(`${prefix}: ${String(value)}`);
}

/** "key: value; key: value" over the allow-listed fields, cut at 600 characters. */
export function summaryFromFields(title: string, fields: Json): string {
	const parts: string[] = [];
	flatten(fields, '', parts);
	const text = `${title}: ${parts.join('; ')}`.trim();
	return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

export interface KeywordRule {
	label: string;
	keywords: string[];
}

/** The first label whose keyword appears in the fields (confidence 1), else the default (0). */
export function classifyByRules(
	fields: Json,
	rules: KeywordRule[],
	defaultLabel: string,
): { label: string; confidence: number; reason: string } {
	const haystack = JSON.stringify(fields).toLowerCase();
	for (const rule of rules) {
		const keyword = rule.keywords.find((word) => word && haystack.includes(word.toLowerCase()));
		if (keyword) return { label: rule.label, confidence: 1, reason: `rule: "${keyword}" found` };
	}
	return { label: defaultLabel, confidence: 0, reason: 'rule: no keyword matched, default label' };
}

/**
 * Risk score of one purchase order (README "Deterministic ranking"):
 *   score = 3 × demand at risk / largest demand at risk in the list
 *         + 2 × min(1, shortage quantity / minimum quantity) (largest over its products; 1 when the forecast is negative)
 *         + 2 × min(1, days late / 14) (the supplier's worst late receipt)
 *         + 1 × min(1, customers affected / 5)
 * Ties go to the larger demand at risk, then the order name.
 */
export interface RiskFacts {
	demandAtRisk: number;
	shortageRatio: number;
	daysLate: number;
	customers: number;
}

const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : Number(value) || 0);

export function riskFacts(item: unknown): RiskFacts {
	const shortages = valuesAt(item, 'shortage[]').map((entry) => {
		const forecast = number(valuesAt(entry, 'forecast_qty')[0]);
		const minimum = number(valuesAt(entry, 'min_qty')[0]);
		const shortage = number(valuesAt(entry, 'shortage_qty')[0]);
		if (forecast < 0) return 1;
		return minimum > 0 ? Math.min(1, shortage / minimum) : shortage > 0 ? 1 : 0;
	});
	const customers = new Set(valuesAt(item, 'demand_at_risk.lines[].customer').map((value) => JSON.stringify(value)));
	return {
		demandAtRisk: number(valuesAt(item, 'demand_at_risk.amount')[0]),
		shortageRatio: Math.max(0, ...shortages),
		daysLate: Math.max(0, number(valuesAt(item, 'delay.max_days_late')[0])),
		customers: customers.size,
	};
}

export interface Scored {
	index: number;
	id: string;
	score: number;
	reasons: string[];
}

const round = (value: number) => Math.round(value * 1000) / 1000;

export function rankByScore(items: Array<{ id: string; facts: RiskFacts }>): Scored[] {
	const largestDemand = Math.max(0, ...items.map((item) => item.facts.demandAtRisk));
	const scored = items.map(({ id, facts }, index) => {
		const demand = largestDemand > 0 ? (3 * facts.demandAtRisk) / largestDemand : 0;
		const shortage = 2 * Math.min(1, facts.shortageRatio);
		const delay = 2 * Math.min(1, facts.daysLate / 14);
		const customers = Math.min(1, facts.customers / 5);
		const reasons: string[] = [];
		if (facts.demandAtRisk > 0) {
			reasons.push(`sales demand at risk ${facts.demandAtRisk} across ${facts.customers} customer(s)`);
		}
		if (facts.shortageRatio > 0) reasons.push(`stock shortage ${Math.round(facts.shortageRatio * 100)}% of the minimum`);
		if (facts.daysLate > 0) reasons.push(`supplier's receipts up to ${facts.daysLate} day(s) late`);
		if (!reasons.length) reasons.push('no demand at risk, shortage or supplier delay');
		return { index, id, score: round(demand + shortage + delay + customers), reasons, demand: facts.demandAtRisk };
	});
	scored.sort((a, b) => b.score - a.score || b.demand - a.demand || a.id.localeCompare(b.id));
	return scored.map(({ index, id, score, reasons }) => ({ index, id, score, reasons }));
}
