from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import APPROVER, MANAGER, PURCHASE_USER, REQUESTER, GovernanceCase


@tagged("post_install", "-at_install")
class TestSecurity(GovernanceCase):
    @mute_logger("odoo.access")
    def test_only_managers_edit_policies(self):
        for user in (self.buyer, self.alice, self.auditor, self.integration):
            with self.assertRaises(AccessError):
                self.policy.with_user(user).write({"name": "Mine now"})
            with self.assertRaises(AccessError):
                self.policy.rule_ids[0].with_user(user).write({"min_approvals": 0})
        self.policy.with_user(self.manager).write({"name": "Purchasing approvals 2026"})
        self.assertEqual(self.policy.name, "Purchasing approvals 2026")
        self.assertTrue(self.policy.with_user(self.auditor).read(["name"]))

    @mute_logger("odoo.access")
    def test_requests_reviews_and_decisions_are_read_only_through_the_orm(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        request, review = self.request_of(order), self.review(order, "Purchasing")
        for user in (self.buyer, self.alice, self.manager):
            with self.assertRaises(AccessError):
                request.with_user(user).write({"state": "approved"})
            with self.assertRaises(AccessError):
                review.with_user(user).write({"state": "approved", "approval_count": 1})
            with self.assertRaises(AccessError):
                self.env["governance.approval.decision"].with_user(user).create(
                    {"review_id": review.id, "user_id": self.alice.id, "outcome": "approve"})
        decision = self.decide(order, "Purchasing", self.alice)
        with self.assertRaisesRegex(AccessError, "cannot be changed"):
            decision.sudo().write({"outcome": "reject"})
        with self.assertRaisesRegex(AccessError, "cannot be deleted"):
            decision.sudo().unlink()

    @mute_logger("odoo.access")
    def test_auditor_reads_but_cannot_decide(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        request = self.request_of(order)
        self.assertTrue(request.with_user(self.auditor).read(["name", "state"]))
        self.assertTrue(self.env["governance.audit.log"].with_user(self.auditor).search([]))
        with self.assertRaises(AccessError):
            self.env["governance.audit.log"].with_user(self.buyer).search([])
        with self.assertRaisesRegex(AccessError, "dg:forbidden"):
            self.env["governance.api"].with_user(self.auditor).decide(
                {"review_id": request.review_ids.id, "actor": "auditor", "outcome": "approve", "idempotency_key": "k-12345678"})

    @mute_logger("odoo.access")
    def test_multi_company_rules(self):
        other = self.env["res.company"].create({"name": "Acme Nord"})
        stranger = new_test_user(self.env, login="stranger", groups=f"base.group_user,{PURCHASE_USER},{APPROVER},{MANAGER}",
                                 company_id=other.id, company_ids=[Command.set(other.ids)])
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        request = self.request_of(order)
        Request = self.env["governance.approval.request"].with_user(stranger)
        self.assertFalse(Request.search([("id", "=", request.id)]))
        with self.assertRaises(AccessError):
            request.with_user(stranger).read(["name"])
        self.assertFalse(self.env["governance.policy"].with_user(stranger).search([]))
        self.assertEqual(self.env["governance.api"].with_user(stranger).list_pending_reviews({})["reviews"], [])
        # A user of another company is never routed a review, even when a policy names them.
        self.assertNotIn(stranger, self.review(order, "Purchasing")._resolve([{"type": "user", "ref": "stranger"}]))

    def test_policies_are_per_company(self):
        other = self.env["res.company"].create({"name": "Acme Süd"})
        self.assertFalse(self.env["governance.policy"]._active_for(other))
        order = self.create_order(50000, company_id=other.id, user=self.env.user)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_groups_imply_each_other(self):
        self.assertTrue(self.manager.has_group(APPROVER))
        self.assertTrue(self.alice.has_group(REQUESTER))
        self.assertFalse(self.auditor.has_group(REQUESTER))
        self.assertFalse(self.integration.has_group(APPROVER))
