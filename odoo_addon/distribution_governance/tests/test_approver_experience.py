import json

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestApproverExperience(GovernanceCase):
    """My Approvals at a glance, bulk approval, password-confirmed tiers, reassignment, revocation,
    the policy's conditions in words and the policy test wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ops_rule = cls.policy.rule_ids.filtered(lambda rule: rule.code == "po-10k-ops")

    def submitted(self, amount, **vals):
        order = self.create_order(amount, **vals)
        order.with_user(self.buyer).button_confirm()
        return order

    def audit_events(self, order):
        return self.env["governance.audit.log"].search([("request_id", "=", self.request_of(order).id)]).mapped("event")

    def test_my_approvals_shows_what_for_whom_how_much_why(self):
        order = self.submitted(5000)
        review = self.review(order, "Purchasing").with_user(self.alice)
        self.assertEqual(review.counterparty, "Acme Parts")
        self.assertEqual(review.amount_company, 5000)
        self.assertEqual(review.reasons_line, "Spend of 1,000 or more")
        self.assertEqual(review.document_type, "Purchase Order")
        self.assertEqual(review.progress, "0 of 1 approvals · level 1 of 1")
        self.assertEqual(review.due_urgency, "later")
        self.assertFalse(review.delegated_to_me)
        Review = self.env["governance.approval.review"]
        self.assertIn(review, Review.with_user(self.alice).search([("can_decide", "=", True)]))
        self.assertFalse(Review.with_user(self.alice).search([("is_overdue", "=", True)]))
        # Eve substitutes Alice: the review is delegated to her, not to Alice.
        self.env["governance.delegation"].create({"user_id": self.alice.id, "delegate_id": self.eve.id,
                                                  "date_from": "2000-01-01", "date_to": "2999-12-31"})
        self.assertEqual(Review.with_user(self.eve).search([("delegated_to_me", "=", True)]), review)
        self.assertFalse(Review.with_user(self.alice).search([("delegated_to_me", "=", True)]))
        groups = Review.with_user(self.alice).read_group([("can_decide", "=", True)], ["amount_company:sum"],
                                                         ["document_type"])
        self.assertEqual(groups[0]["document_type"], "Purchase Order")

    def test_bulk_approve_five_routine_orders_and_refuse_the_sixth_by_name(self):
        routine = [self.submitted(1000 + index) for index in range(5)]
        big = self.submitted(20000)  # Alice is in Finance, but level 2 has not opened yet
        reviews = self.env["governance.approval.review"].browse(
            [self.review(order, "Purchasing").id for order in routine] + [self.review(big, "Finance").id])
        approved, refused = reviews.with_user(self.alice)._bulk_approve(self.alice)
        self.assertEqual(len(approved), 5)
        self.assertEqual([order.state for order in routine], ["purchase"] * 5)
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused[0][0], self.review(big, "Finance"))
        self.assertIn("[dg:not_open]", refused[0][1])
        self.assertFalse(self.review(big, "Finance").decision_ids, "nothing half-done on the refused one")
        action = reviews.with_user(self.alice).action_bulk_approve()
        self.assertIn(big.name, action["params"]["message"])
        # Each one is checked as if alone: the requester approves nothing, even in bulk.
        other = self.submitted(3000)
        approved, refused = self.review(other, "Purchasing").with_user(self.buyer)._bulk_approve(self.buyer)
        self.assertFalse(approved)
        self.assertIn("[dg:segregation_of_duties]", refused[0][1])

    def test_password_tier_asks_for_the_password_and_refuses_links_and_api(self):
        self.ops_rule.confirm_with_password = True
        self.assertTrue(json.loads(self.policy._current_version().document)["rules"][2]["tier"]["confirm_with_password"])
        order = self.submitted(20000)
        self.decide(order, "Purchasing", self.alice)
        ops = self.review(order, "Operations")
        self.assertTrue(ops.confirm_with_password)
        with self.assertRaisesRegex(AccessError, r"\[dg:password_required\]"):
            ops.with_user(self.olga)._decide(self.olga, "approve")
        with self.assertRaisesRegex(AccessError, r"\[dg:password_required\]"):
            self.env["governance.api"].with_user(self.integration).decide(
                {"review_id": ops.id, "actor": "olga", "outcome": "approve", "idempotency_key": "password-tier-1"})
        approved, refused = ops.with_user(self.olga)._bulk_approve(self.olga)
        self.assertFalse(approved)
        self.assertIn("password", refused[0][1])
        action = ops.with_user(self.olga).action_approve()
        self.assertEqual(action["res_model"], "governance.decision.wizard")
        # The document form's own Approve button asks for the password the same way.
        from_form = order.with_user(self.olga).action_governance_approve()
        self.assertEqual((from_form["res_model"], from_form["context"]), (action["res_model"], action["context"]))
        Wizard = self.env["governance.decision.wizard"].with_user(self.olga).with_context(action["context"])
        with self.assertRaisesRegex(AccessError, r"\[dg:password_required\]"):
            Wizard.create({"password": "wrong"}).action_confirm()
        self.assertFalse(ops.decision_ids)
        Wizard.create({"password": "olga-pass-1234"}).action_confirm()
        self.assertEqual((ops.state, ops.decision_ids.user_id), ("approved", self.olga))

    def test_manager_reassigns_a_waiting_review_with_a_reason(self):
        order = self.submitted(5000)
        review = self.review(order, "Purchasing")
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            review.with_user(self.alice)._reassign(self.alice, self.eve, "away", self.alice)
        with self.assertRaisesRegex(ValidationError, r"\[dg:comment_required\]"):
            review._reassign(self.alice, self.eve, " ", self.manager)
        with self.assertRaisesRegex(AccessError, r"\[dg:not_eligible\]"):
            review._reassign(self.alice, self.buyer, "the requester", self.manager)
        wizard = self.env["governance.review.reassign.wizard"].with_user(self.manager).create({
            "review_id": review.id, "from_user_id": self.alice.id, "to_user_id": self.eve.id, "reason": "Alice is away"})
        wizard.action_confirm()
        self.assertEqual(review.eligible_user_ids, self.eve)
        entry = self.env["governance.audit.log"].search([("event", "=", "review_reassigned"), ("review_id", "=", review.id)])
        self.assertEqual(entry.actor_id, self.manager)
        self.assertIn("Alice is away", entry.summary)
        with self.assertRaisesRegex(AccessError, r"\[dg:not_eligible\]"):
            review._decide(self.alice, "approve")
        review._decide(self.eve, "approve")
        self.assertEqual(order.state, "purchase")
        # One person cannot satisfy two tiers, reassigned or not.
        big = self.submitted(20000)
        self.decide(big, "Purchasing", self.alice)
        with self.assertRaisesRegex(AccessError, r"\[dg:segregation_of_duties\]"):
            self.review(big, "Operations")._reassign(self.olga, self.alice, "cover", self.manager)

    def test_approver_revokes_their_approval_while_pending(self):
        order = self.submitted(20000)
        purchasing, finance, ops = (self.review(order, name) for name in ("Purchasing", "Finance", "Operations"))
        self.decide(order, "Purchasing", self.alice)
        self.assertEqual((finance.state, ops.state), ("pending", "pending"))
        self.assertTrue(purchasing.with_user(self.alice).can_revoke)
        with self.assertRaisesRegex(UserError, r"\[dg:not_found\]"):
            purchasing.with_user(self.carol)._revoke_approval(self.carol)
        purchasing.with_user(self.alice).action_revoke_approval()
        self.assertEqual((purchasing.state, finance.state, ops.state), ("pending", "waiting", "waiting"))
        self.assertEqual((purchasing.approval_count, self.request_of(order).current_level), (0, 1))
        self.assertTrue(purchasing.decision_ids.revoked)
        self.assertIn("approval_revoked", self.audit_events(order))
        self.assertEqual(order.state, "to approve")
        # The tier reopened: Alice (or anyone eligible) decides again.
        self.decide(order, "Purchasing", self.alice)
        self.assertEqual(finance.state, "pending")
        done = self.submitted(5000)
        self.decide(done, "Purchasing", self.alice)
        with self.assertRaisesRegex(UserError, r"\[dg:not_pending\]"):
            self.review(done, "Purchasing")._revoke_approval(self.alice)

    def test_policy_conditions_in_words_and_test_wizard(self):
        currency = self.company.currency_id.name
        rules = {rule.code: rule for rule in self.policy.rule_ids}
        self.assertEqual(rules["po-1k"].conditions_text, f"amount ≥ 1,000 {currency}")
        self.assertEqual(rules["po-risk-high"].conditions_text, "vendor risk is high")
        self.assertEqual(dict(self.env["governance.policy.condition"]._fields["op"].selection)["gte"], "at least (≥)")
        counts = [self.env[model].search_count([]) for model in (
            "governance.approval.request", "governance.audit.log", "governance.event")]
        Wizard = self.env["governance.policy.test.wizard"].with_user(self.manager)
        wizard = Wizard.create({"policy_id": self.policy.id, "source": "facts", "document_type": "purchase.order",
                                "facts_json": json.dumps({"amount": "20000", "vendor_risk": "low", "urgency": "normal"})})
        wizard.action_run()
        self.assertEqual(wizard.outcome, "Needs approval")
        self.assertIn("Spend of 10,000 or more", wizard.reasons)
        self.assertEqual(wizard.tiers, "Level 1: Purchasing\nLevel 2: Finance, Operations")
        order = self.create_order(500)
        wizard = Wizard.create({"policy_id": self.policy.id, "source": "document",
                                "document_ref": f"purchase.order,{order.id}"})
        wizard.action_run()
        self.assertEqual(wizard.outcome, "Straight through (no approval needed)")
        with self.assertRaisesRegex(ValidationError, r"\[dg:invalid_params\]"):
            Wizard.create({"policy_id": self.policy.id, "source": "facts", "document_type": "purchase.order",
                           "facts_json": "[1"}).action_run()
        self.assertEqual(counts, [self.env[model].search_count([]) for model in (
            "governance.approval.request", "governance.audit.log", "governance.event")], "the test creates nothing")

    def test_approval_requested_carries_what_the_approver_message_shows(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://erp.acme.example")
        self.alice.write({"lang": "en_US", "tz": "Europe/Brussels"})
        order = self.submitted(5000)
        event = self.env["governance.event"].sudo().search(
            [("event_type", "=", "approval.requested"), ("subject", "=", f"purchase.order/{order.id}")], limit=1)
        data = json.loads(event.body)["data"]
        document = data["document"]
        self.assertEqual(document["counterparty"], "Acme Parts")
        self.assertEqual(document["url"], f"https://erp.acme.example/odoo/purchase.order/{order.id}")
        self.assertEqual(document["lines"], [{"product": "Bearing 6204", "quantity": "1.000", "uom": "Units",
                                              "price_unit": "5000.00", "price_display": document["lines"][0]["price_display"]}])
        self.assertIn("5,000.00", document["amount_display"])
        review = data["pending_reviews"][0]
        self.assertFalse(review["confirm_with_password"])
        approver = review["eligible_approvers"][0]
        self.assertEqual((approver["login"], approver["lang"], approver["tz"]), ("alice", "en_US", "Europe/Brussels"))
        self.assertTrue(approver["due_local"])
