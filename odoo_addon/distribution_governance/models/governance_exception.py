from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import outbox
from ..lib.errors import coded
from .governance_event import person
from .governance_exception_type import CATEGORIES, SEVERITIES

STATES = [("open", "Open"), ("in_progress", "In Progress"), ("resolved", "Resolved"), ("dismissed", "Dismissed")]
CLOSED = ("resolved", "dismissed")
# State changes go through the methods below (which audit them and emit events), never a plain write.
TRANSITION_CONTEXT = "governance_exception_transition"


class GovernanceException(models.Model):
    """One queue for business and technical exceptions: owner, SLA, evidence and a chatter.

    Raising one, starting work on it and closing it are audited and emitted as events;
    dismissing needs a reason.
    """

    _name = "governance.exception"
    _description = "Governance Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_order, severity_order desc, sla_due, id desc"

    name = fields.Char("Reference", required=True, readonly=True, default="/", copy=False)
    exception_type_id = fields.Many2one("governance.exception.type", "Type", required=True, tracking=True,
                                        ondelete="restrict")
    category = fields.Selection(CATEGORIES, required=True, tracking=True,
                                compute="_compute_from_type", store=True, readonly=False, precompute=True)
    severity = fields.Selection(SEVERITIES, required=True, tracking=True,
                                compute="_compute_from_type", store=True, readonly=False, precompute=True)
    severity_order = fields.Integer(compute="_compute_orders", store=True)
    summary = fields.Char(required=True, tracking=True)
    details = fields.Text()
    state = fields.Selection(STATES, default="open", required=True, readonly=True, tracking=True, index=True)
    state_order = fields.Integer(compute="_compute_orders", store=True)
    owner_id = fields.Many2one("res.users", "Owner", tracking=True, index=True,
                               compute="_compute_from_type", store=True, readonly=False, precompute=True)
    sla_due = fields.Datetime("SLA Due", tracking=True, compute="_compute_from_type", store=True, readonly=False,
                              precompute=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    age_days = fields.Integer("Age (days)", compute="_compute_age_days")
    res_model = fields.Char("Document Model", index=True)
    res_id = fields.Many2oneReference("Document ID", model_field="res_model", index=True)
    document_name = fields.Char("Document")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    evidence_ids = fields.Many2many("ir.attachment", "governance_exception_evidence_rel", "exception_id",
                                    "attachment_id", "Evidence")
    resolution_reason = fields.Text(readonly=True)
    closed_by_id = fields.Many2one("res.users", "Closed By", readonly=True)
    date_closed = fields.Datetime("Closed On", readonly=True)
    delivery_ids = fields.One2many("governance.delivery", "exception_id", "Dead-lettered Deliveries", readonly=True)

    @api.depends("exception_type_id")
    def _compute_from_type(self):
        now = fields.Datetime.now()
        for exception in self:
            kind = exception.exception_type_id
            exception.category = exception.category or kind.category or "business"
            exception.severity = exception.severity or kind.default_severity or "medium"
            exception.owner_id = exception.owner_id or kind.default_owner_id
            exception.sla_due = exception.sla_due or (
                kind.sla_hours and (exception.create_date or now) + timedelta(hours=kind.sla_hours))

    @api.depends("state", "severity")
    def _compute_orders(self):
        states = [state for state, _label in STATES]
        severities = [severity for severity, _label in SEVERITIES]
        for exception in self:
            exception.state_order = states.index(exception.state) if exception.state else 0
            exception.severity_order = severities.index(exception.severity) if exception.severity else 0

    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for exception in self:
            exception.is_overdue = exception.state not in CLOSED and bool(exception.sla_due) and exception.sla_due < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on 'overdue'."))
        domain = [("state", "not in", CLOSED), ("sla_due", "<", fields.Datetime.now())]
        return domain if (operator == "=") == value else ["!", "&", *domain]

    def _compute_age_days(self):
        now = fields.Datetime.now()
        for exception in self:
            end = exception.date_closed or now
            exception.age_days = max(0, (end - exception.create_date).days) if exception.create_date else 0

    @api.constrains("state", "resolution_reason")
    def _check_reason(self):
        for exception in self:
            if exception.state in CLOSED and not (exception.resolution_reason or "").strip():
                raise ValidationError(_("%s is closed without a reason.", exception.name))

    @api.constrains("res_model")
    def _check_res_model(self):
        for exception in self:
            if exception.res_model and exception.res_model not in self.env:
                raise ValidationError(_("%s is not a document model.", exception.res_model))

    # -- lifecycle ----------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("governance.exception") or "/"
        exceptions = super().create(vals_list)
        for exception in exceptions:
            exception._audit("exception_raised", _("%(ref)s raised: %(summary)s", ref=exception.name,
                                                   summary=exception.summary))
            exception._emit("exception.raised", {})
        return exceptions

    def write(self, vals):
        if "state" in vals and not self.env.context.get(TRANSITION_CONTEXT):
            raise UserError(_("Use the Start, Resolve and Dismiss buttons to change an exception's state."))
        watched = {"owner_id", "severity", "sla_due"} & set(vals)
        result = super().write(vals)
        if watched and not self.env.context.get(TRANSITION_CONTEXT):
            for exception in self:
                exception._audit("exception_updated", _("%(ref)s changed: %(fields)s", ref=exception.name,
                                                        fields=", ".join(sorted(watched))))
        return result

    def _transition(self, vals):
        return self.with_context(**{TRANSITION_CONTEXT: True}).write(vals)

    def action_start(self):
        for exception in self.filtered(lambda exception: exception.state == "open"):
            exception._transition({"state": "in_progress", "owner_id": exception.owner_id.id or self.env.user.id})
            exception._audit("exception_updated", _("%(ref)s in progress with %(owner)s", ref=exception.name,
                                                    owner=exception.owner_id.name))
        return True

    def _close(self, resolution, reason, actor=None):
        """Resolve or dismiss these exceptions with a reason, as ``actor`` (default: the user)."""
        reason = (reason or "").strip()
        if resolution not in CLOSED:
            raise ValidationError(coded("invalid_params", _("resolution: must be resolved or dismissed")))
        if not reason:
            raise ValidationError(coded("invalid_params", _("reason: a reason is required to close an exception")))
        actor = actor or self.env.user
        for exception in self:
            if exception.state in CLOSED:
                raise UserError(coded("not_pending", _("%(ref)s is already %(state)s.", ref=exception.name,
                                  state=exception.state)))
            exception._transition({"state": resolution, "resolution_reason": reason, "closed_by_id": actor.id,
                                   "date_closed": fields.Datetime.now()})
            exception.message_post(body=_("%(state)s by %(who)s: %(reason)s", state=dict(STATES)[resolution],
                                          who=actor.name, reason=reason))
            exception._audit("exception_closed", _("%(ref)s %(state)s: %(reason)s", ref=exception.name,
                                                   state=resolution, reason=reason), actor=actor)
            exception._emit("exception.resolved", {"resolution": resolution, "reason": reason,
                                                    "resolved_by": person(actor)})
        return True

    def action_open_close_wizard(self):
        return self.env["governance.exception.close.wizard"]._action_for(
            self, self.env.context.get("default_resolution", "resolved"))

    def action_open_document(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            return False
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
                "view_mode": "form"}

    # -- audit and events -----------------------------------------------------------------------

    def _document(self):
        self.ensure_one()
        if self.res_model and self.res_id:
            return self.env[self.res_model].sudo().browse(self.res_id).exists()
        return None

    def _audit(self, event, summary, actor=None):
        self.ensure_one()
        document = self._document()
        self.env["governance.audit.log"]._append(
            event, summary, record=self, actor=actor, company=self.company_id,
            details={"exception": self._exception_data(), "document": self._document_data(document)},
        )

    def _exception_data(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "exception_type": self.exception_type_id.code,
            "category": self.category,
            "severity": self.severity,
            "state": self.state,
            "summary": self.summary,
            "owner": person(self.owner_id),
            "sla_due": outbox.timestamp(self.sla_due),
        }

    def _document_data(self, document):
        if not document:
            return None
        data = {"model": document._name, "id": document.id, "name": self.document_name or document.display_name or ""}
        if "company_id" in document._fields and document.company_id:
            data["company"] = document.company_id.name
        return data

    def _emit(self, event_type, data):
        """Emit an exception event about the linked document (so it is ordered with the document's
        other events), or about the exception itself when none is linked."""
        self.ensure_one()
        document = self._document()
        payload = dict({"exception": self._exception_data(), "document": self._document_data(document)}, **data)
        return self.env["governance.event"]._emit(event_type, document or self, payload, company=self.company_id)
