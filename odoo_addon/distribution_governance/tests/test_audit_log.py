from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
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

    def _tampered(self, sql, params):
        """The verification result with ``sql`` applied, then undone."""
        cr = self.env.cr
        cr.execute("SAVEPOINT audit_tamper")
        try:
            cr.execute(sql, params)
            return self.Audit._verify_chain()
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT audit_tamper")

    def test_sql_change_to_any_column_is_found_and_named(self):
        victim = self.Audit.search([("event", "=", "decision")], limit=1)
        self.assertTrue(victim.review_id and victim.request_id and victim.actor_id and victim.company_id)
        other_order = self.create_order(1500)
        other_order.with_user(self.buyer).button_confirm()
        other_request = self.request_of(other_order)
        changes = {
            "event": "'escalation'",
            "summary": "'nothing happened'",
            "res_model": "'res.partner'",
            "res_id": "res_id + 1",
            "request_id": str(other_request.id),
            "review_id": "NULL",
            "policy_id": str(self.policy.id) if not victim.policy_id else "NULL",
            "actor_id": str(self.carol.id),
            "on_behalf_of_id": str(self.carol.id),
            "company_id": "NULL",
            "create_date": "create_date + interval '1 hour'",
            "create_uid": str(self.carol.id),
            "content": "replace(content, 'alice', 'mallory')",
            "hash_format": "'dg-audit/1'",
            "previous_hash": "entry_hash",
        }
        for column, value in changes.items():
            result = self._tampered(f"UPDATE governance_audit_log SET {column} = {value} WHERE id = %s", [victim.id])
            self.assertEqual((result["ok"], result["broken_id"]), (False, victim.id), column)
        self.assertTrue(self.Audit._verify_chain()["ok"])
        self.env.cr.execute("UPDATE governance_audit_log SET summary = 'nothing happened' WHERE id = %s", [victim.id])
        action = self.Audit.with_user(self.auditor).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(f"broken at entry {victim.id}", action["params"]["message"])

    def test_deleted_entries_are_found(self):
        entries = self.Audit.search([], order="id")
        result = self._tampered("DELETE FROM governance_audit_log WHERE id = %s", [entries[2].id])
        self.assertEqual(result["broken_id"], entries[3].id)
        self.assertIn(f"does not link to entry {entries[1].id}", result["problem"])
        result = self._tampered("DELETE FROM governance_audit_log WHERE id >= %s", [entries[2].id])
        self.assertEqual((result["ok"], result["broken_id"]), (False, entries[1].id))
        self.assertIn("removed from the end", result["problem"])

    def test_inserted_entries_are_named(self):
        entries = self.Audit.search([], order="id")
        columns = "hash_format, event, summary, create_date, create_uid, actor_id, res_model, res_id, " \
                  "request_id, review_id, policy_id, company_id, content, previous_hash, entry_hash"
        copy = (f"INSERT INTO governance_audit_log (id, {columns}) SELECT %s, {columns} "
                "FROM governance_audit_log WHERE id = %s")
        # A copy of an entry in a gap of the ids, and one after the last entry.
        self.env.cr.execute("SELECT max(id) FROM governance_audit_log")
        last = self.env.cr.fetchone()[0]
        result = self._tampered(copy, [last + 1, entries[3].id])
        self.assertEqual((result["ok"], result["broken_id"]), (False, last + 1))
        self.env.cr.execute("SELECT nextval('governance_audit_log_id_seq')")
        gap = self.env.cr.fetchone()[0]
        self.order.with_user(self.buyer).button_cancel()
        self.assertTrue(self.Audit._verify_chain()["ok"])
        result = self._tampered(copy, [gap, entries[3].id])
        self.assertEqual((result["ok"], result["broken_id"]), (False, gap))

    def test_entries_name_their_hash_format(self):
        self.assertEqual(set(self.Audit.search([]).mapped("hash_format")), {"dg-audit/2"})

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


@tagged("post_install", "-at_install")
class TestVerifyChainFromTheScreen(GovernanceCase, HttpCase):
    """The list's header button, called as the web client calls it: with the selected ids."""

    def _click(self, ids):
        return self.make_jsonrpc_request("/web/dataset/call_button/governance.audit.log/action_verify_chain", {
            "model": "governance.audit.log", "method": "action_verify_chain", "args": [ids], "kwargs": {},
        })

    def test_verify_chain_button(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        entries = self.env["governance.audit.log"].search([], order="id")
        self.authenticate("auditor", "auditor-pass-1234")
        for ids in ([], entries[:2].ids):
            action = self._click(ids)
            self.assertEqual((action["tag"], action["params"]["type"]), ("display_notification", "success"))
            self.assertIn(f"{len(entries)} entries checked", action["params"]["message"])
        self.env.cr.execute("UPDATE governance_audit_log SET summary = 'nothing happened' WHERE id = %s",
                            [entries[1].id])
        action = self._click([])
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(f"broken at entry {entries[1].id}", action["params"]["message"])
