from odoo import models


class SaleOrderLine(models.Model):
    """Order lines hold what a sales order's facts come from: amount, discount, margin, categories."""

    _name = "sale.order.line"
    _inherit = ["sale.order.line", "governance.line.mixin"]

    _governance_document_field = "order_id"
    _governance_locked_fields = ("product_id", "product_uom_qty", "product_uom", "price_unit", "discount")
