import functools

from odoo import _, api, models
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.modules.module import get_manifest
from odoo.tools.sql import escape_psql as escape_like

from ..lib import api_params
from ..lib.errors import coded
from .governance_event import person


def api_method(method):
    """A public method of the API: called on the model, with its one params object; its result
    never holds null (the key is left out), so it passes over XML-RPC as over JSON-RPC."""

    @functools.wraps(method)
    def call(self, payload=None):
        return api_params.without_nulls(method(self, payload))

    return api.model(call)


class GovernanceApi(models.AbstractModel):
    """The write-back API of contract/api/methods.json, for n8n over Odoo's external API.

    Each public method takes one params object and returns one JSON object. Authority is
    re-checked here: the caller needs the method's group, and a decision is taken through the
    same ``review._decide`` as the Odoo buttons, for the named actor.
    """

    _name = "governance.api"
    _description = "Distribution Governance write-back API"

    # -- helpers ----------------------------------------------------------------------------------

    def _params(self, method, payload, groups):
        user = self.env.user
        if groups and not any(user.has_group(group) for group in groups):
            raise AccessError(coded("forbidden", _("%(login)s may not call %(method)s.", login=user.login, method=method)))
        try:
            return api_params.check_params(method, payload if payload is not None else {})
        except api_params.ParamsError as error:
            raise ValidationError(coded("invalid_params", _("%s", error))) from None

    def _is_integration(self):
        return self.env.user.has_group("distribution_governance.group_integration")

    def _actor(self, login_or_email):
        """The acting person; a non-integration caller may only act as themselves."""
        users = self.env["res.users"].sudo()
        actor = users.search([("login", "=", login_or_email)], limit=1) or users.search(
            [("email", "=ilike", escape_like(login_or_email))], limit=2
        )
        if len(actor) != 1:
            raise ValidationError(coded("unknown_actor", _("No single active user has the login or e-mail %s.", login_or_email)))
        if actor != self.env.user and not self._is_integration():
            raise AccessError(coded("forbidden", _("%(login)s may only act as themselves, not as %(actor)s.",
                                login=self.env.user.login, actor=login_or_email)))
        return actor

    @staticmethod
    def _document(request):
        return {"model": request.res_model, "id": request.res_id, "name": request.document_name or ""}

    # -- methods ------------------------------------------------------------------------------------

    @api_method
    def api_info(self, payload=None):
        self._params("api_info", payload, ["base.group_user", "distribution_governance.group_integration"])
        return {
            "api_version": api_params.API["api_version"],
            "addon_version": get_manifest("distribution_governance")["version"],
            "database": self.env.cr.dbname,
            "user": person(self.env.user),
            "event_types": [event["type"] for event in api_params.EVENT_TYPES],
            "integration": self._is_integration(),
        }

    @api_method
    def list_event_types(self, payload=None):
        self._params("list_event_types", payload, ["distribution_governance.group_integration"])
        return {"event_types": [{"type": e["type"], "description": e["description"]} for e in api_params.EVENT_TYPES]}

    @api_method
    def export_policy_document(self, payload=None):
        params = self._params("export_policy_document", payload, [
            "distribution_governance.group_integration", "distribution_governance.group_manager",
            "distribution_governance.group_auditor",
        ])
        company = self.env["res.company"].browse(params.get("company_id")) if params.get("company_id") else self.env.company
        if not company.exists() or company not in self.env.user.company_ids:
            raise MissingError(coded("not_found", _("Company %s does not exist or is not yours.", params.get("company_id"))))
        policy = self.env["governance.policy"]._active_for(company)
        if not policy:
            raise MissingError(coded("not_found", _("%s has no active policy.", company.name)))
        return policy.export_document()

    @api_method
    def list_pending_reviews(self, payload=None):
        params = self._params("list_pending_reviews", payload, [
            "distribution_governance.group_integration", "distribution_governance.group_approver",
        ])
        actor = params.get("actor") and self._actor(params["actor"])
        if not actor and not self._is_integration():
            actor = self.env.user
        domain = [("state", "=", "pending"), ("company_id", "in", self.env.user.company_ids.ids)]
        if params.get("document_model"):
            domain.append(("res_model", "=", params["document_model"]))
        Review = self.env["governance.approval.review"].sudo()
        if actor:
            people = actor | self.env["governance.delegation"]._delegators_of(actor)
            domain += [("eligible_user_ids", "in", people.ids), ("request_id.requester_id", "!=", actor.id)]
        reviews = Review.search(domain, order="date_due asc, id asc", limit=params["limit"])
        return {"reviews": [self._review_json(review) for review in reviews]}

    def _review_json(self, review):
        request = review.request_id
        return {
            "review_id": review.id,
            "request_id": request.id,
            "request_ref": request.name,
            "document": self._document(request),
            "level": review.level,
            "tier_name": review.tier_name,
            "rule": review.rule_code,
            "min_approvals": review.min_approvals,
            "approvals": review.approval_count,
            "due": review.date_due.strftime("%Y-%m-%dT%H:%M:%SZ") if review.date_due else None,
            "eligible_approvers": [person(user) for user in review.eligible_user_ids],
            "requester": person(request.requester_id),
        }

    @api_method
    def decide(self, payload=None):
        params = self._params("decide", payload, [
            "distribution_governance.group_integration", "distribution_governance.group_approver",
        ])
        actor = self._actor(params["actor"])
        return self.env["governance.idempotency"]._run_once(
            "decide", params, lambda: self._decide(params, actor), actor=actor)

    def _decide(self, params, actor):
        review = self.env["governance.approval.review"].sudo().browse(params["review_id"]).exists()
        if not review or review.company_id not in self.env.user.company_ids:
            raise MissingError(coded("not_found", _("Review %s does not exist.", params["review_id"])))
        decision = review._decide(
            actor, params["outcome"], params.get("comment"), params.get("conditions"), channel="api"
        )
        request = review.request_id
        return {
            "review_id": review.id,
            "request_id": request.id,
            "request_state": request.state,
            "outcome": decision.outcome,
            "actor": person(actor),
            "on_behalf_of": person(decision.on_behalf_of_id),
            "document": self._document(request),
        }
