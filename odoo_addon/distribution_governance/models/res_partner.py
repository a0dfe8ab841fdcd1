from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    governance_vendor_risk = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        "Vendor Risk",
        help="Used by approval policies (fact vendor_risk). Empty means unknown: a policy that tests it holds the document.",
    )
