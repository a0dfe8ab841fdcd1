import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tools import float_repr

from ..lib import outbox
from ..lib import supplier_confirmation as logic
from ..lib.errors import coded
from .governance_event import person

_logger = logging.getLogger(__name__)

STATES = [
    ("awaiting", "Awaiting supplier"),
    ("confirmed", "Confirmed"),
    ("date_changed", "Date changed"),
    ("rejected", "Rejected by supplier"),
    ("overdue", "Overdue"),
    ("cancelled", "Cancelled"),
]
# States in which the supplier may still answer.
OPEN_STATES = ("awaiting", "overdue", "confirmed", "date_changed")
OVERDUE_BATCH = 200
PARAM = "distribution_governance."
DEFAULT_SETTINGS = {
    # A date change of at least this many days on a fast-moving product is material.
    "drift_threshold_days": 3,
    # Fast-moving: at least this many units sold (confirmed sales order lines) in the last N days.
    "fast_moving_days": 30,
    "fast_moving_min_qty": 10,
}


class GovernanceSupplierConfirmation(models.Model):
    """A released purchase order waiting for (or holding) its supplier's confirmation.

    One record per order. Every answer the supplier sends is kept as an update with its evidence;
    the lines keep the date the order planned at release and the supplier's latest promise.
    """

    _name = "governance.supplier.confirmation"
    _description = "Supplier Confirmation"
    _inherit = ["mail.thread"]
    _order = "date_due asc, id desc"

    name = fields.Char(related="purchase_order_id.name", store=True, string="Order")
    purchase_order_id = fields.Many2one("purchase.order", "Purchase Order", required=True, readonly=True,
                                        ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", "Vendor", required=True, readonly=True, index=True)
    buyer_id = fields.Many2one("res.users", "Buyer", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(STATES, default="awaiting", required=True, readonly=True, tracking=True, index=True)
    date_requested = fields.Datetime("Requested On", required=True, readonly=True)
    date_due = fields.Datetime("Due", required=True, readonly=True, index=True)
    date_answered = fields.Datetime("Answered On", readonly=True)
    date_overdue = fields.Datetime("Flagged Overdue On", readonly=True)
    supplier_reference = fields.Char(readonly=True)
    delay_hours = fields.Float("Confirmation Delay (h)", readonly=True, aggregator="avg",
                               help="Hours from the request to the supplier's first answer.")
    answered_late = fields.Boolean(readonly=True)
    drift_days = fields.Integer("Drift (days)", readonly=True, aggregator="max",
                                help="Largest difference between a promised date and the date the order planned.")
    lead_time_drift_days = fields.Integer("Lead-time Drift (days)", readonly=True, aggregator="max",
                                          help="Largest promised lead time minus the vendor's usual lead time.")
    line_ids = fields.One2many("governance.supplier.confirmation.line", "confirmation_id", "Lines", readonly=True)
    update_ids = fields.One2many("governance.supplier.confirmation.update", "confirmation_id", "Updates",
                                 readonly=True)
    update_count = fields.Integer(compute="_compute_update_count")
    overdue_exception_id = fields.Many2one("governance.exception", "Overdue Exception", readonly=True)
    drift_exception_id = fields.Many2one("governance.exception", "Drift Exception", readonly=True)
    hours_left = fields.Integer("Hours Left", compute="_compute_hours_left",
                                help="Whole hours until the confirmation is due; negative once overdue.")

    _sql_constraints = [
        ("order_unique", "UNIQUE(purchase_order_id)", "A purchase order has one supplier confirmation."),
    ]

    def init(self):
        # The overdue run reads only what is due: awaiting rows by due date.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS governance_supplier_confirmation_awaiting_due_idx "
            "ON governance_supplier_confirmation (date_due) WHERE state = 'awaiting'")

    def _compute_update_count(self):
        counts = dict(self.env["governance.supplier.confirmation.update"]._read_group(
            [("confirmation_id", "in", self.ids)], ["confirmation_id"], ["__count"]))
        for confirmation in self:
            confirmation.update_count = counts.get(confirmation, 0)

    @api.depends_context("uid")
    def _compute_hours_left(self):
        now = fields.Datetime.now()
        for confirmation in self:
            confirmation.hours_left = logic.hours_left(confirmation.date_due, now) \
                if confirmation.state in ("awaiting", "overdue") else 0

    # -- settings ---------------------------------------------------------------------------------

    @api.model
    def _setting(self, name):
        """A whole-number setting (ir.config_parameter distribution_governance.<name>); a bad value falls back."""
        default = DEFAULT_SETTINGS[name]
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM + name, str(default))
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            _logger.warning("System parameter %s%s must be a whole number >= 0, not %r; using %s",
                            PARAM, name, value, default)
            return default
        return number

    # -- release ------------------------------------------------------------------------------------

    @api.model
    def _await_confirmation(self, orders):
        """Open the confirmation of each released order (once per order) and announce it."""
        now = fields.Datetime.now()
        existing = self.sudo().search([("purchase_order_id", "in", orders.ids)]).purchase_order_id
        created = self.sudo()
        for order in orders.sudo() - existing:
            vendor = order.partner_id.commercial_partner_id
            hours = vendor.governance_confirmation_window_hours or order.company_id.governance_confirmation_window_hours
            confirmation = self.sudo().create({
                "purchase_order_id": order.id,
                "partner_id": vendor.id,
                "buyer_id": order.user_id.id,
                "company_id": order.company_id.id,
                "date_requested": now,
                "date_due": now + timedelta(hours=hours or 48),
                "line_ids": [fields.Command.create({
                    "purchase_line_id": line.id, "planned_date": line.date_planned,
                }) for line in order.order_line.filtered(lambda line: not line.display_type and line.product_id)],
            })
            self.env["governance.event"]._emit("supplier_confirmation.requested", order, dict(
                confirmation._event_base(), buyer=person(confirmation.buyer_id),
                origin="replenishment" if order.order_line.orderpoint_id else "manual",
                lines=[{"line_id": line.purchase_line_id.id, "product": confirmation._product_data(line.product_id),
                        "quantity": float_repr(line.purchase_line_id.product_qty, 3).rstrip("0").rstrip("."),
                        "planned_date": outbox.timestamp(line.planned_date)} for line in confirmation.line_ids],
            ), company=order.company_id)
            created |= confirmation
        return created

    @api.model
    def _cancel_for(self, orders):
        self.sudo().search([("purchase_order_id", "in", orders.ids), ("state", "!=", "cancelled")]).write(
            {"state": "cancelled"})

    # -- event data ---------------------------------------------------------------------------------

    def _product_data(self, product):
        return {"id": product.id, "name": product.display_name}

    def _confirmation_data(self):
        self.ensure_one()
        promised = self.line_ids.mapped("promised_date")
        return {"id": self.id, "state": self.state, "due": outbox.timestamp(self.date_due),
                "expected_date": outbox.timestamp(max(promised)) if promised else None}

    def _order_data(self):
        self.ensure_one()
        return self._document_of(self.purchase_order_id)

    @api.model
    def _document_of(self, order):
        """The contract's document object of a purchase order."""
        return {"model": "purchase.order", "id": order.id, "name": order.name, "company": order.company_id.name,
                "amount": float_repr(order.amount_untaxed, order.currency_id.decimal_places),
                "currency": order.currency_id.name}

    def _supplier_data(self):
        self.ensure_one()
        return {"id": self.partner_id.id, "name": self.partner_id.name, "email": self.partner_id.email or None}

    def _event_base(self):
        return {"confirmation": self._confirmation_data(), "purchase_order": self._order_data(),
                "supplier": self._supplier_data()}

    def _emit(self, event_type, data):
        self.ensure_one()
        return self.env["governance.event"]._emit(event_type, self.purchase_order_id, dict(self._event_base(), **data),
                                                  company=self.company_id)

    # -- overdue ------------------------------------------------------------------------------------

    @api.model
    def _cron_flag_overdue(self, batch_size=OVERDUE_BATCH):
        """Flag one batch of confirmations past their due time; return how many were flagged.

        Only awaiting rows past due are read (a partial index on date_due), so the cost follows what
        is due. A flagged one leaves the awaiting state, so a rerun finds and raises nothing again.
        """
        now = fields.Datetime.now()
        due = self.sudo().search([("state", "=", "awaiting"), ("date_due", "<", now)], limit=batch_size,
                                 order="date_due asc, id asc")
        for confirmation in due:
            confirmation._flag_overdue(now)
        self.env["ir.cron"]._notify_progress(done=len(due), remaining=1 if len(due) == batch_size else 0)
        return len(due)

    def _flag_overdue(self, now):
        self.ensure_one()
        order = self.purchase_order_id
        self.write({"state": "overdue", "date_overdue": now})
        hours = max(0, int((now - self.date_due).total_seconds() // 3600))
        exception = self.overdue_exception_id
        if not exception:
            kind = self.env.ref("distribution_governance.exception_type_supplier_confirmation_overdue")
            exception = self.env["governance.exception"].sudo().with_company(self.company_id).create({
                "exception_type_id": kind.id,
                "summary": _("%(vendor)s has not confirmed %(order)s (due %(due)s)", vendor=self.partner_id.name,
                             order=order.name, due=outbox.timestamp(self.date_due)),
                "details": _("The supplier's confirmation window closed at %(due)s with no answer.",
                             due=outbox.timestamp(self.date_due)),
                "owner_id": self.buyer_id.id or False,
                "res_model": "purchase.order",
                "res_id": order.id,
                "document_name": order.name,
                "company_id": self.company_id.id,
            })
            self.overdue_exception_id = exception
        if self.buyer_id:
            order.sudo().activity_schedule(
                "distribution_governance.mail_activity_type_supplier_follow_up",
                user_id=self.buyer_id.id,
                summary=_("Chase %s for the order confirmation", self.partner_id.name),
                note=_("The confirmation of %(order)s was due %(due)s.", order=order.name,
                       due=outbox.timestamp(self.date_due)),
            )
        order.sudo().message_post(body=_("Supplier confirmation overdue since %s (UTC).", outbox.timestamp(self.date_due)))
        self._emit("supplier_confirmation.overdue", {
            "overdue_hours": hours, "buyer": person(self.buyer_id), "exception": exception._exception_data(),
        })

    # -- supplier answers ---------------------------------------------------------------------------

    def _record_update(self, params, received_at):
        """Record one answer of the supplier (already validated params); return the API result."""
        self.ensure_one()
        if self.state == "cancelled":
            raise UserError(coded("not_pending", _("%s is cancelled: its supplier confirmation is closed.", self.name)))
        status = params["status"]
        changes = self._line_changes(params) if status != "rejected" else []
        update = self.env["governance.supplier.confirmation.update"].sudo().create({
            "confirmation_id": self.id,
            "status": status,
            "source": params["source"],
            "received_at": received_at,
            "supplier_reference": params.get("supplier_reference") or False,
            "reason": params.get("reason") or False,
            "raw_message": params.get("raw_message") or False,
            "raw_filename": params.get("raw_filename") or False,
            "user_id": self.env.user.id,
        })
        moved = [(line, promised) for line, promised in changes
                 if logic.day_difference(promised, line.purchase_line_id.date_planned) != 0]
        for line, promised in changes:
            line.promised_date = promised
        if moved:
            self._move_expected_dates(moved, update)
        was_due = self.date_due
        first_answer = not self.date_answered
        vals = {
            "state": "rejected" if status == "rejected" else ("date_changed" if moved else "confirmed"),
            "supplier_reference": params.get("supplier_reference") or self.supplier_reference,
            "date_answered": received_at,
        }
        if first_answer:
            vals["delay_hours"] = max(0.0, (received_at - self.date_requested).total_seconds() / 3600.0)
            vals["answered_late"] = received_at > was_due
        vals["drift_days"] = max([line.drift_days for line in self.line_ids] or [0], key=abs)
        vals["lead_time_drift_days"] = max([line.lead_time_drift_days for line in self.line_ids] or [0], key=abs)
        self.write(vals)
        update.state_after = self.state
        self._close_overdue_exception(update)
        result = {
            "confirmation_id": self.id,
            "update_id": update.id,
            "purchase_order": {"model": "purchase.order", "id": self.purchase_order_id.id,
                               "name": self.purchase_order_id.name},
            "state": self.state,
            "outcome": logic.outcome(status, bool(moved), received_at, was_due),
            "drift_days": self.drift_days,
            "lead_time_drift_days": self.lead_time_drift_days,
            "material_drift": False,
            "exception_id": 0,
            "affected_sale_orders": [],
            "lines": [line._api_data() for line in self.line_ids],
        }
        if status == "rejected":
            self._on_rejected(update)
        elif moved:
            result.update(self._on_dates_moved(moved, update))
        else:
            self._emit("supplier_confirmation.confirmed", {
                "source": update.source, "reference": update.supplier_reference or None,
                "promised_date": self._confirmation_data()["expected_date"],
            })
        return result

    def _line_changes(self, params):
        """[(confirmation line, promised datetime)] for the lines the answer names (or all of them)."""
        lines = self.line_ids
        by_number = {index + 1: line for index, line in enumerate(lines.sorted(lambda l: (l.purchase_line_id.sequence, l.purchase_line_id.id)))}
        changes = {}
        for index, item in enumerate(params.get("lines") or []):
            line = self._match_line(item, lines, by_number)
            if not line:
                raise MissingError(coded("not_found", _("lines[%(index)s]: %(order)s has no line %(what)s.", index=index,
                                  order=self.name, what=item)))
            promised = item.get("promised_date") or params.get("promised_date")
            if promised:
                changes[line] = _parse(promised, f"lines[{index}].promised_date")
        if params.get("promised_date"):
            promised = _parse(params["promised_date"], "promised_date")
            for line in lines:
                changes.setdefault(line, promised)
        return list(changes.items())

    def _match_line(self, item, lines, by_number):
        if item.get("line_id"):
            return lines.filtered(lambda line: line.purchase_line_id.id == item["line_id"])[:1]
        if item.get("product_code"):
            code = item["product_code"]
            vendor = self.partner_id
            return lines.filtered(lambda line: line.product_id.default_code == code or any(
                seller.product_code == code and seller.partner_id.commercial_partner_id == vendor
                for seller in line.product_id.seller_ids))[:1]
        if item.get("line_number"):
            return by_number.get(item["line_number"])
        raise ValidationError(coded("invalid_params", _("A line needs line_id, product_code or line_number.")))

    def _move_expected_dates(self, moved, update):
        order = self.purchase_order_id.sudo()
        rows = []
        for line, promised in moved:
            purchase_line = line.purchase_line_id.sudo()
            rows.append(_("%(product)s: %(old)s → %(new)s", product=purchase_line.product_id.display_name,
                          old=fields.Date.to_string(purchase_line.date_planned), new=fields.Date.to_string(promised)))
            purchase_line.date_planned = promised
        order.message_post(body=_("Expected arrival changed by the supplier (%(channel)s%(ref)s): %(rows)s",
                                  channel=dict(update._fields["source"].selection)[update.source],
                                  ref=f", {update.supplier_reference}" if update.supplier_reference else "",
                                  rows="; ".join(rows)))

    def _close_overdue_exception(self, update):
        exception = self.overdue_exception_id
        if exception and exception.state not in ("resolved", "dismissed"):
            exception.sudo()._close("resolved", _("The supplier answered (%(channel)s) on %(when)s.",
                                                  channel=update.source, when=outbox.timestamp(update.received_at)))

    def _on_rejected(self, update):
        order = self.purchase_order_id.sudo()
        order.message_post(body=_("The supplier rejected the order (%(channel)s): %(reason)s", channel=update.source,
                                  reason=update.reason or _("no reason given")))
        if self.buyer_id:
            order.activity_schedule("distribution_governance.mail_activity_type_supplier_follow_up",
                                    user_id=self.buyer_id.id,
                                    summary=_("%s rejected the order", self.partner_id.name))

    def _on_dates_moved(self, moved, update):
        threshold = self._setting("drift_threshold_days")
        changed = self.env["governance.supplier.confirmation.line"].browse([line.id for line, _promised in moved])
        fast = {line: line._is_fast_moving() for line in changed}
        material_lines = changed.filtered(lambda line: fast[line] and abs(line.drift_days) >= threshold
                                          and line.drift_days > 0)
        new_date = max(promised for _line, promised in moved)
        affected = self._affected_sale_orders(changed.product_id, new_date)
        exception = self.env["governance.exception"]
        if material_lines:
            exception = self._raise_drift_exception(material_lines, affected, update)
        widest = max(changed, key=lambda line: abs(line.drift_days))
        self._emit("supplier_confirmation.date_changed", {
            "source": update.source,
            "reference": update.supplier_reference or None,
            "previous_date": outbox.timestamp(widest.planned_date),
            "new_date": outbox.timestamp(widest.promised_date),
            "drift_days": widest.drift_days,
            "lead_time_drift_days": self.lead_time_drift_days,
            "material": bool(material_lines),
            "lines": [{"line_id": line.purchase_line_id.id, "product": self._product_data(line.product_id),
                       "previous_date": outbox.timestamp(line.planned_date),
                       "new_date": outbox.timestamp(line.promised_date), "drift_days": line.drift_days,
                       "fast_moving": fast[line]} for line in changed],
            "affected_sale_orders": affected,
            "exception": exception._exception_data() if exception else None,
        })
        return {"material_drift": bool(material_lines), "exception_id": exception.id or 0,
                "affected_sale_orders": affected}

    def _affected_sale_orders(self, products, new_date):
        """Open sales order lines of ``products`` whose commitment date is before ``new_date``."""
        lines = self.env["sale.order.line"].sudo().search([
            ("product_id", "in", products.ids), ("state", "=", "sale"), ("company_id", "=", self.company_id.id),
            ("order_id.commitment_date", "!=", False), ("order_id.commitment_date", "<", new_date),
        ], order="id", limit=200)
        affected = []
        for line in lines.filtered(lambda line: line.qty_delivered < line.product_uom_qty):
            order = line.order_id
            affected.append({
                "id": order.id, "name": order.name, "customer": order.partner_id.display_name,
                "product": line.product_id.display_name,
                "quantity": float_repr(line.product_uom_qty - line.qty_delivered, 3).rstrip("0").rstrip("."),
                "commitment_date": outbox.timestamp(order.commitment_date),
            })
        return affected

    def _raise_drift_exception(self, lines, affected, update):
        kind = self.env.ref("distribution_governance.exception_type_lead_time_drift")
        order = self.purchase_order_id
        details = [_("%(product)s: planned %(planned)s, now %(new)s (%(days)+d days)",
                     product=line.product_id.display_name, planned=fields.Date.to_string(line.planned_date),
                     new=fields.Date.to_string(line.promised_date), days=line.drift_days) for line in lines]
        if affected:
            details.append(_("Customer orders affected: %s", ", ".join(
                f"{sale['name']} ({sale['customer']}, {sale['product']})" for sale in affected)))
        exception = self.env["governance.exception"].sudo().with_company(self.company_id).create({
            "exception_type_id": kind.id,
            "summary": _("%(vendor)s moved %(order)s by %(days)s days", vendor=self.partner_id.name,
                         order=order.name, days=max(lines.mapped("drift_days"))),
            "details": "\n".join(details),
            "owner_id": self.buyer_id.id or False,
            "res_model": "purchase.order",
            "res_id": order.id,
            "document_name": order.name,
            "company_id": self.company_id.id,
            "evidence_ids": [fields.Command.set(update.attachment_id.ids)],
        })
        self.drift_exception_id = exception
        return exception

    # -- API ------------------------------------------------------------------------------------------

    def _api_data(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        buyer = self.buyer_id
        return {
            "confirmation_id": self.id,
            "purchase_order": {"model": "purchase.order", "id": self.purchase_order_id.id,
                               "name": self.purchase_order_id.name},
            "supplier": {"id": self.partner_id.id, "name": self.partner_id.name, "email": self.partner_id.email or ""},
            "buyer": {"login": buyer.login or "", "name": buyer.name or "", "email": buyer.email or ""},
            "state": self.state,
            "due": logic.utc_text(self.date_due),
            "overdue": self.state == "overdue" or (self.state == "awaiting" and self.date_due < now),
            "hours_left": logic.hours_left(self.date_due, now),
            "supplier_reference": self.supplier_reference or "",
            "drift_days": self.drift_days,
            "lines": [line._api_data() for line in self.line_ids],
        }

    # -- UI -----------------------------------------------------------------------------------------

    def action_open_order(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "purchase.order", "res_id": self.purchase_order_id.id,
                "view_mode": "form"}


def _parse(text, path):
    try:
        return logic.parse_date(text)
    except ValueError as error:
        raise ValidationError(coded("invalid_params", _("%(path)s: %(error)s", path=path, error=error))) from None
