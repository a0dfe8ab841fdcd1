from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    governance_vendor_risk = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        "Vendor Risk",
        help="Used by approval policies (fact vendor_risk). Empty means unknown: a policy that tests it holds the document.",
    )
    governance_confirmation_window_hours = fields.Integer(
        "Confirmation Window (h)",
        help="Hours this vendor has to confirm a released purchase order; 0 uses the company's default.",
    )
    governance_confirmation_ids = fields.One2many(
        "governance.supplier.confirmation", "partner_id", "Supplier Confirmations", readonly=True)
    governance_confirmation_count = fields.Integer("Confirmations", compute="_compute_governance_confirmation_stats")
    governance_confirmation_on_time_rate = fields.Float(
        "Confirmed in Window (%)", compute="_compute_governance_confirmation_stats",
        help="Share of answered confirmations that arrived inside the window.")
    governance_confirmation_avg_delay = fields.Float(
        "Average Confirmation Delay (h)", compute="_compute_governance_confirmation_stats")
    governance_confirmation_avg_drift = fields.Float(
        "Average Drift (days)", compute="_compute_governance_confirmation_stats")

    def _compute_governance_confirmation_stats(self):
        Confirmation = self.env["governance.supplier.confirmation"]
        rows = Confirmation._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]) if Confirmation.has_access("read") else []
        counts = dict(rows)
        answered = {}
        if rows:
            for partner, late, count, delay, drift in Confirmation._read_group(
                    [("partner_id", "in", self.ids), ("date_answered", "!=", False)], ["partner_id", "answered_late"],
                    ["__count", "delay_hours:sum", "drift_days:sum"]):
                total = answered.setdefault(partner, [0, 0, 0.0, 0.0])
                total[0] += count
                total[1] += count if late else 0
                total[2] += delay or 0.0
                total[3] += drift or 0
        for partner in self:
            count, late, delay, drift = answered.get(partner, (0, 0, 0.0, 0.0))
            partner.governance_confirmation_count = counts.get(partner, 0)
            partner.governance_confirmation_on_time_rate = 100.0 * (count - late) / count if count else 0.0
            partner.governance_confirmation_avg_delay = delay / count if count else 0.0
            partner.governance_confirmation_avg_drift = drift / count if count else 0.0

    def action_governance_confirmations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "distribution_governance.governance_supplier_confirmation_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action
