/**
 * Policy evaluation: the TypeScript half of contract/policy/SEMANTICS.md.
 *
 * It must give the same canonical result, byte for byte, as
 * odoo_addon/distribution_governance/lib/policy.py; contract/vectors/policy/ pins both.
 */
import { createHash } from 'crypto';

import catalogue from '../../../contract/policy/facts.json';
import {
	canonicalJson,
	compareCodePoints,
	hasCanonicalForm,
	hasLoneSurrogate,
	isSafeInteger,
} from '../canonicalJson';
import { compareDecimals, parseDecimal } from './decimal';
import type {
	Approver,
	EvaluationInput,
	EvaluationOutcome,
	EvaluationResult,
	FactType,
	PolicyCondition,
	PolicyDocument,
	PolicyErrorResult,
	PolicyRule,
} from './types';

export const POLICY_FORMAT = 'distribution-governance.policy/1';
const ACTIONS = ['require_tier', 'block', 'hold'];
const APPROVER_TYPES = ['user', 'group', 'field'];
const RULE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const CONTENT_HASH = /^sha256:[0-9a-f]{64}$/;

export const FACT_TYPES: Record<string, FactType> = Object.fromEntries(
	Object.entries(catalogue.facts).map(([name, spec]) => [name, spec.type as FactType]),
);
const TYPE_OPERATORS: Record<string, string[]> = Object.fromEntries(
	Object.entries(catalogue.types).map(([name, spec]) => [name, spec.operators]),
);
const OPERATORS = Object.values(TYPE_OPERATORS).flat();

const MSG_OBJECT = 'must be an object';
const MSG_NON_EMPTY = 'must be a non-empty string';
const MSG_DECIMAL = 'must be a decimal string or an integer';
const MSG_APPROVER = 'must be {"type": "user"|"group"|"field", "ref": non-empty string}';
const MSG_LONE_SURROGATE = 'must not contain a lone surrogate';
const FACT_TYPE_MESSAGES: Record<FactType, string> = {
	decimal: MSG_DECIMAL,
	string: 'must be a string',
	boolean: 'must be a boolean',
	string_list: 'must be an array of strings',
};

/** An invalid policy document or input; `toResult()` is the contract's error object. */
export class PolicyError extends Error {
	constructor(
		readonly code: 'invalid_policy' | 'invalid_input',
		readonly path: string,
		readonly reason: string,
	) {
		super(`${code} at ${path || '<root>'}: ${reason}`);
	}

	toResult(): PolicyErrorResult {
		return { error: { code: this.code, message: this.reason, path: this.path } };
	}
}

const policyError = (path: string, message: string) => new PolicyError('invalid_policy', path, message);
const inputError = (path: string, message: string) => new PolicyError('invalid_input', path, message);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isStringList = (value: unknown, nonEmpty = false): value is string[] =>
	Array.isArray(value) &&
	value.every((item) => typeof item === 'string') &&
	(value.length > 0 || !nonEmpty);
const isIntegerAtLeast = (value: unknown, minimum: number) => isSafeInteger(value) && value >= minimum;
const isApprover = (value: unknown): value is Approver =>
	isObject(value) && APPROVER_TYPES.includes(value.type as string) && isNonEmptyString(value.ref);
const isMissing = (value: unknown) => value === undefined || value === null;

/** Arrays and objects nested in one another, the document itself included. */
export const MAX_DEPTH = 64;

/** Whether `value` nests arrays and objects more than `limit` deep (recursion stays within limit + 1). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
	if (typeof value !== 'object' || value === null) return false;
	if (limit < 1) return true;
	return Object.values(value).some((item) => nestedDeeperThan(item, limit - 1));
}

const memberPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * The path of the first string holding a lone surrogate in `value`, or undefined. Canonical order:
 * an object's keys by code point, each key before its value (a key with a lone surrogate is
 * reported at the object's own path); array items in order.
 */
export function loneSurrogatePath(value: unknown, path = ''): string | undefined {
	if (typeof value === 'string') return hasLoneSurrogate(value) ? path : undefined;
	if (Array.isArray(value)) {
		for (const [index, item] of value.entries()) {
			const found = loneSurrogatePath(item, `${path}[${index}]`);
			if (found !== undefined) return found;
		}
	} else if (isObject(value)) {
		for (const key of Object.keys(value).sort(compareCodePoints)) {
			if (hasLoneSurrogate(key)) return path;
			const found = loneSurrogatePath(value[key], memberPath(path, key));
			if (found !== undefined) return found;
		}
	}
	return undefined;
}

