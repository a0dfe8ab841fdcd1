/**
 * The structured answers the AI Summariser accepts, and the one thing it never accepts: a
 * decision. Odoo decides (SPEC principle 1), so an answer that approves, rejects or releases
 * anything is discarded and the deterministic fallback is used instead.
 */
import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

export const summaryAnswer = z.object({ summary: text(1200) }).strict();

export const classificationAnswer = (labels: string[]) =>
	z
		.object({
			label: z.enum(labels as [string, ...string[]]),
			confidence: z.number().min(0).max(1),
			reason: text(400),
		})
		.strict();

export const rankingAnswer = z
	.object({
		ranking: z
			.array(z.object({ id: z.string().min(1).max(100), reasons: z.array(text(300)).min(1).max(5) }).strict())
			.min(1),
	})
	.strict();

/** Keys that would make an answer a decision rather than advice. */
const DECISION_KEYS = /^(decision|approv\w*|reject\w*|release\w*|outcome|verdict|action|write_?off)$/i;
/** Wording that decides ("approved", "I reject", "release the order"); "awaiting approval" does not. */
const DECISION_WORDS =
	/\b(approve[ds]?|approving|auto-?approve\w*|reject(?:s|ed|ing)?|releas(?:e|ed|es|ing) (?:the|this) (?:order|purchase|document)|written off|write[- ]off)\b/i;

/** Why an answer carries a decision, or undefined when it only advises. */
export function decisionIn(answer: unknown, path = ''): string | undefined {
	if (typeof answer === 'string') {
		const match = DECISION_WORDS.exec(answer);
		return match ? `${path || 'answer'} says "${match[0]}"` : undefined;
	}
	if (Array.isArray(answer)) {
		for (const [index, element] of answer.entries()) {
			const found = decisionIn(element, `${path}[${index}]`);
			if (found) return found;
		}
		return undefined;
	}
	if (answer && typeof answer === 'object') {
		for (const [key, value] of Object.entries(answer)) {
			if (DECISION_KEYS.test(key)) return `${path ? `${path}.` : ''}${key} is a decision field`;
			const found = decisionIn(value, path ? `${path}.${key}` : key);
			if (found) return found;
		}
	}
	return undefined;
}
