from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..lib import webhook_client
from .common import GovernanceCase
from .outbox_common import OutboxCase

TOKEN = "metrics-test-token-0123456789"
URL = "/distribution_governance/metrics"


@tagged("post_install", "-at_install")
class TestMetrics(HttpCase, OutboxCase):
    """The Prometheus endpoint: token from the settings, outbox, approval and exception figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("distribution_governance.metrics_token", TOKEN)
        cls.subscription = cls.make_subscription(cls, name='Metrics "receiver"')

    def scrape(self, token=TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.url_open(URL, headers=headers)

    def test_token_required(self):
        self.assertEqual(self.scrape(None).status_code, 401)
        self.assertEqual(self.scrape("wrong").status_code, 401)
        self.env["ir.config_parameter"].sudo().set_param("distribution_governance.metrics_token", "")
        self.assertEqual(self.scrape().status_code, 404, "no token configured: no endpoint")

    def test_outbox_approvals_exceptions(self):
        deliveries = self.Delivery
        for _index in range(3):
            deliveries |= self.ping(self.subscription).delivery_ids
        first, second, third = deliveries.sorted("id")
        first._record(webhook_client.Result(204, 5, None))
        second._record(webhook_client.Result(500, 5, "HTTP 500"))
        self.env.cr.execute("UPDATE governance_delivery SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(minutes=10), second.id])
        self.env.flush_all()
        self.env.cr.flush()  # the counters are written just before commit
        # Two claimed events whose executions have not started, one of them past its lease.
        for delivery in (first, second):
            self.env["governance.delivery.claim"]._claim(self.subscription, delivery.event_uid,
                                                         f"metrics-claim-{delivery.id}", confirms_start=True)
        self.env.cr.execute("UPDATE governance_delivery_claim SET lease_until = %s WHERE event_id = %s",
                            [fields.Datetime.now() - timedelta(seconds=5), first.event_id.id])
        self.env["governance.exception"].create({
            "exception_type_id": self.env.ref("distribution_governance.exception_type_delivery_dead_lettered").id,
            "category": "technical", "severity": "high", "summary": "Metrics test",
            "sla_due": fields.Datetime.now() - timedelta(hours=1),
        })
        self.env.flush_all()
        response = self.scrape()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        lines = response.text.splitlines()
        labels = f'active="true",name="Metrics \\"receiver\\"",subscription="{self.subscription.id}"'
        # two pings wait, and the exception.raised event of the exception above
        self.assertIn(f"dg_outbox_waiting{{{labels}}} 3", lines)
        sid = self.subscription.id
        attempts = f'dg_outbox_attempts_total{{active="true",name="Metrics \\"receiver\\"",outcome="%s",subscription="{sid}"}}'
        self.assertIn(attempts % "delivered" + " 1", lines)
        self.assertIn(attempts % "failed" + " 1", lines)
        self.assertIn(f"dg_outbox_failure_ratio{{{labels}}} 0.5", lines)
        self.assertIn(f"dg_outbox_claims_awaiting_start{{{labels}}} 2", lines)
        self.assertIn(f"dg_outbox_claims_start_overdue{{{labels}}} 1", lines)
        oldest = next(line for line in lines if line.startswith(f"dg_outbox_oldest_waiting_age_seconds{{{labels}}}"))
        self.assertGreaterEqual(float(oldest.split()[-1]), 600)
        self.assertIn('dg_exceptions_past_sla{severity="high",type="delivery_dead_lettered"} 1', lines)
        for family in ("dg_approvals_pending", "dg_approval_reviews_past_sla", "dg_approval_cycle_hours",
                       "dg_exceptions_open", "dg_metrics_render_seconds"):
            self.assertIn(f"# TYPE {family} ", response.text)
        self.assertIn('dg_approvals_pending{age="lt_1h"}', response.text)
        self.assertIn(third, self.Delivery.search([("state", "=", "pending")]))

    def test_counters_survive_compaction(self):
        Counter = self.env["governance.outbox.counter"]
        for _index in range(3):
            Counter._count(self.subscription.id, "delivered")
            self.env.cr.flush()
        Counter._count(self.subscription.id, "dead_lettered")
        self.env.cr.flush()
        rows = Counter.search([("subscription_id", "=", self.subscription.id)])
        self.assertEqual(len(rows), 4)
        Counter._compact()
        Counter.invalidate_model()
        rows = Counter.search([("subscription_id", "=", self.subscription.id)])
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows.delivered, rows.failed, rows.dead_lettered), (3, 1, 1))


@tagged("post_install", "-at_install")
class TestMetricsApprovals(GovernanceCase):
    """Approval figures: pending by age bucket, past SLA, cycle-time summary."""

    def values(self):
        """Each sample line's value by its name and labels. Metrics count the whole database, where
        tests that commit (the concurrency ones) may have left requests: compare with a baseline."""
        return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
                for line in self.env["governance.metrics"]._render().splitlines() if line and not line.startswith("#")}

    def test_pending_buckets_and_cycle_time(self):
        before = self.values()
        pending = self.create_order(2500)
        pending.with_user(self.buyer).button_confirm()
        request = self.request_of(pending)
        self.approved_order(2500)
        self.env.flush_all()
        self.env.cr.execute("UPDATE governance_approval_request SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=30), request.id])
        self.env.cr.execute("UPDATE governance_approval_review SET date_due = %s WHERE request_id = %s",
                            [fields.Datetime.now() - timedelta(hours=1), request.id])
        after = self.values()
        added = {name: after[name] - before.get(name, 0.0) for name in (
            'dg_approvals_pending{age="1d_3d"}', 'dg_approvals_pending{age="lt_1h"}',
            'dg_approval_reviews_past_sla{escalated="false"}', "dg_approval_cycle_hours_count")}
        self.assertEqual(added, {'dg_approvals_pending{age="1d_3d"}': 1, 'dg_approvals_pending{age="lt_1h"}': 0,
                                 'dg_approval_reviews_past_sla{escalated="false"}': 1, "dg_approval_cycle_hours_count": 1})
