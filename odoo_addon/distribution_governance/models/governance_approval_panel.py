import json

from lxml import etree

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..lib.errors import coded

# The view parts a governed form names by placeholders (governance.mixin's docstring).
FORM_PARTS = "distribution_governance.governance_mixin_form_parts"

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


class GovernanceApprovalPanel(models.AbstractModel):
    """What a governed form shows: the approval banner, the decision buttons and the approvals tab.

    The half of ``governance.mixin`` that displays; documents inherit ``governance.mixin`` only.
    """

    _name = "governance.approval.panel"
    _description = "Approval Panel of a Governed Document"

    governance_request_id = fields.Many2one(
        "governance.approval.request", "Current Approval Request", compute="_compute_governance"
    )
    governance_state = fields.Selection(GOVERNANCE_STATES, "Governance", compute="_compute_governance")
    governance_summary = fields.Text("Approval Status", compute="_compute_governance")
    governance_context = fields.Text("Approval Context", compute="_compute_governance")
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
            record.governance_context = "\n".join(
                f"{item['label']}: {item['value']}" for item in json.loads(request.approval_context or "[]")) or False

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

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The form with its governance placeholders replaced by the reusable parts (class docstring)."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type != "form":
            return arch, view
        placeholders = arch.xpath("//*[@name='governance_buttons' or @name='governance_banner' "
                                  "or @name='governance_approvals'][not(node())]")
        if placeholders:
            template = self.env.ref(FORM_PARTS).sudo()
            parts = etree.fromstring(template.arch)
            for placeholder in placeholders:
                [part] = parts.xpath("//t[@name=$name]", name=placeholder.get("name"))
                for child in part:
                    placeholder.addprevious(child)
                placeholder.getparent().remove(placeholder)
        return arch, view

    # -- buttons --------------------------------------------------------------------------------

    def _governance_my_review(self):
        self.ensure_one()
        review = self.governance_review_ids.filtered("can_decide")[:1]
        if not review:
            raise AccessError(coded("not_eligible", _("You are not an eligible approver of %s now.", self.display_name)))
        return review

    def action_governance_approve(self):
        # A tier that confirms with password opens the decision wizard, which asks for it.
        return self._governance_my_review().action_approve()

    def action_governance_decide(self):
        review = self._governance_my_review()
        return self.env["governance.decision.wizard"]._action_for(review, self.env.context.get("governance_outcome", "reject"))


def _evaluation(request):
    return json.loads(request.evaluation)
