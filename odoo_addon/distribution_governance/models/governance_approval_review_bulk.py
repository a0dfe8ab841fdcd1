from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from ..lib.errors import coded
from .governance_approval_review import APPROVING


class GovernanceApprovalReview(models.Model):
    """Decisions an organisation can trust, and decide in bulk: approve many reviews at once (each
    checked as if alone), re-enter one's password on sensitive tiers, reassign a waiting review,
    revoke one's own approval while the request is pending."""

    _inherit = "governance.approval.review"

    def _bulk_approve(self, actor):
        """([approved reviews], [(review, refusal message)]): approve each review on its own.

        A refusal rolls back that review's decision alone (a savepoint), so every document is either
        fully decided or untouched. Tiers that ask for the password are never approved in bulk.
        """
        approved, refused = self.browse(), []
        for review in self:
            if review.sudo().confirm_with_password:
                refused.append((review, _("%(tier)s asks for your password: open it and approve it on its own.",
                                          tier=review.sudo().tier_name)))
                continue
            try:
                with self.env.cr.savepoint():
                    review._decide(actor, "approve", channel="ui")
                approved |= review
            except (UserError, AccessError, ValidationError) as error:
                refused.append((review, str(error.args[0] if error.args else error)))
        return approved, refused

    def action_bulk_approve(self):
        approved, refused = self._bulk_approve(self.env.user)
        lines = [_("Approved %(count)s: %(docs)s", count=len(approved),
                   docs=", ".join(approved.sudo().mapped("document_name")) or _("none"))]
        lines += [self.env._("Refused %(doc)s: %(why)s", doc=review.sudo().document_name, why=why) for review, why in refused]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Bulk approval"),
                "message": "\n".join(lines),
                "type": "warning" if refused else "success",
                "sticky": bool(refused),
                "next": {"type": "ir.actions.act_window_close"} if not refused else {"type": "ir.actions.client",
                                                                                     "tag": "soft_reload"},
            },
        }

    # -- password ---------------------------------------------------------------------------------

    def _check_password(self, password):
        """Raise unless ``password`` is the current user's (as Odoo's own identity check does)."""
        credential = {"login": self.env.user.login, "password": password or "", "type": "password"}
        try:
            self.env["res.users"].browse(self.env.uid)._check_credentials(credential, {"interactive": True})
        except Exception as error:  # AccessDenied, or a lockout from too many attempts
            raise AccessError(coded("password_required", _("The password is not right; nothing was decided."))) from error

    # -- reassignment -----------------------------------------------------------------------------

    def _reassign(self, from_user, to_user, reason, actor):
        """Give a pending review to ``to_user`` instead of ``from_user`` (a governance manager's act)."""
        self.ensure_one()
        review = self.sudo()
        request = review.request_id
        reason = (reason or "").strip()
        if not actor.has_group("distribution_governance.group_manager"):
            raise AccessError(coded("forbidden", _("Only a governance manager can reassign a review.")))
        if not reason:
            raise ValidationError(coded("comment_required", _("Reassigning a review needs a reason.")))
        if review.state != "pending" or request.state != "pending":
            raise UserError(coded("not_pending", _("%(tier)s of %(ref)s is not waiting for a decision.",
                                                   tier=review.tier_name, ref=request.name)))
        eligible, notes = review._eligible_approvers(
            [{"type": "user", "ref": to_user.login}], request._document(), request.requester_id, request.company_id)
        if to_user not in eligible:
            raise AccessError(coded("not_eligible", _("%(login)s cannot approve %(ref)s%(why)s.", login=to_user.login,
                                                      ref=request.name, why=" (%s)" % "; ".join(notes) if notes else "")))
        approvals = request.decision_ids._approving()
        if to_user & (approvals.user_id | approvals.on_behalf_of_id):
            raise AccessError(coded("segregation_of_duties", _(
                "%(login)s already approved a tier of %(ref)s; one person cannot satisfy two tiers.",
                login=to_user.login, ref=request.name)))
        if to_user in review.eligible_user_ids:
            raise UserError(coded("not_pending", _("%(login)s already approves %(tier)s.",
                                                   login=to_user.login, tier=review.tier_name)))
        review._clear_activities()
        review.write({"eligible_user_ids": ([(3, from_user.id)] if from_user else []) + [(4, to_user.id)]})
        summary = _("%(tier)s reassigned from %(old)s to %(new)s by %(who)s: %(reason)s", tier=review.tier_name,
                    old=from_user.login if from_user else _("nobody"), new=to_user.login, who=actor.login, reason=reason)
        request._audit("review_reassigned", summary, review=review, actor=actor,
                       details={"from": from_user.login or None, "to": to_user.login, "reason": reason})
        review._schedule_activities(review.eligible_user_ids - review.decision_ids._approving().user_id,
                                    _("Approval: %s", review.tier_name),
                                    "distribution_governance.mail_activity_type_approval")
        review._post_on_document(summary)

    # -- revocation -------------------------------------------------------------------------------

    def _revoke_approval(self, actor, reason=None):
        """Withdraw ``actor``'s approval of this review while its request is pending; the tier reopens."""
        self.ensure_one()
        review = self.sudo()
        request = review.request_id
        mine = review.decision_ids._approving().filtered(
            lambda decision: actor in (decision.user_id | decision.on_behalf_of_id))
        if not mine:
            raise MissingError(coded("not_found", _("%(login)s has no approval to revoke on %(tier)s.",
                                                 login=actor.login, tier=review.tier_name)))
        if request.state != "pending":
            raise UserError(coded("not_pending", _("%(ref)s is %(state)s: its approvals can no longer be revoked.",
                                                   ref=request.name, state=request.state)))
        later = request.review_ids.filtered(lambda other: other.level > review.level)
        if later.decision_ids._approving():
            raise UserError(coded("not_pending", _(
                "A later level of %(ref)s has already approved; the approval of %(tier)s can no longer be revoked.",
                ref=request.name, tier=review.tier_name)))
        request._lock_for_decision()
        mine.with_context(governance_revoking=True).write({"revoked": True, "date_revoked": fields.Datetime.now()})
        if review.state == "approved":
            opened = later.filtered(lambda other: other.state == "pending")
            opened._clear_activities()
            opened.write({"state": "waiting", "date_started": False, "date_due": False, "date_reminder": False,
                          "date_escalation": False, "eligible_user_ids": [(5, 0, 0)]})
            review.write({"state": "pending"})
            request.current_level = review.level
        summary = _("%(who)s revoked their approval of %(tier)s; the tier waits again", who=actor.login,
                    tier=review.tier_name)
        if reason:
            summary += ": %s" % reason
        request._audit("approval_revoked", summary, review=review, actor=actor,
                       details={"decisions": mine.ids, "reason": reason or None})
        review._schedule_activities(review.eligible_user_ids - review.decision_ids._approving().user_id,
                                    _("Approval: %s", review.tier_name),
                                    "distribution_governance.mail_activity_type_approval")
        review._post_on_document(summary)

    def _post_on_document(self, summary):
        document = self.request_id._document()
        if "message_ids" in document._fields:
            document.sudo().message_post(body=Markup("%s") % summary, subtype_xmlid="mail.mt_note")

    def action_revoke_approval(self):
        for review in self:
            review._revoke_approval(self.env.user)
        return True

    def action_open_reassign(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Reassign review"),
            "res_model": "governance.review.reassign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_id": self.id},
        }


class GovernanceApprovalDecision(models.Model):
    _inherit = "governance.approval.decision"

    revoked = fields.Boolean(readonly=True, help="The approver withdrew this approval while the request was pending.")
    date_revoked = fields.Datetime(readonly=True)

    def write(self, vals):
        # Revoking is the one change a decision may see, and only from _revoke_approval.
        if self.env.context.get("governance_revoking") and set(vals) <= {"revoked", "date_revoked"}:
            return models.Model.write(self, vals)
        return super().write(vals)

    def _approving(self):
        """The approvals among these decisions that still count (not revoked)."""
        return self.filtered(lambda decision: decision.outcome in APPROVING and not decision.revoked)


class GovernanceAuditLog(models.Model):
    _inherit = "governance.audit.log"

    event = fields.Selection(selection_add=[
        ("review_reassigned", "Review reassigned"), ("approval_revoked", "Approval revoked"),
    ], ondelete={"review_reassigned": "cascade", "approval_revoked": "cascade"})
