from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class GovernanceDelegation(models.Model):
    """An approver's substitute for a date range (out of office).

    While active, reviews that route to the approver also route to the delegate, who decides on
    the approver's behalf; the audit log names both.
    """

    _name = "governance.delegation"
    _description = "Approval Delegation"
    _order = "date_from desc, id desc"

    user_id = fields.Many2one(
        "res.users", "Approver", required=True, default=lambda self: self.env.user, index=True, ondelete="cascade"
    )
    delegate_id = fields.Many2one("res.users", "Substitute", required=True, index=True, ondelete="cascade")
    date_from = fields.Date("From", required=True, default=fields.Date.context_today)
    date_to = fields.Date("To", required=True)
    reason = fields.Char()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("dates_ordered", "CHECK(date_to >= date_from)", "A delegation ends on or after the day it starts."),
        ("not_self", "CHECK(user_id != delegate_id)", "An approver cannot be their own substitute."),
    ]

    @api.constrains("user_id", "delegate_id", "date_from", "date_to", "active")
    def _check_no_overlap(self):
        for delegation in self.filtered("active"):
            overlapping = self.search_count([
                ("id", "!=", delegation.id),
                ("user_id", "=", delegation.user_id.id),
                ("date_from", "<=", delegation.date_to),
                ("date_to", ">=", delegation.date_from),
            ])
            if overlapping:
                raise ValidationError(_("%s already has a substitute for part of these dates.", delegation.user_id.name))

    def _compute_display_name(self):
        for delegation in self:
            delegation.display_name = _(
                "%(user)s → %(delegate)s (%(start)s – %(end)s)", user=delegation.user_id.name,
                delegate=delegation.delegate_id.name, start=delegation.date_from, end=delegation.date_to,
            )

    @api.model
    def _delegators_of(self, user, day=None):
        """Users for whom ``user`` is the active substitute on ``day`` (today by default)."""
        day = day or fields.Date.context_today(self)
        return self.sudo().search([
            ("delegate_id", "=", user.id), ("date_from", "<=", day), ("date_to", ">=", day),
        ]).user_id

    @api.model
    def _substitutes(self, users, day=None):
        """{approver: substitute} for the approvers among ``users`` who are away on ``day``."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search([
            ("user_id", "in", users.ids), ("date_from", "<=", day), ("date_to", ">=", day),
        ])
        return {delegation.user_id: delegation.delegate_id for delegation in delegations}

    def _audit(self, verb):
        for delegation in self:
            self.env["governance.audit.log"]._append(
                "delegation", f"{delegation.display_name} {verb}", on_behalf_of=delegation.user_id,
                details={
                    "approver": delegation.user_id.login, "substitute": delegation.delegate_id.login,
                    "from": str(delegation.date_from), "to": str(delegation.date_to),
                    "active": delegation.active, "reason": delegation.reason or "",
                },
            )

    @api.model_create_multi
    def create(self, vals_list):
        delegations = super().create(vals_list)
        delegations._audit("created")
        return delegations

    def write(self, vals):
        result = super().write(vals)
        self._audit("changed")
        return result

    def unlink(self):
        self._audit("removed")
        return super().unlink()
