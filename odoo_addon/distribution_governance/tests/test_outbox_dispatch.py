import unittest
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..lib import outbox, signature
from ..lib.tests.receiver import Receiver, closed_port_url
from .outbox_common import HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON, OutboxCase, verify_with_typescript


@tagged("post_install", "-at_install")
class TestDispatch(OutboxCase):
    def raise_exception(self, summary="Receipt short by 3 units", key="dispatch-0001", **params):
        return self.api.raise_exception(dict({
            "exception_type": "receipt_quantity_discrepancy", "severity": "medium", "summary": summary,
            "idempotency_key": key}, **params))

    def assert_retry_in(self, delivery, attempt):
        expected = outbox.nominal_delay(attempt)
        wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
        self.assertGreaterEqual(wait, expected * (1 - outbox.JITTER) - 1)
        self.assertLessEqual(wait, expected * (1 + outbox.JITTER) + 1)

    def test_nothing_is_sent_inside_the_users_transaction(self):
        cron = self.env.ref("distribution_governance.ir_cron_governance_dispatch")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        self.make_subscription()
        self.raise_exception()
        self.assertEqual(self.receiver.requests, [], "emitting only queues")
        delivery = self.Delivery.search([], limit=1)
        self.assertEqual(delivery.state, "pending")
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1,
                         "the dispatcher is woken after commit")
        self.raise_exception(summary="another", key="dispatch-0002")
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1, "once per transaction")

    def test_delivery_is_signed_and_matches_the_contract(self):
        subscription = self.make_subscription()
        exception_id = self.raise_exception()["exception_id"]
        self.assertEqual(self.dispatch(), 1)
        delivery = self.Delivery.search([("subscription_id", "=", subscription.id)])
        self.assertRecordValues(delivery, [{"state": "delivered", "attempt_count": 1, "last_status_code": 200,
                                            "last_error": False, "next_attempt_at": False}])
        self.assertTrue(delivery.delivered_at)
        [request] = self.receiver.requests
        self.assert_signed(request, subscription.secret)
        event = self.receiver.events()[0]
        self.assertEqual((event["type"], event["id"]), ("exception.raised", delivery.event_uid))
        self.assertEqual(request["headers"]["webhook-id"], event["id"])
        self.assertEqual(event["data"]["exception"]["id"], exception_id)
        self.assertEqual(request["headers"]["content-type"], "application/json")

    @unittest.skipUnless(HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON)
    def test_deliveries_verify_with_the_typescript_verifier(self):
        subscription = self.make_subscription()
        exception_id = self.raise_exception()["exception_id"]
        self.api.resolve_exception({"exception_id": exception_id, "resolution": "dismissed", "reason": "Counted again",
                                    "idempotency_key": "dispatch-res-1"})
        subscription.action_test_ping()
        self.dispatch()
        self.dispatch()
        self.assertEqual(len(self.receiver.requests), 3)
        captured = [{"secrets": [subscription.secret], "headers": request["headers"], "body": request["body"]}
                    for request in self.receiver.requests]
        raised = next(request for request in captured if '"exception.raised"' in request["body"])
        forged = dict(raised, secrets=[signature.generate_secret()])
        results = verify_with_typescript([*captured, forged])
        self.assertEqual(sorted((result["type"], result["signature"], tuple(result["schema_errors"])) for result in results), [
            ("exception.raised", "no_matching_signature", ()),
            ("exception.raised", "valid", ()),
            ("exception.resolved", "valid", ()),
            ("governance.ping", "valid", ()),
        ])

    def test_5xx_follows_the_retry_schedule(self):
        self.make_subscription()
        self.raise_exception()
        self.receiver.reset(status=503)
        self.dispatch()
        delivery = self.Delivery.search([], limit=1)
        self.assertRecordValues(delivery, [{"state": "retrying", "attempt_count": 1, "last_status_code": 503}])
        self.assertIn("HTTP 503", delivery.last_error)
        self.assert_retry_in(delivery, 1)
        self.assertEqual(self.dispatch(), 0, "not due before its retry time")
        self.make_due(delivery)
        self.dispatch()
        self.assertEqual(delivery.attempt_count, 2)
        self.assert_retry_in(delivery, 2)
        self.receiver.reset(status=200)
        self.make_due(delivery)
        self.dispatch()
        self.assertRecordValues(delivery, [{"state": "delivered", "attempt_count": 3, "failed_attempt_count": 2}])
        self.assertEqual(len(self.receiver.requests), 1)

    def test_refused_connection_is_retried(self):
        self.make_subscription(url=closed_port_url())
        self.raise_exception()
        self.dispatch()
        delivery = self.Delivery.search([], limit=1)
        self.assertRecordValues(delivery, [{"state": "retrying", "attempt_count": 1, "last_status_code": 0}])
        self.assertIn("connection failed", delivery.last_error)
        self.assert_retry_in(delivery, 1)

    def test_timeout_is_retried(self):
        # Odoo's test framework raises any HTTP timeout below 10 s to 10 s, so the receiver waits longer.
        subscription = self.make_subscription(timeout_seconds=10)
        self.raise_exception()
        self.receiver.reset(delay=12)
        self.dispatch()
        delivery = self.Delivery.search([("subscription_id", "=", subscription.id)])
        self.assertRecordValues(delivery, [{"state": "retrying", "attempt_count": 1, "last_status_code": 0}])
        self.assertIn("timeout", delivery.last_error)
        self.assertGreaterEqual(delivery.last_latency_ms, 9000)
        self.assert_retry_in(delivery, 1)

    def test_schedule_spans_about_three_days(self):
        total = sum(outbox.schedule())
        self.assertEqual(len(outbox.schedule()), outbox.MAX_ATTEMPTS - 1)
        self.assertTrue(timedelta(days=2.5).total_seconds() <= total <= timedelta(days=3.5).total_seconds(), total)

    def test_dead_letter_after_the_last_attempt_raises_a_technical_exception(self):
        subscription = self.make_subscription(url=closed_port_url())
        self.raise_exception()
        first = self.Delivery.search([("subscription_id", "=", subscription.id)])
        first.sudo().write({"attempt_count": outbox.MAX_ATTEMPTS - 1})
        self.dispatch()
        self.assertRecordValues(first, [{"state": "dead_letter", "attempt_count": outbox.MAX_ATTEMPTS,
                                         "next_attempt_at": False}])
        exception = first.exception_id
        self.assertRecordValues(exception, [{"category": "technical", "state": "open", "severity": "high",
                                             "res_model": "governance.subscription", "res_id": subscription.id}])
        self.assertEqual(exception.exception_type_id.code, "delivery_dead_lettered")
        self.assertIn(first.event_uid, exception.details)
        # The dead-letter exception is itself an event (here for the same dead receiver): a later
        # dead letter joins the open exception instead of raising one more.
        self.assertEqual(self.Event.search([("event_type", "=", "exception.raised")], limit=1).envelope()["data"]
                         ["exception"]["exception_type"], "delivery_dead_lettered")
        second = self.Delivery.search([("subscription_id", "=", subscription.id), ("id", "!=", first.id)], limit=1)
        second.sudo().write({"attempt_count": outbox.MAX_ATTEMPTS - 1})
        self.make_due(second)
        self.dispatch()
        self.assertEqual(second.state, "dead_letter")
        self.assertEqual(second.exception_id, exception)
        self.assertEqual(self.env["governance.exception"].search_count(
            [("exception_type_id.code", "=", "delivery_dead_lettered")]), 1)

    def test_replay_one_or_many(self):
        subscription = self.make_subscription()
        self.raise_exception()
        self.raise_exception(summary="second", key="dispatch-0002")
        deliveries = self.Delivery.search([("subscription_id", "=", subscription.id)])
        deliveries.sudo().write({"state": "dead_letter", "next_attempt_at": False, "attempt_count": outbox.MAX_ATTEMPTS})
        deliveries.with_user(self.manager).action_replay()
        self.assertRecordValues(deliveries, [{"state": "pending", "attempt_count": 0, "replay_count": 1}] * 2)
        self.dispatch()
        self.assertEqual(deliveries.mapped("state"), ["delivered"] * 2)
        self.assertEqual(len(self.receiver.requests), 2)
        # A delivered one can be sent again too (receivers drop an event id they have seen).
        deliveries[:1].with_user(self.manager).action_replay()
        self.dispatch()
        self.assertEqual(self.receiver.events()[-1]["id"], deliveries[:1].event_uid)
        deliveries.sudo().write({"state": "dead_letter"})
        subscription.with_user(self.manager).action_replay_dead_letters()
        self.assertEqual(deliveries.mapped("state"), ["pending"] * 2)

    def test_a_later_event_of_a_document_waits_for_the_earlier_one(self):
        self.env["ir.config_parameter"].sudo().set_param("distribution_governance.dispatch_parallelism", "1")
        subscription = self.make_subscription()
        order, other_order = self.make_order(), self.make_order()
        first, second = self.ping(subscription, order), self.ping(subscription, order)
        unrelated = self.ping(subscription, other_order)
        self.assertEqual((first.sequence, second.sequence, unrelated.sequence), (1, 2, 1))
        self.receiver.reset(status=500)
        self.assertEqual(self.dispatch(), 2, "the first event of each document is processed")
        self.assertEqual([event["id"] for event in self.receiver.events()], [first.event_uid],
                         "after the failure the batch sends nothing more to this receiver")
        self.receiver.reset(status=200)
        self.make_due(self.Delivery.search([("state", "=", "retrying")]))
        self.dispatch()
        self.assertEqual(self.Delivery.search([("event_id", "=", second.id)]).state, "pending",
                         "claimed while the first was still waiting, so not in that batch")
        self.dispatch()
        self.assertEqual(self.Delivery.search([("event_id", "=", second.id)]).state, "delivered")
        order_ids = [event["id"] for event in self.receiver.events() if event["subject"] == f"purchase.order/{order.id}"]
        self.assertEqual(order_ids, [first.event_uid, second.event_uid])

    def test_a_dead_letter_unblocks_the_next_event_of_the_document(self):
        subscription = self.make_subscription()
        order = self.make_order()
        first, second = self.ping(subscription, order), self.ping(subscription, order)
        self.receiver.reset(status=500)
        first.delivery_ids.sudo().write({"attempt_count": outbox.MAX_ATTEMPTS - 1})
        self.dispatch()
        self.assertEqual(first.delivery_ids.state, "dead_letter")
        self.receiver.reset(status=200)
        self.dispatch()
        self.assertEqual(second.delivery_ids.state, "delivered")

    def test_a_failing_receiver_costs_one_request_per_batch(self):
        failing_receiver = Receiver()
        self.addCleanup(failing_receiver.stop)
        failing_receiver.reset(status=502)
        failing = self.make_subscription(url=failing_receiver.url)
        healthy = self.make_subscription(name="Healthy")
        for _index in range(5):
            event = self.ping(failing, self.make_order())
            self.Delivery._queue(event, healthy)
        self.assertEqual(self.dispatch(), 10)
        # One wave: the batch posts four at a time (f1 h1 f2 h2), two of them to the failing receiver.
        self.assertEqual(len(failing_receiver.requests), 2, "one wave of requests to the failing receiver")
        self.assertEqual(len(self.receiver.requests), 5, "the healthy one gets all of its deliveries")
        waiting = failing.delivery_ids
        self.assertEqual(waiting.mapped("state"), ["retrying"] * 5, "the failing one's backlog backs off together")
        self.assertEqual(len(waiting.filtered(lambda delivery: delivery.last_error.startswith("not sent"))), 3)
        self.assertEqual(self.Delivery._due_count(), 0, "nothing left to spin on")

    def test_a_returning_receiver_gets_its_backlog_at_the_next_tick(self):
        subscription = self.make_subscription()
        other = self.make_subscription(name="Still down", url=closed_port_url())
        orders = [self.make_order() for _index in range(4)]
        events = [self.ping(subscription, order) for order in orders] + [self.ping(subscription, orders[0])]
        self.ping(other, orders[1])
        self.receiver.reset(status=503)
        self.dispatch()
        self.make_due(self.Delivery.search([("state", "=", "retrying")]))
        self.dispatch()
        backlog = subscription.delivery_ids.filtered(lambda delivery: delivery.state == "retrying")
        self.assertEqual(len(backlog), 4, "the second event of orders[0] waits behind the first, still pending")
        now = fields.Datetime.now()
        self.assertTrue(all(delivery.next_attempt_at > now + timedelta(seconds=60) for delivery in backlog))
        # The receiver is back; the first delivery whose backoff ends finds it.
        self.receiver.reset(status=200)
        first = backlog.sorted("id")[0]
        self.make_due(first)
        self.dispatch()
        self.assertEqual(first.state, "delivered")
        now = fields.Datetime.now()
        self.assertTrue(all(delivery.next_attempt_at <= now for delivery in backlog - first),
                        "the rest of the backlog is due at once")
        self.assertGreater(other.delivery_ids.next_attempt_at, now, "another subscription keeps its backoff")
        self.assertGreater(self.Delivery._due_count(), 0, "so the cron runs again at once")
        self.dispatch()
        self.dispatch()
        self.assertEqual(subscription.delivery_ids.mapped("state"), ["delivered"] * 5)
        about_first_order = [event["id"] for event in self.receiver.events()
                             if event["subject"] == f"purchase.order/{orders[0].id}"]
        self.assertEqual(about_first_order, [events[0].event_uid, events[4].event_uid], "in order per document")

    def test_a_batch_posts_several_at_once_but_never_two_about_one_document(self):
        subscription = self.make_subscription()
        orders = [self.make_order() for _index in range(4)]
        first = [self.ping(subscription, order) for order in orders]
        later = self.ping(subscription, orders[0])
        self.receiver.delay = 0.3
        self.assertEqual(self.dispatch(), 4, "the later event of orders[0] waits for the next batch")
        self.assertEqual({event["id"] for event in self.receiver.events()}, {event.event_uid for event in first})
        self.assertGreater(len({request["client_port"] for request in self.receiver.requests}), 1,
                           "posted on several connections at once")
        self.assertEqual(self.dispatch(), 1)
        self.assertEqual(self.receiver.events()[-1]["id"], later.event_uid)
        self.assertEqual(subscription.delivery_ids.mapped("state"), ["delivered"] * 5)

    def test_one_at_a_time_when_the_setting_says_so(self):
        self.env["ir.config_parameter"].sudo().set_param("distribution_governance.dispatch_parallelism", "1")
        failing_receiver = Receiver()
        self.addCleanup(failing_receiver.stop)
        failing_receiver.reset(status=502)
        failing = self.make_subscription(url=failing_receiver.url)
        for _index in range(3):
            self.ping(failing, self.make_order())
        self.dispatch()
        self.assertEqual(len(failing_receiver.requests), 1)
        for value, width in (("0", 1), ("99", 16), ("many", 4), ("", 4)):
            self.env["ir.config_parameter"].sudo().set_param("distribution_governance.dispatch_parallelism", value)
            self.assertEqual(self.Delivery._parallelism(), width, value)

    def test_connections_are_reused(self):
        self.env["ir.config_parameter"].sudo().set_param("distribution_governance.dispatch_parallelism", "1")
        subscription = self.make_subscription()
        for _index in range(4):
            self.ping(subscription, self.make_order())
        self.dispatch()
        self.assertEqual(len(self.receiver.requests), 4)
        self.assertEqual(len({request["client_port"] for request in self.receiver.requests}), 1)

    def test_rotated_secret_signs_alongside_the_new_one_for_the_grace_period(self):
        subscription = self.make_subscription()
        old = subscription.secret
        subscription.with_user(self.manager).action_rotate_secret()
        new = subscription.secret
        self.assertNotEqual(old, new)
        self.ping(subscription)
        self.dispatch()
        request = self.receiver.requests[-1]
        self.assertEqual(len(request["headers"]["webhook-signature"].split(" ")), 2)
        self.assert_signed(request, old)
        self.assert_signed(request, new)
        subscription.previous_secret_expiry = fields.Datetime.now() - timedelta(seconds=1)
        self.ping(subscription)
        self.dispatch()
        request = self.receiver.requests[-1]
        self.assert_signed(request, new)
        with self.assertRaises(signature.SignatureError):
            self.assert_signed(request, old)

    def test_subscriptions_receive_only_matching_events(self):
        company = self.env.company
        other_company = self.env["res.company"].create({"name": "Outbox Other Co"})
        by_type = self.make_subscription(event_types=["exception.resolved"])
        by_company = self.make_subscription(event_types=["exception.raised"], company_ids=[(6, 0, other_company.ids)])
        by_model = self.make_subscription(event_types=["exception.raised"], document_models="sale.order")
        matching = self.make_subscription(event_types=["exception.raised"], company_ids=[(6, 0, company.ids)],
                                          document_models="purchase.order")
        order = self.make_order()
        self.raise_exception(document={"model": "purchase.order", "id": order.id})
        queued = self.Delivery.search([]).subscription_id
        self.assertEqual(queued, matching)
        self.assertFalse(queued & (by_type | by_company | by_model))

    def test_ping_goes_to_its_subscription_only(self):
        one, two = self.make_subscription(), self.make_subscription(name="Two")
        action = one.with_user(self.manager).action_test_ping()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.Delivery.search([]).subscription_id, one)
        self.dispatch()
        [event] = self.receiver.events()
        self.assertEqual((event["type"], event["subject"], event["data"]["subscription_id"]),
                         ("governance.ping", f"governance.subscription/{one.id}", one.id))
        self.assertFalse(two.delivery_ids)

    def test_backlog_and_failure_rate(self):
        subscription = self.make_subscription()
        for _index in range(3):
            self.ping(subscription, self.make_order())
        self.assertEqual(subscription.backlog_count, 3)
        self.receiver.reset(status=500)
        self.dispatch()
        self.receiver.reset(status=200)
        self.make_due(subscription.delivery_ids)
        self.dispatch()
        subscription.invalidate_recordset()
        self.assertEqual((subscription.backlog_count, subscription.delivered_count), (0, 3))
        # Three failed attempts (one sent, two not sent after it), then three deliveries.
        self.assertAlmostEqual(subscription.failure_rate, 0.5)

    def test_an_archived_subscription_keeps_its_deliveries_waiting(self):
        subscription = self.make_subscription()
        self.ping(subscription)
        subscription.active = False
        self.assertEqual((self.dispatch(), self.Delivery._due_count()), (0, 0))
        subscription.active = True
        self.assertEqual(self.dispatch(), 1)

    def test_cron_reports_progress_and_runs_again_while_work_remains(self):
        subscription = self.make_subscription()
        for _index in range(3):
            self.ping(subscription, self.make_order())
        cron = self.env.ref("distribution_governance.ir_cron_governance_dispatch")
        self.env.cr.precommit.data.clear()  # as after the commit that queued them
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        self.assertEqual(self.Delivery._cron_dispatch(batch_size=2), 2)
        self.assertEqual(self.Delivery._due_count(), 1)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)
        self.assertEqual(self.Delivery._cron_dispatch(batch_size=2), 1)
        self.assertEqual(self.Delivery._due_count(), 0)
