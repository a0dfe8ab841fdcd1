from odoo import fields, models


class GovernanceStockAdjustmentReason(models.Model):
    """Why counted quantities differ from the books: the reason code a stock adjustment must give.

    The code is the policy fact ``reason_code``; above its evidence threshold an adjustment needs
    at least one attachment (a photo, a count sheet, a damage report) before it can be applied.
    """

    _name = "governance.stock.adjustment.reason"
    _description = "Stock Adjustment Reason"
    _order = "sequence, code"
    _rec_name = "name"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True, size=64, help="The value of the policy fact reason_code, e.g. damaged.")
    name = fields.Char(required=True, translate=True, size=128)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Leave empty to offer the reason in every company.")
    evidence_required = fields.Boolean(
        default=True, help="Adjustments with this reason need evidence attachments above the threshold.")
    evidence_threshold = fields.Float(
        "Evidence Above (value)", digits="Product Price",
        help="Evidence is required when the adjustment's value (at cost, company currency) is above this; "
        "0 requires it for every adjustment with a value.")

    _sql_constraints = [
        ("code_unique", "UNIQUE(code, company_id)", "A reason code is unique within a company."),
    ]
