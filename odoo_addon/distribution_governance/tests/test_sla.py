from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestSla(GovernanceCase):
    def _pending_order(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        return order, self.review(order, "Purchasing")

    def test_sla_clock_and_indexes_hold_only_due_work(self):
        order, review = self._pending_order()
        self.assertEqual(review.date_due - review.date_started, timedelta(hours=24))
        self.assertEqual(review.date_reminder - review.date_started, timedelta(hours=24 * 0.8))
        self.assertEqual(review.date_escalation, review.date_due)
        # Nothing is due yet: the cron does nothing.
        self.assertEqual(self.env["governance.approval.review"]._cron_sla(), 0)
        # Deciding clears the reminder and escalation dates (the partial indexes only hold open work).
        self.decide(order, "Purchasing", self.alice)
        self.assertFalse(review.date_reminder or review.date_escalation)

    def test_reminder_before_the_sla_ends(self):
        order, review = self._pending_order()
        review.sudo().date_reminder = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.env["governance.approval.review"]._cron_sla(), 1)
        reminder = self.env.ref("distribution_governance.mail_activity_type_sla_reminder")
        self.assertTrue(order.activity_ids.filtered(
            lambda activity: activity.user_id == self.alice and activity.activity_type_id == reminder))
        self.assertFalse(review.date_reminder)
        self.assertFalse(review.escalated)
        self.assertEqual(self.env["governance.approval.review"]._cron_sla(), 0)

    def test_escalation_when_the_sla_passes(self):
        order, review = self._pending_order()
        past = fields.Datetime.now() - timedelta(minutes=1)
        review.sudo().write({"date_reminder": False, "date_escalation": past, "date_due": past})
        self.assertTrue(review.is_overdue)
        self.assertEqual(self.env["governance.approval.review"]._cron_sla(), 1)
        self.assertTrue(review.escalated)
        self.assertEqual(review.escalation_user_ids, self.carol)
        self.assertIn(self.carol, review.eligible_user_ids)
        self.assertGreater(review.date_due, fields.Datetime.now())
        self.assertFalse(review.date_escalation)
        entry = self.env["governance.audit.log"].search([("event", "=", "escalation"), ("review_id", "=", review.id)])
        self.assertEqual(len(entry), 1)
        self.assertIn("escalated to carol (sla_expired)", entry.summary)
        self.assertTrue(order.activity_ids.filtered(lambda activity: activity.user_id == self.carol))
        self.assertIn("(escalated)", order.governance_summary)
        # Carol, the escalation target, can now approve.
        self.decide(order, "Purchasing", self.carol)
        self.assertEqual(order.state, "purchase")

    def test_cron_works_in_batches(self):
        reviews = self.env["governance.approval.review"]
        for _index in range(3):
            reviews |= self._pending_order()[1]
        past = fields.Datetime.now() - timedelta(minutes=1)
        reviews.sudo().write({"date_reminder": False, "date_escalation": past})
        Review = self.env["governance.approval.review"]
        self.assertEqual(Review._cron_sla(batch_size=2), 2)
        self.assertEqual(Review._cron_sla(batch_size=2), 1)
        self.assertEqual(Review._cron_sla(batch_size=2), 0)
        self.assertTrue(all(reviews.mapped("escalated")))

    def test_cron_query_uses_the_partial_index(self):
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'governance_approval_review'")
        definitions = " ".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("(date_escalation) WHERE (date_escalation IS NOT NULL)", definitions)
        self.assertIn("(date_reminder) WHERE (date_reminder IS NOT NULL)", definitions)
