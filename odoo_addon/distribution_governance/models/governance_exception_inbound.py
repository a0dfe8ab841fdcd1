from markupsafe import Markup, escape

from odoo import _, api, fields, models

INBOUND_TYPES = {
    "receipt": "distribution_governance.exception_type_receipt_quantity_discrepancy",
    "price": "distribution_governance.exception_type_price_variance",
    "aging": "distribution_governance.exception_type_unprocessed_receipt",
}
# The columns of the evidence table on the form, per kind of line.
EVIDENCE_COLUMNS = [
    ("product", "Product"), ("uom", "Unit"), ("ordered", "Ordered"), ("received", "Received here"),
    ("received_total", "Received in all"), ("ordered_price", "Order price"), ("billed_price", "Billed price"),
    ("quantity", "Quantity"), ("difference", "Difference"), ("difference_percent", "Difference %"),
    ("allowance", "Allowed"), ("lots", "Lots"),
]


class GovernanceException(models.Model):
    """Exceptions of inbound control (scenario S5): their evidence travels with their events."""

    _inherit = "governance.exception"

    purchase_order_id = fields.Many2one("purchase.order", "Purchase Order", readonly=True, index="btree_not_null")
    evidence_data = fields.Json("Evidence Data", readonly=True, copy=False,
                                help="What the exception rests on, as its events carry it (data.evidence).")
    evidence_html = fields.Html("Evidence Lines", compute="_compute_evidence_html", sanitize=False)

    @api.depends("evidence_data")
    def _compute_evidence_html(self):
        for exception in self:
            lines = (exception.evidence_data or {}).get("lines") or []
            columns = [(key, label) for key, label in EVIDENCE_COLUMNS if any(key in line for line in lines)]
            if not lines:
                exception.evidence_html = False
                continue
            rows = []
            for line in lines:
                cells = []
                for key, _label in columns:
                    value = line.get(key)
                    if key == "product":
                        value = (value or {}).get("name")
                    elif key == "lots":
                        value = ", ".join(f"{lot['name']} ({lot['quantity']})" for lot in value or [])
                    cells.append(Markup("<td>%s</td>") % ("" if value is None else value))
                style = Markup(' class="table-danger"') if line.get("beyond_tolerance") else Markup("")
                rows.append(Markup("<tr%s>%s</tr>") % (style, Markup("").join(cells)))
            head = Markup("").join(Markup("<th>%s</th>") % escape(label) for _key, label in columns)
            exception.evidence_html = Markup(
                '<table class="table table-sm o_governance_evidence"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>'
            ) % (head, Markup("").join(rows))

    @api.model
    def _raise_inbound(self, kind, document, summary, details, owner, order, evidence):
        """Raise one inbound-control exception about ``document`` for ``owner``, who gets a to-do."""
        exception_type = self.env.ref(INBOUND_TYPES[kind])
        owner = owner or exception_type.default_owner_id
        exception = self.sudo().with_company(document.company_id).create({
            "exception_type_id": exception_type.id,
            "summary": summary[:250],
            "details": details,
            "owner_id": owner.id or False,
            "res_model": document._name,
            "res_id": document.id,
            "document_name": document.display_name,
            "company_id": document.company_id.id,
            "purchase_order_id": order.id or False,
            "evidence_data": evidence,
        })
        if owner:
            exception.activity_schedule("mail.mail_activity_data_todo", user_id=owner.id, summary=summary[:250],
                                        date_deadline=exception.sla_due and exception.sla_due.date())
        return exception

    @api.model
    def _open_inbound(self, kind, documents):
        """The open exceptions of ``kind`` about ``documents``."""
        if not documents:
            return self.browse()
        return self.sudo().search([
            ("exception_type_id", "=", self.env.ref(INBOUND_TYPES[kind]).id), ("res_model", "=", documents._name),
            ("res_id", "in", documents.ids), ("state", "in", ("open", "in_progress")),
        ])

    def _close(self, resolution, reason, actor=None):
        """Closing an inbound exception marks its owner's to-do done, with the reason."""
        result = super()._close(resolution, reason, actor=actor)
        codes = [self.env.ref(xmlid).code for xmlid in INBOUND_TYPES.values()]
        self.filtered(lambda exception: exception.exception_type_id.code in codes).sudo().activity_feedback(
            ["mail.mail_activity_data_todo"], feedback=reason)
        return result

    def _emit(self, event_type, data):
        if self.evidence_data and "evidence" not in data:
            data = dict(data, evidence=self.evidence_data)
        return super()._emit(event_type, data)
