import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..lib import tier_staffing
from ..lib.canonical_json import canonical_json

REQUEST_STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("changes_requested", "Changes Requested"),
    ("cancelled", "Cancelled"),
    ("blocked", "Blocked"),
]


class GovernanceApprovalRequest(models.Model):
    """One submission of a governed document: its facts, the policy version and matched rules,
    and the reviews (tiers) that must approve it, level after level."""

    _name = "governance.approval.request"
    _description = "Approval Request"
    _order = "id desc"

    name = fields.Char("Reference", required=True, readonly=True, default="/", copy=False)
    res_model = fields.Char("Document Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference("Document ID", model_field="res_model", required=True, readonly=True, index=True)
    document_name = fields.Char("Document", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    requester_id = fields.Many2one("res.users", "Requester", required=True, readonly=True, index=True)
    state = fields.Selection(REQUEST_STATES, default="pending", required=True, readonly=True, index=True)
    outcome = fields.Selection(
        [("needs_approval", "Needs approval"), ("hold", "Hold"), ("blocked", "Blocked")], required=True, readonly=True,
        help="Hold: data the policy needs is missing or a hold rule matched; nothing is approved until "
        "the document is submitted again with the data. Blocked: a block rule matched; the governed action "
        "was refused and this request records the attempt.",
    )
    policy_id = fields.Many2one("governance.policy", required=True, readonly=True, ondelete="restrict")
    policy_version_id = fields.Many2one("governance.policy.version", required=True, readonly=True, ondelete="restrict")
    policy_version = fields.Integer(related="policy_version_id.version", store=True)
    policy_content_hash = fields.Char(related="policy_version_id.content_hash", store=True)
    evaluation = fields.Text(readonly=True, help="The evaluator's result (canonical JSON).")
    facts = fields.Text(readonly=True, help="The document's facts when it was submitted (canonical JSON).")
    scope = fields.Text(readonly=True, help="What the approval covers besides the facts, e.g. the vendor, currency and "
                        "products of an order (canonical JSON).")
    approval_context = fields.Text(
        readonly=True, help="What approvers need to see besides the facts when it was submitted: "
        "[{key, label, value}] (canonical JSON), e.g. the customer's sales and exposure.")
    matched_rules = fields.Char(readonly=True)
    missing_facts = fields.Char(readonly=True)
    reasons = fields.Text(readonly=True)
    review_ids = fields.One2many("governance.approval.review", "request_id", "Reviews", readonly=True)
    decision_ids = fields.One2many("governance.approval.decision", "request_id", "Decisions", readonly=True)
    current_level = fields.Integer(readonly=True)
    conditions = fields.Text(readonly=True, help="Conditions attached by approvers who approved with conditions.")
    date_completed = fields.Datetime(readonly=True)
    cycle_hours = fields.Float(
        "Cycle Time (hours)", compute="_compute_cycle_hours", store=True, aggregator="avg", digits=(16, 1),
        help="From the request to its final decision (approved, rejected or changes requested).",
    )

    @api.depends("date_completed", "state")
    def _compute_cycle_hours(self):
        for request in self:
            decided = request.state in ("approved", "rejected", "changes_requested") and request.date_completed
            request.cycle_hours = (request.date_completed - request.create_date).total_seconds() / 3600 if decided else 0

    def _compute_display_name(self):
        for request in self:
            request.display_name = f"{request.name} ({request.document_name})" if request.document_name else request.name

    def _document(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    @api.model
    def _submit(self, document, requester, policy, evaluation, facts):
        """Create the request of a document that needs approval or is held, and start its first level."""
        policy_document = json.loads(policy._current_version().document)
        if evaluation["outcome"] == "needs_approval":
            evaluation = self._hold_unmeetable_tiers(document, requester, policy_document, evaluation)
        request = self.sudo().create({
            "name": self.env["ir.sequence"].sudo().next_by_code("governance.approval.request") or "/",
            "res_model": document._name,
            "res_id": document.id,
            "document_name": document.display_name,
            "company_id": document.company_id.id,
            "requester_id": requester.id,
            "outcome": evaluation["outcome"],
            "state": "blocked" if evaluation["outcome"] == "blocked" else "pending",
            "policy_id": policy.id,
            "policy_version_id": policy._current_version().id,
            "evaluation": canonical_json(evaluation),
            "facts": canonical_json(facts),
            "scope": canonical_json(document.sudo()._governance_scope()),
            "approval_context": canonical_json(document.sudo()._governance_approval_context()),
            "matched_rules": ", ".join(evaluation["matched_rules"]),
            "missing_facts": ", ".join(evaluation["missing_facts"]),
            "reasons": "\n".join(reason["text"] for reason in evaluation["reasons"])
            or _("Data the policy needs is missing: %s", ", ".join(evaluation["missing_facts"])),
        })
        outcome = evaluation["outcome"]
        reasons = request.reasons.replace("\n", "; ")
        summary = {
            "hold": _("%(doc)s held: %(reasons)s", doc=document.display_name, reasons=reasons),
            "blocked": _("%(doc)s blocked: %(reasons)s", doc=document.display_name, reasons=reasons),
        }.get(outcome, _("%(doc)s needs approval", doc=document.display_name))
        request._audit(
            {"hold": "request_held", "blocked": "request_blocked"}.get(outcome, "request_created"), summary,
            actor=requester,
            details={"evaluation": evaluation, "facts": facts, "policy_content_hash": request.policy_content_hash},
        )
        if outcome in ("hold", "blocked"):
            self.env["governance.event"]._emit_approval_requested(request)
            return request
        rules = {rule["id"]: rule for rule in policy_document["rules"]}
        for level in evaluation["levels"]:
            for rule_id in level["tiers"]:
                tier = rules[rule_id]["tier"]
                self.env["governance.approval.review"].sudo().create({
                    "request_id": request.id,
                    "level": level["level"],
                    "rule_code": rule_id,
                    "tier_name": tier["name"],
                    "min_approvals": tier["min_approvals"],
                    "sla_hours": tier.get("sla_hours") or 0,
                    "approvers": canonical_json(tier["approvers"]),
                    "escalate_to": canonical_json(tier.get("escalate_to")),
                    "confirm_with_password": bool(tier.get("confirm_with_password")),
                })
        request._start_next_level()
        self.env["governance.event"]._emit_approval_requested(request)
        return request

    @api.model
    def _hold_unmeetable_tiers(self, document, requester, policy_document, evaluation):
        """The evaluation, turned into a hold when a tier has fewer eligible approvers than its minimum.

        Such a request could never be approved (the requester is excluded, people are inactive or of
        another company, a group or field names too few); held, it says which tier falls short and by
        how much, and the buyer submits again once the policy or the people are fixed. Each short tier
        adds a hold reason naming its rule.
        """
        Review = self.env["governance.approval.review"]
        rules = {rule["id"]: rule for rule in policy_document["rules"]}
        shortfalls, staffed = [], []
        for level in evaluation["levels"]:
            for rule_id in level["tiers"]:
                tier = rules[rule_id]["tier"]
                eligible, notes = Review._eligible_approvers(tier["approvers"], document, requester, document.company_id)
                if len(eligible) < tier["min_approvals"]:
                    shortfalls.append({"action": "hold", "rule": rule_id,
                                       "text": Review._shortfall_text(tier, len(eligible), notes)})
                staffed.append((rule_id, tier["min_approvals"], set(eligible.ids)))
        # One person cannot satisfy two tiers: together the tiers need enough different people.
        group = None if shortfalls else tier_staffing.understaffed_group(staffed)
        if group:
            rule_ids, needed, available = group
            shortfalls.append({"action": "hold", "rule": rule_ids[0], "text": _(
                "%(tiers)s need %(needed)s different approvers between them but only %(available)s are eligible "
                "(one person cannot approve two tiers of a request)",
                tiers=" and ".join(rules[rule_id]["tier"]["name"] for rule_id in rule_ids), needed=needed,
                available=available)})
        if not shortfalls:
            return evaluation
        return dict(evaluation, outcome="hold", reasons=evaluation["reasons"] + shortfalls)

    def _lock_for_decision(self):
        """Serialise decisions on one request.

        Two approvers finishing the two parallel tiers of a level at the same moment must not each
        see the other tier still pending (the level would never advance). Writing the request row
        makes the second transaction wait for the first; under Odoo's REPEATABLE READ it then fails
        with a serialization error and Odoo retries it, so it decides on what the first one left.
        """
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE governance_approval_request SET write_date = (now() AT TIME ZONE 'UTC') WHERE id = %s", [self.id]
        )

    def _audit(self, event, summary, **kwargs):
        self.ensure_one()
        return self.env["governance.audit.log"]._append(event, summary, request=self, **kwargs)

    def _start_next_level(self):
        """Start the lowest waiting level, or complete the request when every review is approved."""
        self.ensure_one()
        waiting = self.review_ids.filtered(lambda review: review.state == "waiting")
        if not waiting:
            self._complete("approved")
            return
        level = min(waiting.mapped("level"))
        self.sudo().current_level = level
        for review in waiting.filtered(lambda review: review.level == level):
            review._start()

    def _on_review_approved(self):
        self.ensure_one()
        if not self.review_ids.filtered(lambda review: review.level == self.current_level and review.state != "approved"):
            self._start_next_level()
            if self.state == "pending":
                # Level 1 was announced by approval.requested; each later level by its own event.
                self.env["governance.event"]._emit_approval_level_opened(self)

    def _complete(self, result):
        """Close the request as approved, rejected or changes requested, and tell the document."""
        self.ensure_one()
        open_reviews = self.review_ids.filtered(lambda review: review.state in ("waiting", "pending"))
        open_reviews._close("cancelled")
        conditions = self.decision_ids.filtered(lambda decision: decision.conditions).mapped("conditions")
        self.sudo().write({
            "state": result,
            "date_completed": fields.Datetime.now(),
            "conditions": "\n".join(conditions) or False,
        })
        self._audit("request_completed", _("%(ref)s %(result)s", ref=self.name, result=result),
                    details={"result": result, "conditions": conditions})
        self.env["governance.event"]._emit_approval_completed(self)
        document = self._document()
        if result == "approved":
            document._governance_on_approved(self)
        elif result == "rejected":
            document._governance_on_rejected(self)
        else:
            document._governance_on_changes_requested(self)

    def _cancel(self, reason):
        for request in self.filtered(lambda request: request.state == "pending"):
            request.review_ids.filtered(lambda review: review.state in ("waiting", "pending"))._close("cancelled")
            request.sudo().write({"state": "cancelled", "date_completed": fields.Datetime.now()})
            request._audit("request_cancelled", _("%(ref)s cancelled: %(reason)s", ref=request.name, reason=reason),
                           details={"reason": reason})
            self.env["governance.event"]._emit_approval_completed(request)

    def action_open_document(self):
        self.ensure_one()
        document = self._document()
        if not document.has_access("read"):
            raise AccessError(_("You cannot open %s.", self.document_name))
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id, "view_mode": "form"}
