from odoo import models


class PurchaseOrderLine(models.Model):
    """Order lines hold what a purchase order's facts come from: amount, categories, vendor preference."""

    _name = "purchase.order.line"
    _inherit = ["purchase.order.line", "governance.line.mixin"]

    _governance_document_field = "order_id"
    _governance_locked_fields = ("product_id", "product_qty", "product_uom", "price_unit", "discount", "taxes_id")
