import unittest

from odoo.tests import tagged

from .outbox_common import HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON, OutboxCase, verify_with_typescript


@tagged("post_install", "-at_install")
class TestApprovalEvents(OutboxCase):
    """The approval engine writes its events into the outbox where the change happens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = cls.env["res.users"].create({
            "name": "Outbox Approver", "login": "dg_outbox_approver", "email": "approver@outbox.example",
            "groups_id": [(6, 0, [cls.env.ref("distribution_governance.group_approver").id,
                                  cls.env.ref("purchase.group_purchase_manager").id])],
        })
        policy = cls.env["governance.policy"].create({"name": "Outbox purchasing"})
        cls.env["governance.policy.rule"].create({
            "policy_id": policy.id, "code": "po-100", "reason": "Spend of 100 or more",
            "document_type": "purchase.order", "action": "require_tier", "tier_name": "Purchasing approver",
            "approver_user_ids": [(6, 0, cls.approver.ids)], "min_approvals": 1, "sla_hours": 24,
            "condition_ids": [(0, 0, {"fact": "amount", "op": "gte", "value": "100.00"})],
        })
        policy.action_activate()
        cls.product = cls.env["product.product"].create({"name": "Outbox widget", "standard_price": 50.0})

    def submit_order(self, price):
        order = self.env["purchase.order"].with_user(self.buyer).create({
            "partner_id": self.vendor.id,
            "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 1, "price_unit": price})],
        })
        order.button_confirm()
        return order

    def events_of(self, order):
        return self.Event.search([("subject", "=", f"purchase.order/{order.id}")], order="sequence")

    def test_requested_decided_completed_in_order(self):
        subscription = self.make_subscription(event_types=["approval.requested", "approval.decided",
                                                           "approval.completed"])
        order = self.submit_order(500)
        [requested] = self.events_of(order)
        data = requested.envelope()["data"]
        self.assertEqual(requested.event_type, "approval.requested")
        self.assertEqual((data["outcome"], data["matched_rules"], data["document"]["amount"]),
                         ("needs_approval", ["po-100"], "500.00"))
        self.assertEqual(data["pending_reviews"][0]["eligible_approvers"][0]["login"], self.approver.login)
        self.assertEqual(data["requester"]["login"], self.buyer.login)

        review = order.governance_request_id.review_ids
        review.with_user(self.approver)._decide(self.approver, "approve")
        events = self.events_of(order)
        # The released order then awaits its supplier (supplier confirmations).
        self.assertEqual(events.mapped("event_type"), ["approval.requested", "approval.decided", "approval.completed",
                                                       "supplier_confirmation.requested"])
        self.assertEqual(events.mapped("sequence"), [1, 2, 3, 4])
        self.assertEqual(events[2].envelope()["data"]["result"], "approved")
        self.assertEqual(events[1].envelope()["data"]["actor"]["login"], self.approver.login)

        for _batch in range(3):
            self.dispatch()
        self.assertEqual([event["type"] for event in self.receiver.events()],
                         ["approval.requested", "approval.decided", "approval.completed"])
        if HAS_TYPESCRIPT_VERIFIER:
            results = verify_with_typescript([
                {"secrets": [subscription.secret], "headers": request["headers"], "body": request["body"]}
                for request in self.receiver.requests])
            self.assertEqual([(result["signature"], result["schema_errors"]) for result in results], [("valid", [])] * 3)

    def test_rejection_and_cancellation_complete_the_request(self):
        order = self.submit_order(400)
        review = order.governance_request_id.review_ids
        review._decide(self.approver, "reject", comment="Too expensive")
        events = self.events_of(order)
        self.assertEqual(events.mapped("event_type"), ["approval.requested", "approval.decided", "approval.completed"])
        self.assertEqual(events[2].envelope()["data"]["result"], "rejected")

        other = self.submit_order(300)
        other.button_cancel()
        self.assertEqual(self.events_of(other).mapped("event_type"), ["approval.requested", "approval.completed"])
        self.assertEqual(self.events_of(other)[1].envelope()["data"]["result"], "cancelled")

    def test_escalation_is_an_event(self):
        order = self.submit_order(200)
        review = order.governance_request_id.review_ids
        review._escalate("sla_expired")
        event = self.events_of(order)[-1]
        self.assertEqual(event.event_type, "approval.escalated")
        self.assertEqual(event.envelope()["data"]["reason"], "sla_expired")

    def test_straight_through_emits_nothing_and_a_rollback_emits_nothing(self):
        order = self.submit_order(20)
        self.assertEqual(order.state, "purchase")
        # No approval event; the released order only awaits its supplier.
        self.assertEqual(self.events_of(order).mapped("event_type"), ["supplier_confirmation.requested"])
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.submit_order(500)
            raise ZeroDivisionError
        self.assertFalse(self.Event.search([("event_type", "=", "approval.requested"),
                                            ("create_uid", "=", self.buyer.id)]))

    @unittest.skipUnless(HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON)
    def test_every_emitted_event_matches_the_contract(self):
        order = self.submit_order(500)
        order.governance_request_id.review_ids._decide(self.approver, "request_changes", comment="Split the order")
        held = self.env["governance.exception"].create({
            "exception_type_id": self.env.ref("distribution_governance.exception_type_credit_hold").id,
            "summary": "Held", "res_model": "purchase.order", "res_id": order.id, "document_name": order.name,
        })
        held._close("resolved", "Paid")
        events = self.Event.search([])
        results = verify_with_typescript([
            {"secrets": ["whsec_" + "A" * 32], "headers": {}, "body": event.body} for event in events])
        self.assertEqual({result["type"]: result["schema_errors"] for result in results},
                         {event_type: [] for event_type in set(events.mapped("event_type"))})
