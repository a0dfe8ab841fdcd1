from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    governance_receiving_supervisor_id = fields.Many2one(
        "res.users", "Receiving Supervisor",
        help="Owner of this warehouse's receipt discrepancies and aging receipts (else the order's buyer).")
