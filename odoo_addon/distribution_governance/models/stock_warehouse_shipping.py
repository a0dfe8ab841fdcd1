from odoo import fields, models


class StockWarehouse(models.Model):
    """The warehouse's late-shipment policy (S8) and the people it names."""

    _inherit = "stock.warehouse"

    governance_pick_pack_hours = fields.Integer(
        "Pick/Pack Late After (h)", default=4,
        help="A picking or packing step still open this many hours after its scheduled date is flagged late "
             "(0: not monitored).")
    governance_ship_hours = fields.Integer(
        "Shipping Late After (h)", default=24,
        help="A delivery not shipped this many hours after its scheduled date is flagged late (0: not monitored).")
    governance_supervisor_id = fields.Many2one(
        "res.users", "Warehouse Supervisor",
        help="Owns this warehouse's late-shipment exceptions (and shipment-hold reviews without a type owner).")
    governance_operations_manager_id = fields.Many2one(
        "res.users", "Operations Manager",
        help="Is told, with the customer's salesperson, when a late shipment passes its SLA.")

    _sql_constraints = [
        ("governance_late_hours_not_negative", "CHECK(governance_pick_pack_hours >= 0 AND governance_ship_hours >= 0)",
         "Late-shipment thresholds cannot be negative."),
    ]
