from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestPurchaseGovernance(GovernanceCase):
    def test_straight_through_confirms_as_today(self):
        order = self.create_order(500)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertFalse(self.request_of(order))
        self.assertEqual(order.governance_state, "straight_through")
        entry = self.env["governance.audit.log"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)])
        self.assertEqual(entry.event, "straight_through")

    def test_needing_approval_waits_in_to_approve(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")
        request = self.request_of(order)
        self.assertEqual((request.state, request.outcome), ("pending", "needs_approval"))
        self.assertEqual(request.matched_rules, "po-1k")
        self.assertEqual(request.policy_version_id, self.policy._current_version())
        self.assertEqual(request.requester_id, self.buyer)
        review = request.review_ids
        self.assertEqual((review.tier_name, review.state, review.eligible_user_ids), ("Purchasing", "pending", self.alice))
        self.assertTrue(review.date_due)
        self.assertEqual(order.governance_state, "pending")
        self.assertIn("Purchasing: 0 of 1 approvals, with Alice", order.governance_summary)
        activity = order.activity_ids.filtered(lambda activity: activity.user_id == self.alice)
        self.assertEqual(activity.activity_type_id, self.env.ref("distribution_governance.mail_activity_type_approval"))

    def test_every_path_to_confirmed_is_refused_while_pending(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        with self.assertRaisesRegex(UserError, r"waiting for approval.*\[dg:approval_required\]"):
            order.with_user(self.purchase_manager).button_approve()
        with self.assertRaisesRegex(UserError, "dg:approval_required"):
            order.sudo().button_approve(force=True)
        with self.assertRaisesRegex(UserError, "dg:approval_required"):
            order.sudo().write({"state": "purchase"})
        # Confirming again does nothing, as in Odoo: the order is past draft.
        request = self.request_of(order)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertEqual((self.request_of(order), request.state), (request, "pending"))

    def test_pending_order_cannot_change_what_approvers_decide_on(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        line = order.order_line
        with self.assertRaisesRegex(UserError, r" is waiting for approval.*\[dg:approval_pending\]"):
            line.with_user(self.buyer).write({"price_unit": 900})
        with self.assertRaisesRegex(UserError, "dg:approval_pending"):
            order.with_user(self.buyer).write({"order_line": [Command.create({"product_id": self.product.id, "price_unit": 1})]})
        with self.assertRaisesRegex(UserError, "dg:approval_pending"):
            line.with_user(self.buyer).unlink()
        with self.assertRaisesRegex(UserError, "dg:approval_pending"):
            order.with_user(self.buyer).write({"partner_id": self.env["res.partner"].create({"name": "Other"}).id})
        # Fields the policy does not read stay editable, and after a decision the lock is gone.
        order.with_user(self.buyer).write({"partner_ref": "SUP-4711"})
        line.with_user(self.buyer).write({"name": "Bearing 6204, sealed"})
        self.decide(order, "Purchasing", self.alice, "request_changes", comment="Cheaper, please")
        line.with_user(self.buyer).write({"price_unit": 900})
        self.assertEqual(order.amount_untaxed, 900)

    def test_creating_a_confirmed_order_is_refused(self):
        with self.assertRaisesRegex(UserError, "needs approval"):
            self.create_order(5000, user=self.env.user, state="purchase")
        order = self.create_order(100, state="purchase")
        self.assertEqual(order.state, "purchase")

    def test_block_refuses_with_reasons(self):
        self.vendor.governance_vendor_risk = "high"
        order = self.create_order(100)
        with self.assertRaisesRegex(UserError, "blocked by policy Purchasing approvals .*High-risk vendors are blocked"):
            order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.request_of(order))

    def test_missing_fact_holds_and_names_it(self):
        self.vendor.governance_vendor_risk = False
        order = self.create_order(100)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "draft")
        request = self.request_of(order)
        self.assertEqual((request.state, request.outcome, request.missing_facts), ("pending", "hold", "vendor_risk"))
        self.assertFalse(request.review_ids)
        self.assertEqual(order.governance_state, "hold")
        self.assertIn("Missing data: vendor_risk", order.governance_summary)
        with self.assertRaisesRegex(UserError, "on hold"):
            order.sudo().button_approve()
        # With the data, submitting again evaluates afresh and the order flows straight through.
        self.vendor.governance_vendor_risk = "low"
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(request.state, "cancelled")

    def test_hold_rule(self):
        order = self.create_order(100, governance_urgency="emergency")
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.request_of(order).outcome, "hold")
        self.assertIn("Emergency orders are checked by the planner first", order.governance_summary)

    def test_change_after_approval_needs_new_approval(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        self.decide(order, "Purchasing", self.alice)
        self.assertEqual(order.state, "purchase")
        # Back to draft, raise the amount: the old approval no longer covers the order.
        order.sudo().button_cancel()
        order.sudo().button_draft()
        order.order_line.price_unit = 20000
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertEqual(self.request_of(order).matched_rules, "po-1k, po-10k-finance, po-10k-ops")

    def test_no_active_policy_means_not_governed(self):
        self.policy.action_retire()
        order = self.create_order(50000)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.governance_state, "not_governed")

    def test_cancel_cancels_the_pending_request(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        request = self.request_of(order)
        order.with_user(self.buyer).button_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(request.review_ids.state, "cancelled")
        self.assertFalse(order.activity_ids.filtered(lambda activity: activity.user_id == self.alice))

    def test_facts(self):
        order = self.create_order(1234.5)
        facts = order._governance_facts()
        self.assertEqual(facts["amount"], "1234.50")
        self.assertEqual(facts["product_categories"], ["All", "All / Spare parts"])
        self.assertIs(facts["vendor_preferred"], True)
        self.assertEqual((facts["vendor_risk"], facts["urgency"], facts["origin"]), ("low", "normal", "manual"))
        other = self.env["res.partner"].create({"name": "Other vendor", "governance_vendor_risk": "low"})
        self.assertIs(self.create_order(10, vendor=other)._governance_facts()["vendor_preferred"], False)