/** `sha256:<hex>` of the canonical JSON of `document` without its `content_hash`. */
export function policyContentHash(document: object): string {
	const body = Object.fromEntries(Object.entries(document).filter(([key]) => key !== 'content_hash'));
	return `sha256:${createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex')}`;
}

function validateCondition(condition: unknown, path: string): PolicyError | undefined {
	if (!isObject(condition)) return policyError(path, MSG_OBJECT);
	const { fact, op, value } = condition;
	if (typeof fact !== 'string' || !Object.hasOwn(FACT_TYPES, fact)) {
		return policyError(`${path}.fact`, 'unknown fact');
	}
	const factType = FACT_TYPES[fact];
	if (typeof op !== 'string' || !OPERATORS.includes(op)) return policyError(`${path}.op`, 'unknown operator');
	if (!TYPE_OPERATORS[factType].includes(op)) {
		return policyError(`${path}.op`, `operator not allowed for a ${factType} fact`);
	}
	const valuePath = `${path}.value`;
	if (['in', 'not_in', 'any_in', 'none_in'].includes(op)) {
		if (!isStringList(value, true)) return policyError(valuePath, 'must be a non-empty array of strings');
	} else if (op === 'between') {
		const bounds = Array.isArray(value) && value.length === 2 ? value.map(parseDecimal) : undefined;
		if (!bounds || !bounds[0] || !bounds[1] || compareDecimals(bounds[0], bounds[1]) > 0) {
			return policyError(valuePath, 'must be [low, high] decimals with low <= high');
		}
	} else if (factType === 'decimal') {
		if (!parseDecimal(value)) return policyError(valuePath, MSG_DECIMAL);
	} else if (factType === 'string') {
		if (typeof value !== 'string') return policyError(valuePath, 'must be a string');
	} else if (typeof value !== 'boolean') {
		return policyError(valuePath, 'must be a boolean');
	}
	return undefined;
}

function validateTier(rule: Json, rulePath: string): PolicyError | undefined {
	const tier = rule.tier;
	if (rule.action !== 'require_tier') {
		return isMissing(tier) ? undefined : policyError(`${rulePath}.tier`, 'only require_tier rules have a tier');
	}
	const path = `${rulePath}.tier`;
	if (!isObject(tier)) return policyError(path, MSG_OBJECT);
	if (!isIntegerAtLeast(tier.level, 1)) return policyError(`${path}.level`, 'must be an integer >= 1');
	if (!isNonEmptyString(tier.name)) return policyError(`${path}.name`, MSG_NON_EMPTY);
	const approvers = tier.approvers;
	if (!Array.isArray(approvers) || approvers.length === 0) {
		return policyError(`${path}.approvers`, 'must be a non-empty array');
	}
	const seen = new Set<string>();
	for (const [index, approver] of approvers.entries()) {
		if (!isApprover(approver)) return policyError(`${path}.approvers[${index}]`, MSG_APPROVER);
		const key = JSON.stringify([approver.type, approver.ref]);
		if (seen.has(key)) return policyError(`${path}.approvers[${index}]`, 'duplicate approver');
		seen.add(key);
	}
	if (!isIntegerAtLeast(tier.min_approvals, 1)) {
		return policyError(`${path}.min_approvals`, 'must be an integer >= 1');
	}
	// Without a group, each approver (a user, or the user in a field) is one person at most.
	const noGroup = (approvers as Approver[]).every((approver) => approver.type !== 'group');
	if (noGroup && (tier.min_approvals as number) > approvers.length) {
		return policyError(`${path}.min_approvals`, 'exceeds the number of named approvers');
	}
	if (!isMissing(tier.sla_hours) && !isIntegerAtLeast(tier.sla_hours, 1)) {
		return policyError(`${path}.sla_hours`, 'must be an integer >= 1 or null');
	}
	if (!isMissing(tier.escalate_to) && !isApprover(tier.escalate_to)) {
		return policyError(`${path}.escalate_to`, `${MSG_APPROVER} or null`);
	}
	return undefined;
}

