import json
import re

from odoo import _, models
from odoo.exceptions import UserError

from ..lib import approved_scope
from ..lib.errors import coded

# A record named in a document's approval scope: "model,id" (the form of Odoo's reference fields).
RECORD_REFERENCE = re.compile(r"^[a-z_][a-z0-9_.]*,[0-9]+$")
# Context key: {model: [ids]} of documents whose write already guards their released facts, so
# that the line writes it causes do not check (and audit) the same change twice.
GUARDED_CONTEXT = "governance_guarded"
# Context key: models whose create is running (the lines created with a document are not checked).
CREATING_CONTEXT = "governance_creating"


class GovernanceApprovedScope(models.AbstractModel):
    """What was approved is what runs: the after-release half of ``governance.mixin``.

    After release, a write that changes the document's facts or scope (``_governance_scope``) is
    accepted only when the new facts meet the policy straight-through or stay within what the
    approval covered (``_governance_fact_bounds``); otherwise it is refused, saying how to proceed
    (``_governance_change_hint``). Writes that leave the facts alone (receiving, billing, sending,
    locking, cancelling) are never checked. ``governance.mixin`` inherits this model; documents
    inherit ``governance.mixin`` only.
    """

    _name = "governance.approved.scope"
    _description = "Governed Document After Release"

    # How a fact may move after approval without a new one: a ceiling fact may go down, a floor
    # fact may go up (lib/approved_scope.py). Lists may lose items; every other fact must stay.
    _governance_fact_bounds = {"amount": approved_scope.CEILING}

    def _governance_scope(self):
        """What an approval covers besides the facts: values or "model,id" references, e.g. the
        vendor, currency and products of an order. After release lists may lose items; any other
        value must stay as approved."""
        return {}

    def _governance_change_hint(self):
        """How to proceed when a change after release goes beyond what was approved."""
        return _("To go further, cancel it, set it back to draft, change it and submit it again for approval.")

    def _governance_released(self):
        return self.filtered(lambda record: record[self._governance_state_field] in self._governance_released_states)

    def _governance_unguarded(self):
        """The documents of self whose change no enclosing write or create of theirs is already checking."""
        if self._name in self.env.context.get(CREATING_CONTEXT, ()):
            return self.browse()
        guarded = set((self.env.context.get(GUARDED_CONTEXT) or {}).get(self._name, ()))
        return self.filtered(lambda record: record.id not in guarded)

    def _governance_bound_values(self):
        """(facts, scope) of this document now, read as superuser: whoever changes it, the check is the same."""
        self.ensure_one()
        document = self.sudo()
        return document._governance_subject()["facts"], document._governance_scope()

    def _governance_snapshot(self):
        """{id: (facts, scope)} of the released documents of self, taken before a change."""
        return {record.id: record._governance_bound_values() for record in self._governance_released()}

    def _governance_check_released_change(self, before):
        """Refuse a change of released documents that goes beyond what was approved (readme/USAGE.md)."""
        for record in self.exists()._governance_released().filtered(lambda record: record.id in before):
            facts, scope = record._governance_bound_values()
            if (facts, scope) == before[record.id]:
                continue
            error = record._governance_released_change_error(facts, scope)
            if error:
                raise UserError(coded("approval_required", error))

    def _governance_released_change_error(self, facts, scope):
        """Why the released document may not keep its new ``facts`` and ``scope``, or None (the change is audited)."""
        self.ensure_one()
        policy, evaluation, facts = self.sudo()._governance_evaluate(facts)
        if not policy:
            return None
        request = self._governance_current_request()
        approved = request if request.state == "approved" else request.browse()
        outcome = evaluation["outcome"]
        hint = self._governance_change_hint()
        if outcome == "auto_approve":
            self._governance_audit_released_change(
                _("%(doc)s changed after release and meets the policy straight-through%(bounds)s",
                  doc=self.display_name, bounds=self._governance_bounded_text(facts)),
                policy, approved, evaluation, facts, scope)
            return None
        if outcome == "blocked":
            return _("%(doc)s cannot change this way: the policy blocks it (%(reasons)s). %(hint)s", doc=self.display_name,
                     reasons="; ".join(reason["text"] for reason in evaluation["reasons"] if reason["action"] == "block"),
                     hint=hint)
        if outcome == "hold":
            return _("%(doc)s cannot change this way: the policy would put it on hold (%(reason)s). %(hint)s",
                     doc=self.display_name, reason=self._governance_reason_text(evaluation), hint=hint)
        if not approved:
            return _("%(doc)s was released without approval (straight-through); after this change it needs approval "
                     "under policy %(policy)s (%(reasons)s). %(hint)s", doc=self.display_name, policy=policy.name,
                     reasons="; ".join(reason["text"] for reason in evaluation["reasons"]), hint=hint)
        beyond = self._governance_beyond_approval(approved, policy, evaluation, facts, scope)
        if beyond:
            return _("%(doc)s was approved in %(ref)s; this change goes beyond what was approved: %(what)s. %(hint)s",
                     doc=self.display_name, ref=approved.name, what="; ".join(beyond), hint=hint)
        self._governance_audit_released_change(
            _("%(doc)s changed after release, within what %(ref)s approved%(bounds)s", doc=self.display_name,
              ref=approved.name, bounds=self._governance_bounded_text(facts, json.loads(approved.facts or "{}"))),
            policy, approved, evaluation, facts, scope)
        return None

    def _governance_beyond_approval(self, approved, policy, evaluation, facts, scope):
        """Sentences saying where the new facts and scope go beyond the approved request."""
        overruns = approved_scope.overruns(json.loads(approved.facts or "{}"), facts, self._governance_fact_bounds)
        if approved.scope:
            overruns += approved_scope.overruns(json.loads(approved.scope), scope)
        texts = [self._governance_describe_overrun(overrun) for overrun in overruns]
        # Rule ids name the same tiers only within one policy version.
        if approved.policy_version_id == policy._current_version():
            approved_rules = set(approved.review_ids.filtered(lambda review: review.state == "approved").mapped("rule_code"))
            tiers = {reason["rule"]: reason["text"] for reason in evaluation["reasons"]}
            texts += [
                self.env._("it needs rule %(rule)s (%(reason)s), which was not part of the approval",
                           rule=rule, reason=tiers.get(rule, rule))
                for level in evaluation["levels"] for rule in level["tiers"] if rule not in approved_rules
            ]
        return texts

    def _governance_describe_overrun(self, overrun):
        key = overrun["key"]
        approved, current = self._governance_describe(overrun["approved"]), self._governance_describe(overrun["current"])
        if overrun["kind"] == "above":
            return _("%(key)s %(current)s is above the approved %(approved)s", key=key, current=current, approved=approved)
        if overrun["kind"] == "below":
            return _("%(key)s %(current)s is below the approved %(approved)s", key=key, current=current, approved=approved)
        if overrun["kind"] == "added":
            return _("%(key)s: %(values)s added", key=key, values=self._governance_describe(overrun["values"]))
        return _("%(key)s changed from %(approved)s to %(current)s", key=key, approved=approved, current=current)

    def _governance_describe(self, value):
        """A fact or scope value as people read it: records by their name."""
        if isinstance(value, list):
            return ", ".join(self._governance_describe(item) for item in value) or _("nothing")
        if value is None:
            return _("nothing")
        if isinstance(value, str) and RECORD_REFERENCE.match(value):
            model, res_id = value.split(",")
            if model in self.env:
                return self.env[model].sudo().browse(int(res_id)).exists().display_name or value
        return str(value)

    def _governance_bounded_text(self, facts, approved=None):
        """' (amount 10000.00, approved 12500.00)': the bounded facts, for the audit summary."""
        parts = [
            self.env._("%(key)s %(value)s, approved %(approved)s", key=key, value=facts[key], approved=approved[key])
            if approved and key in approved else self.env._("%(key)s %(value)s", key=key, value=facts[key])
            for key in sorted(self._governance_fact_bounds) if key in facts
        ]
        return " (%s)" % "; ".join(parts) if parts else ""

    def _governance_limits_text(self, request):
        """What changes after release the approved ``request`` still covers, for the banner."""
        approved = json.loads(request.facts or "{}")
        parts = [
            (self.env._("%(key)s at most %(value)s", key=key, value=approved[key]) if bound == approved_scope.CEILING
             else self.env._("%(key)s at least %(value)s", key=key, value=approved[key]))
            for key, bound in sorted(self._governance_fact_bounds.items()) if key in approved
        ]
        scope = sorted(json.loads(request.scope or "{}"))
        if scope:
            parts.append(_("the approved %s", ", ".join(scope)))
        return _("Changes after release must stay within this approval (%s); beyond it they are refused.",
                 "; ".join(parts) or _("the same facts"))

    def _governance_audit_released_change(self, summary, policy, approved, evaluation, facts, scope):
        self.env["governance.audit.log"]._append(
            "released_change", summary, record=self, request=approved or None, policy=policy, company=self.company_id,
            details={"evaluation": evaluation, "facts": facts, "scope": scope, "content_hash": policy.content_hash},
        )
