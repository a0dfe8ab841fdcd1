from odoo import _, fields, models

from ..lib import outbox
from .governance_event import person

# An event about an exception may carry what its type is about (a shipment hold, a late shipment),
# under a key of contract/events/data-schemas.json's exception events; the raiser passes it here.
EXTRA_CONTEXT = "governance_exception_extra"


class GovernanceException(models.Model):
    """Escalation of an exception past its SLA, and the type-specific data of its events."""

    _inherit = "governance.exception"

    escalated = fields.Boolean(readonly=True, tracking=True)
    date_escalated = fields.Datetime("Escalated On", readonly=True)
    escalated_to_ids = fields.Many2many("res.users", "governance_exception_escalated_to_rel", "exception_id",
                                        "user_id", "Escalated To", readonly=True)

    def _escalate(self, targets, reason):
        """Escalate to ``targets`` (users): they follow it, get an activity, and are named in the
        exception.escalated event; audited."""
        self.ensure_one()
        self.write({"escalated": True, "date_escalated": fields.Datetime.now(),
                    "escalated_to_ids": [fields.Command.link(user.id) for user in targets]})
        self.message_subscribe(partner_ids=targets.partner_id.ids)
        for user in targets:
            self.activity_schedule("mail.mail_activity_data_todo", user_id=user.id,
                                   summary=_("Escalated: %s", self.summary[:200]))
        self.message_post(body=_("Escalated (%(reason)s) to %(who)s.", reason=reason,
                                 who=", ".join(targets.mapped("name")) or _("no one")))
        self._audit("escalation", _("%(ref)s escalated (%(reason)s) to %(who)s", ref=self.name, reason=reason,
                                    who=", ".join(targets.mapped("login")) or "-"))
        self._emit("exception.escalated", {"reason": reason, "escalated_to": [person(user) for user in targets],
                                           "due": outbox.timestamp(self.sla_due)})

    def write(self, vals):
        result = super().write(vals)
        if "sla_due" in vals:
            # A changed SLA moves the escalation of the late shipments these exceptions track.
            lates = self.env["governance.late.shipment"].sudo().search([("exception_id", "in", self.ids),
                                                                          ("state", "=", "late")])
            for late in lates:
                late.escalate_after = late.exception_id.sla_due
        return result

    def _emit(self, event_type, data):
        extra = self.env.context.get(EXTRA_CONTEXT) or self._type_data()
        return super()._emit(event_type, dict(extra, **data))

    def _type_data(self):
        """What this exception's type is about, for its events raised outside the raiser's context."""
        self.ensure_one()
        hold = self.env["governance.shipment.hold"].sudo().search([("exception_id", "=", self.id)], limit=1)
        if hold:
            return {"shipment_hold": hold._hold_data()}
        late = self.env["governance.late.shipment"].sudo().search([("exception_id", "=", self.id)], limit=1)
        if late:
            return {"late_shipment": late._late_data()}
        return {}


class GovernanceAuditLog(models.Model):
    _inherit = "governance.audit.log"

    event = fields.Selection(selection_add=[
        ("hold_placed", "Shipment hold placed"),
        ("hold_released", "Shipment hold ended"),
        ("late_shipment", "Late shipment flagged"),
    ], ondelete={"hold_placed": "cascade", "hold_released": "cascade", "late_shipment": "cascade"})
