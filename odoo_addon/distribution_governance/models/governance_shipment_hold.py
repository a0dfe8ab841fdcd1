from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import outbox
from ..lib.errors import coded
from .governance_event import person

REASONS = [("credit", "Credit"), ("quality", "Quality"), ("carrier_exception", "Carrier exception")]
# The exception type each reason raises (data/governance_exception_data.xml).
EXCEPTION_TYPES = {"credit": "exception_type_credit_hold", "quality": "exception_type_quality_hold",
                   "carrier_exception": "exception_type_carrier_exception"}
STATES = [("active", "On hold"), ("released", "Released"), ("cancelled", "Delivery cancelled")]
PLACERS = ("stock.group_stock_user", "sales_team.group_sale_salesman", "distribution_governance.group_manager",
           "distribution_governance.group_integration")
REVIEWERS = ("stock.group_stock_manager", "distribution_governance.group_manager")
# Lets the review's own cancellation through the picking's cancel guard.
REVIEW_CONTEXT = "governance_shipment_hold_review"


class GovernanceShipmentHold(models.Model):
    """A hold on an outgoing delivery (scenario S6): while active, the delivery cannot be validated.

    It is placed by a user or through the API (a carrier exception from n8n) with a reason and
    evidence, raises an exception of its reason's type for review, and ends when a reviewer
    releases it or cancels the delivery, both with a reason. Each step is audited and emitted.
    """

    _name = "governance.shipment.hold"
    _description = "Shipment Hold"
    _inherit = ["mail.thread"]
    _order = "state, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    picking_id = fields.Many2one("stock.picking", "Delivery", required=True, readonly=True, index=True,
                                 ondelete="restrict")
    company_id = fields.Many2one(related="picking_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="picking_id.partner_id", string="Customer")
    sale_id = fields.Many2one(related="picking_id.sale_id", string="Sales Order")
    reason = fields.Selection(REASONS, required=True, readonly=True, tracking=True)
    summary = fields.Char(required=True, readonly=True)
    details = fields.Text(readonly=True)
    state = fields.Selection(STATES, default="active", required=True, readonly=True, tracking=True, index=True)
    source = fields.Selection([("user", "User"), ("api", "API")], default="user", required=True, readonly=True)
    placed_by_id = fields.Many2one("res.users", "Placed By", required=True, readonly=True)
    recorded_by_id = fields.Many2one("res.users", "Recorded By", readonly=True,
                                     help="The user who called the API for the person who placed the hold.")
    date_placed = fields.Datetime("Placed On", required=True, readonly=True)
    carrier = fields.Char(readonly=True)
    tracking_reference = fields.Char(readonly=True)
    carrier_status = fields.Char(readonly=True)
    carrier_event_id = fields.Char("Carrier Event", readonly=True)
    carrier_event_time = fields.Char("Carrier Event Time", readonly=True)
    evidence_ids = fields.Many2many("ir.attachment", "governance_shipment_hold_evidence_rel", "hold_id",
                                    "attachment_id", "Evidence", readonly=True)
    exception_id = fields.Many2one("governance.exception", "Review Exception", readonly=True, index="btree_not_null")
    reviewed_by_id = fields.Many2one("res.users", "Reviewed By", readonly=True)
    date_reviewed = fields.Datetime("Reviewed On", readonly=True)
    review_reason = fields.Text(readonly=True)

    @api.depends("picking_id.name", "reason")
    def _compute_name(self):
        labels = dict(REASONS)
        for hold in self:
            hold.name = f"{hold.picking_id.name or ''}: {labels.get(hold.reason, '')}"

    # -- authority ------------------------------------------------------------------------------

    @api.model
    def _check_may(self, user, groups, what):
        if not any(user.has_group(group) for group in groups):
            raise AccessError(coded("forbidden", _("%(user)s may not %(what)s.", user=user.login, what=what)))

    # -- placing ----------------------------------------------------------------------------------

    @api.model
    def _place(self, picking, reason, summary, actor, details=None, source="user", carrier_event=None,
               attachments=None):
        """Put ``picking`` on hold for ``reason`` as ``actor``; (hold, created).

        An active hold of the same reason is not stacked: the new evidence and details join it and
        it is returned, so a carrier's repeated exception raises nothing twice.
        """
        picking.ensure_one()
        self._check_may(actor, PLACERS, _("place shipment holds"))
        if picking.picking_type_code != "outgoing":
            raise ValidationError(coded("invalid_params", _("%s is not an outgoing delivery: only deliveries are held.",
                                                           picking.name)))
        if picking.state == "cancel":
            raise UserError(coded("not_pending", _("%s is cancelled: there is nothing to hold.", picking.name)))
        picking = picking.sudo()
        carrier_event = carrier_event or {}
        existing = self.sudo().search([("picking_id", "=", picking.id), ("reason", "=", reason),
                                       ("state", "=", "active")], limit=1)
        if existing:
            if attachments:
                existing.evidence_ids = [fields.Command.link(attachment.id) for attachment in attachments]
            existing.message_post(body=_("Held again by %(who)s: %(summary)s", who=actor.name, summary=summary))
            return existing, False
        hold = self.sudo().create({
            "picking_id": picking.id,
            "reason": reason,
            "summary": summary,
            "details": details or False,
            "source": source,
            "placed_by_id": actor.id,
            "recorded_by_id": self.env.user.id,
            "date_placed": fields.Datetime.now(),
            "carrier": carrier_event.get("carrier") or False,
            "tracking_reference": carrier_event.get("tracking_reference") or False,
            "carrier_status": carrier_event.get("status") or False,
            "carrier_event_id": carrier_event.get("event_id") or False,
            "carrier_event_time": carrier_event.get("occurred_at") or False,
            "evidence_ids": [fields.Command.set([attachment.id for attachment in attachments or []])],
        })
        for attachment in attachments or []:
            attachment.write({"res_model": hold._name, "res_id": hold.id})
        kind = self.env.ref("distribution_governance." + EXCEPTION_TYPES[reason]).sudo()
        warehouse = picking.picking_type_id.warehouse_id
        exception = self.env["governance.exception"].sudo().with_company(picking.company_id).with_context(
            governance_exception_extra={"shipment_hold": hold._hold_data()}).create({
                "exception_type_id": kind.id,
                "summary": _("%(delivery)s held (%(reason)s): %(summary)s", delivery=picking.name,
                             reason=dict(REASONS)[reason], summary=summary)[:500],
                "details": details or False,
                "owner_id": kind.default_owner_id.id or warehouse.governance_supervisor_id.id or False,
                "res_model": "stock.picking",
                "res_id": picking.id,
                "document_name": picking.name,
                "company_id": picking.company_id.id,
                "evidence_ids": [fields.Command.set(hold.evidence_ids.ids)],
            })
        hold.exception_id = exception
        picking.sudo().message_post(body=_("On hold (%(reason)s) by %(who)s: %(summary)s", reason=dict(REASONS)[reason],
                                           who=actor.name, summary=summary))
        hold._audit("hold_placed", _("%(delivery)s put on hold (%(reason)s) by %(who)s: %(summary)s",
                                     delivery=picking.name, reason=reason, who=actor.name, summary=summary), actor)
        hold._emit("shipment_hold.placed", {})
        return hold, True

    # -- review -----------------------------------------------------------------------------------

    def _review(self, outcome, reason, actor):
        """Release this hold, or cancel its delivery, as reviewer ``actor`` with ``reason``."""
        self.ensure_one()
        reason = (reason or "").strip()
        if outcome not in ("release", "cancel_delivery"):
            raise ValidationError(coded("invalid_params", _("outcome: must be release or cancel_delivery")))
        if not reason:
            raise ValidationError(coded("invalid_params", _("reason: a reason is required to end a shipment hold")))
        self._check_may(actor, REVIEWERS, _("release shipment holds or cancel held deliveries"))
        if self.state != "active":
            raise UserError(coded("not_pending", _("The hold %(hold)s is already %(state)s.", hold=self.name,
                                                   state=dict(STATES)[self.state].lower())))
        picking = self.picking_id.sudo()
        if outcome == "cancel_delivery":
            if picking.state == "done":
                raise UserError(coded("not_pending", _("%s is already shipped: it cannot be cancelled; release the "
                                                       "hold and handle the return.", picking.name)))
            others = picking.governance_hold_ids.filtered(lambda hold: hold.state == "active") - self
            self._finish("cancelled", reason, actor)
            others._finish("cancelled", reason, actor)
            picking.with_context(**{REVIEW_CONTEXT: True}).action_cancel()
        else:
            self._finish("released", reason, actor)
        return True

    def _finish(self, state, reason, actor):
        for hold in self:
            hold.write({"state": state, "reviewed_by_id": actor.id, "date_reviewed": fields.Datetime.now(),
                        "review_reason": reason})
            picking = hold.picking_id
            verb = _("released") if state == "released" else _("ended by cancelling the delivery")
            picking.sudo().message_post(body=_("Hold (%(reason)s) %(verb)s by %(who)s: %(why)s",
                                               reason=dict(REASONS)[hold.reason], verb=verb, who=actor.name, why=reason))
            if hold.exception_id and hold.exception_id.state not in ("resolved", "dismissed"):
                hold.exception_id.sudo().with_context(
                    governance_exception_extra={"shipment_hold": hold._hold_data()})._close(
                    "resolved", _("Hold %(verb)s: %(why)s", verb=verb, why=reason), actor=actor)
            hold._audit("hold_released", _("%(delivery)s hold (%(reason)s) %(verb)s by %(who)s: %(why)s",
                                           delivery=picking.name, reason=hold.reason, verb=verb, who=actor.name,
                                           why=reason), actor)
            hold._emit("shipment_hold.released", {
                "outcome": "released" if state == "released" else "delivery_cancelled",
                "reason": reason,
                "released_by": person(actor),
            })

    # -- audit and events ---------------------------------------------------------------------------

    def _hold_data(self):
        self.ensure_one()
        data = {
            "id": self.id,
            "reason": self.reason,
            "state": self.state,
            "summary": self.summary,
            "source": self.source,
            "placed_by": person(self.placed_by_id),
            "placed_at": outbox.timestamp(self.date_placed),
        }
        if self.carrier or self.tracking_reference or self.carrier_status:
            data["carrier_event"] = {
                "carrier": self.carrier or "",
                "tracking_reference": self.tracking_reference or "",
                "status": self.carrier_status or "",
                "event_id": self.carrier_event_id or "",
                "occurred_at": self.carrier_event_time or "",
            }
        return data

    def _audit(self, event, summary, actor):
        self.ensure_one()
        self.env["governance.audit.log"]._append(
            event, summary, record=self.picking_id, actor=actor, company=self.company_id,
            details={"hold": self._hold_data(), "review_reason": self.review_reason or None,
                     "exception": self.exception_id.name or None})

    def _emit(self, event_type, data):
        self.ensure_one()
        picking = self.picking_id.sudo()
        payload = dict({
            "hold": self._hold_data(),
            "document": picking._governance_document_data(),
            "delivery": picking._governance_delivery_data(),
            "exception": self.exception_id._exception_data() if self.exception_id else None,
        }, **data)
        return self.env["governance.event"]._emit(event_type, picking, payload, company=picking.company_id)

    def _api_data(self):
        self.ensure_one()
        picking = self.picking_id
        return {
            "hold_id": self.id,
            "delivery": {"model": "stock.picking", "id": picking.id, "name": picking.name, "state": picking.state},
            "reason": self.reason,
            "state": self.state,
            "exception_id": self.exception_id.id or 0,
            "on_hold": picking.governance_on_hold,
        }

    # -- UI ---------------------------------------------------------------------------------------

    def action_open_review(self):
        self.ensure_one()
        return self.env["governance.shipment.hold.review.wizard"]._action_for(
            self, self.env.context.get("default_outcome", "release"))
