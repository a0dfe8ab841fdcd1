/**
 * The Odoo the end-to-end scenario runs against, seen through what the scenario needs: a real
 * Odoo when `ODOO_URL`, `ODOO_DB`, `ODOO_LOGIN` and `ODOO_PASSWORD` name one (realOdoo.ts),
 * otherwise the stand-in on 127.0.0.1 (standInOdoo.ts). Both answer the same questions, so the
 * test reads one scenario.
 */
import {
	approvalCompleted,
	approvalLevelOpened,
	approvalRequested,
	financeReview,
	maria,
	pendingReview,
	requester,
	STOP_WORDS,
	type StopOutcome,
	tom,
} from './procurementScenario';
import { RealOdoo, realOdooFromEnvironment } from './realOdoo';
import type { Delivery, Tamper } from './signedDelivery';
import { StandInOdoo, type Person } from './standInOdoo';

export interface OdooCredential {
	url: string;
	database: string;
	login: string;
	secret: string;
}

/** A subscription as Odoo holds it. */
export interface SubscriptionSeen {
	url: string;
	event_types: string[];
	document_models: string[];
}

/** A purchase order waiting for approval, as the approval.requested event announced it. */
export interface ApprovalCase {
	eventId: string;
	reviewId: number;
	approvers: Person[];
	requester: Person;
	/** The purchase order (a real Odoo only). */
	orderId?: number;
	/** What the receiver answered Odoo; `answer` only when the Odoo keeps it (the stand-in). */
	delivery: { status: number; milliseconds: number; answer?: string };
}

/** A decision Odoo recorded, with the idempotency key of the call that recorded it. */
export interface DecisionSeen {
	review_id: number;
	actor: string;
	outcome: string;
	comment: string;
	idempotency_key: string;
}

export interface OdooUnderTest {
	/** One line for the test output: which Odoo this is. */
	readonly description: string;
	readonly credential: OdooCredential;
	/** Whether the server has JSON-2 (Odoo 19); the credential test's answer differs. */
	readonly hasJson2: boolean;
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Active subscriptions whose URL starts with `urlPrefix`. */
	activeSubscriptions(urlPrefix: string): Promise<SubscriptionSeen[]>;
	/** How many subscriptions under `urlPrefix` were removed through remove_subscription. */
	removedSubscriptions(urlPrefix: string): Promise<number>;
	/** Idempotency keys of this run's calls of `method`, oldest first. */
	idempotencyKeys(method: string): Promise<string[]>;
	/**
	 * A purchase order needs approval: Odoo delivers approval.requested to the subscription. With
	 * two levels (the default) Finance (level 2, Fiona) decides after Purchasing (level 1, Maria or Tom).
	 */
	requestApproval(levels?: 1 | 2): Promise<ApprovalCase>;
	/** After `of`'s level 1 was approved, Odoo opened level 2 and delivered approval.level_opened. */
	levelOpened(of: ApprovalCase): Promise<ApprovalCase>;
	/** Odoo closed `of`'s request and delivered approval.completed. */
	completed(of: ApprovalCase): Promise<void>;
	/** `approver` asks for changes on `of` through the write-back API (not through a link). */
	requestChanges(of: ApprovalCase, approver: Person, comment: string): Promise<void>;
	/** A purchase order the policy holds or blocks: Odoo tells n8n, whose mail to the requester says `word`. */
	stopByPolicy(outcome: StopOutcome): Promise<{ requester: Person; word: string }>;
	/** A delivery of an approval.requested event, tampered with, straight to the subscription. */
	deliverTampered(tamper: Tamper): Promise<Delivery>;
	/** The decisions of this run Odoo recorded, oldest first. */
	decisions(): Promise<DecisionSeen[]>;
}

const STAND_IN_KEY = ['stand', 'in', 'integration', 'key'].join('-');

class StandInUnderTest implements OdooUnderTest {
	readonly hasJson2 = true;
	readonly odoo = new StandInOdoo('acme', 'n8n-integration', STAND_IN_KEY);

	get description() {
		return `the stand-in Odoo (test/e2e/support/standInOdoo.ts) at ${this.odoo.url}`;
	}

	get credential() {
		return { url: this.odoo.url, database: 'acme', login: 'n8n-integration', secret: STAND_IN_KEY };
	}

	async start() {
		await this.odoo.start();
		this.odoo.reviews.push(pendingReview(), financeReview());
	}

	async stop() {
		await this.odoo.stop();
	}

