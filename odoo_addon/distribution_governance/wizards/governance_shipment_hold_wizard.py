from odoo import _, api, fields, models

from ..models.governance_shipment_hold import REASONS


class GovernanceShipmentHoldPlaceWizard(models.TransientModel):
    """Puts a delivery on hold from its form: a reason, a summary and optional evidence."""

    _name = "governance.shipment.hold.place.wizard"
    _description = "Put a Delivery on Hold"

    picking_id = fields.Many2one("stock.picking", "Delivery", required=True, readonly=True)
    reason = fields.Selection(REASONS, required=True, default="credit")
    summary = fields.Char(required=True, size=500)
    details = fields.Text()
    evidence_ids = fields.Many2many("ir.attachment", string="Evidence")

    def action_confirm(self):
        self.ensure_one()
        self.env["governance.shipment.hold"]._place(
            self.picking_id, self.reason, self.summary, self.env.user, details=self.details,
            attachments=self.evidence_ids.sudo())
        return {"type": "ir.actions.act_window_close"}


class GovernanceShipmentHoldReviewWizard(models.TransientModel):
    """Ends a hold from the delivery form: release it, or cancel the delivery, with a reason."""

    _name = "governance.shipment.hold.review.wizard"
    _description = "Review a Shipment Hold"

    hold_id = fields.Many2one("governance.shipment.hold", "Hold", required=True, readonly=True)
    outcome = fields.Selection([("release", "Release the delivery"), ("cancel_delivery", "Cancel the delivery")],
                               required=True, default="release")
    reason = fields.Text(required=True)

    @api.model
    def _action_for(self, hold, outcome):
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel the delivery") if outcome == "cancel_delivery" else _("Release the hold"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_id": hold.id, "default_outcome": outcome},
        }

    def action_confirm(self):
        self.ensure_one()
        self.hold_id.sudo()._review(self.outcome, self.reason, self.env.user)
        return {"type": "ir.actions.act_window_close"}
