from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.inbound_tolerance import check_tolerance


class ResCompany(models.Model):
    """Inbound control defaults (scenario S5); a product category can set its own tolerances."""

    _inherit = "res.company"

    governance_receipt_tolerance_percent = fields.Float(
        "Receipt Tolerance (%)", default=5.0,
        help="A received quantity within this percentage of the ordered one is not a discrepancy.")
    governance_receipt_tolerance_qty = fields.Float(
        "Receipt Tolerance (quantity)", default=0.0, digits="Product Unit of Measure",
        help="A received quantity within this many units (of the order line) of the ordered one is not a "
             "discrepancy, whatever the percentage.")
    governance_price_tolerance_percent = fields.Float(
        "Bill Price Tolerance (%)", default=5.0,
        help="A billed unit price within this percentage of the order's is not a discrepancy.")
    governance_price_tolerance_amount = fields.Float(
        "Bill Price Tolerance (per unit)", default=0.0, digits="Product Price",
        help="A billed unit price within this amount (order currency) of the order's is not a discrepancy.")
    governance_receipt_aging_hours = fields.Integer(
        "Receipt Aging (hours)", default=24,
        help="A ready receipt not validated this many hours after its scheduled date becomes an aging-receipt "
             "exception.")
    governance_accounts_payable_id = fields.Many2one(
        "res.users", "Accounts Payable",
        help="Owner of price discrepancies on vendor bills (else the exception type's default owner).")

    @api.constrains("governance_receipt_tolerance_percent", "governance_receipt_tolerance_qty",
                    "governance_price_tolerance_percent", "governance_price_tolerance_amount",
                    "governance_receipt_aging_hours")
    def _check_governance_inbound(self):
        for company in self:
            problem = check_tolerance(company.governance_receipt_tolerance_percent,
                                      company.governance_receipt_tolerance_qty) or check_tolerance(
                company.governance_price_tolerance_percent, company.governance_price_tolerance_amount)
            if problem or company.governance_receipt_aging_hours < 0:
                raise ValidationError(_("%(company)s: %(problem)s.", company=company.name,
                                        problem=problem or _("receipt aging hours cannot be negative")))
