from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestOverRpc(GovernanceCase, HttpCase):
    """The offending users call Odoo's external API themselves, as n8n or a script would."""

    def call(self, user, model, method, *args):
        return self.xmlrpc_object.execute(self.env.cr.dbname, user.id, f"{user.login}-pass-1234", model, method, *args)

    def setUp(self):
        super().setUp()
        self.order = self.create_order(5000)
        self.call(self.buyer, "purchase.order", "button_confirm", [self.order.id])
        self.review_rec = self.review(self.order, "Purchasing")

    @mute_logger("odoo.http")
    def test_pending_order_cannot_be_confirmed_over_rpc(self):
        self.assertEqual(self.order.state, "to approve")
        with self.assertRaisesRegex(Fault, "dg:approval_required"):
            self.call(self.purchase_manager, "purchase.order", "button_approve", [self.order.id])
        with self.assertRaisesRegex(Fault, "dg:approval_required"):
            self.call(self.purchase_manager, "purchase.order", "write", [self.order.id], {"state": "purchase"})
        self.assertEqual(self.order.state, "to approve")

    @mute_logger("odoo.http")
    def test_requester_and_strangers_cannot_decide_over_rpc(self):
        payload = {"review_id": self.review_rec.id, "actor": "buyer", "outcome": "approve", "idempotency_key": "rpc-key-0001"}
        with self.assertRaisesRegex(Fault, "dg:forbidden"):
            self.call(self.buyer, "governance.api", "decide", payload)
        with self.assertRaisesRegex(Fault, "dg:not_eligible"):
            self.call(self.outsider, "governance.api", "decide", dict(payload, actor="outsider"))
        with self.assertRaisesRegex(Fault, "dg:segregation_of_duties"):
            self.call(self.integration, "governance.api", "decide", payload)
        with self.assertRaises(Fault):
            self.call(self.buyer, "governance.approval.review", "write", [self.review_rec.id], {"state": "approved"})
        with self.assertRaisesRegex(Fault, "dg:not_eligible"):
            self.call(self.outsider, "purchase.order", "action_governance_approve", [self.order.id])
        self.assertEqual(self.order.state, "to approve")

    def test_eligible_approver_decides_over_rpc(self):
        self.call(self.alice, "purchase.order", "action_governance_approve", [self.order.id])
        self.assertEqual(self.order.state, "purchase")

    @mute_logger("odoo.http")
    def test_blocked_attempt_is_refused_and_recorded(self):
        self.vendor.governance_vendor_risk = "high"
        order = self.create_order(100)
        with self.assertRaisesRegex(Fault, "blocked by policy Purchasing approvals .*High-risk vendors are blocked"):
            self.call(self.buyer, "purchase.order", "button_confirm", [order.id])
        self.assertEqual(order.state, "draft")
        # The refusal rolled the buyer's transaction back; the attempt was recorded after it.
        request = self.request_of(order)
        self.assertEqual((request.state, request.outcome, request.requester_id), ("blocked", "blocked", self.buyer))
        self.assertEqual(request.matched_rules, "po-risk-high")
        self.assertEqual(order.governance_state, "blocked")
        self.assertIn("High-risk vendors are blocked", order.governance_summary)
        entry = self.env["governance.audit.log"].search([("request_id", "=", request.id)])
        self.assertEqual((entry.event, entry.actor_id), ("request_blocked", self.buyer))
        event = self.env["governance.event"].search([("subject", "=", f"purchase.order/{order.id}")])
        self.assertEqual(event.event_type, "approval.requested")
        self.assertIn('"outcome":"blocked"', event.body)
        # With a vendor the policy allows, confirming again goes through.
        self.vendor.governance_vendor_risk = "low"
        self.call(self.buyer, "purchase.order", "button_confirm", [order.id])
        self.assertEqual(order.state, "purchase")
