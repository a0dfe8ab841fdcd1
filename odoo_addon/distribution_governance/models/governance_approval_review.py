import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.sql import escape_psql as escape_like

from ..lib.errors import coded

APPROVING = ("approve", "approve_with_conditions")
OUTCOMES = [
    ("approve", "Approve"),
    ("reject", "Reject"),
    ("request_changes", "Request changes"),
    ("approve_with_conditions", "Approve with conditions"),
    ("escalate", "Escalate"),
]
REMINDER_SHARE = 0.8  # remind approvers when 80% of the SLA has passed
CRON_BATCH = 200


class GovernanceApprovalReview(models.Model):
    """One tier of an approval request: who may approve, how many must, and by when.

    Decisions go through ``_decide`` only, whether they come from the form buttons or from the
    write-back API, so both enforce the same eligibility and segregation-of-duties rules.
    """

    _name = "governance.approval.review"
    _description = "Approval Review"
    _order = "date_due asc, id"
    _rec_name = "tier_name"

    request_id = fields.Many2one("governance.approval.request", required=True, readonly=True, ondelete="cascade", index=True)
    res_model = fields.Char(related="request_id.res_model", store=True, index=True)
    res_id = fields.Many2oneReference(related="request_id.res_id", model_field="res_model", store=True)
    document_name = fields.Char(related="request_id.document_name")
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    requester_id = fields.Many2one(related="request_id.requester_id")
    level = fields.Integer(required=True, readonly=True)
    rule_code = fields.Char("Rule", required=True, readonly=True)
    tier_name = fields.Char("Tier", required=True, readonly=True)
    state = fields.Selection(
        [("waiting", "Waiting for earlier level"), ("pending", "Pending"), ("approved", "Approved"),
         ("rejected", "Rejected"), ("changes_requested", "Changes Requested"), ("cancelled", "Cancelled")],
        default="waiting", required=True, readonly=True, index=True,
    )
    min_approvals = fields.Integer(required=True, readonly=True)
    approval_count = fields.Integer(compute="_compute_approval_count", store=True)
    approvers = fields.Text(readonly=True, help="The tier's approvers as the policy document names them (JSON).")
    escalate_to = fields.Text(readonly=True, help="The tier's escalation target as the policy document names it (JSON).")
    eligible_user_ids = fields.Many2many(
        "res.users", "governance_review_eligible_user_rel", "review_id", "user_id", "Eligible Approvers", readonly=True,
    )
    escalation_user_ids = fields.Many2many(
        "res.users", "governance_review_escalation_user_rel", "review_id", "user_id", "Escalated To", readonly=True,
    )
    decision_ids = fields.One2many("governance.approval.decision", "review_id", "Decisions", readonly=True)
    sla_hours = fields.Integer("SLA (hours)", readonly=True)
    date_started = fields.Datetime(readonly=True)
    date_due = fields.Datetime("Due", readonly=True)
    # Set only while a reminder or an escalation is still to come, so the partial indexes (and
    # the cron's cost) hold the due reviews only.
    date_reminder = fields.Datetime(readonly=True, index="btree_not_null")
    date_escalation = fields.Datetime(readonly=True, index="btree_not_null")
    escalated = fields.Boolean(readonly=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue")
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")

    @api.depends("decision_ids.outcome", "decision_ids.user_id", "decision_ids.on_behalf_of_id", "decision_ids.revoked")
    def _compute_approval_count(self):
        for review in self:
            approving = review.decision_ids._approving()
            review.approval_count = len(approving.mapped(lambda decision: decision.on_behalf_of_id or decision.user_id))

    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for review in self:
            review.is_overdue = review.state == "pending" and bool(review.date_due) and review.date_due < now

    @api.depends_context("uid")
    def _compute_can_decide(self):
        for review in self:
            review.can_decide = not review._authority_error(self.env.user)[1]

    def _search_can_decide(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'can decide'."))
        people = self.env.user | self.env["governance.delegation"]._delegators_of(self.env.user)
        domain = [("state", "=", "pending"), ("eligible_user_ids", "in", people.ids)]
        return domain if (operator == "=") == value else ["!", *domain]

    # -- routing ------------------------------------------------------------------------------

    def _resolve(self, refs):
        """Users named by approver references (user login/e-mail, group XML id, document field) who may decide."""
        self.ensure_one()
        request = self.request_id
        return self._eligible_approvers(refs, request._document(), request.requester_id, request.company_id)[0]

    @api.model
    def _eligible_approvers(self, refs, document, requester, company):
        """(users, notes): the active internal users of ``company`` named by ``refs``, the requester excluded;
        the notes say who was left out and why."""
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        named = Users.browse()
        notes = []
        for ref in refs:
            if ref["type"] == "user":
                named |= Users.search(["|", ("login", "=", ref["ref"]), ("email", "=ilike", escape_like(ref["ref"]))])
            elif ref["type"] == "group":
                group = self.env.ref(ref["ref"], raise_if_not_found=False)
                if group and group._name == "res.groups":
                    named |= group.sudo().with_context(active_test=False).users
            elif ref["ref"] in document._fields and document._fields[ref["ref"]].comodel_name == "res.users":
                users = document.sudo()[ref["ref"]]
                if not users:
                    notes.append(_("the document's %s names nobody", document._fields[ref["ref"]].string))
                named |= Users.browse(users.ids)
        if requester in named:
            notes.append(_("the requester is excluded"))
        rest = named - requester
        inactive = rest.filtered(lambda user: not user.active)
        shared = (rest - inactive).filtered("share")
        outside = (rest - inactive - shared).filtered(lambda user: company not in user.company_ids)
        for users, one, many in (
            (inactive, _("1 inactive user is excluded"), _("%s inactive users are excluded")),
            (shared, _("1 portal user is excluded"), _("%s portal users are excluded")),
            (outside, _("1 user without access to the company is excluded"),
             _("%s users without access to the company are excluded")),
        ):
            if users:
                notes.append(one if len(users) == 1 else many % len(users))
        eligible = rest - inactive - shared - outside
        return self.env["res.users"].sudo().browse(eligible.ids), notes

    @api.model
    def _shortfall_text(self, tier, count, notes):
        """'Finance needs 2 approvers but only 1 is eligible (the requester is excluded)'."""
        needed = tier["min_approvals"]
        text = (_("%(tier)s needs %(min)s approver", tier=tier["name"], min=needed) if needed == 1 else
                _("%(tier)s needs %(min)s approvers", tier=tier["name"], min=needed))
        if not count:
            text += _(" but none is eligible")
        else:
            text += (_(" but only 1 is eligible") if count == 1 else _(" but only %s are eligible", count))
        return text + (" (%s)" % "; ".join(notes) if notes else "")

    def _routed_users(self, users):
        """Who is notified for ``users``: each one, or their substitute while they are away."""
        substitutes = self.env["governance.delegation"]._substitutes(users)
        return self.env["res.users"].union(*[substitutes.get(user, user) for user in users])

    def _schedule_activities(self, users, summary, activity_xmlid):
        document = self.request_id._document()
        if "activity_ids" not in document._fields:
            return
        activity_type = self.env.ref(activity_xmlid)
        deadline = (self.date_due or fields.Datetime.now()).date()
        for user in self._routed_users(users):
            if document.with_user(user).has_access("read"):
                document.sudo().activity_schedule(
                    activity_type_id=activity_type.id, summary=summary, user_id=user.id, date_deadline=deadline,
                    note=_("%(tier)s of %(ref)s", tier=self.tier_name, ref=self.request_id.name),
                )

    def _clear_activities(self):
        for review in self:
            document = review.request_id._document()
            if "activity_ids" not in document._fields:
                continue
            routed = review._routed_users(review.eligible_user_ids)
            self.env["mail.activity"].sudo().search([
                ("res_model", "=", review.res_model), ("res_id", "=", review.res_id),
                ("user_id", "in", (routed | review.eligible_user_ids).ids),
                ("activity_type_id", "in", [
                    self.env.ref("distribution_governance.mail_activity_type_approval").id,
                    self.env.ref("distribution_governance.mail_activity_type_sla_reminder").id,
                ]),
            ]).unlink()

    def _start(self):
        """Open this review: resolve its approvers now, set its SLA clock, notify them."""
        self.ensure_one()
        now = fields.Datetime.now()
        eligible = self._resolve(json.loads(self.approvers))
        vals = {"state": "pending", "date_started": now, "eligible_user_ids": [(6, 0, eligible.ids)]}
        if self.sla_hours:
            vals.update({
                "date_due": now + timedelta(hours=self.sla_hours),
                "date_reminder": now + timedelta(hours=self.sla_hours * REMINDER_SHARE),
                "date_escalation": now + timedelta(hours=self.sla_hours),
            })
        self.sudo().write(vals)
        self.request_id._audit(
            "review_started", _("%(tier)s (level %(level)s) waits for %(who)s",
                                tier=self.tier_name, level=self.level, who=", ".join(eligible.mapped("login")) or _("nobody")),
            review=self,
            details={"eligible": eligible.mapped("login"), "min_approvals": self.min_approvals,
                     "due": self.date_due.strftime("%Y-%m-%dT%H:%M:%SZ") if self.date_due else None},
        )
        self._schedule_activities(eligible, _("Approval: %s", self.tier_name), "distribution_governance.mail_activity_type_approval")

    def _close(self, state):
        self._clear_activities()
        self.sudo().write({"state": state, "date_reminder": False, "date_escalation": False})

    # -- deciding -----------------------------------------------------------------------------

    def _principal_for(self, actor):
        """The eligible approver ``actor`` acts as: themselves, or a person they substitute today."""
        self.ensure_one()
        eligible = self.sudo().eligible_user_ids
        if actor in eligible:
            return actor
        return (self.env["governance.delegation"]._delegators_of(actor) & eligible)[:1]

    def _authority_error(self, actor):
        """(principal, error): whom ``actor`` would decide for, and why they may not (None when they may).

        The checks that depend on who decides: the review is open, the actor is not the requester,
        is an eligible approver or their active substitute, has not approved another tier of the
        same request (segregation of duties) nor this one already.
        """
        self.ensure_one()
        review = self.sudo()
        request = review.request_id
        if review.state == "waiting" and request.state == "pending":
            earlier = request.review_ids.filtered(lambda other: other.state == "pending" and other.level < review.level)
            return None, UserError(coded("not_open", _(
                "%(tier)s (level %(level)s) of %(ref)s is not open yet: it waits for level %(earlier)s to finish.",
                tier=review.tier_name, level=review.level, ref=request.name,
                earlier=min(earlier.mapped("level")) if earlier else review.level - 1)))
        if review.state != "pending" or request.state != "pending":
            closed = review if review.state != "pending" else request
            return None, UserError(coded("not_pending", _(
                "%(tier)s of %(ref)s is no longer waiting for a decision: it is %(state)s.",
                tier=review.tier_name, ref=request.name,
                state=closed._fields["state"].convert_to_export(closed.state, closed).lower())))
        if actor == request.requester_id:
            return None, AccessError(coded("segregation_of_duties", _("%(login)s requested %(ref)s and cannot decide on it.",
                                       login=actor.login, ref=request.name)))
        principal = review._principal_for(actor)
        if not principal:
            return None, AccessError(coded("not_eligible", _("%(login)s is not an eligible approver of review %(id)s.",
                                       login=actor.login, id=review.id)))
        if principal == request.requester_id:
            return None, AccessError(coded("segregation_of_duties", _("%(login)s cannot decide for the requester of %(ref)s.",
                                       login=actor.login, ref=request.name)))
        people = actor | principal
        approvals = request.decision_ids._approving()
        elsewhere = approvals.filtered(lambda decision: decision.review_id != review)
        if people & (elsewhere.user_id | elsewhere.on_behalf_of_id):
            return None, AccessError(coded("segregation_of_duties", _("%(login)s already approved another tier of %(ref)s; "
                                       "one person cannot satisfy two tiers.", login=actor.login, ref=request.name)))
        here = approvals - elsewhere
        if people & (here.user_id | here.on_behalf_of_id):
            return None, UserError(coded("not_pending", _("%(login)s already approved review %(id)s.",
                                     login=actor.login, id=review.id)))
        return principal, None

    def _decide(self, actor, outcome, comment=None, conditions=None, channel="ui", reauthenticated=False):
        """Record ``actor``'s decision on this review; every check lives here.

        ``reauthenticated``: the actor has just entered their password again in Odoo (the decision
        wizard checks it); tiers that confirm with password accept no other decision.
        """
        self.ensure_one()
        review = self.sudo()
        request = review.request_id
        request._lock_for_decision()
        comment = (comment or "").strip()
        conditions = (conditions or "").strip()
        if outcome not in dict(OUTCOMES):
            raise ValidationError(coded("invalid_params", _("outcome: unknown outcome %s", outcome)))
        principal, error = review._authority_error(actor)
        if error:
            raise error
        if review.confirm_with_password and not reauthenticated:
            raise AccessError(coded("password_required", _(
                "%(tier)s of %(ref)s asks the approver to enter their password in Odoo to decide.",
                tier=review.tier_name, ref=request.name)))
        if outcome in ("reject", "request_changes", "approve_with_conditions") and not comment:
            raise ValidationError(coded("comment_required", _("%s needs a comment.", dict(OUTCOMES)[outcome])))
        if outcome == "approve_with_conditions" and not conditions:
            raise ValidationError(coded("comment_required", _("Approve with conditions needs the conditions.")))
        if outcome == "escalate" and not review._escalation_targets():
            raise UserError(coded("no_escalation_target", _("%(tier)s of %(ref)s has no one to escalate to.",
                                                             tier=review.tier_name, ref=request.name)))
        on_behalf_of = principal if principal != actor else self.env["res.users"]
        decision = self.env["governance.approval.decision"].sudo().create({
            "review_id": review.id,
            "user_id": actor.id,
            "on_behalf_of_id": on_behalf_of.id,
            "outcome": outcome,
            "comment": comment or False,
            "conditions": conditions or False,
            "channel": channel,
        })
        request._audit(
            "decision",
            _("%(who)s: %(outcome)s on %(tier)s", outcome=dict(OUTCOMES)[outcome], tier=review.tier_name,
              who=actor.login + (_(" on behalf of %s", on_behalf_of.login) if on_behalf_of else "")),
            review=review, actor=actor, on_behalf_of=on_behalf_of,
            details={"outcome": outcome, "comment": comment or None, "conditions": conditions or None, "channel": channel},
        )
        self.env["governance.event"]._emit_approval_decided(decision)
        document = request._document()
        if "message_ids" in document._fields:
            document.sudo().message_post(body=decision._describe(), subtype_xmlid="mail.mt_note")
        if outcome in APPROVING:
            if review.approval_count >= review.min_approvals:
                review._close("approved")
                request._on_review_approved()
        elif outcome == "reject":
            review._close("rejected")
            request._complete("rejected")
        elif outcome == "request_changes":
            review._close("changes_requested")
            request._complete("changes_requested")
        else:
            review._escalate("manual", actor)
        return decision

    # -- SLA ----------------------------------------------------------------------------------

    def _escalation_targets(self):
        self.ensure_one()
        target = json.loads(self.escalate_to or "null")
        return self._resolve([target]) if target else self.env["res.users"]

    def _escalate(self, reason, actor=None):
        """Add the tier's escalation target to the approvers and restart the SLA clock for them."""
        self.ensure_one()
        targets = self._escalation_targets()
        now = fields.Datetime.now()
        vals = {"date_escalation": False, "date_reminder": False}
        if targets:
            vals.update({
                "escalated": True,
                "eligible_user_ids": [(4, user.id) for user in targets],
                "escalation_user_ids": [(4, user.id) for user in targets],
                "date_due": now + timedelta(hours=self.sla_hours) if self.sla_hours else self.date_due,
            })
        self.sudo().write(vals)
        summary = (_("%(tier)s escalated to %(who)s (%(reason)s)", tier=self.tier_name,
                     who=", ".join(targets.mapped("login")), reason=reason) if targets
                   else _("%s passed its SLA; the tier has no escalation target", self.tier_name))
        self.request_id._audit(
            "escalation", summary, review=self, actor=actor or self.env.user,
            details={"reason": reason, "escalated_to": targets.mapped("login"),
                     "due": self.date_due.strftime("%Y-%m-%dT%H:%M:%SZ") if self.date_due else None},
        )
        self.env["governance.event"]._emit_approval_escalated(self, reason, targets)
        document = self.request_id._document()
        if "message_ids" in document._fields:
            document.sudo().message_post(body=summary, subtype_xmlid="mail.mt_note")
        if targets:
            self._schedule_activities(targets, _("Escalated approval: %s", self.tier_name),
                                      "distribution_governance.mail_activity_type_approval")

    def _remind(self):
        self.ensure_one()
        self.sudo().date_reminder = False
        decided = self.decision_ids._approving()
        waiting_for = self.eligible_user_ids - decided.user_id - decided.on_behalf_of_id
        self._schedule_activities(waiting_for, _("Approval due soon: %s", self.tier_name),
                                  "distribution_governance.mail_activity_type_sla_reminder")
        self.request_id._audit("sla_reminder", _("Reminder for %s", self.tier_name), review=self,
                               details={"reminded": waiting_for.mapped("login")})

    @api.model
    def _cron_sla(self, batch_size=CRON_BATCH):
        """Send due reminders and escalate reviews past their SLA, one batch per run.

        Both searches use the partial indexes on date_reminder and date_escalation, which hold
        only reviews whose reminder or escalation is still to come.
        """
        now = fields.Datetime.now()
        reminders = self.sudo().search([("date_reminder", "<=", now), ("state", "=", "pending")],
                                       order="date_reminder", limit=batch_size)
        for review in reminders:
            review._remind()
        escalations = self.sudo().search([("date_escalation", "<=", now), ("state", "=", "pending")],
                                         order="date_escalation", limit=batch_size)
        for review in escalations:
            review._escalate("sla_expired")
        remaining = self.sudo().search_count(
            ["|", ("date_reminder", "<=", now), ("date_escalation", "<=", now), ("state", "=", "pending")]
        )
        self.env["ir.cron"]._notify_progress(done=len(reminders) + len(escalations), remaining=remaining)
        return len(reminders) + len(escalations)

    # -- UI -----------------------------------------------------------------------------------

    def action_approve(self):
        if len(self) == 1 and self.sudo().confirm_with_password:
            return self.env["governance.decision.wizard"]._action_for(self, "approve")
        for review in self:
            review._decide(self.env.user, "approve")
        return True

    def action_open_decision(self):
        self.ensure_one()
        return self.env["governance.decision.wizard"]._action_for(self, self.env.context.get("default_outcome", "reject"))

    def action_open_document(self):
        return self.request_id.action_open_document()
