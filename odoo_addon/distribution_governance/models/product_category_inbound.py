from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.inbound_tolerance import Tolerance, check_tolerance


class ProductCategory(models.Model):
    """Inbound tolerances of a category (and its subcategories) instead of the company's."""

    _inherit = "product.category"

    governance_own_tolerance = fields.Boolean(
        "Own Inbound Tolerances",
        help="Receipts and bills of products in this category (and its subcategories without their own) use "
             "the tolerances below instead of the company's.")
    governance_receipt_tolerance_percent = fields.Float("Receipt Tolerance (%)")
    governance_receipt_tolerance_qty = fields.Float("Receipt Tolerance (quantity)", digits="Product Unit of Measure")
    governance_price_tolerance_percent = fields.Float("Bill Price Tolerance (%)")
    governance_price_tolerance_amount = fields.Float("Bill Price Tolerance (per unit)", digits="Product Price")

    @api.constrains("governance_receipt_tolerance_percent", "governance_receipt_tolerance_qty",
                    "governance_price_tolerance_percent", "governance_price_tolerance_amount")
    def _check_governance_tolerance(self):
        for category in self:
            problem = check_tolerance(category.governance_receipt_tolerance_percent,
                                      category.governance_receipt_tolerance_qty) or check_tolerance(
                category.governance_price_tolerance_percent, category.governance_price_tolerance_amount)
            if problem:
                raise ValidationError(_("%(category)s: %(problem)s.", category=category.display_name,
                                        problem=problem))

    def _governance_tolerance(self, kind, company):
        """The ``kind`` ("receipt" or "price") tolerance for this category: its own, the nearest
        parent's, or the company's; and where it came from."""
        source = self
        while source and not source.governance_own_tolerance:
            source = source.parent_id
        holder = source or company
        second = "qty" if kind == "receipt" else "amount"
        tolerance = Tolerance(holder[f"governance_{kind}_tolerance_percent"],
                              holder[f"governance_{kind}_tolerance_{second}"])
        return tolerance, (f"category {source.display_name}" if source else f"company {company.name}")
