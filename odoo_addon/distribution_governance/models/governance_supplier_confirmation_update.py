import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .governance_supplier_confirmation import STATES

SOURCES = [("portal", "Supplier portal"), ("edi", "EDI"), ("email", "E-mail"), ("manual", "Manual"), ("api", "API")]
STATUSES = [("confirmed", "Confirmed"), ("date_changed", "Date changed"), ("rejected", "Rejected")]


class GovernanceSupplierConfirmationUpdate(models.Model):
    """One answer of a supplier, kept as it arrived: source, time, reference and the raw message.

    Updates are evidence: they are never changed or deleted, the raw message is also attached to the
    confirmation.
    """

    _name = "governance.supplier.confirmation.update"
    _description = "Supplier Confirmation Update"
    _order = "received_at desc, id desc"

    confirmation_id = fields.Many2one("governance.supplier.confirmation", required=True, ondelete="cascade",
                                      index=True, readonly=True)
    company_id = fields.Many2one(related="confirmation_id.company_id", store=True)
    status = fields.Selection(STATUSES, required=True, readonly=True)
    state_after = fields.Selection(STATES, "Resulting State", readonly=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    received_at = fields.Datetime("Arrived On", required=True, readonly=True)
    supplier_reference = fields.Char(readonly=True)
    reason = fields.Text(readonly=True)
    raw_message = fields.Text("Raw Message", readonly=True)
    raw_filename = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", "Evidence", readonly=True)
    user_id = fields.Many2one("res.users", "Recorded By", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        updates = super().create(vals_list)
        for update in updates.filtered("raw_message"):
            confirmation = update.confirmation_id
            name = update.raw_filename or f"{confirmation.name}-{update.source}-{update.id}.txt"
            update.attachment_id = self.env["ir.attachment"].sudo().create({
                "name": name,
                "datas": base64.b64encode(update.raw_message.encode("utf-8")),
                "mimetype": "text/plain",
                "res_model": confirmation._name,
                "res_id": confirmation.id,
            })
        return updates

    def write(self, vals):
        if set(vals) - {"attachment_id", "state_after"}:
            raise UserError(_("Supplier updates are evidence: they cannot be changed."))
        return super().write(vals)

    def unlink(self):
        raise UserError(_("Supplier updates are evidence: they cannot be deleted."))
