from odoo import _, fields, models
from odoo.tools import float_repr

from .governance_supplier_confirmation import STATES as CONFIRMATION_STATES


class PurchaseOrder(models.Model):
    """Purchase orders under governance: confirming one is the governed action."""

    _name = "purchase.order"
    _inherit = ["purchase.order", "governance.mixin"]

    _governance_released_states = ("purchase", "done")
    _governance_action = "button_confirm"
    _governance_approved_action = "button_approve"
    _governance_lines_field = "order_line"
    _governance_locked_fields = (
        "partner_id", "currency_id", "company_id", "date_order", "picking_type_id", "governance_urgency",
    )
    _governance_reject_method = "button_cancel"
    _governance_changes_method = "button_draft"

    governance_urgency = fields.Selection(
        [("normal", "Normal"), ("urgent", "Urgent"), ("emergency", "Emergency")],
        "Urgency", default="normal", tracking=True,
    )
    governance_confirmation_id = fields.Many2one(
        "governance.supplier.confirmation", "Supplier Confirmation", compute="_compute_governance_confirmation")
    governance_confirmation_state = fields.Selection(
        CONFIRMATION_STATES, "Supplier Confirmation Status", compute="_compute_governance_confirmation")

    def _compute_governance_confirmation(self):
        confirmations = self.env["governance.supplier.confirmation"].sudo().search([("purchase_order_id", "in", self.ids)])
        by_order = {confirmation.purchase_order_id.id: confirmation for confirmation in confirmations}
        for order in self:
            confirmation = by_order.get(order.id, confirmations.browse())
            order.governance_confirmation_id = confirmation
            order.governance_confirmation_state = confirmation.state

    def action_governance_confirmation(self):
        self.ensure_one()
        return self.governance_confirmation_id.get_formview_action()

    def _governance_facts(self):
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        amount = self.currency_id._convert(
            self.amount_untaxed, currency, company, self.date_order or fields.Date.context_today(self)
        )
        products = self.order_line.product_id
        vendor = self.partner_id.commercial_partner_id
        return {
            "currency": currency.name,
            "amount": float_repr(currency.round(amount), currency.decimal_places),
            "product_categories": self._governance_category_names(products),
            "warehouse": self.picking_type_id.warehouse_id.code or None,
            "company": company.name,
            "vendor_preferred": all(self._governance_first_vendor(product) == vendor for product in products)
            if products else None,
            "vendor_risk": vendor.governance_vendor_risk or None,
            "urgency": self.governance_urgency or None,
            "origin": "replenishment" if self.order_line.orderpoint_id else "manual",
        }

    def _governance_scope(self):
        self.ensure_one()
        return {
            "vendor": f"res.partner,{self.partner_id.commercial_partner_id.id}",
            "currency": f"res.currency,{self.currency_id.id}",
            "products": sorted(f"product.product,{product_id}" for product_id in self.order_line.product_id.ids),
        }

    def _governance_change_hint(self):
        return _("To order more, put the difference on a new purchase order, which goes through the policy on its own; "
                 "to change this order beyond its approval, cancel it, set it to draft, change it and confirm it again.")

    def _governance_first_vendor(self, product):
        sellers = product.seller_ids.filtered(
            lambda seller: (not seller.company_id or seller.company_id == self.company_id)
            and (not seller.product_id or seller.product_id == product)
        )
        return sellers[:1].partner_id.commercial_partner_id

    def button_confirm(self):
        # Odoo registers the vendor on products that have none when it confirms; evaluate the
        # order as it will be, so that its facts do not change between request and release.
        self.filtered(lambda order: order.state in self._governance_submit_states)._add_supplier_to_product()
        return self._governance_run(
            lambda orders: super(PurchaseOrder, orders).button_confirm(),
            on_pending=lambda orders: super(PurchaseOrder, orders.with_context(governance_pending=True)).button_confirm())

    def _approval_allowed(self):
        if self.env.context.get("governance_pending"):
            return False
        if self._governance_current_request().state == "approved":
            return True
        return super()._approval_allowed()

    def button_approve(self, force=False):
        releasing = self.filtered(lambda order: order.state not in self._governance_released_states)
        releasing._governance_check_release()
        result = super().button_approve(force=force)
        self.env["governance.supplier.confirmation"]._await_confirmation(
            releasing.filtered(lambda order: order.state in self._governance_released_states))
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self.env["governance.supplier.confirmation"]._cancel_for(self)
        return result
