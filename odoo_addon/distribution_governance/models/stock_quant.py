from odoo import _, api, models
from odoo.exceptions import UserError

from ..lib.errors import coded
from .governance_stock_adjustment import APPLYING_CONTEXT, REASON_CONTEXT

# Quant fields that hold a count: they cannot change while an adjustment of the quant waits for approvers.
COUNT_FIELDS = ("inventory_quantity", "inventory_quantity_auto_apply", "inventory_diff_quantity")


class StockQuant(models.Model):
    """Counted quantities reach the books only through a governed stock adjustment.

    Every way Odoo applies counts ends in ``_apply_inventory`` (Physical Inventory's Apply and
    Apply All, the conflict and tracking wizards, editing the on-hand quantity, the product's
    Update Quantity, imports, a stock manager deleting a quant): under an active policy it only
    lets through the quants of an adjustment being applied. ``action_apply_inventory`` gathers
    the quants into an adjustment instead: with a reason code in the context
    (``governance_reason_code``, for RPC) it applies it at once; otherwise it opens it to be
    completed (reason, evidence) and applied.
    """

    _inherit = "stock.quant"

    def _governance_governed(self):
        companies = self.company_id or self.env.company
        return any(self.env["governance.policy"]._active_for(company) for company in companies)

    def _governance_applying(self):
        adjustment_id = self.env.context.get(APPLYING_CONTEXT)
        return adjustment_id and self <= self.env["governance.stock.adjustment"].sudo().browse(adjustment_id).line_ids.quant_id

    def _governance_check_not_pending(self):
        pending = self.env["governance.stock.adjustment"]._pending_for_quants(self)
        if pending:
            raise UserError(coded("approval_pending", _(
                "%(products)s waits for approval in %(ref)s: its count cannot change or be applied until approvers decide.",
                products=", ".join((pending[:1].line_ids.product_id & self.product_id).mapped("display_name")),
                ref=pending[:1].name)))

    @api.model_create_multi
    def create(self, vals_list):
        quants = super().create(vals_list)
        if any(field in vals for vals in vals_list for field in COUNT_FIELDS) and not quants._governance_applying():
            quants._governance_check_not_pending()
        return quants

    def write(self, vals):
        if any(field in vals for field in COUNT_FIELDS) and not self._governance_applying():
            self._governance_check_not_pending()
        return super().write(vals)

    def action_apply_inventory(self):
        if self._governance_applying() or not self._governance_governed():
            return super().action_apply_inventory()
        self._governance_check_not_pending()
        quants = self.filtered(lambda quant: quant.inventory_quantity_set or quant.inventory_diff_quantity)
        if not quants:
            return False
        adjustments = self.env["governance.stock.adjustment"]._from_quants(quants)
        code = self.env.context.get(REASON_CONTEXT)
        if code:
            reason = self.env["governance.stock.adjustment.reason"].search([
                ("code", "=", code), ("company_id", "in", (False, *adjustments.company_id.ids))], limit=1)
            if not reason:
                raise UserError(coded("reason_required", _("%s is not a stock adjustment reason code.", code)))
            adjustments.reason_id = reason
            adjustments.action_apply()
            return False
        if self.env.context.get("set_inventory_quantity_auto_apply"):
            raise UserError(coded("reason_required", _(
                "Stock adjustments need a reason code: count the quantity in Physical Inventory and apply it "
                "there, or pass governance_reason_code.")))
        action = self.env["ir.actions.act_window"]._for_xml_id("distribution_governance.governance_stock_adjustment_action")
        if len(adjustments) == 1:
            action.update({"res_id": adjustments.id, "views": [(False, "form")], "view_mode": "form"})
        else:
            action["domain"] = [("id", "in", adjustments.ids)]
        return action

    def _apply_inventory(self):
        if not self._governance_applying() and self._governance_governed():
            self._governance_check_not_pending()
            raise UserError(coded("approval_required", _(
                "Counted quantities are applied through a stock adjustment with a reason code, under the approval "
                "policy: use Apply in Physical Inventory (or action_apply_inventory with governance_reason_code).")))
        return super()._apply_inventory()
