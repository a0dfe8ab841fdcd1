from datetime import timedelta

from odoo import Command, fields

from .common import REQUESTER, GovernanceCase

SALESMAN = "sales_team.group_sale_salesman"


class SaleCase(GovernanceCase):
    """The purchasing policy of GovernanceCase plus order-release rules for sales orders (S3).

    - so-discount (level 1, "Sales manager"): a line discount above 20 %, one of the sales
      approvers group (Mia, and Sam, who sells: he never approves his own orders).
    - so-credit (level 1, "Credit control"): customer overdue or over their credit limit, Cody.
    - so-margin: a margin below 15 % is held for the pricing team.
    Bolt sells at 100 and costs 40 (a 60 % margin).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return cls.env["res.users"].create({
                "login": login, "name": login.capitalize(), "email": f"{login}@acme.example", "password": f"{login}-pass-1234",
                "groups_id": [Command.set([cls.env.ref(group).id for group in groups])]})

        cls.sam = user("sam", ["base.group_user", SALESMAN, REQUESTER])
        cls.mia = user("mia", ["base.group_user", SALESMAN, "distribution_governance.group_approver"])
        cls.cody = user("cody", ["base.group_user", SALESMAN, "distribution_governance.group_approver"])
        cls.sales_approvers = cls.env["res.groups"].create({
            "name": "Sales approvers", "users": [Command.set((cls.mia | cls.sam).ids)]})
        cls.customer = cls.env["res.partner"].create({"name": "Northwind Retail", "email": "buyer@northwind.example"})
        cls.bolt = cls.env["product.product"].create({
            "name": "Bolt M8", "categ_id": cls.category.id, "list_price": 100.0, "standard_price": 40.0})
        cls.policy.write({"rule_ids": [
            cls._sale_rule("so-discount", "require_tier", [("discount_percent", "gt", "20")], 60,
                           reason="Discount above 20 %", tier_name="Sales manager", tier_level=1,
                           approver_group_ids=[Command.set(cls.sales_approvers.ids)], min_approvals=1, sla_hours=8),
            cls._sale_rule("so-credit", "require_tier", [("customer_credit_status", "in", "overdue, exceeded")], 70,
                           reason="Customer overdue or over credit limit", tier_name="Credit control", tier_level=1,
                           approver_user_ids=[Command.set(cls.cody.ids)], min_approvals=1, sla_hours=8),
            cls._sale_rule("so-margin", "hold", [("margin_percent", "lt", "15")], 80,
                           reason="Margin below 15 %: pricing checks it first"),
        ]})

    @classmethod
    def _sale_rule(cls, code, action, conditions, sequence, **tier):
        command = cls._rule(code, action, conditions, sequence, **tier)
        command[2]["document_type"] = "sale.order"
        return command

    def quotation(self, discount=0.0, price=100.0, qty=1, customer=None, user=None):
        return self.env["sale.order"].with_user(user or self.sam).create({
            "partner_id": (customer or self.customer).id,
            "order_line": [Command.create({"product_id": self.bolt.id, "product_uom_qty": qty, "price_unit": price,
                                           "discount": discount, "tax_id": [Command.clear()]})],
        })

    def invoice(self, amount, days_overdue=0, customer=None):
        """A posted customer invoice of ``amount``, due ``days_overdue`` days ago (negative: due later)."""
        today = fields.Date.context_today(self.env.user)
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": (customer or self.customer).id,
            "invoice_date": today - timedelta(days=max(days_overdue, 0) + 30),
            "invoice_date_due": today - timedelta(days=days_overdue),
            "invoice_line_ids": [Command.create({"name": "Bolts", "quantity": 1, "price_unit": amount,
                                                 "tax_ids": [Command.clear()]})],
        })
        move.action_post()
        return move

    def pay(self, move):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids) \
            .create({})._create_payments()

    def sale_review(self, order, tier_name):
        return self.request_of(order).review_ids.filtered(lambda review: review.tier_name == tier_name)
