import base64
import binascii
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import MissingError, ValidationError

from ..lib import signature
from ..lib.api_params import EVENT_TYPES
from ..lib.errors import coded
from .governance_api import api_method

INTEGRATION = ["distribution_governance.group_integration"]


class GovernanceApi(models.AbstractModel):
    """The write-back API methods of the n8n trigger (subscriptions) and of the exception queue."""

    _inherit = "governance.api"

    # -- subscriptions ------------------------------------------------------------------------

    @api_method
    def register_subscription(self, payload=None):
        params = self._params("register_subscription", payload, INTEGRATION)
        return self.env["governance.idempotency"]._run_once(
            "register_subscription", params, lambda: self._register_subscription(params))

    def _register_subscription(self, params):
        try:
            signature.secret_key(params["secret"])
        except signature.SignatureError as error:
            raise ValidationError(coded("invalid_params", _("secret: %s", error))) from None
        known = {event["type"] for event in EVENT_TYPES}
        for index, event_type in enumerate(params["event_types"]):
            if event_type not in known:
                raise ValidationError(coded("invalid_params", _("event_types[%(index)s]: unknown event type %(type)s",
                                        index=index, type=event_type)))
        problem = self.env["governance.subscription"]._url_problem(params["url"])
        if problem:
            raise ValidationError(coded("invalid_params", _("url: %s", problem)))
        filters = params.get("filters") or {}
        mine = self.env.user.company_ids
        companies = self.env["res.company"].browse(filters.get("company_ids") or mine.ids)
        if companies - mine:
            raise ValidationError(coded("invalid_params", _("filters.company_ids: %s are not companies of %s",
                                    (companies - mine).ids, self.env.user.login)))
        models_ = filters.get("document_models") or []
        unknown = [name for name in models_ if name not in self.env]
        if unknown:
            raise ValidationError(coded("invalid_params", _("filters.document_models: unknown models %s", ", ".join(unknown))))
        subscription = self.env["governance.subscription"].sudo().create({
            "name": params.get("name") or params["url"],
            "url": params["url"],
            "event_types": ",".join(params["event_types"]),
            "secret": params["secret"],
            "company_ids": [(6, 0, companies.ids)],
            "document_models": ",".join(models_) or False,
            "origin": "api",
            "registered_by_id": self.env.user.id,
        })
        return {"subscription_id": subscription.id}

    def _own_subscription(self, subscription_id):
        """The caller's subscription (removed ones included), or an empty recordset."""
        subscription = self.env["governance.subscription"].sudo().with_context(active_test=False).browse(
            subscription_id).exists()
        if subscription and subscription.registered_by_id != self.env.user:
            return subscription.browse()
        return subscription

    @api_method
    def subscription_exists(self, payload=None):
        params = self._params("subscription_exists", payload, INTEGRATION)
        subscription = self._own_subscription(params["subscription_id"])
        exists = bool(subscription) and not subscription.removed_at and (
            "url" not in params or params["url"] == subscription.url)
        return {"exists": exists, "active": exists and subscription.active}

    @api_method
    def remove_subscription(self, payload=None):
        params = self._params("remove_subscription", payload, INTEGRATION)
        subscription = self._own_subscription(params["subscription_id"])
        if not subscription or subscription.removed_at:
            return {"removed": False}
        subscription._remove()
        return {"removed": True}

    # -- exceptions ---------------------------------------------------------------------------

    @api_method
    def raise_exception(self, payload=None):
        params = self._params("raise_exception", payload, INTEGRATION)
        return self.env["governance.idempotency"]._run_once(
            "raise_exception", params, lambda: self._raise_exception(params))

    def _exception_type(self, code, category):
        Type = self.env["governance.exception.type"].sudo().with_context(active_test=False)
        kind = Type.search([("code", "=", code)], limit=1)
        if not kind:
            # A new kind of exception from an integration joins the queue rather than being lost.
            kind = Type.create({"code": code, "name": code.replace("_", " ").replace(".", " ").capitalize(),
                                "category": category or "technical"})
        return kind

    def _raise_exception(self, params):
        document = None
        company = self.env.company
        if params.get("document"):
            ref = params["document"]
            if ref["model"] not in self.env:
                raise MissingError(coded("not_found", _("%s is not a document model.", ref["model"])))
            # The integration user need not read the document itself; it must be of its companies.
            document = self.env[ref["model"]].sudo().browse(ref["id"]).exists()
            if document and "company_id" in document._fields and document.company_id:
                company = document.company_id
            if not document or company not in self.env.user.company_ids:
                raise MissingError(coded("not_found", _("%(model)s %(id)s does not exist.", model=ref["model"], id=ref["id"])))
        existing, automation = None, {}
        if params.get("automation"):
            existing, automation = self.env["governance.exception"]._from_automation(params["automation"])
            if existing:
                return {"exception_id": existing.id, "name": existing.name, "state": existing.state}
        kind = self._exception_type(params["exception_type"], params.get("category"))
        vals = {
            "exception_type_id": kind.id,
            "category": params.get("category") or kind.category,
            "severity": params["severity"],
            "summary": params["summary"],
            "details": params.get("details") or False,
            "company_id": company.id,
        }
        if document:
            vals.update({"res_model": document._name, "res_id": document.id,
                         "document_name": params["document"].get("name") or document.display_name})
        if params.get("owner"):
            vals["owner_id"] = self._actor(params["owner"]).id
        if params.get("sla_hours"):
            vals["sla_due"] = fields.Datetime.now() + timedelta(hours=params["sla_hours"])
        vals.update(automation)
        exception = self.env["governance.exception"].sudo().create(vals)
        attachments = [self._evidence(item, index, exception) for index, item in enumerate(params.get("evidence") or [])]
        if attachments:
            exception.evidence_ids = [(6, 0, [attachment.id for attachment in attachments])]
        return {"exception_id": exception.id, "name": exception.name, "state": exception.state}

    def _evidence(self, item, index, exception):
        vals = {"name": item["name"], "res_model": exception._name, "res_id": exception.id}
        if item.get("mimetype"):
            vals["mimetype"] = item["mimetype"]
        if item.get("content_base64"):
            try:
                base64.b64decode(item["content_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError(coded("invalid_params", _("evidence[%s].content_base64: not valid base64", index))) from None
            vals.update({"type": "binary", "datas": item["content_base64"]})
        elif item.get("url"):
            vals.update({"type": "url", "url": item["url"]})
        else:
            raise ValidationError(coded("invalid_params", _("evidence[%s]: needs content_base64 or url", index)))
        return self.env["ir.attachment"].sudo().create(vals)

    @api_method
    def resolve_exception(self, payload=None):
        params = self._params("resolve_exception", payload, INTEGRATION)
        return self.env["governance.idempotency"]._run_once(
            "resolve_exception", params, lambda: self._resolve_exception(params))

    def _resolve_exception(self, params):
        exception = self.env["governance.exception"].sudo().browse(params["exception_id"]).exists()
        if not exception or exception.company_id not in self.env.user.company_ids:
            raise MissingError(coded("not_found", _("Exception %s does not exist.", params["exception_id"])))
        actor = self._actor(params["actor"]) if params.get("actor") else self.env.user
        exception._close(params["resolution"], params["reason"], actor=actor)
        return {"exception_id": exception.id, "state": exception.state}
