/**
 * Per-approver decision links. n8n's own approval links are anonymous; these name the review,
 * the approver and the outcome, expire, and are signed, so whoever answers through one acts as
 * that approver (and Odoo still re-checks that this person may decide).
 *
 * The signing key is derived from the Odoo credential's secret: every worker that can write
 * the decision back can check the link, nothing extra must be configured, and rotating the
 * Odoo key invalidates links that are still out.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export interface DecisionLink {
	reviewId: number;
	actor: string;
	outcome: string;
	/** Seconds since the epoch. */
	expires: number;
}

export type LinkProblem = 'expired' | 'bad_signature' | 'malformed';

const DERIVATION_LABEL = 'distribution-governance/decision-link/v1';

function signingKey(credentialSecret: string): Buffer {
	return createHmac('sha256', credentialSecret).update(DERIVATION_LABEL).digest();
}

export function signDecisionLink(credentialSecret: string, link: DecisionLink): string {
	return createHmac('sha256', signingKey(credentialSecret))
		.update([link.reviewId, link.actor, link.outcome, link.expires].join('\n'), 'utf8')
		.digest('base64url');
}

/** The link URL: `base` with the link's fields and signature as query parameters. */
export function decisionLinkUrl(base: string, credentialSecret: string, link: DecisionLink): string {
	const url = new URL(base);
	url.searchParams.set('review', String(link.reviewId));
	url.searchParams.set('actor', link.actor);
	url.searchParams.set('outcome', link.outcome);
	url.searchParams.set('expires', String(link.expires));
	url.searchParams.set('signature', signDecisionLink(credentialSecret, link));
	return url.toString();
}

/** Why a link must not be honoured, or undefined when it is valid at `now` (seconds). */
export function checkDecisionLink(
	credentialSecret: string,
	link: DecisionLink,
	signature: string,
	now: number,
): LinkProblem | undefined {
	if (!Number.isSafeInteger(link.expires) || !Number.isSafeInteger(link.reviewId) || !signature) {
		return 'malformed';
	}
	const expected = Buffer.from(signDecisionLink(credentialSecret, link));
	const given = Buffer.from(signature);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad_signature';
	if (link.expires < now) return 'expired';
	return undefined;
}
