/** Types of the policy document and evaluation result (contract/policy/). */

export type FactType = 'decimal' | 'string' | 'boolean' | 'string_list';
export type PolicyAction = 'require_tier' | 'block' | 'hold';
export type EvaluationOutcome = 'auto_approve' | 'needs_approval' | 'hold' | 'blocked';

export interface Approver {
	type: 'user' | 'group' | 'field';
	ref: string;
}

export interface PolicyCondition {
	fact: string;
	op: string;
	value: unknown;
}

export interface PolicyTier {
	level: number;
	name: string;
	approvers: Approver[];
	min_approvals: number;
	sla_hours?: number | null;
	escalate_to?: Approver | null;
	confirm_with_password?: boolean;
}

export interface PolicyRule {
	id: string;
	sequence: number;
	document_type: string;
	conditions: PolicyCondition[];
	action: PolicyAction;
	reason: string;
	tier?: PolicyTier | null;
}

export interface PolicyDocument {
	format: string;
	name: string;
	version: number;
	currency: string;
	rules: PolicyRule[];
	content_hash?: string;
}

export interface EvaluationInput {
	document_type: string;
	facts: Record<string, unknown>;
}

export interface EvaluationResult {
	document_type: string;
	levels: Array<{ level: number; tiers: string[] }>;
	matched_rules: string[];
	missing_facts: string[];
	outcome: EvaluationOutcome;
	policy: { name: string; version: number };
	reasons: Array<{ action: PolicyAction; rule: string; text: string }>;
	undetermined_rules: string[];
}

export interface PolicyErrorResult {
	error: { code: 'invalid_policy' | 'invalid_input'; message: string; path: string };
}
