from datetime import timedelta

from odoo import _, api, fields, models

from ..lib import outbox
from ..lib.inbound_tolerance import allowance, beyond, decimal_text as quantity, difference_percent, tolerance_data
from .governance_event import person

AGING_BATCH = 200


class StockPicking(models.Model):
    """Inbound control on receipts (scenario S5): quantity discrepancies when a receipt is validated,
    and receipts left unprocessed past their scheduled date."""

    _inherit = "stock.picking"

    governance_aging_exception_id = fields.Many2one("governance.exception", "Aging Exception", readonly=True,
                                                    copy=False, index="btree_not_null")

    def init(self):
        super().init()  # other extensions of stock.picking create their own indexes
        # The aging scan reads only ready receipts not yet flagged, by scheduled date.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS stock_picking_governance_aging_due_idx ON stock_picking (scheduled_date) "
            "WHERE state = 'assigned' AND governance_aging_exception_id IS NULL")

    def _action_done(self):
        result = super()._action_done()
        receipts = self.filtered(lambda picking: picking.state == "done" and picking.picking_type_code == "incoming")
        for receipt in receipts.filtered(lambda picking: picking.move_ids.purchase_line_id):
            receipt._governance_check_quantities()
        self._governance_close_aging(_("%s was validated."))
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.filtered(lambda picking: picking.state == "cancel")._governance_close_aging(_("%s was cancelled."))
        return result

    # -- receipt discrepancies ------------------------------------------------------------------------

    def _governance_check_quantities(self):
        """Raise a receipt discrepancy when, per order line this receipt touched, what was received
        differs from what was ordered beyond the tolerance. A shortage counts once nothing more is
        expected for the line (no backorder left open); an excess counts at once."""
        self.ensure_one()
        if self.env["governance.exception"]._open_inbound("receipt", self):
            return
        order = self.move_ids.purchase_line_id.order_id[:1]
        lines, beyond_any = [], False
        for line in self.move_ids.purchase_line_id:
            moves = line.move_ids.filtered(lambda move: move.picking_code == "incoming")
            pending = moves.filtered(lambda move: move.state not in ("done", "cancel"))
            here = self.move_ids.filtered(lambda move: move.purchase_line_id == line and move.state == "done")
            received = sum(move.product_uom._compute_quantity(move.quantity, line.product_uom) for move in here)
            total = line.qty_received
            tolerance, source = line.product_id.categ_id._governance_tolerance("receipt", self.company_id)
            precision = 0.5 * (line.product_uom.rounding or 0.001)
            excess = total > line.product_qty and beyond(line.product_qty, total, tolerance, precision)
            short = not pending and total < line.product_qty and beyond(line.product_qty, total, tolerance, precision)
            beyond_any |= excess or short
            lines.append({
                "purchase_line_id": line.id,
                "product": {"id": line.product_id.id, "name": line.product_id.display_name},
                "uom": line.product_uom.name,
                "ordered": quantity(line.product_qty),
                "received": quantity(received),
                "received_total": quantity(total),
                "still_expected": quantity(sum(move.product_uom._compute_quantity(move.product_uom_qty, line.product_uom)
                                               for move in pending)),
                "difference": quantity(total - line.product_qty),
                "difference_percent": difference_percent(line.product_qty, total),
                "allowance": quantity(allowance(line.product_qty, tolerance)),
                "tolerance": tolerance_data(tolerance, source),
                "beyond_tolerance": bool(excess or short),
                "lots": [{"name": move_line.lot_id.name or move_line.lot_name, "quantity": quantity(move_line.quantity)}
                         for move_line in here.move_line_ids if move_line.lot_id or move_line.lot_name],
            })
        if not beyond_any:
            return
        off = [line for line in lines if line["beyond_tolerance"]]
        summary = _("%(receipt)s differs from %(order)s: %(lines)s", receipt=self.name, order=order.name,
                    lines="; ".join(f"{line['product']['name']} {line['received_total']}/{line['ordered']} "
                                    f"{line['uom']}" for line in off))
        details = _("Received against ordered, beyond tolerance:\n%s", "\n".join(
            f"- {line['product']['name']}: ordered {line['ordered']}, received {line['received_total']} "
            f"({line['difference']} {line['uom']}, {line['difference_percent']} %), allowed ±{line['allowance']} "
            f"({line['tolerance']['source']})" for line in off))
        self.env["governance.exception"]._raise_inbound(
            "receipt", self, summary, details, self._governance_inbound_owner(order), order,
            dict(self._governance_receipt_evidence(order), lines=lines))

    def _governance_inbound_owner(self, order):
        """The warehouse's receiving supervisor, else the order's buyer."""
        return self.picking_type_id.warehouse_id.governance_receiving_supervisor_id or order.user_id

    def _governance_receipt_evidence(self, order):
        partner = (order.partner_id or self.partner_id).commercial_partner_id
        return {
            "receipt": {"model": "stock.picking", "id": self.id, "name": self.name, "company": self.company_id.name},
            "purchase_order": self.env["governance.supplier.confirmation"]._document_of(order) if order else None,
            "supplier": {"id": partner.id, "name": partner.name, "email": partner.email or None} if partner else None,
            "buyer": person(order.user_id),
            "warehouse": self.picking_type_id.warehouse_id.name or None,
            "scheduled_date": outbox.timestamp(self.scheduled_date),
        }

    # -- aging receipts ---------------------------------------------------------------------------------

    @api.model
    def _cron_flag_aging_receipts(self, batch_size=AGING_BATCH):
        """Raise one aging-receipt exception per ready receipt left past its scheduled date plus the
        company's aging hours; one batch per run, the cron is re-triggered while more are due.

        Only ready receipts not yet flagged are read (a partial index on scheduled_date), so the cost
        follows what is due; a flagged receipt is never read again.
        """
        now = fields.Datetime.now()
        found = self.browse()
        for company in self.env["res.company"].sudo().search([]):
            if len(found) >= batch_size:
                break
            cutoff = now - timedelta(hours=company.governance_receipt_aging_hours)
            found |= self.sudo().search([
                ("state", "=", "assigned"), ("governance_aging_exception_id", "=", False),
                ("scheduled_date", "<", cutoff), ("picking_type_code", "=", "incoming"),
                ("company_id", "=", company.id),
            ], limit=batch_size - len(found), order="scheduled_date asc, id asc")
        for receipt in found:
            receipt._governance_flag_aging(now)
        self.env["ir.cron"]._notify_progress(done=len(found), remaining=1 if len(found) == batch_size else 0)
        return len(found)

    def _governance_flag_aging(self, now):
        self.ensure_one()
        order = self.move_ids.purchase_line_id.order_id[:1] or self.purchase_id
        hours = max(0, int((now - self.scheduled_date).total_seconds() // 3600))
        summary = _("%(receipt)s ready since %(date)s and not received (%(hours)s h late)", receipt=self.name,
                    date=outbox.timestamp(self.scheduled_date), hours=hours)
        evidence = dict(self._governance_receipt_evidence(order), hours_late=hours,
                        aging_hours=self.company_id.governance_receipt_aging_hours,
                        lines=[{"product": {"id": move.product_id.id, "name": move.product_id.display_name},
                                "uom": move.product_uom.name, "quantity": quantity(move.product_uom_qty)}
                               for move in self.move_ids if move.state not in ("done", "cancel")])
        exception = self.env["governance.exception"]._raise_inbound(
            "aging", self, summary, _("Scheduled %(date)s; policy: validate within %(hours)s h.",
                                      date=outbox.timestamp(self.scheduled_date),
                                      hours=self.company_id.governance_receipt_aging_hours),
            self._governance_inbound_owner(order), order, evidence)
        self.sudo().governance_aging_exception_id = exception

    def _governance_close_aging(self, reason):
        for picking in self.sudo().filtered(lambda picking: picking.governance_aging_exception_id.state in ("open", "in_progress")):
            picking.governance_aging_exception_id._close("resolved", reason % picking.name)
