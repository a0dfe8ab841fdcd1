from odoo import api, fields, models

MAX_REASON_CHARS = 1000


class GovernanceReviewReassignWizard(models.TransientModel):
    """A governance manager gives a waiting review to another eligible approver, with a reason."""

    _name = "governance.review.reassign.wizard"
    _description = "Reassign a Review"

    review_id = fields.Many2one("governance.approval.review", required=True, readonly=True)
    current_user_ids = fields.Many2many(related="review_id.eligible_user_ids", string="Current approvers")
    from_user_id = fields.Many2one("res.users", "Instead of", domain="[('id', 'in', current_user_ids)]",
                                   help="The approver who no longer decides this review; empty to add one.")
    to_user_id = fields.Many2one("res.users", "New approver", required=True, domain="[('share', '=', False)]")
    reason = fields.Text(required=True)

    @api.onchange("reason")
    def _onchange_reason(self):
        if self.reason and len(self.reason) > MAX_REASON_CHARS:
            self.reason = self.reason[:MAX_REASON_CHARS]

    def action_confirm(self):
        self.ensure_one()
        self.review_id._reassign(self.from_user_id, self.to_user_id, (self.reason or "")[:MAX_REASON_CHARS],
                                 self.env.user)
        return {"type": "ir.actions.act_window_close"}
