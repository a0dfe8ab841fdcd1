from datetime import timedelta

from odoo import _, api, fields, models

from ..lib import outbox
from .governance_event import person

STEPS = [("pick", "Picking"), ("pack", "Packing"), ("ship", "Shipping")]
STATES = [("late", "Late"), ("escalated", "Escalated"), ("closed", "Closed")]
LATE_BATCH = 200
# Open transfers not yet flagged, by scheduled date: the partial index of stock_picking.init.
LATE_CANDIDATES = """
    SELECT id FROM stock_picking
     WHERE state IN ('waiting', 'confirmed', 'assigned') AND governance_late_flagged IS NOT TRUE
       AND scheduled_date < %(cutoff)s AND picking_type_id = ANY(%(types)s)
     ORDER BY scheduled_date, id
     LIMIT %(limit)s
"""


class GovernanceLateShipment(models.Model):
    """An outgoing transfer found late by the warehouse's policy (scenario S8).

    One per transfer (a picking, packing or shipping step of a delivery route): flagged with the
    warehouse supervisor as owner and a "late shipment" exception, escalated to the operations
    manager and the customer's salesperson when the exception's SLA passes, closed by itself when
    the transfer is done or cancelled.
    """

    _name = "governance.late.shipment"
    _description = "Late Shipment"
    _order = "scheduled_date asc, id desc"
    _rec_name = "picking_id"

    picking_id = fields.Many2one("stock.picking", "Transfer", required=True, readonly=True, index=True,
                                 ondelete="cascade")
    step = fields.Selection(STEPS, required=True, readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    sale_id = fields.Many2one(related="picking_id.sale_id", string="Sales Order")
    partner_id = fields.Many2one(related="picking_id.partner_id", string="Customer")
    scheduled_date = fields.Datetime(required=True, readonly=True)
    threshold_hours = fields.Integer("Policy (h)", readonly=True)
    date_flagged = fields.Datetime("Flagged On", required=True, readonly=True)
    owner_id = fields.Many2one("res.users", "Owner", readonly=True, index=True)
    exception_id = fields.Many2one("governance.exception", "Exception", readonly=True, index="btree_not_null")
    state = fields.Selection(STATES, default="late", required=True, readonly=True, index=True)
    escalate_after = fields.Datetime("Escalate After", readonly=True)
    date_escalated = fields.Datetime("Escalated On", readonly=True)
    date_closed = fields.Datetime("Closed On", readonly=True)
    hours_late = fields.Integer("Hours Late", compute="_compute_hours_late")

    _sql_constraints = [("picking_unique", "UNIQUE(picking_id)", "A transfer is flagged late once.")]

    def init(self):
        # The escalation run reads only flagged rows that have passed their SLA.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS governance_late_shipment_escalate_idx "
            "ON governance_late_shipment (escalate_after) WHERE state = 'late'")

    def _compute_hours_late(self):
        now = fields.Datetime.now()
        for late in self:
            end = late.date_closed or now
            late.hours_late = max(0, int((end - late.scheduled_date).total_seconds() // 3600))

    # -- the scan -----------------------------------------------------------------------------------

    @api.model
    def _policy_groups(self):
        """[(warehouse, step, picking types, hours)] of every monitored step."""
        groups = []
        for warehouse in self.env["stock.warehouse"].sudo().search([]):
            steps = [("pick", warehouse.pick_type_id, warehouse.governance_pick_pack_hours),
                     ("pack", warehouse.pack_type_id, warehouse.governance_pick_pack_hours),
                     ("ship", warehouse.out_type_id, warehouse.governance_ship_hours)]
            groups.extend((warehouse, step, kind, hours) for step, kind, hours in steps if kind and hours)
        return groups

    @api.model
    def _cron_scan(self, batch_size=LATE_BATCH):
        """Flag one batch of late transfers and escalate one batch past their SLA; return (flagged, escalated).

        Both reads go through partial indexes (open unflagged transfers by scheduled date; late rows
        by escalation time), so a run costs what is late, not what exists. A flagged transfer
        leaves the first index and an escalated row the second: a rerun raises nothing twice.
        """
        now = fields.Datetime.now()
        flagged = 0
        for warehouse, step, kind, hours in self._policy_groups():
            if flagged >= batch_size:
                break
            self.env.flush_all()
            self.env.cr.execute(LATE_CANDIDATES, {"cutoff": now - timedelta(hours=hours), "types": kind.ids,
                                                  "limit": batch_size - flagged})
            pickings = self.env["stock.picking"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
            for picking in pickings:
                self._flag(picking, warehouse, step, hours, now)
            flagged += len(pickings)
        due = self.sudo().search([("state", "=", "late"), ("escalate_after", "<", now)], limit=batch_size,
                                 order="escalate_after asc, id asc")
        for late in due:
            late._escalate()
        more = flagged >= batch_size or len(due) == batch_size
        self.env["ir.cron"]._notify_progress(done=flagged + len(due), remaining=1 if more else 0)
        return flagged, len(due)

    @api.model
    def _flag(self, picking, warehouse, step, hours, now):
        owner = warehouse.governance_supervisor_id
        late = self.sudo().create({
            "picking_id": picking.id, "step": step, "warehouse_id": warehouse.id,
            "company_id": picking.company_id.id, "scheduled_date": picking.scheduled_date,
            "threshold_hours": hours, "date_flagged": now, "owner_id": owner.id or False,
        })
        picking.write({"governance_late_flagged": True, "governance_late_id": late.id})
        kind = self.env.ref("distribution_governance.exception_type_late_shipment")
        step_label = dict(STEPS)[step].lower()
        exception = self.env["governance.exception"].sudo().with_company(picking.company_id).with_context(
            governance_exception_extra={"late_shipment": late._late_data()}).create({
                "exception_type_id": kind.id,
                "summary": _("%(transfer)s late in %(step)s: scheduled %(when)s (%(warehouse)s allows %(hours)s h)",
                             transfer=picking.name, step=step_label, when=outbox.timestamp(picking.scheduled_date),
                             warehouse=warehouse.name, hours=hours),
                "details": _("Origin %(origin)s, customer %(customer)s, state %(state)s.", origin=picking.origin or "-",
                             customer=picking.partner_id.display_name or "-", state=picking.state),
                "owner_id": owner.id or kind.default_owner_id.id or False,
                "res_model": "stock.picking",
                "res_id": picking.id,
                "document_name": picking.name,
                "company_id": picking.company_id.id,
            })
        late.write({"exception_id": exception.id, "owner_id": exception.owner_id.id or False,
                    "escalate_after": exception.sla_due or False})
        if exception.owner_id:
            picking.activity_schedule("mail.mail_activity_data_todo", user_id=exception.owner_id.id,
                                      summary=_("Late in %s: get it moving", step_label),
                                      note=_("See %s.", exception.name))
        picking.message_post(body=_("Flagged late in %(step)s (%(exception)s).", step=step_label,
                                    exception=exception.name))
        self.env["governance.audit.log"]._append(
            "late_shipment", _("%(transfer)s flagged late in %(step)s", transfer=picking.name, step=step_label),
            record=picking, company=picking.company_id, details={"late_shipment": late._late_data()})
        return late

    def _escalation_targets(self):
        self.ensure_one()
        users = self.warehouse_id.governance_operations_manager_id | self.sale_id.user_id
        return users.filtered("active")

    def _escalate(self):
        self.ensure_one()
        targets = self._escalation_targets()
        self.write({"state": "escalated", "date_escalated": fields.Datetime.now()})
        exception = self.exception_id.sudo()
        if exception and exception.state not in ("resolved", "dismissed"):
            exception.with_context(governance_exception_extra={"late_shipment": self._late_data()})._escalate(
                targets, "sla_expired")

    def _close(self, reason):
        for late in self:
            late.write({"state": "closed", "date_closed": fields.Datetime.now()})
            exception = late.exception_id.sudo()
            if exception and exception.state not in ("resolved", "dismissed"):
                exception.with_context(governance_exception_extra={"late_shipment": late._late_data()})._close(
                    "resolved", reason)

    # -- contract data ------------------------------------------------------------------------------

    def _late_data(self):
        self.ensure_one()
        picking = self.picking_id
        return {
            "id": self.id,
            "step": self.step,
            "state": self.state,
            "warehouse": {"id": self.warehouse_id.id, "name": self.warehouse_id.name},
            "scheduled_date": outbox.timestamp(self.scheduled_date),
            "threshold_hours": self.threshold_hours,
            "hours_late": self.hours_late,
            "supervisor": person(self.owner_id),
            "operations_manager": person(self.warehouse_id.governance_operations_manager_id),
            "delivery": picking._governance_delivery_data(),
        }

    def _api_data(self):
        self.ensure_one()
        picking = self.picking_id
        data = {
            "late_shipment_id": self.id,
            "delivery": {"model": "stock.picking", "id": picking.id, "name": picking.name, "state": picking.state},
            "step": self.step,
            "state": self.state,
            "warehouse": {"id": self.warehouse_id.id, "name": self.warehouse_id.name},
            "scheduled_date": outbox.timestamp(self.scheduled_date),
            "hours_late": self.hours_late,
            "exception_id": self.exception_id.id or 0,
            "origin": picking.origin or "",
            "customer": picking.partner_id.display_name or "",
            "sale_order": picking.sale_id.name or "",
        }
        if self.owner_id:
            data["owner"] = {"login": self.owner_id.login, "name": self.owner_id.name, "email": self.owner_id.email or ""}
        salesperson = picking.sale_id.user_id
        if salesperson:
            data["salesperson"] = {"login": salesperson.login, "name": salesperson.name,
                                   "email": salesperson.email or ""}
        return data

    def action_open_transfer(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "stock.picking", "res_id": self.picking_id.id,
                "view_mode": "form"}
