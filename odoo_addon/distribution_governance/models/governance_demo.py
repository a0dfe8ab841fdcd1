from datetime import timedelta

from odoo import api, fields, models


class GovernanceDemo(models.AbstractModel):
    """Steps of the demo data (demo/*.xml) that plain records cannot express."""

    _name = "governance.demo"
    _description = "Distribution Governance demo data"

    @api.model
    def _overdue_invoice(self, partner_id, product_id, amount, days_overdue):
        """Post a customer invoice of ``amount`` due ``days_overdue`` days ago; nothing when the
        company has no sales journal (a database whose chart of accounts is not installed yet)."""
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.env.company.id)], limit=1)
        if not journal:
            return False
        due = fields.Date.context_today(self) - timedelta(days=days_overdue)
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "journal_id": journal.id,
            "invoice_date": due - timedelta(days=30),
            "invoice_date_due": due,
            "invoice_line_ids": [(0, 0, {"product_id": product_id, "quantity": 1, "price_unit": amount, "tax_ids": [(6, 0, [])]})],
        })
        invoice.action_post()
        return invoice.id
