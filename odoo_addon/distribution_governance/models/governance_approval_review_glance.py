from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

DUE_SOON = timedelta(hours=8)  # what is left of a working day


class GovernanceApprovalReview(models.Model):
    """My Approvals at a glance: the request's document, counterparty, amount and reasons on the
    review, its progress, how urgent it is, and whether it came to me by escalation or delegation."""

    _inherit = "governance.approval.review"

    document_type = fields.Char(related="request_id.document_type", store=True, string="Document Type")
    counterparty = fields.Char(related="request_id.counterparty")
    currency_id = fields.Many2one(related="request_id.currency_id")
    amount_company = fields.Monetary(related="request_id.amount_company", currency_field="currency_id")
    reasons_line = fields.Char(related="request_id.reasons_line")
    progress = fields.Char(compute="_compute_progress")
    due_urgency = fields.Selection(
        [("overdue", "Overdue"), ("soon", "Due within 8 hours"), ("later", "Due later"), ("none", "No due time")],
        compute="_compute_due_urgency",
    )
    delegated_to_me = fields.Boolean(
        compute="_compute_delegated_to_me", search="_search_delegated_to_me",
        help="I decide this review as the substitute of an approver who is away.",
    )
    is_overdue = fields.Boolean(search="_search_is_overdue")
    can_revoke = fields.Boolean(compute="_compute_can_revoke")
    confirm_with_password = fields.Boolean(
        readonly=True, help="The tier asks approvers to enter their password again to decide, in Odoo only.",
    )

    @api.depends("approval_count", "min_approvals", "level", "request_id.review_ids.level")
    def _compute_progress(self):
        for review in self:
            levels = max(review.request_id.review_ids.mapped("level") or [review.level])
            review.progress = _("%(done)s of %(needed)s approvals · level %(level)s of %(levels)s",
                                done=review.approval_count, needed=review.min_approvals,
                                level=review.level, levels=levels)

    def _compute_due_urgency(self):
        now = fields.Datetime.now()
        for review in self:
            if not review.date_due or review.state not in ("pending", "waiting"):
                review.due_urgency = "none"
            elif review.date_due < now:
                review.due_urgency = "overdue"
            else:
                review.due_urgency = "soon" if review.date_due < now + DUE_SOON else "later"

    @api.depends_context("uid")
    def _compute_delegated_to_me(self):
        delegators = self.env["governance.delegation"]._delegators_of(self.env.user)
        for review in self:
            eligible = review.sudo().eligible_user_ids
            review.delegated_to_me = self.env.user not in eligible and bool(delegators & eligible)

    def _search_delegated_to_me(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'delegated to me'."))
        delegators = self.env["governance.delegation"]._delegators_of(self.env.user)
        domain = ["&", ("eligible_user_ids", "in", delegators.ids), ("eligible_user_ids", "not in", self.env.user.ids)]
        return domain if (operator == "=") == value else ["!", *domain]

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'overdue'."))
        domain = ["&", ("state", "=", "pending"), ("date_due", "<", fields.Datetime.now())]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends_context("uid")
    def _compute_can_revoke(self):
        for review in self:
            sudo = review.sudo()
            mine = sudo.decision_ids._approving().filtered(
                lambda decision: self.env.user in (decision.user_id | decision.on_behalf_of_id))
            review.can_revoke = bool(mine) and sudo.request_id.state == "pending"

    def _approver_data(self, user):
        """An eligible approver as approval events name them, with what their message needs in their
        own language and timezone (contract: pending_reviews[].eligible_approvers[])."""
        self.ensure_one()
        data = {"login": user.login, "name": user.name, "email": user.email or None,
                "lang": user.lang or "en_US", "tz": user.tz or "UTC"}
        if self.date_due:
            data["due_local"] = format_datetime(self.env, self.date_due, tz=data["tz"], dt_format="medium",
                                                lang_code=data["lang"])
        return data
