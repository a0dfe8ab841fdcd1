from markupsafe import Markup

from odoo import _, api, models
from odoo.exceptions import MissingError, ValidationError

from ..lib.errors import coded


class GovernanceApi(models.AbstractModel):
    """Posting an AI Summariser summary on its document: advice in the chatter, nothing else."""

    _inherit = "governance.api"

    @api.model
    def post_summary_note(self, payload=None):
        params = self._params("post_summary_note", payload, ["distribution_governance.group_integration"])
        return self.env["governance.idempotency"]._run_once(
            "post_summary_note", params, lambda: self._post_summary_note(params))

    def _post_summary_note(self, params):
        ref = params["document"]
        if ref["model"] not in self.env or not hasattr(self.env[ref["model"]], "message_post"):
            raise ValidationError(coded("invalid_params", _("document.model: %s has no chatter.", ref["model"])))
        document = self.env[ref["model"]].sudo().browse(ref["id"]).exists()
        company = document.company_id if document and "company_id" in document._fields else None
        if not document or (company and company not in self.env.user.company_ids):
            raise MissingError(coded("not_found", _("%(model)s %(id)s does not exist.", model=ref["model"], id=ref["id"])))
        if params["source"] == "ai":
            header = _("AI-generated summary (advice only; people decide) · model %(model)s · prompt %(hash)s",
                       model=params["model"], hash=params.get("prompt_hash") or "-")
        else:
            header = _("Summary built from the document's fields (AI unavailable: %(reason)s) · model %(model)s",
                       reason=params.get("fallback_reason") or "unknown", model=params["model"])
        message = document.message_post(
            body=Markup("<p><strong>%s</strong></p><p>%s</p>") % (header, params["summary"]),
            message_type="comment", subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        return {"message_id": message.id,
                "document": {"model": document._name, "id": document.id, "name": document.display_name or ""},
                "posted": True}
