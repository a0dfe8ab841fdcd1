import threading
import time

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from .outbox_common import OutboxCase


def contains_none(value):
    if isinstance(value, dict):
        return any(contains_none(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_none(item) for item in value)
    return value is None


@tagged("post_install", "-at_install")
class TestDeliveryClaim(OutboxCase):
    """claim_delivery: one event, at most one execution, whoever asks and however often."""

    def setUp(self):
        super().setUp()
        self.subscription = self.make_subscription(registered_by_id=self.integration.id)
        self.event = self.ping(self.subscription)

    def claim(self, key="claim-key-1", caller=None, event_id=None, subscription_id=None):
        # An API model is an empty recordset, hence falsy: compare with None.
        return (self.api if caller is None else caller).claim_delivery({
            "subscription_id": subscription_id or self.subscription.id,
            "event_id": event_id or self.event.event_uid,
            "idempotency_key": key,
        })

    def test_the_first_claim_wins_and_every_later_one_is_refused(self):
        first = self.claim("claim-key-1")
        self.assertEqual(first["claimed"], True)
        self.assertEqual((first["subscription_id"], first["event_id"]), (self.subscription.id, self.event.event_uid))
        self.assertRegex(first["claimed_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertFalse(contains_none(first))
        for key in ("claim-key-2", "claim-key-3"):
            later = self.claim(key)
            self.assertEqual(later["claimed"], False)
            self.assertEqual(later["claimed_at"], first["claimed_at"])
        # A retry of the winning claim (its answer was lost) is answered the same.
        self.assertEqual(self.claim("claim-key-1")["claimed"], True)
        claims = self.env["governance.delivery.claim"].search([("subscription_id", "=", self.subscription.id)])
        self.assertRecordValues(claims, [{"event_id": self.event.id, "claim_key": "claim-key-1",
                                          "claimed_by_id": self.integration.id}])

    def test_another_event_is_claimed_on_its_own(self):
        self.claim()
        second = self.ping(self.subscription)
        self.assertEqual(self.claim(event_id=second.event_uid)["claimed"], True)

    def test_only_the_subscriptions_owner_claims_only_its_events(self):
        other_api = self.env["governance.api"].with_user(self.other_integration)
        with self.assertRaisesRegex(MissingError, r"^Subscription .*\[dg:not_found\]$"):
            self.claim(caller=other_api)
        with self.assertRaisesRegex(MissingError, r"^Event evt-unknown was never queued.*\[dg:not_found\]$"):
            self.claim(event_id="evt-unknown")
        elsewhere = self.make_subscription(registered_by_id=self.integration.id)
        foreign = self.ping(elsewhere)
        with self.assertRaisesRegex(MissingError, r"^Event .* was never queued for subscription.*\[dg:not_found\]$"):
            self.claim(event_id=foreign.event_uid)
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]$"):
            self.claim(caller=self.env["governance.api"].with_user(self.buyer))
        self.assertFalse(self.env["governance.delivery.claim"].search([]).filtered(
            lambda claim: claim.subscription_id in self.subscription | elsewhere))

    def test_params_are_bounded(self):
        with self.assertRaisesRegex(ValidationError, r"event_id: must have at most 128.*\[dg:invalid_params\]$"):
            self.claim(event_id="e" * 129)
        with self.assertRaisesRegex(ValidationError, r"idempotency_key: must have at most 200.*\[dg:invalid_params\]$"):
            self.claim(key="k" * 201)
        with self.assertRaisesRegex(ValidationError, r"idempotency_key: is required.*\[dg:invalid_params\]$"):
            self.api.claim_delivery({"subscription_id": self.subscription.id, "event_id": self.event.event_uid})

    def test_a_replay_releases_the_claim_so_the_event_runs_again_and_is_audited(self):
        self.claim("claim-key-1")
        delivery = self.event.delivery_ids
        self.dispatch()
        self.assertEqual(delivery.state, "delivered")
        audit_before = self.env["governance.audit.log"].search_count([])
        delivery.with_user(self.manager).action_replay()
        self.assertEqual(self.claim("claim-key-after-replay")["claimed"], True)
        self.assertEqual(self.claim("claim-key-1")["claimed"], False, "the released claim is gone")
        entry = self.env["governance.audit.log"].search([], limit=1)
        self.assertEqual(self.env["governance.audit.log"].search_count([]), audit_before + 1)
        self.assertIn("its claim was released", entry.summary)
        self.assertEqual(entry.actor_id, self.manager)


@tagged("post_install", "-at_install")
class TestDeliveryClaimLease(OutboxCase):
    """claim_delivery with confirms_start and confirm_delivery_start: a claim whose execution never
    starts (the receiver stopped between claim and queue) is delivered again; a second execution
    queued for the same event does nothing."""

    def setUp(self):
        super().setUp()
        self.subscription = self.make_subscription(registered_by_id=self.integration.id, start_timeout_seconds=60)
        self.event = self.ping(self.subscription)
        self.Claim = self.env["governance.delivery.claim"]

    def claim(self, key):
        return self.api.claim_delivery({"subscription_id": self.subscription.id, "event_id": self.event.event_uid,
                                        "idempotency_key": key, "confirms_start": True})

    def start(self, key, execution="", event_uid=None):
        return self.api.confirm_delivery_start({"subscription_id": self.subscription.id, "claim_key": key,
                                                "event_id": event_uid or self.event.event_uid,
                                                "execution_id": execution})

    def expire_lease(self):
        self.env.flush_all()
        self.env.cr.execute("UPDATE governance_delivery_claim SET lease_until = now() at time zone 'UTC' - interval '1 second'"
                            " WHERE subscription_id = %s AND lease_until IS NOT NULL", [self.subscription.id])
        self.Claim.invalidate_model()

    def test_the_first_execution_to_start_runs_the_event_and_later_ones_do_nothing(self):
        first = self.claim("lease-key-1")
        self.assertEqual((first["claimed"], first["started"]), (True, False))
        claim = self.Claim.search([("subscription_id", "=", self.subscription.id)])
        self.assertAlmostEqual((claim.lease_until - claim.claimed_at).total_seconds(), 60, delta=1)
        self.assertEqual((self.claim("lease-key-2")["claimed"], self.claim("lease-key-1")["claimed"]), (False, True),
                         "the lease holds against another claim; a retry of the winner is answered the same")
        started = self.start("lease-key-1", "101")
        self.assertEqual((started["started"], started["execution_id"]), (True, "101"))
        self.assertRegex(started["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(self.start("lease-key-1", "101")["started"], True, "the same execution confirming again")
        other = self.start("lease-key-2", "102")
        self.assertEqual((other["started"], other["execution_id"]), (False, "101"))
        self.assertFalse(contains_none(other))
        after = self.claim("lease-key-3")
        self.assertEqual((after["claimed"], after["started"]), (False, True))
        self.assertRecordValues(claim, [{"state": "started", "execution_ref": "101", "claim_key": "lease-key-1"}])
        self.assertRecordValues(self.event.delivery_ids.with_user(self.manager),
                                [{"claim_state": "started", "claim_execution_ref": "101"}])

    def test_a_lease_run_out_is_taken_over_and_the_first_of_both_executions_to_start_wins(self):
        self.claim("lease-key-1")
        self.expire_lease()
        taken = self.claim("lease-key-2")
        self.assertEqual(taken["claimed"], True)
        self.assertEqual(self.claim("lease-key-1")["claimed"], False, "the old lease is gone")
        # The old execution was only late, not lost: it starts first and runs the event.
        self.assertEqual(self.start("lease-key-1", "201")["started"], True)
        self.assertEqual(self.start("lease-key-2", "202")["started"], False)
        self.assertEqual(self.Claim.search([("subscription_id", "=", self.subscription.id)]).takeover_count, 1)

    def test_a_delivered_event_whose_execution_never_started_is_delivered_again(self):
        self.claim("lease-key-1")
        delivery = self.event.delivery_ids
        self.dispatch()
        self.assertEqual((delivery.state, len(self.receiver.requests)), ("delivered", 1))
        self.assertEqual(self.Claim._redeliver_unstarted(), 0, "the lease still runs")
        self.expire_lease()
        self.assertEqual(self.Claim._redeliver_unstarted(), 1)
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("no execution started within 60 s", delivery.last_error)
        # The receiver claims the redelivered event while Odoo posts it: the lease is taken over.
        self.assertEqual(self.claim("lease-key-2")["claimed"], True)
        self.dispatch()
        self.assertEqual((delivery.state, len(self.receiver.requests)), ("delivered", 2))
        self.assertEqual(self.Claim._redeliver_unstarted(), 0, "the new lease runs")
        self.start("lease-key-2", "301")
        self.expire_lease()
        self.assertEqual(self.Claim._redeliver_unstarted(), 0, "a started event is never delivered again")

    def test_a_receiver_that_claims_and_never_starts_is_dead_lettered_in_the_end(self):
        self.claim("lease-key-1")
        delivery = self.event.delivery_ids
        self.dispatch()
        self.env.flush_all()
        self.env.cr.execute("UPDATE governance_delivery SET attempt_count = 16 WHERE id = %s", [delivery.id])
        delivery.invalidate_recordset()
        self.expire_lease()
        self.Claim._redeliver_unstarted()
        self.assertEqual(delivery.state, "dead_letter")
        self.assertTrue(delivery.exception_id)

    def test_claims_without_confirms_start_are_final_and_cannot_be_started(self):
        plain = self.api.claim_delivery({"subscription_id": self.subscription.id, "event_id": self.event.event_uid,
                                         "idempotency_key": "plain-key-1"})
        self.assertEqual((plain["claimed"], plain["started"]), (True, False))
        with self.assertRaisesRegex(MissingError, r"has no claim awaiting its start.*\[dg:not_found\]$"):
            self.start("plain-key-1")
        self.expire_lease()
        self.assertEqual(self.Claim._redeliver_unstarted(), 0)
        self.assertEqual(self.claim("lease-key-2")["claimed"], False, "a final claim is never taken over")
        second = self.ping(self.subscription)
        with self.assertRaisesRegex(MissingError, r"has no claim awaiting its start.*\[dg:not_found\]$"):
            self.start("plain-key-1", event_uid=second.event_uid)

    def test_the_event_of_a_crashed_execution_is_delivered_again_once(self):
        self.claim("lease-key-1")
        self.start("lease-key-1", "501")
        delivery = self.event.delivery_ids
        self.dispatch()
        self.assertEqual(delivery.state, "delivered")
        rerun = self.api.rerun_crashed_execution({"execution_id": "501", "workflow_name": "Procurement"})
        self.assertEqual(rerun, {"rerun": True, "execution_id": "501", "event_id": self.event.event_uid,
                                 "subscription_id": self.subscription.id})
        self.assertRecordValues(delivery, [{"state": "pending", "replay_count": 1, "attempt_count": 0}])
        entry = self.env["governance.audit.log"].search([], limit=1)
        self.assertIn("Execution 501 (Procurement) crashed before it finished", entry.summary)
        self.assertEqual(self.api.rerun_crashed_execution({"execution_id": "501"}),
                         {"rerun": False, "execution_id": "501", "event_id": "", "subscription_id": 0},
                         "asked again: nothing more happens")
        # The redelivery is claimed and started by a new execution, which runs it.
        self.assertEqual(self.claim("lease-key-2")["claimed"], True)
        self.assertEqual(self.start("lease-key-2", "502")["started"], True)

    def test_only_the_subscriptions_owner_reruns_and_only_started_events(self):
        self.claim("lease-key-1")
        self.assertFalse(self.api.rerun_crashed_execution({"execution_id": "601"})["rerun"], "not started")
        self.start("lease-key-1", "601")
        other = self.env["governance.api"].with_user(self.other_integration)
        self.assertFalse(other.rerun_crashed_execution({"execution_id": "601"})["rerun"])
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]$"):
            self.env["governance.api"].with_user(self.buyer).rerun_crashed_execution({"execution_id": "601"})
        with self.assertRaisesRegex(ValidationError, r"execution_id: must have at most 64.*\[dg:invalid_params\]$"):
            self.api.rerun_crashed_execution({"execution_id": "6" * 65})
        self.assertEqual(self.Claim.search([("subscription_id", "=", self.subscription.id)]).state, "started")

    def test_start_params_are_bounded(self):
        self.claim("lease-key-1")
        with self.assertRaisesRegex(ValidationError, r"execution_id: must have at most 64.*\[dg:invalid_params\]$"):
            self.start("lease-key-1", "9" * 65)
        with self.assertRaisesRegex(ValidationError, r"claim_key: must have at least 8.*\[dg:invalid_params\]$"):
            self.start("short")
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]$"):
            self.env["governance.api"].with_user(self.buyer).confirm_delivery_start({
                "subscription_id": self.subscription.id, "event_id": self.event.event_uid, "claim_key": "lease-key-1"})
        with self.assertRaisesRegex(MissingError, r"^Subscription .*\[dg:not_found\]$"):
            self.env["governance.api"].with_user(self.other_integration).confirm_delivery_start({
                "subscription_id": self.subscription.id, "event_id": self.event.event_uid, "claim_key": "lease-key-1"})
        self.assertEqual(self.Claim.search([("subscription_id", "=", self.subscription.id)]).state, "claimed")


@tagged("post_install", "-at_install")
class TestDeliveryClaimAcrossTransactions(BaseCase):
    """Claims from separate database connections, as from several n8n processes at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            subscription = env["governance.subscription"].create({
                "name": "Claim receiver", "url": "http://127.0.0.1:9/claims", "event_types": "governance.ping",
            })
            event = env["governance.event"]._emit("governance.ping", subscription, {
                "subscription_id": subscription.id, "message": "claims"}, company=env.company)
            self.subscription_id, self.event_uid = subscription.id, event.event_uid
        self.addCleanup(self.remove_committed)

    def remove_committed(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM governance_event WHERE event_uid = %s", [self.event_uid])
            cr.execute("DELETE FROM governance_subscription WHERE id = %s", [self.subscription_id])

    def claim(self, env, key):
        Claim = env["governance.delivery.claim"]
        return Claim._claim(env["governance.subscription"].browse(self.subscription_id), self.event_uid, key)

    def test_a_claim_does_not_wait_for_the_dispatcher_holding_the_delivery(self):
        with self.registry.cursor() as dispatcher_cr, self.registry.cursor() as claim_cr:
            # What the dispatcher holds while it waits for the receiver's answer (CLAIM_DUE).
            dispatcher_cr.execute("SELECT delivery.id FROM governance_delivery delivery"
                                  " WHERE delivery.subscription_id = %s FOR UPDATE OF delivery",
                                  [self.subscription_id])
            self.assertEqual(len(dispatcher_cr.fetchall()), 1)
            claim_cr.execute("SET LOCAL lock_timeout = '2s'")
            env = api.Environment(claim_cr, SUPERUSER_ID, {})
            started = time.monotonic()
            self.assertEqual(self.claim(env, "claim-key-1")["claimed"], True)
            claim_cr.commit()
            self.assertLess(time.monotonic() - started, 2)
            dispatcher_cr.rollback()

    def test_two_connections_claiming_at_once_get_exactly_one_success(self):
        cursors = [self.registry.cursor() for _index in range(2)]
        self.addCleanup(lambda: [cr.close() for cr in cursors])
        # Made on this thread: it holds the registry lock a new thread would wait for.
        first, second = (api.Environment(cr, SUPERUSER_ID, {}) for cr in cursors)
        outcome = {}

        def claim_in_second_connection():
            # As Odoo's RPC layer does: a transaction that fails to serialise runs again.
            for _attempt in range(5):
                try:
                    outcome["result"] = self.claim(second, "claim-key-2")
                    second.cr.commit()
                    return
                except psycopg2.errors.SerializationFailure:
                    outcome["serialization_failures"] = outcome.get("serialization_failures", 0) + 1
                    second.cr.rollback()
                    second.invalidate_all()
                except Exception as error:  # noqa: BLE001 - reported by the test below
                    outcome["error"] = error
                    return

        self.assertEqual(self.claim(first, "claim-key-1")["claimed"], True)
        thread = threading.Thread(target=claim_in_second_connection)
        thread.start()
        thread.join(timeout=1)
        self.assertTrue(thread.is_alive(), "the second claim waits for the first transaction")
        first.cr.commit()
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive())
        self.assertNotIn("error", outcome)
        self.assertEqual(outcome["result"]["claimed"], False)
        with self.registry.cursor() as cr:
            cr.execute("SELECT claim_key FROM governance_delivery_claim WHERE subscription_id = %s",
                       [self.subscription_id])
            self.assertEqual(cr.fetchall(), [("claim-key-1",)])
