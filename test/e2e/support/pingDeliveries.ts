/**
 * governance.ping events for the duplicate-delivery end-to-end test, from a real Odoo (the
 * subscription's "Test ping" button, Odoo's outbox and dispatcher) or from the stand-in. Each
 * source can post further correctly signed copies of the current event (fresh timestamps), and
 * replay it as an Odoo admin would.
 */
import { connectRealOdoo, realOdooFromEnvironment } from './realOdoo';
import { postSignedDelivery, type Delivery } from './signedDelivery';
import { StandInOdoo } from './standInOdoo';

type Call = ((model: string, method: string, args: unknown[], kwargs?: object) => Promise<any>) & { uid: number };

const DELIVERY_TIMEOUT_MS = 90_000;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Odoo's own delivery of an event: the receiver's status and how long it took to answer. */
export interface Dispatched {
	status: number;
	milliseconds: number;
	/** The receiver's answer body, when the source keeps it (the stand-in). */
	answer?: string;
}

export interface PingSource {
	readonly description: string;
	readonly credential: { url: string; database: string; login: string; secret: string };
	start(): Promise<void>;
	stop(): Promise<void>;
	/** The subscription the trigger registered at `url`, once it exists. */
	findSubscription(url: string): Promise<boolean>;
	/** A new ping event queued for the subscription, not delivered yet. */
	queueEvent(): Promise<string>;
	/** Odoo's dispatcher delivers the current event. */
	dispatch(): Promise<Dispatched>;
	/** `copies` correctly signed copies of the current event at once, each with a fresh timestamp. */
	deliverCopies(copies: number): Promise<Delivery[]>;
	/** An admin replays the current event's delivery in Odoo, and the dispatcher sends it. */
	replay(): Promise<Dispatched>;
}

const STAND_IN_KEY = ['stand', 'in', 'ping', 'key'].join('-');

class StandInPings implements PingSource {
	readonly odoo = new StandInOdoo('acme', 'n8n-integration', STAND_IN_KEY);
	private subscriptionId = 0;
	private event: Record<string, unknown> = {};

	get description() {
		return `the stand-in Odoo (test/e2e/support/standInOdoo.ts) at ${this.odoo.url}`;
	}

	get credential() {
		return { url: this.odoo.url, database: 'acme', login: 'n8n-integration', secret: STAND_IN_KEY };
	}

	async start() {
		await this.odoo.start();
	}

	async stop() {
		await this.odoo.stop();
	}

	async findSubscription(url: string) {
		const subscription = this.odoo.activeSubscriptions().find((candidate) => candidate.url === url);
		this.subscriptionId = subscription?.id ?? 0;
		return Boolean(subscription);
	}

