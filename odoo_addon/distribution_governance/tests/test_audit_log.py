from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestAuditLog(GovernanceCase):
    def setUp(self):
        super().setUp()
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        self.decide(order, "Purchasing", self.alice)
        self.order = order
        self.Audit = self.env["governance.audit.log"]

    def test_chain_is_intact(self):
        result = self.Audit._verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], self.Audit.search_count([]))
        entries = self.Audit.search([], order="id")
        for previous, entry in zip(entries, entries[1:]):
            self.assertEqual(entry.previous_hash, previous.entry_hash)

    def test_orm_refuses_changes_to_everyone(self):
        entry = self.Audit.search([], limit=1)
        for env in (self.env, self.env(su=True), self.env(user=self.manager)):
            with self.assertRaisesRegex(AccessError, "append-only"):
                entry.with_env(env).write({"summary": "nothing happened"})
            with self.assertRaisesRegex(AccessError, "append-only"):
                entry.with_env(env).unlink()
            with self.assertRaisesRegex(AccessError, "governance engine only"):
                self.Audit.with_env(env).create({"event": "decision", "summary": "forged"})

    def test_sql_tampering_is_found_and_named(self):
        entries = self.Audit.search([], order="id")
        victim = entries[len(entries) // 2]
        self.env.cr.execute("UPDATE governance_audit_log SET content = replace(content, 'alice', 'mallory') WHERE id = %s",
                            [victim.id])
        result = self.Audit._verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["broken_id"], victim.id)
        self.assertIn("does not match its hash", result["problem"])
        action = self.Audit.with_user(self.auditor).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(f"broken at entry {victim.id}", action["params"]["message"])

    def test_deleted_entries_are_found(self):
        entries = self.Audit.search([], order="id")
        self.env.cr.execute("DELETE FROM governance_audit_log WHERE id = %s", [entries[2].id])
        self.assertEqual(self.Audit._verify_chain()["broken_id"], entries[3].id)
        self.env.cr.execute("DELETE FROM governance_audit_log WHERE id >= %s", [entries[2].id])
        result = self.Audit._verify_chain()
        self.assertFalse(result["ok"])
        self.assertIn("removed from the end", result["problem"])

    def test_verify_action_is_for_auditors_and_managers(self):
        self.assertEqual(self.Audit.with_user(self.auditor).action_verify_chain()["params"]["type"], "success")
        self.assertEqual(self.Audit.with_user(self.manager).action_verify_chain()["params"]["type"], "success")
        with mute_logger("odoo.models"), self.assertRaises(AccessError):
            self.Audit.with_user(self.buyer).action_verify_chain()

    def test_every_step_is_recorded(self):
        request = self.request_of(self.order)
        events = self.Audit.search([("request_id", "=", request.id)], order="id").mapped("event")
        self.assertEqual(events[:4], ["request_created", "review_started", "decision", "review_started"])
        policy_events = self.Audit.search([("policy_id", "=", self.policy.id), ("event", "=", "policy_change")])
        self.assertTrue(policy_events)
