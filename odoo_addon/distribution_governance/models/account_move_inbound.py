from odoo import _, models
from odoo.tools import float_repr

from ..lib.inbound_tolerance import allowance, beyond, decimal_text, difference_percent, tolerance_data


class AccountMove(models.Model):
    """Price discrepancies on vendor bills (scenario S5): posting a bill whose unit prices differ from
    its purchase order lines beyond tolerance raises an exception for accounts payable. The bill posts;
    the exception is the follow-up."""

    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        for bill in posted.filtered(lambda move: move.move_type == "in_invoice" and move.state == "posted"):
            bill._governance_check_prices()
        return posted

    def _governance_check_prices(self):
        self.ensure_one()
        bill_lines = self.invoice_line_ids.filtered(lambda line: line.purchase_line_id and line.display_type == "product")
        if not bill_lines or self.env["governance.exception"]._open_inbound("price", self):
            return
        digits = self.env["decimal.precision"].precision_get("Product Price")
        lines, beyond_any = [], False
        for line in bill_lines:
            order_line = line.purchase_line_id
            currency = order_line.currency_id
            billed = line.price_unit * (1 - (line.discount or 0.0) / 100)
            if line.product_uom_id and order_line.product_uom and line.product_uom_id != order_line.product_uom:
                billed = line.product_uom_id._compute_price(billed, order_line.product_uom)
            if line.currency_id != currency:
                billed = line.currency_id._convert(billed, currency, self.company_id,
                                                   self.invoice_date or self.date, round=False)
            ordered = order_line.price_unit * (1 - (order_line.discount or 0.0) / 100)
            tolerance, source = line.product_id.categ_id._governance_tolerance("price", self.company_id)
            off = beyond(ordered, billed, tolerance, 0.5 * 10 ** -digits)
            beyond_any |= off
            lines.append({
                "bill_line_id": line.id,
                "purchase_line_id": order_line.id,
                "order": order_line.order_id.name,
                "product": {"id": line.product_id.id, "name": line.product_id.display_name or line.name or ""},
                "uom": order_line.product_uom.name,
                "quantity": decimal_text(line.quantity),
                "ordered_price": float_repr(ordered, digits),
                "billed_price": float_repr(billed, digits),
                "difference": float_repr(billed - ordered, digits),
                "difference_percent": difference_percent(ordered, billed),
                "allowance": float_repr(allowance(ordered, tolerance), digits),
                "tolerance": tolerance_data(tolerance, source),
                "beyond_tolerance": off,
            })
        if not beyond_any:
            return
        orders = bill_lines.purchase_line_id.order_id
        partner = self.partner_id.commercial_partner_id
        off = [line for line in lines if line["beyond_tolerance"]]
        summary = _("%(bill)s bills %(orders)s off price: %(lines)s", bill=self.name, orders=", ".join(orders.mapped("name")),
                    lines="; ".join(f"{line['product']['name']} {line['billed_price']} vs {line['ordered_price']}"
                                    for line in off))
        details = _("Billed unit price against the order's, beyond tolerance:\n%s", "\n".join(
            f"- {line['order']} {line['product']['name']}: ordered {line['ordered_price']}, billed {line['billed_price']} "
            f"({line['difference_percent']} %), allowed ±{line['allowance']} ({line['tolerance']['source']})"
            for line in off))
        document_of = self.env["governance.supplier.confirmation"]._document_of
        evidence = {
            "bill": {"model": "account.move", "id": self.id, "name": self.name, "company": self.company_id.name,
                     "amount": float_repr(self.amount_untaxed, self.currency_id.decimal_places),
                     "currency": self.currency_id.name},
            "vendor_reference": self.ref or None,
            "purchase_orders": [document_of(order) for order in orders],
            "supplier": {"id": partner.id, "name": partner.name, "email": partner.email or None},
            "currency": orders[:1].currency_id.name,
            "lines": lines,
        }
        self.env["governance.exception"]._raise_inbound(
            "price", self, summary, details, self.company_id.governance_accounts_payable_id, orders[:1], evidence)
