import json
import random
import unittest
from datetime import datetime

from .. import outbox, webhook_client
from .receiver import Receiver, closed_port_url


class TestRetrySchedule(unittest.TestCase):
    def test_doubles_from_one_minute_up_to_twelve_hours(self):
        self.assertEqual(outbox.schedule()[:4], [60, 120, 240, 480])
        self.assertEqual(max(outbox.schedule()), 12 * 3600)
        self.assertEqual(outbox.nominal_delay(500), 12 * 3600)

    def test_spans_about_three_days_then_dead_letters(self):
        self.assertAlmostEqual(sum(outbox.schedule()) / 86400, 3, delta=0.5)
        self.assertFalse(outbox.is_last_attempt(outbox.MAX_ATTEMPTS - 1))
        self.assertTrue(outbox.is_last_attempt(outbox.MAX_ATTEMPTS))

    def test_jitter_stays_within_a_fifth(self):
        rng = random.Random(7)
        delays = [outbox.retry_delay(3, rng) for _index in range(500)]
        self.assertTrue(all(240 * 0.8 <= delay <= 240 * 1.2 for delay in delays))
        self.assertGreater(len({round(delay) for delay in delays}), 50, "jittered, not constant")

    def test_only_2xx_is_success(self):
        self.assertEqual([outbox.is_success(code) for code in (200, 204, 299, 301, 404, 500, None)],
                         [True, True, True, False, False, False, False])


class TestEnvelope(unittest.TestCase):
    def test_envelope_is_cloudevents_with_the_contracts_extensions(self):
        event = outbox.envelope("evt_1", "governance.ping", "odoo://erp/db", datetime(2026, 11, 23, 9, 0, 0),
                                "governance.subscription/3", 2, {"subscription_id": 3, "message": "hi"}, company="Acme")
        self.assertEqual(event, {
            "specversion": "1.0", "id": "evt_1", "type": "governance.ping", "source": "odoo://erp/db",
            "time": "2026-11-23T09:00:00Z", "subject": "governance.subscription/3",
            "datacontenttype": "application/json", "sequence": "2", "company": "Acme",
            "data": {"subscription_id": 3, "message": "hi"},
        })
        body = outbox.envelope_body(event)
        self.assertEqual(json.loads(body), event)
        self.assertNotIn(b" ", body.replace(b'"message":"hi"', b""), "canonical: no white space")

    def test_matching(self):
        match = outbox.subscription_matches
        self.assertTrue(match(["a.b"], [], [], "a.b", 1, "purchase.order"))
        self.assertFalse(match(["a.b"], [], [], "a.c", 1, "purchase.order"))
        self.assertFalse(match(["a.b"], [2], [], "a.b", 1, "purchase.order"))
        self.assertFalse(match(["a.b"], [], ["sale.order"], "a.b", 1, "purchase.order"))
        self.assertTrue(match(["a.b"], [1, 2], ["purchase.order"], "a.b", 1, "purchase.order"))
        self.assertEqual(outbox.split_list(" a.b, c.d\n,e "), ["a.b", "c.d", "e"])


class TestWebhookClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)
        cls.url = cls.receiver.url

    def setUp(self):
        self.receiver.reset()

    def test_success_reuses_the_connection(self):
        results = [webhook_client.post(self.url, b"{}", {"content-type": "application/json"}, 5) for _index in range(3)]
        self.assertEqual([(result.status, result.error) for result in results], [(200, None)] * 3)
        self.assertEqual(len({request["client_port"] for request in self.receiver.requests}), 1)

    def test_errors_keep_a_snippet_of_the_answer(self):
        self.receiver.answers.append((500, b"database is down" + b"x" * 2000))
        result = webhook_client.post(self.url, b"{}", {}, 5)
        self.assertEqual(result.status, 500)
        self.assertTrue(result.error.startswith("HTTP 500: database is down"))
        self.assertLess(len(result.error), webhook_client.ANSWER_SNIPPET_BYTES + 20)

    def test_redirects_are_failures(self):
        self.receiver.answers.append((302, b""))
        result = webhook_client.post(self.url, b"{}", {}, 5)
        self.assertEqual((result.status, result.error), (302, "HTTP 302"))

    def test_a_connection_closed_under_a_request_is_retried_once_on_a_new_one(self):
        self.assertEqual(webhook_client.post(self.url, b"{}", {}, 5).status, 200)
        self.receiver.drops = 1
        result = webhook_client.post(self.url, b"{}", {}, 5)
        self.assertEqual((result.status, result.error), (200, None))
        ports = [request["client_port"] for request in self.receiver.requests]
        self.assertEqual(len(ports), 2, "the dropped request was not recorded; the repeat was")
        self.assertNotEqual(ports[0], ports[1], "the repeat went out on a new connection")

    def test_a_receiver_that_keeps_dropping_is_a_failed_delivery(self):
        self.receiver.drops = 2
        result = webhook_client.post(self.url, b"{}", {}, 5)
        self.assertIsNone(result.status)
        self.assertIn("connection failed", result.error)
        self.assertEqual(self.receiver.requests, [])

    def test_refused_connection(self):
        result = webhook_client.post(closed_port_url(), b"{}", {}, 5)
        self.assertIsNone(result.status)
        self.assertIn("connection failed", result.error)
