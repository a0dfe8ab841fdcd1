import json
from unittest.mock import patch
from xmlrpc.client import Fault

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib import policy as policy_lib
from .sale_common import SaleCase


@tagged("post_install", "-at_install")
class TestSaleOrderRelease(SaleCase):
    """S3: confirming a sales order is governed; approval confirms it, rejection leaves a quotation."""

    def test_straight_through_confirms_as_today_with_one_evaluation(self):
        order = self.quotation(discount=5)
        with patch.object(policy_lib, "evaluate", wraps=policy_lib.evaluate) as evaluate:
            order.with_user(self.sam).action_confirm()
        self.assertEqual(evaluate.call_count, 1)
        self.assertEqual((order.state, order.governance_state), ("sale", "straight_through"))
        self.assertEqual(order.sudo()._governance_facts(), {
            "currency": self.currency.name, "amount": "95.00", "discount_percent": "5.00", "margin_percent": "57.89",
            "customer_credit_status": "ok", "product_categories": ["All", "All / Spare parts"],
            "warehouse": order.warehouse_id.code, "company": self.company.name, "origin": "manual"})

    def test_a_large_discount_waits_for_a_sales_manager_with_the_context(self):
        self.invoice(300, days_overdue=0)  # due today: not overdue yet
        order = self.quotation(discount=25)
        order.with_user(self.sam).action_confirm()
        request = self.request_of(order)
        self.assertEqual((order.state, request.state, request.matched_rules), ("draft", "pending", "so-discount"))
        self.assertEqual(order.governance_state, "pending")
        review = self.sale_review(order, "Sales manager")
        # Sam sells and is in the approvers' group: he is not an eligible approver of his own order.
        self.assertEqual(review.eligible_user_ids, self.mia)
        with self.assertRaises(AccessError):
            order.with_user(self.sam).action_governance_approve()
        context = {item["key"]: item["value"] for item in json.loads(request.approval_context)}
        self.assertEqual(list(context), ["customer", "sales_12_months", "overdue_balance", "exposure", "margin"])
        self.assertIn("300.00", context["sales_12_months"])
        self.assertIn("0.00", context["overdue_balance"])
        self.assertEqual(context["exposure"], "no credit limit")
        self.assertIn("46.7 %", context["margin"])
        self.assertIn("Margin: 46.7 %", order.governance_context)
        event = self.env["governance.event"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id), ("event_type", "=", "approval.requested")])
        self.assertEqual(json.loads(event.body)["data"]["context"], json.loads(request.approval_context))
        order.with_user(self.mia).action_governance_approve()
        self.assertEqual((order.state, request.state), ("sale", "approved"))

    def test_every_path_to_a_confirmed_order_is_refused_while_pending(self):
        order = self.quotation(discount=25)
        order.with_user(self.sam).action_confirm()
        with self.assertRaisesRegex(UserError, r"already waiting for approval.*\[dg:approval_pending\]"):
            order.with_user(self.sam).action_confirm()
        with self.assertRaisesRegex(UserError, r"waiting for approval.*\[dg:approval_required\]"):
            order.sudo().write({"state": "sale"})
        with self.assertRaisesRegex(UserError, r"\[dg:approval_pending\]"):
            order.order_line.with_user(self.sam).write({"discount": 10})
        with self.assertRaisesRegex(UserError, r"\[dg:approval_pending\]"):
            order.with_user(self.sam).write({"order_line": [Command.create({"product_id": self.bolt.id})]})
        with self.assertRaisesRegex(UserError, r"needs approval under the active policy.*\[dg:approval_required\]"):
            self.env["sale.order"].with_user(self.sam).create({
                "partner_id": self.customer.id, "state": "sale",
                "order_line": [Command.create({"product_id": self.bolt.id, "discount": 30})]})
        self.assertEqual(order.state, "draft")
        # Cancelling withdraws the request.
        order.with_user(self.sam)._action_cancel()
        self.assertEqual(self.request_of(order), self.env["governance.approval.request"])

    def test_rejection_leaves_a_quotation_with_the_reason(self):
        order = self.quotation(discount=25)
        order.with_user(self.sam).action_confirm()
        self.sale_review(order, "Sales manager").with_user(self.mia)._decide(
            self.mia, "reject", comment="25 % is beyond what we give this account")
        self.assertEqual((order.state, self.request_of(order).state), ("draft", "rejected"))
        self.assertIn("25 % is beyond what we give this account", order.governance_summary)
        self.assertIn("25 % is beyond what we give this account", order.message_ids[0].body)
        # Changed and confirmed again, it goes straight through.
        order.order_line.with_user(self.sam).discount = 10
        order.with_user(self.sam).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_low_margin_is_held_and_cannot_be_confirmed(self):
        order = self.quotation(price=45)
        order.with_user(self.sam).action_confirm()
        request = self.request_of(order)
        self.assertEqual((order.state, request.outcome, order.governance_state), ("draft", "hold", "hold"))
        self.assertIn("Margin below 15 %", order.governance_summary)
        with self.assertRaisesRegex(UserError, r"on hold.*\[dg:approval_required\]"):
            order.sudo().write({"state": "sale"})

    def test_the_form_shows_the_banner_and_the_decision_buttons(self):
        arch = self.env["sale.order"].with_user(self.sam).get_views([[False, "form"]])["views"]["form"]["arch"]
        for name in ("action_governance_approve", "governance_summary", "governance_context", "governance_review_ids"):
            self.assertIn(name, arch)


