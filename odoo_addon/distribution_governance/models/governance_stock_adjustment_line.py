from odoo import api, fields, models


class GovernanceStockAdjustmentLine(models.Model):
    """One counted quant of a stock adjustment, as it was when the adjustment was submitted.

    The difference is what gets applied once the adjustment is approved (stock that moved in the
    meantime is not counted twice), and its value at cost is what the policy saw.
    """

    _name = "governance.stock.adjustment.line"
    _inherit = ["governance.line.mixin"]
    _description = "Stock Adjustment Line"
    _order = "adjustment_id, id"

    _governance_document_field = "adjustment_id"
    _governance_locked_fields = ("quant_id", "product_id", "lot_id", "quantity", "counted_quantity", "unit_cost")

    adjustment_id = fields.Many2one("governance.stock.adjustment", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="adjustment_id.company_id", store=True)
    # Odoo deletes quants that reach zero: the line keeps what it counted.
    quant_id = fields.Many2one("stock.quant", "Quant", ondelete="set null", index=True, readonly=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    location_id = fields.Many2one("stock.location", required=True, readonly=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", readonly=True)
    tracking = fields.Selection(related="product_id.tracking")
    product_uom_id = fields.Many2one(related="product_id.uom_id")
    quantity = fields.Float("On Hand", digits="Product Unit of Measure", readonly=True,
                            help="The quantity on hand when the adjustment was submitted.")
    counted_quantity = fields.Float("Counted", digits="Product Unit of Measure", readonly=True)
    difference = fields.Float(compute="_compute_difference", store=True, digits="Product Unit of Measure")
    unit_cost = fields.Float("Unit Cost", digits="Product Price", readonly=True,
                             help="The product's cost in the company currency when the adjustment was submitted.")
    value = fields.Monetary(compute="_compute_difference", store=True, currency_field="currency_id",
                            help="Difference times unit cost, in the company currency.")
    currency_id = fields.Many2one(related="adjustment_id.currency_id")

    @api.depends("quantity", "counted_quantity", "unit_cost")
    def _compute_difference(self):
        for line in self:
            line.difference = line.counted_quantity - line.quantity
            line.value = line.difference * line.unit_cost

    def _snapshot_vals(self, quant):
        """The line values of ``quant`` now: its quantity, the counted quantity and the product's cost."""
        product = quant.product_id.with_company(quant.company_id or self.env.company)
        return {
            "quant_id": quant.id,
            "product_id": quant.product_id.id,
            "location_id": quant.location_id.id,
            "lot_id": quant.lot_id.id,
            "quantity": quant.quantity,
            "counted_quantity": quant.inventory_quantity,
            "unit_cost": product.standard_price,
        }
