from odoo import models
from odoo.tools import float_repr


class StockRule(models.Model):
    """Announces every request for quotation a reordering rule creates or extends."""

    _inherit = "stock.rule"

    def _run_buy(self, procurements):
        # The scheduler, "Order Once" and the replenishment report all end here with the orderpoint
        # in the procurement's values.
        fired = [(procurement, procurement.values.get("orderpoint_id")) for procurement, _rule in procurements
                 if procurement.values.get("orderpoint_id")]
        # Orders up to this id existed before: one of them receiving the line means it was extended.
        last_order = self.env["purchase.order"].sudo().search([], order="id desc", limit=1).id if fired else 0
        result = super()._run_buy(procurements)
        for procurement, orderpoint in fired:
            line = self.env["purchase.order.line"].sudo().search([
                ("orderpoint_id", "=", orderpoint.id), ("order_id.state", "in", ("draft", "sent")),
            ], order="id desc", limit=1)
            order = line.order_id
            vendor = order.partner_id.commercial_partner_id
            Confirmation = self.env["governance.supplier.confirmation"]
            self.env["governance.event"]._emit("replenishment.triggered", orderpoint, {
                "rule": {"id": orderpoint.id, "name": orderpoint.name},
                "product": {"id": procurement.product_id.id, "name": procurement.product_id.display_name},
                "warehouse": orderpoint.warehouse_id.code or "",
                "quantity": float_repr(procurement.product_qty, 3).rstrip("0").rstrip("."),
                "purchase_order": Confirmation._document_of(order) if order else None,
                "vendor": {"id": vendor.id, "name": vendor.name, "email": vendor.email or None} if vendor else None,
                "orderpoint_id": orderpoint.id,
                "increased": bool(order) and order.id <= last_order,
            }, company=orderpoint.company_id)
        return result
