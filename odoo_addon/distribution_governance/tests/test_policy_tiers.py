from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestPolicyTiers(GovernanceCase):
    """A tier that could never be satisfied is refused when an active policy is saved (lib/policy.py decides)."""

    def _po_1k(self):
        return self.policy.rule_ids.filtered(lambda rule: rule.code == "po-1k")

    def test_more_approvals_than_named_people_is_refused(self):
        rule, version = self._po_1k(), self.policy.version
        # Alice and the user in the order's user_id field: two people at most, never three.
        with self.assertRaises(ValidationError) as caught:  # Odoo's assertRaises rolls back to a savepoint
            rule.write({"approver_field": "user_id", "min_approvals": 3})
        self.assertIn("rules[0].tier.min_approvals: exceeds the number of named approvers", str(caught.exception))
        self.env.invalidate_all()  # the savepoint undid the write in the database, not in the cache
        self.assertEqual((self.policy.version, rule.min_approvals, rule.approver_field), (version, 1, False))
        rule.write({"approver_field": "user_id", "min_approvals": 2})
        self.assertEqual((self.policy.version, self.policy.state), (version + 1, "active"))

    def test_a_group_makes_a_larger_minimum_possible(self):
        rule = self._po_1k()
        rule.write({"approver_group_ids": [Command.set(self.finance_group.ids)], "min_approvals": 3})
        self.assertEqual(rule.min_approvals, 3)
