import json

from odoo import api, fields, models
from odoo.tools import float_repr
from odoo.tools.misc import format_amount

# The facts that hold a document's value in the company currency, in the order they are looked for.
AMOUNT_FACTS = ("amount", "adjustment_value")
# Fields a governed document names its counterparty by when it has no _governance_counterparty().
COUNTERPARTY_FIELDS = ("partner_id", "warehouse_id", "location_id")
LINE_FIELDS = ("order_line", "line_ids")
QUANTITY_FIELDS = ("product_qty", "product_uom_qty", "quantity")
TOP_LINES = 3
MAX_TEXT = 200


class GovernanceApprovalRequest(models.Model):
    """What an approver needs at a glance: what, for whom, how much, why.

    Stored when the request is created, so My Approvals lists, sorts and groups thousands of
    reviews without reading their documents.
    """

    _inherit = "governance.approval.request"

    document_type = fields.Char(compute="_compute_glance", store=True, readonly=True)
    counterparty = fields.Char(
        compute="_compute_glance", store=True, readonly=True,
        help="The vendor, customer or warehouse of the document, as it was when the request was made.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_company = fields.Monetary(
        "Amount", currency_field="currency_id", compute="_compute_glance", store=True, readonly=True,
        help="The document's value in the company currency, as the policy saw it.",
    )
    reasons_line = fields.Char("Why", compute="_compute_glance", store=True, readonly=True)

    @api.depends("res_model", "res_id", "facts", "reasons")
    def _compute_glance(self):
        for request in self:
            facts = json.loads(request.facts or "{}")
            amount = next((facts[name] for name in AMOUNT_FACTS if facts.get(name) is not None), 0)
            document = request._document() if request.res_model in self.env and request.res_id else None
            request.document_type = self.env[request.res_model]._description if request.res_model in self.env else False
            request.amount_company = float(amount)
            request.counterparty = document and request._counterparty_of(document.sudo()) or False
            request.reasons_line = "; ".join(line for line in (request.reasons or "").splitlines() if line.strip())

    @api.model
    def _counterparty_of(self, document):
        """The document's own ``_governance_counterparty()`` when it has one, else its partner,
        warehouse or location."""
        if hasattr(document, "_governance_counterparty"):
            return document._governance_counterparty()
        for name in COUNTERPARTY_FIELDS:
            field = document._fields.get(name)
            if field and field.type == "many2one" and document[name]:
                value = document[name]
                return (value.commercial_partner_id if name == "partner_id" else value).display_name
        return False

    # -- what approver messages show ----------------------------------------------------------------

    def _document_glance(self):
        """The document as an approver's e-mail or chat message shows it: counterparty, top lines,
        amount formatted in the company currency and a link that opens it in Odoo (contract: the
        document object of approval.requested and approval.level_opened)."""
        self.ensure_one()
        document = self._document().sudo()
        lines = self._document_lines(document)
        glance = {
            "amount_display": format_amount(self.env, self.amount_company, self.currency_id),
            "url": self._document_url(),
            "lines": lines[:TOP_LINES],
            "line_count": len(lines),
        }
        if self.counterparty:
            glance["counterparty"] = self.counterparty[:MAX_TEXT]
        return glance

    def _document_url(self):
        base = (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")
        return f"{base}/odoo/{self.res_model}/{self.res_id}"

    @api.model
    def _document_lines(self, document):
        """The document's own ``_governance_lines()`` when it has one, else its order lines:
        [{product, quantity, uom, price_unit}] in the document's currency."""
        if hasattr(document, "_governance_lines"):
            return document._governance_lines()
        lines = next((document[name] for name in LINE_FIELDS if name in document._fields), None)
        if not lines or "product_id" not in lines._fields:
            return []
        result = []
        for line in lines.filtered("product_id"):
            quantity = next((line[name] for name in QUANTITY_FIELDS if name in line._fields), 0)
            item = {"product": (line.product_id.display_name or "")[:MAX_TEXT], "quantity": float_repr(quantity, 3)}
            if "product_uom" in line._fields and line.product_uom:
                item["uom"] = line.product_uom.name[:MAX_TEXT]
            if "price_unit" in line._fields:
                currency = line.currency_id if "currency_id" in line._fields and line.currency_id else self.env.company.currency_id
                item["price_unit"] = float_repr(line.price_unit, currency.decimal_places)
                item["price_display"] = format_amount(self.env, line.price_unit, currency)
            result.append(item)
        return result
