from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..lib import audit_chain

HEAD_PARAMETER = "distribution_governance.audit_chain_head"
VERIFY_BATCH = 2000


class GovernanceAuditLog(models.Model):
    """Append-only, hash-chained record of every governance event.

    Entries are only created through ``_append`` (which serialises writers on the chain head so
    that concurrent transactions cannot fork the chain); the ORM refuses to change or delete
    them, for administrators too.
    """

    _name = "governance.audit.log"
    _description = "Governance Audit Log Entry"
    _order = "id desc"
    _rec_name = "event"

    event = fields.Selection(
        [
            ("request_created", "Approval requested"),
            ("request_held", "Document held"),
            ("request_blocked", "Document blocked"),
            ("straight_through", "Straight-through"),
            ("released_change", "Changed after release"),
            ("review_started", "Review started"),
            ("decision", "Decision"),
            ("escalation", "Escalation"),
            ("sla_reminder", "SLA reminder"),
            ("request_completed", "Request completed"),
            ("request_cancelled", "Request cancelled"),
            ("delegation", "Delegation"),
            ("policy_change", "Policy change"),
            ("exception_raised", "Exception raised"),
            ("exception_updated", "Exception updated"),
            ("exception_closed", "Exception closed"),
            ("subscription_change", "Subscription change"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    # Every column shown here is covered by the entry's hash (lib/audit_chain.COVERED). The links
    # restrict deletion: a "set null" cascade would change sealed entries.
    summary = fields.Char(readonly=True)
    res_model = fields.Char("Document Model", readonly=True, index=True)
    res_id = fields.Many2oneReference("Document ID", model_field="res_model", readonly=True, index=True)
    request_id = fields.Many2one("governance.approval.request", readonly=True, index="btree_not_null",
                                 ondelete="restrict")
    review_id = fields.Many2one("governance.approval.review", readonly=True, ondelete="restrict")
    policy_id = fields.Many2one("governance.policy", readonly=True, index="btree_not_null", ondelete="restrict")
    actor_id = fields.Many2one("res.users", "Actor", readonly=True, ondelete="restrict")
    on_behalf_of_id = fields.Many2one("res.users", "On Behalf Of", readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="restrict")
    content = fields.Text(readonly=True, help="Canonical JSON of what happened, with the names as they were then.")
    hash_format = fields.Char(readonly=True, help="The hash chain format of this entry (contract/AUDIT.md).")
    previous_hash = fields.Char(readonly=True)
    entry_hash = fields.Char(readonly=True, help="Covers every column above, the id and the previous hash.")

    @api.model
    def _append(self, event, summary, *, record=None, request=None, review=None, policy=None,
                actor=None, on_behalf_of=None, company=None, details=None):
        """Add one entry at the end of the chain and return it."""
        self.env.cr.execute(
            "SELECT value FROM ir_config_parameter WHERE key = %s FOR UPDATE", [HEAD_PARAMETER]
        )
        row = self.env.cr.fetchone()
        _head_id, previous_hash = audit_chain.parse_head(row and row[0])
        actor = actor or self.env.user
        record = record or (request and request._document())
        company = company or (request and request.company_id) or (policy and policy.company_id)
        content = {
            "event": event,
            "summary": summary,
            "at": fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "document": {"model": record._name, "id": record.id, "name": record.display_name} if record else None,
            "request": request.name if request else None,
            "review_id": review.id if review else None,
            "policy": {"id": policy.id, "version": policy.version} if policy else None,
            "actor": actor.login,
            "on_behalf_of": on_behalf_of.login if on_behalf_of else None,
            "recorded_by": self.env.user.login,
            "company": company.name if company else None,
            "details": details or {},
        }
        entry = super(GovernanceAuditLog, self.sudo()).create({
            "event": event,
            "summary": summary,
            "res_model": record._name if record else False,
            "res_id": record.id if record else False,
            "request_id": request.id if request else False,
            "review_id": review.id if review else False,
            "policy_id": policy.id if policy else False,
            "actor_id": actor.id,
            "on_behalf_of_id": on_behalf_of.id if on_behalf_of else False,
            "company_id": company.id if company else False,
            "content": audit_chain.content_text(content),
            "hash_format": audit_chain.FORMAT,
            "previous_hash": previous_hash,
        })
        # The hash covers the id and create date, known once the row exists: seal it as stored.
        entry.flush_recordset()
        sealed = next(self._covered_rows("id = %s", [entry.id]))
        digest = audit_chain.entry_hash(previous_hash, sealed)
        self.env.cr.execute("UPDATE governance_audit_log SET entry_hash = %s WHERE id = %s", [digest, entry.id])
        entry.invalidate_recordset(["entry_hash"])
        self.env.cr.execute(
            "UPDATE ir_config_parameter SET value = %s WHERE key = %s",
            [audit_chain.head_value(entry.id, digest), HEAD_PARAMETER],
        )
        return entry

    def _covered_rows(self, where, params, limit=None):
        """The stored rows matching ``where`` in id order, as lib.audit_chain reads them."""
        columns = ", ".join(audit_chain.COVERED + ("previous_hash", "entry_hash"))
        self.env.cr.execute(
            f"SELECT {columns} FROM governance_audit_log WHERE {where} ORDER BY id"  # noqa: S608 (fixed names)
            + (" LIMIT %s" % int(limit) if limit else ""),
            params,
        )
        for row in self.env.cr.dictfetchall():
            if row["create_date"] is not None:
                row["create_date"] = row["create_date"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            yield row

    @api.model_create_multi
    def create(self, vals_list):
        raise AccessError(_("Audit log entries are written by the governance engine only."))

    def write(self, vals):
        raise AccessError(_("The audit log is append-only: entries cannot be changed."))

    def unlink(self):
        raise AccessError(_("The audit log is append-only: entries cannot be deleted."))

    @api.model
    def _verify_chain(self):
        """Walk the whole chain in id order; the result of lib.audit_chain.verify."""
        cr = self.env.cr
        cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [HEAD_PARAMETER])
        row = cr.fetchone()
        head = row[0] if row and row[0] else audit_chain.GENESIS_HASH

        def entries():
            last_id = 0
            while True:
                rows = list(self._covered_rows("id > %s", [last_id], limit=VERIFY_BATCH))
                if not rows:
                    return
                yield from rows
                last_id = rows[-1]["id"]

        return audit_chain.verify(entries(), head)

    def action_verify_chain(self):
        """The list's "Verify chain" button (which passes the selected ids, if any): the whole chain."""
        if not (self.env.user.has_group("distribution_governance.group_auditor")
                or self.env.user.has_group("distribution_governance.group_manager")):
            raise AccessError(_("Only auditors and governance managers verify the audit chain."))
        result = self._verify_chain()
        if result["ok"]:
            message, kind = _("The audit chain is intact: %(count)s entries checked.", count=result["checked"]), "success"
        else:
            message = _("The audit chain is broken at entry %(entry)s: %(problem)s.",
                        entry=result["broken_id"], problem=result["problem"])
            kind = "danger"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Audit chain verification"), "message": message, "type": kind, "sticky": True},
        }
