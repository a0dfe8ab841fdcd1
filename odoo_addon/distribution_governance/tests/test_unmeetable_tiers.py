import json

from odoo import Command
from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestUnmeetableTiers(GovernanceCase):
    """A tier with fewer eligible approvers than its minimum holds the request instead of waiting for ever."""

    def rule(self, code):
        return self.policy.rule_ids.filtered(lambda rule: rule.code == code)

    def assert_held(self, order, reason):
        self.assertEqual(order.state, "draft")
        request = self.request_of(order)
        self.assertEqual((request.state, request.outcome), ("pending", "hold"))
        self.assertFalse(request.review_ids)
        self.assertIn(reason, request.reasons)
        self.assertEqual(order.governance_state, "hold")
        self.assertIn(reason, order.governance_summary)
        self.assertIn(reason, order.message_ids[0].body)
        entry = self.env["governance.audit.log"].search([("request_id", "=", request.id)])
        self.assertEqual(entry.event, "request_held")
        self.assertIn(reason, entry.summary)
        event = self.env["governance.event"].search([("subject", "=", f"purchase.order/{order.id}")])
        data = json.loads(event.body)["data"]
        self.assertEqual(data["outcome"], "hold")
        self.assertTrue(any(reason in item["text"] for item in data["reasons"] if item["action"] == "hold"), data["reasons"])
        return request

    def test_requester_excluded_leaves_the_tier_short(self):
        self.finance_group.users = [Command.unlink(self.alice.id)]
        order = self.create_order(20000, user=self.fay)
        order.with_user(self.fay).button_confirm()
        request = self.assert_held(order, "Finance needs 2 approvers but only 1 is eligible (the requester is excluded)")
        self.assertEqual(request.requester_id, self.fay)
        # Once the group has enough people, confirming again routes the order.
        self.finance_group.users = [Command.link(self.eve.id)]
        order.with_user(self.fay).button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(self.review(order, "Finance").state, "waiting")

    def test_inactive_approvers_do_not_count(self):
        (self.fay | self.finn).active = False
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.assert_held(order, "Finance needs 2 approvers but only 1 is eligible (2 inactive users are excluded)")

    def test_named_user_who_is_the_requester(self):
        order = self.create_order(5000, user=self.alice)
        order.with_user(self.alice).button_confirm()
        self.assert_held(order, "Purchasing needs 1 approver but none is eligible (the requester is excluded)")

    def test_document_field_resolving_to_nobody(self):
        self.rule("po-1k").write({"approver_user_ids": [Command.clear()], "approver_field": "user_id"})
        order = self.create_order(5000, user_id=False)
        order.with_user(self.buyer).button_confirm()
        self.assert_held(order, "Purchasing needs 1 approver but none is eligible")
        # With a purchase representative on the order, the tier is routed to them.
        order.with_user(self.buyer).write({"user_id": self.carol.id})
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(self.review(order, "Purchasing").eligible_user_ids, self.carol)

    def test_one_person_cannot_fill_two_tiers(self):
        # Finance still has two eligible people (Alice, Finn), but Alice is also the only Purchasing approver.
        self.fay.active = False
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.assert_held(order, "Purchasing and Finance need 3 different approvers between them but only 2 are eligible "
                                "(one person cannot approve two tiers of a request)")
        # Below 10,000 only Purchasing is needed, and Alice can approve it.
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")

    def test_users_of_other_companies_are_not_counted(self):
        other = self.env["res.company"].create({"name": "Acme Süd"})
        self.finance_group.users = [Command.link(self.eve.id)]
        self.finn.write({"company_ids": [Command.set(other.ids)], "company_id": other.id})
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve", "Fay, Eve and Alice are still enough different people")
        (self.fay | self.eve).write({"company_ids": [Command.set(other.ids)], "company_id": other.id})
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.assert_held(order, "Finance needs 2 approvers but only 1 is eligible "
                                "(3 users without access to the company are excluded)")
