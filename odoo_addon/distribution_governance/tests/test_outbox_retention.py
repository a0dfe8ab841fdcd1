from odoo.tests import tagged
from odoo.tools import mute_logger

from ..lib.tests.receiver import closed_port_url
from .outbox_common import OutboxCase


@tagged("post_install", "-at_install")
class TestOutboxRetention(OutboxCase):
    def age(self, events, days):
        """Pretend ``events`` were written ``days`` days ago."""
        self.env.flush_all()
        self.env.cr.execute("UPDATE governance_event SET create_date = create_date - make_interval(days => %s)"
                            " WHERE id IN %s", [days, tuple(events.ids)])
        events.invalidate_recordset()

    def test_old_events_whose_deliveries_are_done_are_purged(self):
        subscription = self.make_subscription()
        delivered_old, delivered_recent = self.ping(subscription), self.ping(subscription)
        self.dispatch()
        self.assertEqual(set(delivered_old.delivery_ids.mapped("state")), {"delivered"})
        waiting_old = self.ping(subscription)
        dead = self.make_subscription(url=closed_port_url(), name="Dead receiver")
        dead_old = self.ping(dead)
        dead_old.delivery_ids.sudo().write({"state": "dead_letter", "next_attempt_at": False})
        unsent_old = self.Event._emit("governance.ping", subscription, {"subscription_id": subscription.id,
                                                                        "message": "nobody listens"},
                                      subscriptions=self.env["governance.subscription"])
        self.age(delivered_old | waiting_old | dead_old | unsent_old, 31)
        self.age(delivered_recent, 29)

        self.assertEqual(self.Event._cron_purge(), 2)
        self.assertFalse((delivered_old | unsent_old).exists())
        self.assertEqual(self.Event.browse((delivered_recent | waiting_old | dead_old).ids).exists(),
                         delivered_recent | waiting_old | dead_old, "recent, waiting and dead-lettered events stay")
        self.assertFalse(self.Delivery.search([("event_id", "=", delivered_old.id)]))
        self.assertEqual(self.Event._cron_purge(), 0)
        # The document's next event continues its sequence.
        self.assertEqual(self.ping(subscription).sequence, 5)

    def test_purge_works_in_batches_and_can_be_switched_off(self):
        subscription = self.make_subscription(event_types=["exception.raised"])
        events = self.Event
        for _index in range(3):
            events |= self.ping(subscription)
        events.delivery_ids.sudo().write({"state": "cancelled", "next_attempt_at": False})
        self.age(events, 40)
        parameter = self.env["ir.config_parameter"].sudo()
        parameter.set_param("distribution_governance.outbox_retention_days", "0")
        self.assertEqual(self.Event._cron_purge(), 0)
        parameter.set_param("distribution_governance.outbox_retention_days", "35")
        self.assertEqual(self.Event._cron_purge(batch_size=2), 2)
        self.assertEqual(self.Event._cron_purge(batch_size=2), 1)

    def test_a_bad_retention_setting_falls_back_to_the_default(self):
        self.env["ir.config_parameter"].sudo().set_param("distribution_governance.outbox_retention_days", "a month")
        with mute_logger("odoo.addons.distribution_governance.models.governance_event"):
            self.assertEqual(self.Event._retention_days(), 30)
