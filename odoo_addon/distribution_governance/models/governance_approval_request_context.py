import json

from odoo import api, fields, models

# The facts that hold a document's value in the company currency, in the order they are looked for.
AMOUNT_FACTS = ("amount", "adjustment_value")
# Fields a governed document names its counterparty by when it has no _governance_counterparty().
COUNTERPARTY_FIELDS = ("partner_id", "warehouse_id", "location_id")


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
