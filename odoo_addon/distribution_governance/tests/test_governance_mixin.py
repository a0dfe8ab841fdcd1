from unittest.mock import patch

from odoo.tests import tagged

from ..lib import policy as policy_lib
from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestGovernanceMixin(GovernanceCase):
    """What the mixin gives every governed document type, seen on purchase orders."""

    def count_evaluations(self, action):
        with patch.object(policy_lib, "evaluate", wraps=policy_lib.evaluate) as evaluate:
            action()
        return evaluate.call_count

    def test_the_policy_is_evaluated_once_per_governed_action(self):
        order = self.create_order(500)
        self.assertEqual(self.count_evaluations(order.with_user(self.buyer).button_confirm), 1)
        self.assertEqual(order.state, "purchase")
        order = self.create_order(5000)
        self.assertEqual(self.count_evaluations(order.with_user(self.buyer).button_confirm), 1)
        self.assertEqual(order.state, "to approve")
        # The final approval releases the order on the facts it was submitted with: no new evaluation.
        self.assertEqual(self.count_evaluations(lambda: self.decide(order, "Purchasing", self.alice)), 0)
        self.assertEqual(order.state, "purchase")

    def test_a_cleared_context_from_rpc_clears_nothing(self):
        order = self.create_order(5000)
        context = {"governance_cleared": [["purchase.order", order.id]]}
        with self.assertRaisesRegex(Exception, "dg:approval_required"):
            order.with_user(self.buyer).with_context(**context).write({"state": "purchase"})

    def test_the_form_gets_the_shared_parts(self):
        arch = self.env["purchase.order"].with_user(self.buyer).get_views([[False, "form"]])["views"]["form"]["arch"]
        for name in ("action_governance_approve", "governance_summary", "governance_review_ids", "governance_context"):
            self.assertIn(name, arch)
        self.assertNotIn('name="governance_banner"', arch)
