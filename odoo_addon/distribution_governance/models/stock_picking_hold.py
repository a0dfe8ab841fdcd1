from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import outbox
from ..lib.errors import coded
from .governance_event import person
from .governance_shipment_hold import REASONS, REVIEW_CONTEXT

OPEN_STATES = ("waiting", "confirmed", "assigned")


class StockPicking(models.Model):
    """Deliveries under shipment holds (S6) and late-shipment monitoring (S8).

    A delivery with an active hold cannot be validated by any path (the Validate button, RPC,
    the backorder wizard: they all reach ``_action_done``) nor cancelled other than through the
    hold's review. Finishing or cancelling a transfer closes its late-shipment flag.
    """

    _inherit = "stock.picking"

    # Same name and meaning as the field of Odoo's stock_delivery module, which merges with it.
    carrier_tracking_ref = fields.Char("Tracking Reference", copy=False, index="btree_not_null")
    governance_hold_ids = fields.One2many("governance.shipment.hold", "picking_id", "Shipment Holds")
    governance_on_hold = fields.Boolean("On Hold", compute="_compute_governance_on_hold", store=True, index=True)
    governance_late_flagged = fields.Boolean("Flagged Late", copy=False, readonly=True)
    governance_late_id = fields.Many2one("governance.late.shipment", "Late Shipment", copy=False, readonly=True)

    def init(self):
        super().init()  # other extensions of stock.picking create their own indexes
        # The late-shipment scan reads open, unflagged transfers by scheduled date only.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS stock_picking_governance_lateness_idx ON stock_picking (scheduled_date) "
            "WHERE state IN ('waiting', 'confirmed', 'assigned') AND governance_late_flagged IS NOT TRUE")

    @api.depends("governance_hold_ids.state")
    def _compute_governance_on_hold(self):
        for picking in self:
            picking.governance_on_hold = any(hold.state == "active" for hold in picking.governance_hold_ids)

    # -- guards -----------------------------------------------------------------------------------

    def _governance_check_not_held(self, action):
        held = self.sudo().filtered("governance_on_hold")
        if held:
            picking = held[0]
            reasons = ", ".join(dict(REASONS)[hold.reason] for hold in
                                picking.governance_hold_ids.filtered(lambda hold: hold.state == "active"))
            raise UserError(coded("on_hold", _("%(delivery)s is on hold (%(reasons)s): a reviewer must release the "
                                               "hold before it can be %(action)s.", delivery=picking.name,
                                               reasons=reasons, action=action)))

    def button_validate(self):
        self._governance_check_not_held(_("validated"))
        return super().button_validate()

    def _action_done(self):
        self._governance_check_not_held(_("validated"))
        result = super()._action_done()
        self._governance_close_late(_("done"))
        return result

    def action_cancel(self):
        if not self.env.context.get(REVIEW_CONTEXT):
            self._governance_check_not_held(_("cancelled (cancel it from the hold's review, with a reason)"))
        result = super().action_cancel()
        self._governance_close_late(_("cancelled"))
        return result

    def _governance_close_late(self, what):
        lates = self.sudo().governance_late_id.filtered(lambda late: late.state != "closed")
        for late in lates:
            if late.picking_id.state in ("done", "cancel"):
                late._close(_("%(delivery)s %(what)s on %(when)s", delivery=late.picking_id.name, what=what,
                              when=outbox.timestamp(fields.Datetime.now())))

    # -- contract data ------------------------------------------------------------------------------

    def _governance_document_data(self):
        self.ensure_one()
        return {"model": "stock.picking", "id": self.id, "name": self.name, "company": self.company_id.name}

    def _governance_delivery_data(self):
        """What a receiver needs about a delivery: its order, customer, salesperson and shipping state."""
        self.ensure_one()
        sale = self.sale_id
        warehouse = self.picking_type_id.warehouse_id
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "origin": self.origin or "",
            "tracking_reference": self.carrier_tracking_ref or "",
            "scheduled_date": outbox.timestamp(self.scheduled_date),
            "date_done": outbox.timestamp(self.date_done),
            "customer": {"id": self.partner_id.id, "name": self.partner_id.display_name,
                         "email": self.partner_id.email or None} if self.partner_id else None,
            "sale_order": {"id": sale.id, "name": sale.name} if sale else None,
            "salesperson": person(sale.user_id) if sale else None,
            "warehouse": {"id": warehouse.id, "name": warehouse.name} if warehouse else None,
            "on_hold": self.governance_on_hold,
        }

    # -- UI -----------------------------------------------------------------------------------------

    def action_governance_place_hold(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Put on hold"),
            "res_model": "governance.shipment.hold.place.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_id": self.id},
        }
