from odoo import api, models

# Line fields that a purchase order's facts (amount, categories, vendor preference) depend on.
GOVERNED_LINE_FIELDS = {"product_id", "product_qty", "product_uom", "price_unit", "discount", "order_id"}


class PurchaseOrderLine(models.Model):
    """Lines of an order waiting for approval cannot change what the approvers are deciding on."""

    _inherit = "purchase.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        order_ids = {vals.get("order_id") for vals in vals_list if vals.get("order_id")}
        self.env["purchase.order"].browse(order_ids)._governance_check_unlocked()
        return super().create(vals_list)

    def write(self, vals):
        if GOVERNED_LINE_FIELDS & set(vals):
            self.order_id._governance_check_unlocked()
        return super().write(vals)

    def unlink(self):
        self.order_id._governance_check_unlocked()
        return super().unlink()
