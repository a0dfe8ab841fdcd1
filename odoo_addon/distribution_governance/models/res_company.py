from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    governance_confirmation_window_hours = fields.Integer(
        "Supplier Confirmation Window (h)", default=48,
        help="Hours a supplier has to confirm a released purchase order, unless the vendor has its own window.",
    )