	async queueEvent() {
		const id = `evt-ping-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
		this.event = {
			specversion: '1.0',
			id,
			type: 'governance.ping',
			source: 'odoo://stand-in/acme',
			time: new Date().toISOString(),
			subject: `governance.subscription/${this.subscriptionId}`,
			data: { subscription_id: this.subscriptionId, message: 'duplicate deliveries' },
		};
		this.odoo.queued.add(`${this.subscriptionId}/${id}`);
		return id;
	}

	async dispatch() {
		const [delivery] = await this.odoo.deliver(this.event);
		return { status: delivery.status, milliseconds: delivery.milliseconds, answer: delivery.body };
	}

	async deliverCopies(copies: number) {
		return (await Promise.all(Array.from({ length: copies }, () => this.odoo.deliver(this.event)))).flat();
	}

	async replay() {
		this.odoo.releaseClaim(this.subscriptionId, this.event.id as string);
		return await this.dispatch();
	}
}

/**
 * A real Odoo: `ODOO_URL`, `ODOO_DB`, `ODOO_LOGIN`/`ODOO_PASSWORD` (the integration user n8n logs in
 * as) and `ODOO_ADMIN_LOGIN`/`ODOO_ADMIN_PASSWORD` (a Governance Manager) as for realOdoo.ts.
 * Talks XML-RPC (odoo-await), so every answer it reads also keeps the no-null rule.
 */
class RealOdooPings implements PingSource {
	private admin!: Call;
	private integrationUid = 0;
	private version = '';
	private subscription: { id: number; url: string; secret: string } | undefined;
	private event: { id: number; event_uid: string; body: string } | undefined;
	private delivery: { id: number; attempt_count: number; replay_count: number } | undefined;

	constructor(
		readonly credential: { url: string; database: string; login: string; secret: string },
		private readonly administrator: { login: string; password: string },
	) {}

	get description() {
		return `a real Odoo ${this.version} at ${this.credential.url}, database ${this.credential.database}, integration user ${this.credential.login}`;
	}

	async start() {
		({ admin: this.admin, integrationUid: this.integrationUid, version: this.version } = await connectRealOdoo(
			this.credential,
			this.administrator,
		));
	}

	async stop() {
		// The trigger removes its subscription on deactivation; nothing else was created.
	}

	async findSubscription(url: string) {
		const [subscription] = await this.admin('governance.subscription', 'search_read', [
			[['url', '=', url], ['registered_by_id', '=', this.integrationUid]],
		], { fields: ['url', 'secret'], order: 'id desc', limit: 1 });
		this.subscription = subscription;
		if (subscription) {
			// Odoo waits 10 s by default; n8n's first answer after a start includes one Odoo login
			// (600,000 PBKDF2 rounds), slow on a busy test machine. A timed-out first delivery would
			// hold back the later pings of the subscription (they are about the same document).
			await this.admin('governance.subscription', 'write', [[subscription.id], { timeout_seconds: 60 }]);
		}
		return Boolean(subscription);
	}

	private async setActive(active: boolean) {
		await this.admin('governance.subscription', 'write', [[this.subscription!.id], { active }]);
	}

	async queueEvent() {
		// Archived, the subscription's deliveries wait: the copies below race before Odoo sends it.
		await this.setActive(false);
		await this.admin('governance.subscription', 'action_test_ping', [[this.subscription!.id]], {
			context: { active_test: false },
		});
		const [delivery] = await this.admin('governance.delivery', 'search_read', [
			[['subscription_id', '=', this.subscription!.id]],
		], { fields: ['event_id', 'attempt_count', 'replay_count'], order: 'id desc', limit: 1, context: { active_test: false } });
		const [event] = await this.admin('governance.event', 'read', [[delivery.event_id[0]]], { fields: ['event_uid', 'body'] });
		this.event = event;
		this.delivery = delivery;
		return event.event_uid as string;
	}

	private async sent(after: { attempt_count: number; replay_count: number }): Promise<Dispatched> {
		const started = Date.now();
		for (;;) {
			const [delivery] = await this.admin('governance.delivery', 'read', [[this.delivery!.id]], {
				fields: ['attempt_count', 'replay_count', 'last_status_code', 'last_latency_ms', 'state'],
			});
			if (delivery.replay_count === after.replay_count && delivery.attempt_count > after.attempt_count) {
				this.delivery = delivery;
				return { status: delivery.last_status_code, milliseconds: delivery.last_latency_ms };
			}
			if (Date.now() - started > DELIVERY_TIMEOUT_MS) {
				throw new Error(`Odoo did not deliver ${this.event!.event_uid} within ${DELIVERY_TIMEOUT_MS} ms (is its dispatcher cron running?)`);
			}
			await sleep(200);
		}
	}

	async dispatch() {
		const before = this.delivery!;
		await this.setActive(true);
		return await this.sent(before);
	}

	async deliverCopies(copies: number) {
		const { url, secret } = this.subscription!;
		const { event_uid: id, body } = this.event!;
		return await Promise.all(Array.from({ length: copies }, () => postSignedDelivery(url, secret, id, body)));
	}

	async replay() {
		const before = this.delivery!;
		await this.admin('governance.delivery', 'action_replay', [[before.id]]);
		return await this.sent({ attempt_count: 0, replay_count: before.replay_count + 1 });
	}
}

/** The real Odoo named by the environment, or the stand-in. */
export function pingSource(env = process.env): PingSource {
	const real = realOdooFromEnvironment(env);
	if (!real) return new StandInPings();
	return new RealOdooPings(real.credential, {
		login: env.ODOO_ADMIN_LOGIN || 'admin',
		password: env.ODOO_ADMIN_PASSWORD || 'admin',
	});
}
