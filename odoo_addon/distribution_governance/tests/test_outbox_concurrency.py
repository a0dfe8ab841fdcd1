import threading
from collections import Counter

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from ..lib.tests.receiver import Receiver

EVENTS = 60


@tagged("post_install", "-at_install")
class TestOutboxAcrossTransactions(BaseCase):
    """What other transactions see: these tests commit in their own cursors, like Odoo workers and
    cron threads do, and remove what they committed afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)

    def setUp(self):
        super().setUp()
        self.receiver.reset()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.subscription_id = env["governance.subscription"].create({
                "name": "Concurrency receiver", "url": self.receiver.url, "event_types": "governance.ping",
            }).id
        self.addCleanup(self.remove_committed)

    def remove_committed(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM governance_event WHERE id IN (SELECT event_id FROM governance_delivery"
                       " WHERE subscription_id = %s)", [self.subscription_id])
            cr.execute("DELETE FROM governance_delivery WHERE subscription_id = %s", [self.subscription_id])
            cr.execute("DELETE FROM governance_subscription WHERE id = %s", [self.subscription_id])

    def emit(self, env, count=1):
        subscription = env["governance.subscription"].browse(self.subscription_id)
        # One document per event (countries: plenty of them in every database), so that no
        # event waits for another of the same document.
        documents = env["res.country"].search([], limit=count)
        return [env["governance.event"]._emit("governance.ping", document,
                                              {"subscription_id": subscription.id, "message": "concurrency"},
                                              company=env.company)
                for document in documents]

    def dispatcher_triggers(self, cr):
        cr.execute("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = "
                   "(SELECT res_id FROM ir_model_data WHERE module = 'distribution_governance'"
                   " AND name = 'ir_cron_governance_dispatch')")
        return cr.fetchone()[0]

    def test_two_dispatchers_in_separate_cursors_send_each_delivery_once(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            uids = [event.event_uid for event in self.emit(env, EVENTS)]
        self.assertEqual(len(uids), EVENTS)
        self.receiver.delay = 0.01  # let the two dispatchers' batches overlap
        errors = []
        start = threading.Barrier(2)
        # The environments are made here: while Odoo runs the tests, this thread holds the registry
        # lock that a new thread would wait for when it makes one.
        cursors = [self.registry.cursor() for _index in range(2)]
        envs = [api.Environment(cr, SUPERUSER_ID, {}) for cr in cursors]

        def dispatcher(env):
            try:
                Delivery = env["governance.delivery"]
                start.wait(timeout=30)
                for _round in range(200):
                    Delivery._dispatch_due(batch_size=7)
                    env.cr.commit()
                    if not Delivery.search_count([("subscription_id", "=", self.subscription_id),
                                                  ("state", "in", ("pending", "retrying"))]):
                        return
            except Exception as error:  # noqa: BLE001 - reported by the test below
                errors.append(error)
            finally:
                env.cr.close()

        threads = [threading.Thread(target=dispatcher, args=(env,)) for env in envs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        self.assertEqual(errors, [])
        sent = Counter(request["headers"]["webhook-id"] for request in self.receiver.requests)
        self.assertEqual(sorted(sent), sorted(uids), "every event was delivered")
        self.assertEqual(set(sent.values()), {1}, "and none twice")
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, count(*) FROM governance_delivery WHERE subscription_id = %s GROUP BY state",
                       [self.subscription_id])
            self.assertEqual(dict(cr.fetchall()), {"delivered": EVENTS})

    def test_a_rolled_back_transaction_sends_nothing_and_a_committed_one_does(self):
        with self.registry.cursor() as cr:
            triggers_before = self.dispatcher_triggers(cr)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            [rolled_back] = self.emit(env)
            rolled_back_uid = rolled_back.event_uid
            cr.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertFalse(env["governance.event"].search([("event_uid", "=", rolled_back_uid)]))
            self.assertEqual(self.dispatcher_triggers(cr), triggers_before, "no dispatcher wake-up either")
            self.assertFalse(env["governance.delivery"].search([("subscription_id", "=", self.subscription_id)]))
            env["governance.delivery"]._dispatch_due()
        self.assertEqual(self.receiver.requests, [])

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            [committed] = self.emit(env)
            committed_uid = committed.event_uid
        with self.registry.cursor() as cr:
            self.assertEqual(self.dispatcher_triggers(cr), triggers_before + 1, "the dispatcher is woken")
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["governance.delivery"]._dispatch_due()
        self.assertEqual([request["headers"]["webhook-id"] for request in self.receiver.requests], [committed_uid])
