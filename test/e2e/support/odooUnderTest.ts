/**
 * The Odoo the end-to-end scenario runs against, seen through what the scenario needs: a real
 * Odoo when `ODOO_URL`, `ODOO_DB`, `ODOO_LOGIN` and `ODOO_PASSWORD` name one (realOdoo.ts),
 * otherwise the stand-in on 127.0.0.1 (standInOdoo.ts). Both answer the same questions, so the
 * test reads one scenario.
 */
import { approvalRequested, maria, pendingReview, requester, STOP_WORDS, type StopOutcome, tom } from './procurementScenario';
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
	/** A purchase order needs approval: Odoo delivers approval.requested to the subscription. */
	requestApproval(): Promise<ApprovalCase>;
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
		this.odoo.reviews.push(pendingReview());
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

	async requestApproval(): Promise<ApprovalCase> {
		const review = this.odoo.reviews[0];
		const [delivery] = await this.odoo.deliver(approvalRequested('evt-e2e-1', review));
		return {
			eventId: 'evt-e2e-1',
			reviewId: review.review_id,
			approvers: [maria, tom],
			requester,
			delivery: { status: delivery.status, milliseconds: delivery.milliseconds, answer: delivery.body },
		};
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
