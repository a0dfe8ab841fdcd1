import logging

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

_logger = logging.getLogger(__name__)


class GovernanceCustomerCredit(models.AbstractModel):
    """A customer's credit, read from the company's books, for a document sold to them.

    - overdue: the customer's posted, unreconciled receivables whose due date has passed;
    - exposure: all their receivables plus what their confirmed sales orders still have to invoice
      (this document left out), as Odoo's own credit-limit warning counts them;
    - limit: the customer's credit limit (res.partner.credit_limit, which falls back to the
      company's default) when the company uses credit limits (account_use_credit_limit), else 0.

    Status: ``overdue`` when an overdue balance exists, otherwise ``exceeded`` when exposure plus
    this document's total (taxes included) is above a limit, otherwise ``ok``; None when it cannot
    be computed (no customer yet, or the books cannot be read), so that the policy holds the document.
    Amounts are in the company currency. The document has partner_id, company_id, currency_id,
    amount_total and date_order.
    """

    _name = "governance.customer.credit"
    _description = "Customer Credit of a Governed Document"

    def _governance_credit(self):
        """{"overdue", "receivable", "open_orders", "exposure", "limit", "total"} or None."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        if not customer:
            return None
        try:
            with self.env.cr.savepoint():
                return self.sudo()._governance_read_credit(customer.sudo())
        except (AccessError, UserError, psycopg2.Error):
            _logger.exception("The credit of %s could not be read for %s", customer.display_name, self.display_name)
            return None

    def _governance_read_credit(self, customer):
        company = self.company_id
        today = fields.Date.context_today(self)
        Line = self.env["account.move.line"]
        base = [("partner_id", "=", customer.id), ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"), ("reconciled", "=", False), ("company_id", "child_of", company.root_id.id)]
        [[receivable]] = Line._read_group(base, aggregates=["amount_residual:sum"])
        [[overdue]] = Line._read_group(base + [("date_maturity", "<", today)], aggregates=["amount_residual:sum"])
        orders = self.env["sale.order"].search([
            ("company_id", "=", company.id), ("state", "=", "sale"), ("id", "not in", self.ids if self._name == "sale.order" else []),
            ("partner_invoice_id", "any", [("commercial_partner_id", "=", customer.id)]),
            ("order_line", "any", [("untaxed_amount_to_invoice", ">", 0)]),
        ])
        open_orders = sum(order.currency_id._convert(order.amount_to_invoice, company.currency_id, company, today)
                          for order in orders)
        limit = customer.with_company(company).credit_limit if company.account_use_credit_limit else 0.0
        total = self.currency_id._convert(self.amount_total, company.currency_id, company, self.date_order or today)
        receivable, overdue = receivable or 0.0, overdue or 0.0
        return {"overdue": overdue, "receivable": receivable, "open_orders": open_orders,
                "exposure": receivable + open_orders, "limit": limit or 0.0, "total": total}

    def _governance_credit_status(self):
        credit = self._governance_credit()
        if credit is None:
            return None
        currency = self.company_id.currency_id
        if currency.compare_amounts(credit["overdue"], 0) > 0:
            return "overdue"
        if credit["limit"] and currency.compare_amounts(credit["exposure"] + credit["total"], credit["limit"]) > 0:
            return "exceeded"
        return "ok"

    def _governance_invoiced_since(self, since):
        """What the customer was invoiced since ``since``, less credit notes, untaxed, in the company currency."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        [[total]] = self.env["account.move"].sudo()._read_group([
            ("move_type", "in", ("out_invoice", "out_refund")), ("state", "=", "posted"),
            ("commercial_partner_id", "=", customer.id), ("invoice_date", ">=", since),
            ("company_id", "child_of", self.company_id.root_id.id),
        ], aggregates=["amount_untaxed_signed:sum"])
        return total or 0.0

    def _governance_credit_context(self):
        """What approvers need to know of the customer, as (key, label, value) for the approval
        context: who, what they were invoiced in the last 12 months, their overdue balance and their
        exposure (receivables, open orders and this document) against their credit limit."""
        self.ensure_one()
        credit = self._governance_credit()
        money = lambda value: format_amount(self.env, value, self.company_id.currency_id)  # noqa: E731
        since = fields.Date.context_today(self) - relativedelta(months=12)
        exposure = credit and (
            _("%(exposure)s of a %(limit)s limit", exposure=money(credit["exposure"] + credit["total"]), limit=money(credit["limit"]))
            if credit["limit"] else _("%s (no credit limit)", money(credit["exposure"] + credit["total"])))
        return [
            ("customer", _("Customer"), self.partner_id.commercial_partner_id.display_name or ""),
            ("sales_12_months", _("Sales, last 12 months (invoiced)"), money(self._governance_invoiced_since(since))),
            ("overdue_balance", _("Overdue balance"), money(credit["overdue"]) if credit else _("unknown")),
            ("exposure", _("Receivables, open orders and this order"), exposure if credit else _("unknown")),
        ]