function validateRule(rule: unknown, path: string, seenIds: Set<string>): PolicyError | undefined {
	if (!isObject(rule)) return policyError(path, MSG_OBJECT);
	if (typeof rule.id !== 'string' || !RULE_ID.test(rule.id)) {
		return policyError(`${path}.id`, 'must be 1-64 characters of A-Z a-z 0-9 _ . : -');
	}
	if (seenIds.has(rule.id)) return policyError(`${path}.id`, 'duplicate rule id');
	seenIds.add(rule.id);
	if (!isIntegerAtLeast(rule.sequence, 0)) return policyError(`${path}.sequence`, 'must be an integer >= 0');
	if (!isNonEmptyString(rule.document_type)) return policyError(`${path}.document_type`, MSG_NON_EMPTY);
	if (!Array.isArray(rule.conditions)) return policyError(`${path}.conditions`, 'must be an array');
	for (const [index, condition] of rule.conditions.entries()) {
		const problem = validateCondition(condition, `${path}.conditions[${index}]`);
		if (problem) return problem;
	}
	if (!ACTIONS.includes(rule.action as string)) {
		return policyError(`${path}.action`, 'must be one of require_tier, block, hold');
	}
	if (!isNonEmptyString(rule.reason)) return policyError(`${path}.reason`, MSG_NON_EMPTY);
	return validateTier(rule, path);
}

/** The first problem of `document`, in the order of SEMANTICS.md, or undefined when it is valid. */
export function findPolicyProblem(document: unknown): PolicyError | undefined {
	if (!isObject(document)) return policyError('', MSG_OBJECT);
	if (document.format !== POLICY_FORMAT) return policyError('format', `must be "${POLICY_FORMAT}"`);
	if (!isNonEmptyString(document.name)) return policyError('name', MSG_NON_EMPTY);
	if (!isIntegerAtLeast(document.version, 1)) return policyError('version', 'must be an integer >= 1');
	if (typeof document.currency !== 'string' || !CURRENCY.test(document.currency)) {
		return policyError('currency', 'must be an ISO 4217 currency code');
	}
	const hasHash = Object.hasOwn(document, 'content_hash');
	const declaredHash = document.content_hash;
	if (hasHash && (typeof declaredHash !== 'string' || !CONTENT_HASH.test(declaredHash))) {
		return policyError('content_hash', 'must be "sha256:" followed by 64 lowercase hex digits');
	}
	if (!Array.isArray(document.rules)) return policyError('rules', 'must be an array');
	const seenIds = new Set<string>();
	for (const [index, rule] of document.rules.entries()) {
		const problem = validateRule(rule, `rules[${index}]`, seenIds);
		if (problem) return problem;
	}
	if (nestedDeeperThan(document, MAX_DEPTH)) {
		return policyError('', `must not be nested more than ${MAX_DEPTH} levels deep`);
	}
	if (!hasCanonicalForm(document)) return policyError('', 'must contain integer numbers only');
	const surrogatePath = loneSurrogatePath(document);
	if (surrogatePath !== undefined) return policyError(surrogatePath, MSG_LONE_SURROGATE);
	if (hasHash && declaredHash !== policyContentHash(document)) {
		return policyError('content_hash', "does not match the document's content");
	}
	return undefined;
}

function isFactOfType(value: unknown, factType: FactType): boolean {
	switch (factType) {
		case 'decimal':
			return parseDecimal(value) !== undefined;
		case 'string':
			return typeof value === 'string';
		case 'boolean':
			return typeof value === 'boolean';
		case 'string_list':
			return isStringList(value);
	}
}

/** The first problem of the evaluation input `subject`, or undefined when it is valid. */
export function findInputProblem(document: PolicyDocument, subject: unknown): PolicyError | undefined {
	if (!isObject(subject)) return inputError('', MSG_OBJECT);
	if (!isNonEmptyString(subject.document_type)) return inputError('document_type', MSG_NON_EMPTY);
	if (hasLoneSurrogate(subject.document_type)) return inputError('document_type', MSG_LONE_SURROGATE);
	const facts = subject.facts;
	if (!isObject(facts)) return inputError('facts', MSG_OBJECT);
	if (!isMissing(facts.currency) && facts.currency !== document.currency) {
		return inputError('facts.currency', `does not match the policy currency ${document.currency}`);
	}
	for (const [name, factType] of Object.entries(FACT_TYPES)) {
		const value = facts[name];
		if (isMissing(value)) continue;
		if (!isFactOfType(value, factType)) return inputError(`facts.${name}`, FACT_TYPE_MESSAGES[factType]);
		if ((factType === 'string' || factType === 'string_list') && loneSurrogatePath(value) !== undefined) {
			return inputError(`facts.${name}`, MSG_LONE_SURROGATE);
		}
	}
	return undefined;
}