	async activeSubscriptions(urlPrefix: string) {
		return this.odoo
			.activeSubscriptions()
			.filter((subscription) => subscription.url.startsWith(urlPrefix))
			.map((subscription) => ({
				url: subscription.url,
				event_types: subscription.event_types,
				document_models: ((subscription.filters?.document_models as string[] | undefined) ?? []),
			}));
	}

	async removedSubscriptions() {
		return this.odoo.callsOf('remove_subscription').length;
	}

	async idempotencyKeys(method: string) {
		return this.odoo.callsOf(method).map((params) => params.idempotency_key as string);
	}

	async requestApproval(levels: 1 | 2 = 2): Promise<ApprovalCase> {
		let review = this.odoo.reviews[0];
		let eventId = 'evt-e2e-1';
		if (levels === 1) {
			// A request of its own, with level 1 only.
			const n = this.odoo.reviews.length;
			review = { ...pendingReview(30 + n), request_id: 12 + n, request_ref: `APR/2026/00${12 + n}` };
			this.odoo.reviews.push(review);
			eventId = `evt-e2e-single-${n}`;
		}
		const [delivery] = await this.odoo.deliver(approvalRequested(eventId, review));
		return {
			eventId,
			reviewId: review.review_id,
			approvers: [maria, tom],
			requester,
			delivery: { status: delivery.status, milliseconds: delivery.milliseconds, answer: delivery.body },
		};
	}

	private requestOf(of: ApprovalCase) {
		return this.odoo.reviews.find((review) => review.review_id === of.reviewId)!.request_id;
	}

	async levelOpened(of: ApprovalCase): Promise<ApprovalCase> {
		const review = this.odoo.reviews.find(
			(candidate) => candidate.request_id === this.requestOf(of) && candidate.level > 1 && candidate.state === 'pending',
		);
		if (!review) throw new Error(`the stand-in opened no later level of review ${of.reviewId}`);
		const eventId = `evt-e2e-level-${review.review_id}`;
		const [delivery] = await this.odoo.deliver(approvalLevelOpened(eventId, review));
		return {
			eventId,
			reviewId: review.review_id,
			approvers: review.eligible_approvers,
			requester: review.requester,
			delivery: { status: delivery.status, milliseconds: delivery.milliseconds, answer: delivery.body },
		};
	}

	async completed(of: ApprovalCase) {
		const reviews = this.odoo.reviews.filter((review) => review.request_id === this.requestOf(of));
		const decision = this.odoo
			.callsOf('decide')
			.filter((call) => reviews.some((review) => review.review_id === call.review_id))
			.at(-1);
		if (!decision) throw new Error(`no decision closed the request of review ${of.reviewId}`);
		const review = reviews.find((candidate) => candidate.review_id === decision.review_id)!;
		const result = { approve: 'approved', reject: 'rejected', request_changes: 'changes_requested' }[decision.outcome as string]!;
		const actor = review.eligible_approvers.find((person) => person.login === decision.actor)!;
		await this.odoo.deliver(
			approvalCompleted(`evt-e2e-completed-${review.request_id}`, review, result, {
				outcome: decision.outcome as string,
				actor,
				comment: (decision.comment as string | undefined) ?? null,
			}),
		);
	}

	async requestChanges(of: ApprovalCase, approver: Person, comment: string) {
		const answer = await fetch(`${this.odoo.url}/jsonrpc`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				jsonrpc: '2.0',
				method: 'call',
				params: {
					service: 'object',
					method: 'execute_kw',
					args: ['acme', 2, STAND_IN_KEY, 'governance.api', 'decide', [
						{ review_id: of.reviewId, actor: approver.login, outcome: 'request_changes', comment, idempotency_key: `changes-${of.reviewId}` },
					]],
				},
			}),
		});
		const body = (await answer.json()) as { error?: unknown };
		if (body.error) throw new Error(`the stand-in refused the request for changes: ${JSON.stringify(body.error)}`);
	}

	async stopByPolicy(outcome: StopOutcome) {
		await this.odoo.deliver(approvalRequested(`evt-e2e-${outcome}`, pendingReview(), outcome));
		return { requester, word: STOP_WORDS[outcome] };
	}

	async deliverTampered(tamper: Tamper) {
		const [delivery] = await this.odoo.deliver(approvalRequested(`evt-e2e-tampered-${Date.now()}`, pendingReview()), tamper);
		return delivery;
	}

	async decisions() {
		return this.odoo.callsOf('decide') as unknown as DecisionSeen[];
	}
}

/** The real Odoo named by the environment, or the stand-in. */
export function odooUnderTest(): OdooUnderTest {
	return realOdooFromEnvironment() ?? new StandInUnderTest();
}

export { RealOdoo };
