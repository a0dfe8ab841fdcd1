from markupsafe import Markup, escape

from odoo import _, fields, models
from odoo.exceptions import AccessError

from .governance_approval_review import OUTCOMES


class GovernanceApprovalDecision(models.Model):
    """One person's decision on one review. Written once by ``review._decide``, never changed."""

    _name = "governance.approval.decision"
    _description = "Approval Decision"
    _order = "id"
    _rec_name = "outcome"

    review_id = fields.Many2one("governance.approval.review", required=True, readonly=True, ondelete="cascade", index=True)
    request_id = fields.Many2one(related="review_id.request_id", store=True, index=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    tier_name = fields.Char(related="review_id.tier_name")
    user_id = fields.Many2one("res.users", "Decided By", required=True, readonly=True)
    on_behalf_of_id = fields.Many2one("res.users", "On Behalf Of", readonly=True,
                                      help="The approver whose substitute decided.")
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True)
    comment = fields.Text(readonly=True)
    conditions = fields.Text(readonly=True)
    channel = fields.Selection([("ui", "Odoo"), ("api", "API")], required=True, readonly=True, default="ui")

    def write(self, vals):
        raise AccessError(_("Approval decisions cannot be changed."))

    def unlink(self):
        raise AccessError(_("Approval decisions cannot be deleted."))

    def _describe(self):
        self.ensure_one()
        who = escape(self.user_id.name)
        if self.on_behalf_of_id:
            who = Markup("%s (on behalf of %s)") % (who, self.on_behalf_of_id.name)
        body = Markup("<b>%s</b> — %s: %s") % (dict(OUTCOMES)[self.outcome], self.review_id.tier_name, who)
        if self.comment:
            body += Markup("<br/>%s") % self.comment
        if self.conditions:
            body += Markup("<br/><i>%s</i> %s") % (_("Conditions:"), self.conditions)
        return body
