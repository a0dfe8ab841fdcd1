from odoo import _, api, fields, models

from ..models.governance_approval_review import OUTCOMES


class GovernanceDecisionWizard(models.TransientModel):
    """Asks for the comment (and conditions) that reject, request changes and approve with
    conditions need, and for the approver's password on tiers that confirm with password, then
    decides through ``review._decide``."""

    _name = "governance.decision.wizard"
    _description = "Approval Decision"

    review_id = fields.Many2one("governance.approval.review", required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True)
    comment = fields.Text()
    conditions = fields.Text()
    confirm_with_password = fields.Boolean(related="review_id.confirm_with_password")
    password = fields.Char(help="Your Odoo password: this tier asks you to confirm who you are.")

    @api.model
    def _action_for(self, review, outcome):
        return {
            "type": "ir.actions.act_window",
            "name": dict(OUTCOMES).get(outcome, _("Decision")),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_id": review.id, "default_outcome": outcome},
        }

    def action_confirm(self):
        self.ensure_one()
        password, self.password = self.password, False  # never kept in the database
        reauthenticated = False
        if self.review_id.sudo().confirm_with_password:
            self.review_id._check_password(password)
            reauthenticated = True
        self.review_id._decide(self.env.user, self.outcome, self.comment, self.conditions,
                               reauthenticated=reauthenticated)
        return {"type": "ir.actions.act_window_close"}
