from odoo import _, api, fields, models


class GovernanceExceptionCloseWizard(models.TransientModel):
    """Asks for the reason that resolving or dismissing exceptions needs."""

    _name = "governance.exception.close.wizard"
    _description = "Close Exceptions"

    exception_ids = fields.Many2many("governance.exception", string="Exceptions", required=True, readonly=True)
    resolution = fields.Selection([("resolved", "Resolve"), ("dismissed", "Dismiss")], required=True)
    reason = fields.Text(required=True)

    @api.model
    def _action_for(self, exceptions, resolution):
        return {
            "type": "ir.actions.act_window",
            "name": _("Dismiss") if resolution == "dismissed" else _("Resolve"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_exception_ids": [(6, 0, exceptions.ids)], "default_resolution": resolution},
        }

    def action_confirm(self):
        self.ensure_one()
        self.exception_ids._close(self.resolution, self.reason)
        return {"type": "ir.actions.act_window_close"}
