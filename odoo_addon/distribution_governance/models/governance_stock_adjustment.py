from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_repr

from ..lib.errors import coded

# Context key: the adjustment whose quants are being applied (stock.quant lets them through).
APPLYING_CONTEXT = "governance_applying_adjustment"
# Context key an RPC client sets on stock.quant.action_apply_inventory: the reason code to apply with.
REASON_CONTEXT = "governance_reason_code"


class GovernanceStockAdjustment(models.Model):
    """Counted quantities applied together: the governed record of a stock adjustment (S7).

    Applying counted quantities (Physical Inventory's Apply, ``stock.quant.action_apply_inventory``
    over RPC, inventory-mode writes, imports) gathers the quants into one adjustment per company
    and warehouse. Applying the adjustment is the governed action: with a reason code, and
    evidence above the reason's threshold, it goes through the policy; straight-through ones
    apply at once, the others leave the quants unchanged (their counts locked) until approved.
    """

    _name = "governance.stock.adjustment"
    _inherit = ["mail.thread", "mail.activity.mixin", "governance.mixin"]
    _description = "Stock Adjustment"
    _order = "id desc"

    _governance_submit_states = ("draft",)
    _governance_released_states = ("applied",)
    _governance_action = "action_apply"
    _governance_approved_action = "_governance_apply_counts"
    _governance_lines_field = "line_ids"
    _governance_locked_fields = ("reason_id", "company_id", "warehouse_id")
    _governance_withdraw_states = ("draft", "cancelled")
    _governance_reject_method = "_governance_mark_rejected"
    _governance_changes_method = "_governance_back_to_draft"

    name = fields.Char("Reference", required=True, readonly=True, default="/", copy=False)
    state = fields.Selection([
        ("draft", "Draft"), ("to_approve", "Waiting for Approval"), ("applied", "Applied"),
        ("rejected", "Rejected"), ("cancelled", "Cancelled"),
    ], default="draft", required=True, readonly=True, tracking=True, index=True, copy=False)
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True, check_company=True)
    reason_id = fields.Many2one(
        "governance.stock.adjustment.reason", "Reason", tracking=True,
        domain="[('company_id', 'in', (False, company_id))]")
    note = fields.Text(size=2000)
    line_ids = fields.One2many("governance.stock.adjustment.line", "adjustment_id", "Counted Quants", copy=False)
    adjustment_value = fields.Monetary(compute="_compute_totals", store=True, currency_field="currency_id",
                                       help="Sum of the lines' absolute values at cost.")
    quantity_variance = fields.Float(compute="_compute_totals", store=True, digits="Product Unit of Measure",
                                     help="The largest absolute difference of a line, in its product's unit.")
    evidence_count = fields.Integer(compute="_compute_evidence")
    evidence_needed = fields.Boolean(compute="_compute_evidence")
    date_applied = fields.Datetime(readonly=True, copy=False)

    @api.depends("line_ids.value", "line_ids.difference")
    def _compute_totals(self):
        for adjustment in self:
            adjustment.adjustment_value = sum(abs(value) for value in adjustment.line_ids.mapped("value"))
            adjustment.quantity_variance = max((abs(diff) for diff in adjustment.line_ids.mapped("difference")), default=0)

    def _compute_evidence(self):
        counts = dict(self.env["ir.attachment"].sudo()._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]))
        for adjustment in self:
            adjustment.evidence_count = counts.get(adjustment.id, 0)
            reason = adjustment.reason_id
            adjustment.evidence_needed = bool(reason.evidence_required) and float_compare(
                adjustment.adjustment_value, reason.evidence_threshold, precision_rounding=adjustment.currency_id.rounding) > 0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("governance.stock.adjustment") or "/"
        return super().create(vals_list)

    # -- facts ------------------------------------------------------------------------------------

    def _governance_facts(self):
        self.ensure_one()
        currency = self.company_id.currency_id
        products = self.line_ids.product_id
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        return {
            "currency": currency.name,
            "adjustment_value": float_repr(currency.round(self.adjustment_value), currency.decimal_places),
            "quantity_variance": float_repr(self.quantity_variance, digits),
            "serialized": any(tracking in ("lot", "serial") for tracking in products.mapped("tracking")) if products else None,
            "reason_code": self.reason_id.code or None,
            "product_categories": self._governance_category_names(products),
            "warehouse": self.warehouse_id.code or None,
            "company": self.company_id.name,
        }

    def _governance_scope(self):
        self.ensure_one()
        return {"quants": sorted(f"stock.quant,{quant_id}" for quant_id in self.line_ids.quant_id.ids)}

    def _governance_change_hint(self):
        return _("Count again and apply the new count as a new adjustment.")

    # -- from quants --------------------------------------------------------------------------------

    @api.model
    def _from_quants(self, quants):
        """One draft adjustment per company and warehouse of ``quants`` with a count set, reusing the
        current user's draft of exactly the same quants."""
        adjustments = self.browse()
        groups = {}
        for quant in quants:
            groups.setdefault((quant.company_id or self.env.company, quant.warehouse_id), self.env["stock.quant"])
            groups[(quant.company_id or self.env.company, quant.warehouse_id)] |= quant
        for (company, warehouse), group in groups.items():
            draft = self.search([("state", "=", "draft"), ("create_uid", "=", self.env.uid),
                                 ("company_id", "=", company.id), ("line_ids.quant_id", "in", group.ids)])
            draft = draft.filtered(lambda adjustment: adjustment.line_ids.quant_id == group)[:1]
            if draft:
                draft._refresh_lines()
                adjustments |= draft
                continue
            adjustments |= self.create({
                "company_id": company.id,
                "warehouse_id": warehouse.id,
                "line_ids": [Command.create(self.env["governance.stock.adjustment.line"]._snapshot_vals(quant))
                             for quant in group],
            })
        return adjustments

    def _refresh_lines(self):
        """Take the quants' quantities, counts and costs as they are now (before submitting)."""
        for adjustment in self:
            for line in adjustment.line_ids:
                line.write(line._snapshot_vals(line.quant_id))

    # -- the governed action ---------------------------------------------------------------------

    def _check_ready(self):
        self.invalidate_recordset(["evidence_count", "evidence_needed"])
        for adjustment in self:
            if not adjustment.line_ids:
                raise ValidationError(coded("invalid_params", _("%s has no counted quantities to apply.", adjustment.name)))
            if not adjustment.reason_id:
                raise UserError(coded("reason_required", _(
                    "%s needs a reason code before it can be applied.", adjustment.name)))
            if adjustment.evidence_needed and not adjustment.evidence_count:
                raise UserError(coded("evidence_required", _(
                    "%(ref)s is worth %(value)s %(currency)s, above the %(limit)s that reason %(reason)s allows "
                    "without evidence: attach a photo, count sheet or report first.",
                    ref=adjustment.name, value=float_repr(adjustment.adjustment_value, adjustment.currency_id.decimal_places),
                    currency=adjustment.currency_id.name,
                    limit=float_repr(adjustment.reason_id.evidence_threshold, adjustment.currency_id.decimal_places),
                    reason=adjustment.reason_id.code)))

    def action_apply(self):
        """Apply the counted quantities: at once when the policy lets them through, else ask for approval."""
        drafts = self.filtered(lambda adjustment: adjustment.state == "draft")
        drafts._refresh_lines()
        drafts._check_ready()
        return drafts._governance_run(lambda adjustments: adjustments._governance_apply_counts(),
                                      on_pending=lambda adjustments: adjustments.write({"state": "to_approve"}))

    def _governance_apply_counts(self):
        """Move the quants by the approved differences (not to the counts: stock that moved since stays)."""
        for adjustment in self:
            Quant = self.env["stock.quant"].sudo().with_context(
                **{APPLYING_CONTEXT: adjustment.id, "inventory_name": adjustment.name})
            for line in adjustment.line_ids.filtered(lambda line: not line.quant_id):
                # Odoo deleted the quant when it reached zero: the difference applies to a new one.
                line.sudo().with_context(**{APPLYING_CONTEXT: adjustment.id}).quant_id = Quant._gather(
                    line.product_id, line.location_id, lot_id=line.lot_id, strict=True)[:1] or Quant.create(
                    {"product_id": line.product_id.id, "location_id": line.location_id.id, "lot_id": line.lot_id.id})
            quants = Quant.browse(adjustment.line_ids.quant_id.ids)
            for line in adjustment.line_ids:
                quants.browse(line.quant_id.id).inventory_quantity = line.quant_id.quantity + line.difference
            quants.with_company(adjustment.company_id)._apply_inventory()
            quants.inventory_quantity_set = False
            adjustment.write({"state": "applied", "date_applied": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self.filtered(lambda adjustment: adjustment.state in ("draft", "to_approve")).write({"state": "cancelled"})
        return True

    def action_draft(self):
        self.filtered(lambda adjustment: adjustment.state in ("rejected", "cancelled")).write({"state": "draft"})
        return True

    def _governance_mark_rejected(self):
        self.write({"state": "rejected"})

    def _governance_back_to_draft(self):
        self.write({"state": "draft"})

    def _governance_approval_context(self):
        self.ensure_one()
        currency = self.currency_id
        items = [
            _("%(product)s%(lot)s at %(location)s: %(on_hand)s counted %(counted)s (%(value)s)",
              product=line.product_id.display_name, lot=f" [{line.lot_id.name}]" if line.lot_id else "",
              location=line.location_id.display_name, on_hand=line.quantity, counted=line.counted_quantity,
              value=float_repr(line.value, currency.decimal_places))
            for line in self.line_ids[:5]
        ]
        if len(self.line_ids) > 5:
            items.append(_("and %s more", len(self.line_ids) - 5))
        context = [
            ("value", _("Value at cost"), f"{float_repr(self.adjustment_value, currency.decimal_places)} {currency.name}"),
            ("reason", _("Reason"), f"{self.reason_id.code}: {self.reason_id.name}" if self.reason_id else _("none")),
            ("counted", _("Counted"), "; ".join(items)),
            ("counted_by", _("Counted by"), self.create_uid.name or ""),
            ("evidence", _("Evidence attachments"), str(self.evidence_count)),
            ("note", _("Note"), self.note or ""),
        ]
        return [{"key": key, "label": label, "value": value[:500]} for key, label, value in context if value]

    @api.model
    def _pending_for_quants(self, quants):
        """Adjustments that wait for approvers and count the stock of one of ``quants`` (same product,
        location and lot: an import can make a second quant of counted stock before Odoo merges them)."""
        pending = self.sudo().search([("state", "=", "to_approve"), ("line_ids.product_id", "in", quants.product_id.ids)])
        keys = {(quant.product_id, quant.location_id, quant.lot_id) for quant in quants}
        return pending.filtered(lambda adjustment: any(
            (line.product_id, line.location_id, line.lot_id) in keys for line in adjustment.line_ids))
