import json
import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import approved_scope
from ..lib import policy as policy_lib
from ..lib.canonical_json import canonical_json
from ..lib.errors import coded

_logger = logging.getLogger(__name__)

# A record named in a document's approval scope: "model,id" (the form of Odoo's reference fields).
RECORD_REFERENCE = re.compile(r"^[a-z_][a-z0-9_.]*,[0-9]+$")
# Context key: {model: [ids]} of documents whose write already guards their released facts, so
# that the line writes it causes do not check (and audit) the same change twice.
GUARDED_CONTEXT = "governance_guarded"
# Context key: models whose create is running (the lines created with a document are not checked).
CREATING_CONTEXT = "governance_creating"

GOVERNANCE_STATES = [
    ("not_governed", "Not governed"),
    ("straight_through", "Straight-through"),
    ("pending", "Waiting for approval"),
    ("hold", "On hold"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("changes_requested", "Changes requested"),
    ("cancelled", "Cancelled"),
    ("blocked", "Blocked"),
]


class GovernanceMixin(models.AbstractModel):
    """Puts a document's governed action under the company's approval policy.

    A document type inherits this mixin and sets the class attributes below; it then implements
    ``_governance_facts`` and the three ``_governance_on_*`` hooks, and calls
    ``_governance_submit`` where the governed action starts. Reaching a released state (by a
    button, a write or a create, through the UI or RPC) is refused until the policy allows it.

    After release, what was approved is what is executed: a write that changes the document's
    facts or scope (``_governance_scope``) is accepted only when the new facts meet the policy
    straight-through or stay within what the approval covered (``_governance_fact_bounds``);
    otherwise it is refused, saying how to proceed (``_governance_change_hint``). Writes that
    leave the facts alone (receiving, billing, sending, locking, cancelling) are never checked.
    Lines of a document inherit ``governance.line.mixin``.
    """

    _name = "governance.mixin"
    _description = "Governed Document"

    # The selection field that says where the document is in its workflow.
    _governance_state_field = "state"
    # States reached by the governed action (e.g. a confirmed purchase order).
    _governance_released_states = ()
    # Fields the document's facts come from: they cannot change while approvers are deciding,
    # so that what is approved is what was submitted.
    _governance_locked_fields = ()
    # How a fact may move after approval without a new one: a ceiling fact may go down, a floor
    # fact may go up (lib/approved_scope.py). Lists may lose items; every other fact must stay.
    _governance_fact_bounds = {"amount": approved_scope.CEILING}

    governance_request_ids = fields.One2many(
        "governance.approval.request", "res_id", "Approval Requests",
        domain=lambda self: [("res_model", "=", self._name)], readonly=True,
    )
    governance_request_id = fields.Many2one(
        "governance.approval.request", "Current Approval Request", compute="_compute_governance"
    )
    governance_state = fields.Selection(GOVERNANCE_STATES, "Governance", compute="_compute_governance")
    governance_summary = fields.Text("Approval Status", compute="_compute_governance")
    governance_can_decide = fields.Boolean(compute="_compute_governance")
    governance_review_ids = fields.One2many(
        "governance.approval.review", compute="_compute_governance", string="Reviews"
    )
    governance_decision_ids = fields.One2many(
        "governance.approval.decision", compute="_compute_governance", string="Decisions"
    )
    governance_audit_ids = fields.One2many(
        "governance.audit.log", compute="_compute_governance_audit", string="Audit"
    )

    # -- hooks a governed model implements --------------------------------------------------

    def _governance_facts(self):
        """The document's facts (contract/policy/facts.json); leave out what is not known."""
        raise NotImplementedError

    def _governance_scope(self):
        """What an approval covers besides the facts: values or "model,id" references, e.g. the
        vendor, currency and products of an order. After release lists may lose items; any other
        value must stay as approved."""
        return {}

    def _governance_change_hint(self):
        """How to proceed when a change after release goes beyond what was approved."""
        return _("To go further, cancel it, set it back to draft, change it and submit it again for approval.")

    def _governance_on_approved(self, request):
        """The request was approved: carry out the governed action."""

    def _governance_on_rejected(self, request):
        """The request was rejected."""

    def _governance_on_changes_requested(self, request):
        """An approver asked for changes: return the document to its editable state."""

    # -- evaluation ---------------------------------------------------------------------------

    def _governance_subject(self):
        self.ensure_one()
        facts = {key: value for key, value in self._governance_facts().items() if value is not None}
        return {"document_type": self._name, "facts": facts}

    def _governance_evaluate(self):
        """(policy, evaluation, facts) for this document; policy is empty when none is active."""
        self.ensure_one()
        policy = self.env["governance.policy"]._active_for(self.company_id)
        subject = self._governance_subject()
        if not policy:
            return policy, None, subject["facts"]
        result = policy_lib.evaluate(policy.export_document(), subject)
        if "error" in result:
            error = result["error"]
            raise UserError(coded(error["code"], _("The approval policy cannot evaluate %(doc)s: %(path)s %(message)s",
                              doc=self.display_name, path=error["path"], message=error["message"])))
        return policy, result, subject["facts"]

    def _governance_current_request(self):
        self.ensure_one()
        return self.env["governance.approval.request"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("state", "!=", "cancelled")], limit=1
        )

    def _governance_reason_text(self, evaluation):
        lines = [reason["text"] for reason in evaluation["reasons"] if reason["action"] != "require_tier"]
        if evaluation["missing_facts"]:
            lines.append(self.env._("Missing data: %s", ", ".join(evaluation["missing_facts"])))
        return "; ".join(lines)

    def _governance_submit(self):
        """Evaluate this document at the start of its governed action.

        Returns 'proceed' (no active policy, straight-through, or already approved with the same
        facts), 'needs_approval' (a request was created) or 'hold' (a held request was created).
        Raises UserError with the policy's reasons when a block rule matches.
        """
        self.ensure_one()
        requests = self.env["governance.approval.request"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("state", "=", "pending")]
        )
        if requests.filtered(lambda request: request.outcome == "needs_approval"):
            raise UserError(coded("approval_pending", _("%s is already waiting for approval.", self.display_name)))
        requests._cancel(_("submitted again"))
        policy, evaluation, facts = self._governance_evaluate()
        if not policy:
            return "proceed"
        previous = self._governance_current_request()
        if (previous.state == "approved" and previous.policy_version_id == policy._current_version()
                and previous.facts == canonical_json(facts)):
            return "proceed"
        outcome = evaluation["outcome"]
        if outcome == "blocked":
            self._governance_record_after_rollback(policy, evaluation, facts)
            raise UserError(coded("blocked", _("%(doc)s is blocked by policy %(policy)s v%(version)s: %(reasons)s",
                              doc=self.display_name, policy=policy.name, version=policy.version,
                              reasons="; ".join(reason["text"] for reason in evaluation["reasons"]
                                                if reason["action"] == "block"))))
        if outcome == "auto_approve":
            self.env["governance.audit.log"]._append(
                "straight_through", _("%s meets policy: straight-through", self.display_name),
                record=self, policy=policy, company=self.company_id,
                details={"evaluation": evaluation, "facts": facts, "content_hash": policy.content_hash},
            )
            return "proceed"
        request = self.env["governance.approval.request"]._submit(self, self.env.user, policy, evaluation, facts)
        # A tier with fewer eligible approvers than its minimum holds a request that needs approval.
        if request.outcome == "hold" and "message_ids" in self._fields:
            self.message_post(body=_("On hold (%(ref)s): %(reason)s", ref=request.name,
                                     reason=self._governance_reason_text(_evaluation(request))))
        return request.outcome

    def _governance_record_after_rollback(self, policy, evaluation, facts):
        """Record a blocked attempt once the refusal has rolled the user's transaction back.

        The refusal is an error, so nothing of the transaction stays; the attempt (a blocked request,
        its audit entry and its approval.requested event) is written afterwards in a transaction of
        its own, so a blocked document is visible and auditable without the refused change.
        """
        registry, uid, context = self.env.registry, self.env.uid, dict(self.env.context)
        model, res_id, policy_id = self._name, self.id, policy.id

        def record():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, context)
                    document = env[model].browse(res_id).exists()
                    if document:  # a document created in the refused transaction is gone with it
                        env["governance.approval.request"]._submit(
                            document, env.user, env["governance.policy"].sudo().browse(policy_id), evaluation, facts)
            except Exception:
                # The user already has the refusal; losing its record must not hide that error.
                _logger.exception("Could not record the blocked attempt of %s,%s", model, res_id)

        self.env.cr.postrollback.add(record)

    def _governance_release_error(self):
        """Why this document may not reach a released state now, or None when it may."""
        self.ensure_one()
        request = self._governance_current_request()
        if request.state == "pending":
            if request.outcome == "hold":
                return _("%(doc)s is on hold (%(ref)s): %(reason)s", doc=self.display_name, ref=request.name,
                         reason=self._governance_reason_text(_evaluation(request)))
            return _("%(doc)s is waiting for approval (%(ref)s).", doc=self.display_name, ref=request.name)
        policy, evaluation, facts = self._governance_evaluate()
        if not policy:
            return None
        if request.state == "approved" and request.facts == canonical_json(facts):
            return None
        if evaluation["outcome"] == "auto_approve":
            return None
        if request.state == "approved":
            return _("%(doc)s changed after %(ref)s was approved; submit it again.", doc=self.display_name, ref=request.name)
        if evaluation["outcome"] == "blocked":
            return _("%(doc)s is blocked by policy: %(reasons)s", doc=self.display_name,
                     reasons="; ".join(reason["text"] for reason in evaluation["reasons"] if reason["action"] == "block"))
        if evaluation["outcome"] == "hold":
            return _("%(doc)s is on hold: %(reason)s", doc=self.display_name, reason=self._governance_reason_text(evaluation))
        return _("%s needs approval under the active policy; submit it for approval.", self.display_name)

    def _governance_check_release(self):
        for record in self:
            error = record._governance_release_error()
            if error:
                raise UserError(coded("approval_required", _("%s", error)))

    def _governance_releasing(self, vals):
        """The records of self that ``vals`` would move into a released state."""
        state = vals.get(self._governance_state_field)
        if state not in self._governance_released_states:
            return self.browse()
        return self.filtered(lambda record: record[self._governance_state_field] not in self._governance_released_states)

    @api.model_create_multi
    def create(self, vals_list):
        # The lines created with a document are part of its submission, not a change after release.
        creating = self.with_context(**{CREATING_CONTEXT: [*self.env.context.get(CREATING_CONTEXT, ()), self._name]})
        records = super(GovernanceMixin, creating).create(vals_list).with_env(self.env)
        records.filtered(
            lambda record: record[self._governance_state_field] in self._governance_released_states
        )._governance_check_release()
        return records

    def write(self, vals):
        if not set(vals) & set(self._governance_locked_fields):
            self._governance_releasing(vals)._governance_check_release()
            return super().write(vals)
        self._governance_check_unlocked()
        self._governance_releasing(vals)._governance_check_release()
        before = self._governance_unguarded()._governance_snapshot()
        guarded = dict(self.env.context.get(GUARDED_CONTEXT) or {})
        guarded[self._name] = list(set(guarded.get(self._name, ())) | set(before))
        result = super(GovernanceMixin, self.with_context(**{GUARDED_CONTEXT: guarded})).write(vals)
        self._governance_check_released_change(before)
        return result

    # -- after release --------------------------------------------------------------------------

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
            error = record._governance_released_change_error(scope)
            if error:
                raise UserError(coded("approval_required", error))

    def _governance_released_change_error(self, scope):
        """Why the released document may not keep its new facts and ``scope``, or None (the change is audited)."""
        self.ensure_one()
        policy, evaluation, facts = self.sudo()._governance_evaluate()
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

    def _governance_check_unlocked(self):
        """Refuse to change a document while its approval request waits for approvers."""
        pending = self.env["governance.approval.request"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("state", "=", "pending"), ("outcome", "=", "needs_approval"),
        ], limit=1)
        if pending:
            raise UserError(coded("approval_pending", _("%(doc)s is waiting for approval (%(ref)s): it cannot change until "
                              "approvers decide. Cancel it, or ask an approver to request changes.",
                              doc=pending.document_name, ref=pending.name)))

    # -- display ------------------------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_governance(self):
        for record in self:
            request = record._governance_current_request() if record.id else self.env["governance.approval.request"]
            reviews = request.review_ids
            record.governance_request_id = request
            record.governance_review_ids = reviews
            record.governance_decision_ids = request.decision_ids
            record.governance_can_decide = any(review.can_decide for review in reviews)
            record.governance_state = record._governance_state_of(request)
            record.governance_summary = record._governance_summary_of(request)

    def _governance_state_of(self, request):
        if not request:
            if not self.env["governance.policy"]._active_for(self.company_id):
                return "not_governed"
            return "straight_through" if self[self._governance_state_field] in self._governance_released_states else False
        if request.state == "pending":
            return "hold" if request.outcome == "hold" else "pending"
        return request.state

    def _governance_summary_of(self, request):
        if not request:
            return False
        policy = _("policy %(name)s v%(version)s", name=request.policy_id.name, version=request.policy_version)
        if request.state == "pending" and request.outcome == "hold":
            return _("On hold under %(policy)s: %(reason)s", policy=policy,
                     reason=self._governance_reason_text(_evaluation(request)))
        if request.state == "blocked":
            return _("%(ref)s: confirming was refused under %(policy)s: %(reason)s", ref=request.name, policy=policy,
                     reason=self._governance_reason_text(_evaluation(request)))
        if request.state != "pending":
            text = _("%(ref)s %(state)s under %(policy)s.", ref=request.name,
                     state=dict(request._fields["state"].selection)[request.state].lower(), policy=policy)
            if request.conditions:
                text += "\n" + _("Conditions: %s", request.conditions)
            if request.state == "approved" and self[self._governance_state_field] in self._governance_released_states:
                text += "\n" + self._governance_limits_text(request)
            last = request.decision_ids[-1:]
            if last.comment and request.state in ("rejected", "changes_requested"):
                text += "\n" + _("%(who)s: %(comment)s", who=last.user_id.name, comment=last.comment)
            return text
        lines = [_("%(ref)s waits for level %(level)s under %(policy)s (%(reasons)s):", ref=request.name,
                   level=request.current_level, policy=policy, reasons=request.reasons.replace("\n", "; "))]
        for review in request.review_ids.filtered(lambda review: review.state == "pending"):
            due = fields.Datetime.context_timestamp(self, review.date_due).strftime("%Y-%m-%d %H:%M") if review.date_due else _("no SLA")
            lines.append(_("• %(tier)s: %(count)s of %(min)s approvals, with %(who)s, due %(due)s%(esc)s",
                           tier=review.tier_name, count=review.approval_count, min=review.min_approvals,
                           who=", ".join(review.eligible_user_ids.mapped("name")) or _("nobody eligible"), due=due,
                           esc=_(" (escalated)") if review.escalated else ""))
        return "\n".join(lines)

    def _compute_governance_audit(self):
        Audit = self.env["governance.audit.log"]
        for record in self:
            record.governance_audit_ids = Audit.search([("res_model", "=", record._name), ("res_id", "=", record.id)]) \
                if record.id and Audit.has_access("read") else Audit

    # -- buttons --------------------------------------------------------------------------------

    def _governance_my_review(self):
        self.ensure_one()
        review = self.governance_review_ids.filtered("can_decide")[:1]
        if not review:
            raise AccessError(coded("not_eligible", _("You are not an eligible approver of %s now.", self.display_name)))
        return review

    def action_governance_approve(self):
        self._governance_my_review()._decide(self.env.user, "approve")
        return True

    def action_governance_decide(self):
        review = self._governance_my_review()
        return self.env["governance.decision.wizard"]._action_for(review, self.env.context.get("governance_outcome", "reject"))


def _evaluation(request):
    return json.loads(request.evaluation)
