from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestReviews(GovernanceCase):
    def test_two_levels_parallel_tiers_and_n_of_m(self):
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        request = self.request_of(order)
        purchasing, finance, ops = (self.review(order, name) for name in ("Purchasing", "Finance", "Operations"))
        self.assertEqual((purchasing.state, finance.state, ops.state), ("pending", "waiting", "waiting"))
        # Level 2 cannot be decided before level 1 is complete.
        with self.assertRaisesRegex(UserError, r"waits for level 1 to finish\. \[dg:not_open\]"):
            finance._decide(self.fay, "approve")
        self.decide(order, "Purchasing", self.alice)
        self.assertEqual((purchasing.state, finance.state, ops.state), ("approved", "pending", "pending"))
        self.assertEqual(request.current_level, 2)
        self.assertEqual(finance.eligible_user_ids, self.fay | self.finn | self.alice)
        self.decide(order, "Finance", self.fay)
        self.assertEqual((finance.state, finance.approval_count), ("pending", 1))
        self.decide(order, "Operations", self.olga)
        self.assertEqual(order.state, "to approve")
        self.decide(order, "Finance", self.finn)
        self.assertEqual(finance.state, "approved")
        self.assertEqual(request.state, "approved")
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.governance_state, "approved")
        self.assertEqual(len(request.decision_ids), 4)
        events = self.env["governance.audit.log"].search([("request_id", "=", request.id)]).mapped("event")
        self.assertEqual(events.count("decision"), 4)
        self.assertIn("request_completed", events)

    def test_cycle_time_for_reporting(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        request = self.request_of(order)
        self.assertEqual(request.cycle_hours, 0, "not decided yet")
        self.env.flush_all()
        self.env.cr.execute("UPDATE governance_approval_request SET create_date = create_date - interval '5 hours'"
                            " WHERE id = %s", request.ids)
        request.invalidate_recordset(["create_date"])
        self.decide(order, "Purchasing", self.alice)
        self.assertAlmostEqual(request.cycle_hours, 5.0, delta=0.1)
        [group] = self.env["governance.approval.request"]._read_group(
            [("id", "=", request.id)], [], ["cycle_hours:avg"])
        self.assertAlmostEqual(group[0], 5.0, delta=0.1)

    def test_requester_never_approves_own_request(self):
        # Alice buys: she is the requester, so she is not eligible on the Purchasing tier she would
        # approve (Carol is; with nobody else the order would be held, see test_unmeetable_tiers).
        self.policy.rule_ids.filtered(lambda rule: rule.code == "po-1k").approver_user_ids |= self.carol
        order = self.create_order(5000, user=self.alice)
        order.with_user(self.alice).button_confirm()
        review = self.review(order, "Purchasing")
        self.assertEqual(review.eligible_user_ids, self.carol)
        self.assertFalse(review.with_user(self.alice).can_decide)
        with self.assertRaisesRegex(AccessError, "dg:segregation_of_duties"):
            review.with_user(self.alice)._decide(self.alice, "approve")
        with self.assertRaisesRegex(UserError, "dg:not_eligible"):
            order.with_user(self.alice).action_governance_approve()

    def test_one_person_cannot_satisfy_two_tiers(self):
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.decide(order, "Purchasing", self.alice)
        finance = self.review(order, "Finance")
        self.assertIn(self.alice, finance.eligible_user_ids)
        self.assertFalse(finance.with_user(self.alice).can_decide)
        with self.assertRaisesRegex(AccessError, "one person cannot satisfy two tiers"):
            finance._decide(self.alice, "approve")
        self.assertEqual(finance.approval_count, 0)

    def test_same_person_counts_once_within_a_tier(self):
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.decide(order, "Purchasing", self.alice)
        self.decide(order, "Finance", self.fay)
        with self.assertRaisesRegex(UserError, "already approved"):
            self.decide(order, "Finance", self.fay)

    def test_only_eligible_approvers_decide(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        review = self.review(order, "Purchasing")
        for user in (self.outsider, self.manager, self.purchase_manager):
            with self.assertRaisesRegex(AccessError, "dg:not_eligible"):
                review._decide(user, "approve")
        self.assertFalse(order.with_user(self.outsider).governance_can_decide)
        self.assertTrue(order.with_user(self.alice).governance_can_decide)

    def test_reject_needs_comment_and_cancels(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        with self.assertRaisesRegex(ValidationError, "dg:comment_required"):
            self.decide(order, "Purchasing", self.alice, "reject")
        with self.assertRaisesRegex(ValidationError, "dg:comment_required"):
            self.decide(order, "Purchasing", self.alice, "reject", comment="   ")
        self.decide(order, "Purchasing", self.alice, "reject", comment="Buy from the framework agreement")
        self.assertEqual(self.request_of(order).state, "rejected")
        self.assertEqual(order.state, "cancel")
        self.assertIn("Buy from the framework agreement", order.governance_summary)

    def test_request_changes_returns_to_draft_and_keeps_history(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        first = self.request_of(order)
        self.decide(order, "Purchasing", self.alice, "request_changes", comment="Split into two deliveries")
        self.assertEqual(order.state, "draft")
        self.assertEqual(first.state, "changes_requested")
        order.with_user(self.buyer).button_confirm()
        second = self.request_of(order)
        self.assertNotEqual(first, second)
        self.assertEqual(order.governance_request_ids, first | second)
        self.assertEqual(first.decision_ids.comment, "Split into two deliveries")

    def test_approve_with_conditions_records_and_shows_them(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        with self.assertRaisesRegex(ValidationError, "needs the conditions"):
            self.decide(order, "Purchasing", self.alice, "approve_with_conditions", comment="ok")
        self.decide(order, "Purchasing", self.alice, "approve_with_conditions", comment="Fine for this quarter",
                    conditions="Deliver before month end")
        request = self.request_of(order)
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.conditions, "Deliver before month end")
        self.assertIn("Conditions: Deliver before month end", order.governance_summary)
        self.assertEqual(order.state, "purchase")

    def test_manual_escalation_adds_the_target(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        review = self.review(order, "Purchasing")
        self.decide(order, "Purchasing", self.alice, "escalate")
        self.assertTrue(review.escalated)
        self.assertEqual(review.eligible_user_ids, self.alice | self.carol)
        self.decide(order, "Purchasing", self.carol)
        self.assertEqual(order.state, "purchase")

    def test_decision_wizard_and_buttons(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        action = order.with_user(self.alice).with_context(governance_outcome="reject").action_governance_decide()
        wizard = self.env["governance.decision.wizard"].with_user(self.alice).with_context(action["context"]).create(
            {"comment": "Too expensive"})
        wizard.action_confirm()
        self.assertEqual(order.state, "cancel")

    def test_delegation_routes_to_substitute_and_audit_names_both(self):
        today = date.today()
        self.env["governance.delegation"].with_user(self.alice).create({
            "delegate_id": self.eve.id, "date_from": today, "date_to": today + timedelta(days=3), "reason": "Holiday",
        })
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        review = self.review(order, "Purchasing")
        self.assertTrue(review.with_user(self.eve).can_decide)
        self.assertIn(review, self.env["governance.approval.review"].with_user(self.eve).search([("can_decide", "=", True)]))
        self.assertTrue(order.activity_ids.filtered(lambda activity: activity.user_id == self.eve))
        decision = self.decide(order, "Purchasing", self.eve)
        self.assertEqual((decision.user_id, decision.on_behalf_of_id), (self.eve, self.alice))
        self.assertEqual(order.state, "purchase")
        entry = self.env["governance.audit.log"].search([("event", "=", "decision"), ("request_id", "=", review.request_id.id)])
        self.assertEqual((entry.actor_id, entry.on_behalf_of_id), (self.eve, self.alice))
        self.assertIn("eve on behalf of alice", entry.summary)

    def test_delegation_outside_its_dates_gives_nothing(self):
        today = date.today()
        self.env["governance.delegation"].with_user(self.alice).create({
            "delegate_id": self.eve.id, "date_from": today + timedelta(days=5), "date_to": today + timedelta(days=6),
        })
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        with self.assertRaisesRegex(AccessError, "dg:not_eligible"):
            self.decide(order, "Purchasing", self.eve)

    def test_a_delegate_cannot_approve_what_they_requested(self):
        today = date.today()
        self.env["governance.delegation"].with_user(self.alice).create(
            {"delegate_id": self.buyer.id, "date_from": today, "date_to": today})
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        with self.assertRaisesRegex(AccessError, "dg:segregation_of_duties"):
            self.decide(order, "Purchasing", self.buyer)

    def test_delegation_validation_and_audit(self):
        today = date.today()
        Delegation = self.env["governance.delegation"].with_user(self.alice)
        Delegation.create({"delegate_id": self.eve.id, "date_from": today, "date_to": today + timedelta(days=2)})
        with self.assertRaisesRegex(ValidationError, "already has a substitute"):
            Delegation.create({"delegate_id": self.carol.id, "date_from": today + timedelta(days=1), "date_to": today + timedelta(days=4)})
        entries = self.env["governance.audit.log"].search([("event", "=", "delegation")])
        self.assertEqual(entries.on_behalf_of_id, self.alice)
        # Someone else cannot name a substitute for Alice.
        with self.assertRaises(AccessError):
            self.env["governance.delegation"].with_user(self.carol).create({
                "user_id": self.alice.id, "delegate_id": self.carol.id, "date_from": today + timedelta(days=9),
                "date_to": today + timedelta(days=10),
            })
