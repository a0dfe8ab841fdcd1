import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import policy as policy_lib
from ..lib.canonical_json import canonical_json
from ..lib.errors import coded
from .governance_approved_scope import CREATING_CONTEXT, GUARDED_CONTEXT

_logger = logging.getLogger(__name__)

# Context key holding the documents whose governed action the policy let through (a _Cleared set):
# the checks that run inside that action do not evaluate the policy again. Only Python code can
# put a _Cleared object in a context; a context sent over RPC holds plain values and clears nothing.
CLEARED_CONTEXT = "governance_cleared"


class _Cleared(set):
    """{(model, id)} of documents cleared for the governed action that is running."""


class GovernanceMixin(models.AbstractModel):
    """Puts a document's governed action under the company's approval policy.

    Governing a document type (purchase.order is the example):

    - ``_inherit = ["<model>", "governance.mixin"]`` and, for its lines, ``["<line model>",
      "governance.line.mixin"]`` with ``_governance_document_field`` and ``_governance_locked_fields``;
    - class attributes: ``_governance_state_field`` ("state"), ``_governance_submit_states`` (states
      the governed action starts from), ``_governance_released_states`` (states it reaches),
      ``_governance_action`` (its method, run again on final approval), ``_governance_approved_action``
      (the method that releases an approved document when it is not the action itself, e.g. a
      purchase order's ``button_approve``), ``_governance_lines_field``, ``_governance_locked_fields``
      (document fields the facts come from; the lines field is one), ``_governance_withdraw_states``
      (moving into one withdraws a pending request, e.g. cancel or draft), ``_governance_reject_method``
      and ``_governance_changes_method`` (run on rejection / request for changes; None: the document
      stays as it is, with the reason on its chatter), ``_governance_fact_bounds`` (after release);
    - ``_governance_facts()`` (contract/policy/facts.json; leave out what is not known), optionally
      ``_governance_scope()``, ``_governance_change_hint()`` and ``_governance_approval_context()``
      (what approvers see with the request: banner and approval.requested event);
    - the governed action's override: ``return self._governance_run(lambda docs: super(Model, docs).action())``.
      The policy is evaluated once per governed action; the checks inside the action (the state write,
      the release method) trust that evaluation.
    - the form view: an inherited view with three empty placeholders, replaced by the reusable parts
      of ``views/governance_mixin_views.xml`` (``_get_view``):
      ``<div name="governance_buttons"/>`` inside ``<header>``, ``<div name="governance_banner"/>``
      before ``<sheet>``, ``<page name="governance_approvals"/>`` inside the ``<notebook>``.

    Reaching a released state (by a button, a write or a create, through the UI or RPC) is refused
    until the policy allows it; after release what was approved is what runs
    (``governance.approved.scope``).
    """

    _name = "governance.mixin"
    _inherit = ["governance.approved.scope", "governance.approval.panel"]
    _description = "Governed Document"

    # The selection field that says where the document is in its workflow.
    _governance_state_field = "state"
    # States the governed action starts from: a document in one of them is submitted to the policy.
    _governance_submit_states = ("draft", "sent")
    # States reached by the governed action (e.g. a confirmed purchase order).
    _governance_released_states = ()
    # The governed action's method, and the one that releases an approved document (default: the action).
    _governance_action = None
    _governance_approved_action = None
    # The one2many of the document's lines (their model inherits governance.line.mixin).
    _governance_lines_field = None
    # Fields the document's facts come from: they cannot change while approvers are deciding,
    # so that what is approved is what was submitted. The lines field counts as one.
    _governance_locked_fields = ()
    # Moving into one of these states withdraws the document's pending request.
    _governance_withdraw_states = ("draft", "cancel")
    # Methods run when the request is rejected or changes are requested (None: the document stays).
    _governance_reject_method = None
    _governance_changes_method = None

    governance_request_ids = fields.One2many(
        "governance.approval.request", "res_id", "Approval Requests",
        domain=lambda self: [("res_model", "=", self._name)], readonly=True,
    )
    # -- hooks a governed model implements --------------------------------------------------

    def _governance_facts(self):
        """The document's facts (contract/policy/facts.json); leave out what is not known."""
        raise NotImplementedError

    def _governance_approval_context(self):
        """What approvers need to see besides the facts, as [{"key", "label", "value"}] (value: a
        string), stored on the request, shown in the banner and sent in approval.requested."""
        return []

    def _governance_category_names(self, products):
        """The product_categories fact of ``products``: the complete names of their categories and of
        all those categories' parents, sorted (so a rule on a parent category covers its children)."""
        category_ids = {int(part) for category in products.categ_id for part in category.parent_path.split("/") if part}
        return sorted(self.env["product.category"].browse(category_ids).mapped("complete_name"))

    def _governance_on_approved(self, request):
        """The request was approved: release the document (facts unchanged since submission)."""
        if self[self._governance_state_field] in self._governance_released_states:
            return
        cleared = _Cleared()
        if request.facts == canonical_json(self.sudo()._governance_subject()["facts"]):
            cleared.add((self._name, self.id))
        document = self.sudo().with_company(self.company_id).with_context(**{CLEARED_CONTEXT: cleared})
        getattr(document, self._governance_approved_action or self._governance_action)()

    def _governance_on_rejected(self, request):
        """The request was rejected."""
        self._governance_on_decided(request, self._governance_reject_method)

    def _governance_on_changes_requested(self, request):
        """An approver asked for changes: return the document to its editable state."""
        self._governance_on_decided(request, self._governance_changes_method)

    def _governance_on_decided(self, request, method):
        if method:
            getattr(self.sudo().with_company(self.company_id), method)()
        elif "message_ids" in self._fields:
            last = request.decision_ids[-1:]
            self.sudo().message_post(body=_("%(ref)s %(result)s by %(who)s: %(comment)s", ref=request.name,
                                            result=dict(request._fields["state"].selection)[request.state].lower(),
                                            who=last.user_id.name, comment=last.comment or _("no reason given")))

    # -- the governed action ------------------------------------------------------------------

    def _governance_run(self, action, on_pending=None):
        """Run the governed ``action(documents)`` for the documents of self the policy lets through.

        Each document in a submit state is evaluated once: straight-through (or already approved
        with the same facts) goes on to ``action``; needing approval creates a request and, when
        given, ``on_pending(documents)`` runs for those; on hold it stays as it is; blocked raises.
        Documents in other states go to ``action`` untouched (it decides what to do with them).
        Returns what ``action`` returns, or True when no document went on.
        """
        cleared = self.env.context.get(CLEARED_CONTEXT)
        cleared = cleared if isinstance(cleared, _Cleared) else _Cleared()
        proceed = pending = self.browse()
        for record in self:
            if record[self._governance_state_field] not in self._governance_submit_states \
                    or (record._name, record.id) in cleared:
                proceed |= record
                continue
            outcome = record._governance_submit()
            if outcome == "proceed":
                cleared.add((record._name, record.id))
                proceed |= record
            elif outcome == "needs_approval":
                pending |= record
        result = action(proceed.with_context(**{CLEARED_CONTEXT: cleared})) if proceed else True
        if pending and on_pending:
            on_pending(pending)
        return result

    def _governance_cleared(self):
        cleared = self.env.context.get(CLEARED_CONTEXT)
        return isinstance(cleared, _Cleared) and (self._name, self.id) in cleared

    # -- evaluation ---------------------------------------------------------------------------

    def _governance_subject(self):
        self.ensure_one()
        facts = {key: value for key, value in self._governance_facts().items() if value is not None}
        return {"document_type": self._name, "facts": facts}

    def _governance_evaluate(self, facts=None):
        """(policy, evaluation, facts) for this document (or these ``facts`` of it); policy is empty when none is active."""
        self.ensure_one()
        policy = self.env["governance.policy"]._active_for(self.company_id)
        if facts is None:
            facts = self._governance_subject()["facts"]
        if not policy:
            return policy, None, facts
        result = policy_lib.evaluate(policy.export_document(), {"document_type": self._name, "facts": facts})
        if "error" in result:
            error = result["error"]
            raise UserError(coded(error["code"], _("The approval policy cannot evaluate %(doc)s: %(path)s %(message)s",
                              doc=self.display_name, path=error["path"], message=error["message"])))
        return policy, result, facts

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
        facts = self._governance_subject()["facts"]
        if request.state == "approved" and request.facts == canonical_json(facts):
            return None
        policy, evaluation, facts = self._governance_evaluate(facts)
        if not policy or evaluation["outcome"] == "auto_approve":
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
            error = not record._governance_cleared() and record._governance_release_error()
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
        withdrawn = self._governance_withdrawn(vals)
        if not set(vals) & self._governance_all_locked_fields():
            self._governance_releasing(vals)._governance_check_release()
            result = super().write(vals)
        else:
            self._governance_check_unlocked()
            self._governance_releasing(vals)._governance_check_release()
            before = self._governance_unguarded()._governance_snapshot()
            guarded = dict(self.env.context.get(GUARDED_CONTEXT) or {})
            guarded[self._name] = list(set(guarded.get(self._name, ())) | set(before))
            result = super(GovernanceMixin, self.with_context(**{GUARDED_CONTEXT: guarded})).write(vals)
            self._governance_check_released_change(before)
        if withdrawn:
            state = vals[self._governance_state_field]
            self.env["governance.approval.request"].sudo().search([
                ("res_model", "=", self._name), ("res_id", "in", withdrawn.ids), ("state", "=", "pending"),
            ])._cancel(_("document set to %s", dict(self._fields[self._governance_state_field]._description_selection(
                self.env)).get(state, state)))
        return result

    def _governance_all_locked_fields(self):
        return set(self._governance_locked_fields) | ({self._governance_lines_field} - {None})

    def _governance_withdrawn(self, vals):
        """The records of self that ``vals`` moves into a withdraw state (their pending request is cancelled)."""
        state = vals.get(self._governance_state_field)
        if state not in self._governance_withdraw_states:
            return self.browse()
        return self.filtered(lambda record: record[self._governance_state_field] != state)

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


def _evaluation(request):
    return json.loads(request.evaluation)
