from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import float_repr

from ..lib import supplier_confirmation as logic


class GovernanceSupplierConfirmationLine(models.Model):
    """One order line: the date the order planned at release and the supplier's latest promise."""

    _name = "governance.supplier.confirmation.line"
    _description = "Supplier Confirmation Line"
    _order = "confirmation_id, id"

    confirmation_id = fields.Many2one("governance.supplier.confirmation", required=True, ondelete="cascade",
                                      index=True, readonly=True)
    company_id = fields.Many2one(related="confirmation_id.company_id", store=True)
    purchase_line_id = fields.Many2one("purchase.order.line", "Order Line", required=True, ondelete="cascade",
                                       readonly=True)
    product_id = fields.Many2one(related="purchase_line_id.product_id", store=True, string="Product")
    product_qty = fields.Float(related="purchase_line_id.product_qty", string="Quantity")
    planned_date = fields.Datetime("Planned Date", readonly=True, help="The expected arrival when the order was released.")
    promised_date = fields.Datetime("Promised Date", readonly=True, help="The supplier's latest promised date.")
    drift_days = fields.Integer("Drift (days)", compute="_compute_drift", store=True,
                                help="Promised date minus planned date, in days (positive: later).")
    usual_lead_days = fields.Integer("Usual Lead Time (days)", compute="_compute_drift", store=True,
                                     help="The vendor's delivery lead time for this product (vendor pricelist).")
    lead_time_drift_days = fields.Integer("Lead-time Drift (days)", compute="_compute_drift", store=True,
                                          help="Promised lead time (order date to promised date) minus the usual one.")

    @api.depends("planned_date", "promised_date")
    def _compute_drift(self):
        for line in self:
            order = line.confirmation_id.purchase_order_id
            seller = line.product_id.seller_ids.filtered(
                lambda seller: seller.partner_id.commercial_partner_id == line.confirmation_id.partner_id)[:1]
            line.usual_lead_days = seller.delay
            line.drift_days = logic.day_difference(line.promised_date, line.planned_date) if line.promised_date else 0
            line.lead_time_drift_days = logic.lead_time_drift(
                order.date_approve or order.date_order, line.promised_date, seller.delay) if line.promised_date else 0

    def _quantity_sold(self):
        """Units of the product on confirmed sales orders of the last fast_moving_days days."""
        self.ensure_one()
        days = self.confirmation_id._setting("fast_moving_days")
        since = fields.Datetime.now() - timedelta(days=days)
        groups = self.env["sale.order.line"].sudo()._read_group([
            ("product_id", "=", self.product_id.id), ("state", "=", "sale"),
            ("company_id", "=", self.company_id.id), ("order_id.date_order", ">=", since),
        ], [], ["product_uom_qty:sum"])
        return groups[0][0] if groups else 0.0

    def _is_fast_moving(self):
        """Fast-moving: at least fast_moving_min_qty units sold in the last fast_moving_days days."""
        self.ensure_one()
        return logic.is_fast_moving(self._quantity_sold(), self.confirmation_id._setting("fast_moving_min_qty"))

    def _api_data(self):
        self.ensure_one()
        product = self.product_id
        return {
            "line_id": self.purchase_line_id.id,
            "product": {"id": product.id, "name": product.display_name, "code": product.default_code or ""},
            "quantity": float_repr(self.product_qty, 3).rstrip("0").rstrip("."),
            "planned_date": logic.utc_text(self.planned_date),
            "promised_date": logic.utc_text(self.promised_date),
            "drift_days": self.drift_days,
        }
