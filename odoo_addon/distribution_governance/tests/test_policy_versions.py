import json

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..lib import policy as policy_lib
from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestPolicyVersions(GovernanceCase):
    def test_export_is_a_valid_contract_document(self):
        document = self.policy.export_document()
        policy_lib.validate_policy(document)
        self.assertEqual(document["format"], "distribution-governance.policy/1")
        self.assertEqual(document["currency"], self.currency.name)
        self.assertEqual(document["content_hash"], policy_lib.content_hash(document))
        self.assertEqual(self.policy.content_hash, document["content_hash"])
        rules = {rule["id"]: rule for rule in document["rules"]}
        self.assertEqual(rules["po-1k"]["tier"]["approvers"], [{"type": "user", "ref": "alice"}])
        self.assertEqual(rules["po-1k"]["tier"]["escalate_to"], {"type": "user", "ref": "carol"})
        self.assertEqual(rules["po-10k-finance"]["tier"]["approvers"][0]["type"], "group")
        self.assertEqual(rules["po-1k"]["conditions"], [{"fact": "amount", "op": "gte", "value": "1000"}])

    def test_every_change_makes_a_new_version(self):
        version, hash_before = self.policy.version, self.policy.content_hash
        rule = self.policy.rule_ids.filtered(lambda rule: rule.code == "po-1k")
        rule.condition_ids.value = "2000"
        self.assertEqual(self.policy.version, version + 1)
        self.assertNotEqual(self.policy.content_hash, hash_before)
        rule.min_approvals = 1
        rule.reason = "Spend of 2,000 or more"
        self.assertEqual(self.policy.version, version + 3)
        self.assertEqual(len(self.policy.version_ids), self.policy.version)
        old = self.policy.version_ids.filtered(lambda v: v.version == version)
        self.assertIn('"1000"', old.document)
        self.assertEqual(json.loads(self.policy._current_version().document)["version"], self.policy.version)

    def test_request_keeps_the_version_it_was_evaluated_under(self):
        order = self.create_order(1500)
        order.with_user(self.buyer).button_confirm()
        request = self.request_of(order)
        evaluated_under = request.policy_version_id
        self.policy.rule_ids.filtered(lambda rule: rule.code == "po-1k").condition_ids.value = "1200"
        self.assertEqual(request.policy_version_id, evaluated_under)
        self.assertNotEqual(request.policy_version_id, self.policy._current_version())
        self.assertEqual(json.loads(request.evaluation)["policy"]["version"], evaluated_under.version)

    def test_an_invalid_active_policy_is_refused_whole(self):
        rule = self.policy.rule_ids.filtered(lambda rule: rule.code == "po-1k")
        versions = len(self.policy.version_ids)
        with self.assertRaisesRegex(ValidationError, r"rules\[0\]\.conditions\[0\]\.value"):
            rule.condition_ids.value = "a lot"
        # Nothing of the change was stored (read from the database: the test's record cache keeps the attempt).
        self.env.cr.execute("SELECT value FROM governance_policy_condition WHERE id = %s", rule.condition_ids.ids)
        self.assertEqual(self.env.cr.fetchall(), [("1000",)])
        self.assertEqual(len(self.policy.version_ids), versions)

    def test_activation_validates_and_retires_the_previous_policy(self):
        draft = self.env["governance.policy"].create({
            "name": "Bad draft",
            "rule_ids": [Command.create({"code": "x", "document_type": "purchase.order", "action": "require_tier",
                                         "reason": "x", "tier_name": "X", "min_approvals": 1})],
        })
        with self.assertRaisesRegex(ValidationError, "approvers"):
            draft.action_activate()
        self.assertEqual(self.policy.state, "active")
        copy = self.policy.copy()
        copy.action_activate()
        self.assertEqual((self.policy.state, copy.state), ("retired", "active"))
        self.assertEqual(self.env["governance.policy"]._active_for(self.company), copy)

    def test_document_type_choices_are_the_governed_models(self):
        choices = dict(self.env["governance.policy.rule"]._selection_document_type())
        self.assertIn("purchase.order", choices)
