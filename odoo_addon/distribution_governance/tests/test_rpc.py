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