@tagged("post_install", "-at_install")
class TestCustomerCreditStatus(SaleCase):
    """The credit status fact, from real invoices and payments."""

    def status(self, order):
        return order.sudo()._governance_facts().get("customer_credit_status")

    def test_overdue_invoice_then_paid(self):
        invoice = self.invoice(500, days_overdue=10)
        order = self.quotation()
        self.assertEqual(self.status(order), "overdue")
        order.with_user(self.sam).action_confirm()
        request = self.request_of(order)
        self.assertEqual((order.state, request.matched_rules), ("draft", "so-credit"))
        self.assertEqual(self.sale_review(order, "Credit control").eligible_user_ids, self.cody)
        context = {item["key"]: item["value"] for item in json.loads(request.approval_context)}
        self.assertIn("500.00", context["overdue_balance"])
        self.pay(invoice)
        self.assertEqual(self.status(self.quotation()), "ok")

    def test_discount_and_overdue_need_both_tiers_and_two_people(self):
        self.invoice(500, days_overdue=10)
        order = self.quotation(discount=25)
        order.with_user(self.sam).action_confirm()
        self.assertEqual(self.request_of(order).matched_rules, "so-discount, so-credit")
        self.sale_review(order, "Sales manager").with_user(self.mia)._decide(self.mia, "approve")
        self.assertEqual(order.state, "draft")
        self.sale_review(order, "Credit control").with_user(self.cody)._decide(self.cody, "approve")
        self.assertEqual(order.state, "sale")

    def test_credit_limit_counts_receivables_open_orders_and_this_order(self):
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000
        self.invoice(600, days_overdue=-20)  # due in 20 days
        self.assertEqual(self.status(self.quotation(qty=4)), "ok")  # 600 + 400 = the limit
        open_order = self.quotation(qty=3)
        open_order.with_user(self.sam).action_confirm()  # 600 + 300: within the limit
        self.assertEqual(open_order.state, "sale")
        order = self.quotation(qty=2)
        self.assertEqual(self.status(order), "exceeded")  # 600 + 300 to invoice + 200
        context = {item["key"]: item["value"] for item in order.sudo()._governance_approval_context()}
        self.assertIn("1,100.00", context["exposure"])
        self.assertIn("1,000.00", context["exposure"])
        self.company.account_use_credit_limit = False
        self.assertEqual(self.status(order), "ok")

    def test_unknown_credit_holds_the_order(self):
        order = self.quotation()
        with patch.object(type(self.env["sale.order"]), "_governance_credit", return_value=None):
            order.with_user(self.sam).action_confirm()
        request = self.request_of(order)
        self.assertEqual((order.state, request.outcome, request.missing_facts),
                         ("draft", "hold", "customer_credit_status"))


@tagged("post_install", "-at_install")
class TestSaleOrderOverRpc(SaleCase, HttpCase):
    """The salesperson, a sales manager and n8n call Odoo's external API themselves."""

    def call(self, user, model, method, *args):
        return self.xmlrpc_object.execute(self.env.cr.dbname, user.id, f"{user.login}-pass-1234", model, method, *args)

    @mute_logger("odoo.http")
    def test_no_path_to_a_confirmed_order_over_rpc_until_approved(self):
        order = self.quotation(discount=25)
        self.call(self.sam, "sale.order", "action_confirm", [order.id])
        self.assertEqual((order.state, order.governance_state), ("draft", "pending"))
        with self.assertRaisesRegex(Fault, "dg:approval_pending"):
            self.call(self.sam, "sale.order", "action_confirm", [order.id])
        with self.assertRaisesRegex(Fault, "dg:approval_required"):
            self.call(self.sam, "sale.order", "write", [order.id], {"state": "sale"})
        result = self.call(self.sam, "sale.order", "load", ["partner_id/.id", "state", "order_line/product_id/.id",
                                                             "order_line/discount"],
                           [[str(self.customer.id), "sale", str(self.bolt.id), "30"]])
        self.assertFalse(result["ids"])
        self.assertIn("dg:approval_required", " ".join(message["message"] for message in result["messages"]))
        review = self.sale_review(order, "Sales manager")
        payload = {"review_id": review.id, "actor": "sam", "outcome": "approve", "idempotency_key": "rpc-sale-0001"}
        with self.assertRaisesRegex(Fault, "dg:segregation_of_duties"):
            self.call(self.integration, "governance.api", "decide", payload)
        self.call(self.integration, "governance.api", "decide", dict(payload, actor="mia", idempotency_key="rpc-sale-0002"))
        self.assertEqual((order.state, self.request_of(order).state), ("sale", "approved"))


@tagged("post_install", "-at_install")
class TestReleasedSaleOrder(SaleCase):
    """After release what was approved is what runs; invoicing goes on as in Odoo."""

    def test_within_the_approval_or_beyond_it(self):
        order = self.quotation(discount=25, qty=10)
        order.with_user(self.sam).action_confirm()
        self.sale_review(order, "Sales manager").with_user(self.mia)._decide(self.mia, "approve")
        self.assertEqual(order.state, "sale")
        order.order_line.with_user(self.sam).product_uom_qty = 8  # less of the same: within the approval
        with self.assertRaisesRegex(UserError, r"discount_percent 30\.00 is above the approved 25\.00.*\[dg:approval_required\]"):
            order.order_line.with_user(self.sam).discount = 30
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(order.invoice_status, "invoiced")
