from odoo import _, fields, models
from odoo.tools import float_repr, format_amount


class SaleOrder(models.Model):
    """Sales orders under governance (S3): confirming one is the governed action.

    The margin is the untaxed amount less the cost of the products (their cost price, in the
    product's unit, times the quantity), in percent of the untaxed amount; down payments and
    section or note lines are left out. The customer's credit status comes from the company's books
    (governance.customer.credit).
    """

    _name = "sale.order"
    _inherit = ["sale.order", "governance.mixin", "governance.customer.credit"]

    _governance_released_states = ("sale",)
    _governance_action = "action_confirm"
    _governance_lines_field = "order_line"
    _governance_locked_fields = ("partner_id", "pricelist_id", "currency_id", "company_id", "date_order", "warehouse_id")
    _governance_fact_bounds = {"amount": "ceiling", "discount_percent": "ceiling", "margin_percent": "floor"}

    def action_confirm(self):
        return self._governance_run(lambda orders: super(SaleOrder, orders).action_confirm())

    def _governance_sale_lines(self):
        return self.order_line.filtered(lambda line: not line.display_type and not line.is_downpayment)

    def _governance_facts(self):
        self.ensure_one()
        company, currency = self.company_id, self.company_id.currency_id
        amount, cost = self._governance_amount_and_cost()
        lines = self._governance_sale_lines()
        return {
            "currency": currency.name,
            "amount": float_repr(currency.round(amount), currency.decimal_places),
            "discount_percent": float_repr(max(lines.mapped("discount"), default=0.0), 2),
            "margin_percent": float_repr((amount - cost) * 100 / amount, 2) if amount > 0 else None,
            "customer_credit_status": self._governance_credit_status(),
            "product_categories": self._governance_category_names(lines.product_id),
            "warehouse": self.warehouse_id.code or None,
            "company": company.name,
            "origin": "manual",
        }

    def _governance_amount_and_cost(self):
        """(untaxed amount, cost of the products), both in the company currency."""
        company = self.company_id
        date = self.date_order or fields.Date.context_today(self)
        amount = self.currency_id._convert(self.amount_untaxed, company.currency_id, company, date)
        cost = sum(
            line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            * line.product_id.with_company(company).standard_price
            for line in self._governance_sale_lines()
        )
        return amount, cost

    def _governance_approval_context(self):
        self.ensure_one()
        amount, cost = self._governance_amount_and_cost()
        margin = _("%(percent)s %% (cost %(cost)s)", percent=float_repr((amount - cost) * 100 / amount, 1),
                   cost=format_amount(self.env, cost, self.company_id.currency_id)) if amount > 0 else _("unknown")
        context = [*self._governance_credit_context(), ("margin", _("Margin"), margin)]
        return [{"key": key, "label": label, "value": value} for key, label, value in context]

    def _governance_scope(self):
        self.ensure_one()
        return {
            "customer": f"res.partner,{self.partner_id.commercial_partner_id.id}",
            "currency": f"res.currency,{self.currency_id.id}",
            "products": sorted(f"product.product,{product_id}" for product_id in self._governance_sale_lines().product_id.ids),
        }

    def _governance_change_hint(self):
        return _("To sell more, put it on a new quotation, which goes through the policy on its own; to change this "
                 "order beyond its approval, cancel it, set it back to quotation, change it and confirm it again.")