function conditionHolds(condition: PolicyCondition, value: unknown): boolean {
	const { op, value: expected } = condition;
	if (FACT_TYPES[condition.fact] === 'decimal') {
		const actual = parseDecimal(value)!;
		if (op === 'between') {
			const [low, high] = (expected as unknown[]).map((bound) => parseDecimal(bound)!);
			return compareDecimals(low, actual) <= 0 && compareDecimals(actual, high) <= 0;
		}
		const order = compareDecimals(actual, parseDecimal(expected)!);
		const byOperator: Record<string, boolean> = {
			eq: order === 0,
			ne: order !== 0,
			lt: order < 0,
			lte: order <= 0,
			gt: order > 0,
			gte: order >= 0,
		};
		return byOperator[op];
	}
	switch (op) {
		case 'eq':
			return value === expected;
		case 'ne':
			return value !== expected;
		case 'in':
			return (expected as string[]).includes(value as string);
		case 'not_in':
			return !(expected as string[]).includes(value as string);
		default: {
			const overlap = (value as string[]).some((item) => (expected as string[]).includes(item));
			return op === 'any_in' ? overlap : !overlap;
		}
	}
}

type RuleStatus = { status: 'matched' | 'not_matched' | 'undetermined'; missing: string[] };

function ruleStatus(rule: PolicyRule, facts: Record<string, unknown>): RuleStatus {
	const missing: string[] = [];
	for (const condition of rule.conditions) {
		const value = facts[condition.fact];
		if (isMissing(value)) missing.push(condition.fact);
		else if (!conditionHolds(condition, value)) return { status: 'not_matched', missing: [] };
	}
	return missing.length ? { status: 'undetermined', missing } : { status: 'matched', missing };
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Evaluate `subject` against the policy `document`; throws PolicyError when either is invalid. */
export function evaluateOrThrow(document: unknown, subject: unknown): EvaluationResult {
	const result = evaluatePolicy(document, subject);
	if ('error' in result) throw new PolicyError(result.error.code, result.error.path, result.error.message);
	return result;
}

/** The contract's result object: an evaluation, or `{error: {...}}` for invalid data. */
export function evaluatePolicy(document: unknown, subject: unknown): EvaluationResult | PolicyErrorResult {
	const problem =
		findPolicyProblem(document) ?? findInputProblem(document as PolicyDocument, subject);
	if (problem) return problem.toResult();
	return evaluateValid(document as PolicyDocument, subject as EvaluationInput);
}

function evaluateValid(document: PolicyDocument, subject: EvaluationInput): EvaluationResult {
	const { document_type: documentType, facts } = subject;
	const rules = document.rules
		.filter((rule) => rule.document_type === documentType)
		.sort((a, b) => a.sequence - b.sequence || byCodePoint(a.id, b.id));
	const matched: PolicyRule[] = [];
	const undetermined: PolicyRule[] = [];
	const missing = new Set<string>();
	for (const rule of rules) {
		const { status, missing: ruleMissing } = ruleStatus(rule, facts);
		if (status === 'matched') matched.push(rule);
		if (status === 'undetermined') {
			undetermined.push(rule);
			ruleMissing.forEach((fact) => missing.add(fact));
		}
	}
	const actions = new Set(matched.map((rule) => rule.action));
	let outcome: EvaluationOutcome = 'auto_approve';
	if (actions.has('block')) outcome = 'blocked';
	else if (actions.has('hold') || undetermined.length) outcome = 'hold';
	else if (actions.has('require_tier')) outcome = 'needs_approval';
	const levels = new Map<number, string[]>();
	for (const rule of matched) {
		if (rule.action !== 'require_tier' || !rule.tier) continue;
		levels.set(rule.tier.level, [...(levels.get(rule.tier.level) ?? []), rule.id]);
	}
	return {
		document_type: documentType,
		levels: [...levels.keys()].sort((a, b) => a - b).map((level) => ({ level, tiers: levels.get(level)! })),
		matched_rules: matched.map((rule) => rule.id),
		missing_facts: [...missing].sort(byCodePoint),
		outcome,
		policy: { name: document.name, version: document.version },
		reasons: matched.map((rule) => ({ action: rule.action, rule: rule.id, text: rule.reason })),
		undetermined_rules: undetermined.map((rule) => rule.id),
	};
}
