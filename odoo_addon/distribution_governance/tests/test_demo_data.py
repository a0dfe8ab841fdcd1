import base64

from odoo.exceptions import UserError
from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

MODULE = "distribution_governance"


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo data: absent from a production install, and every demo scenario plays on a
    database that had none (the files are loaded inside the test's transaction, then rolled back)."""

    def test_production_install_has_no_demo_data(self):
        # The test runner installs without demo data, as a production database is.
        self.assertFalse(self.env.ref(f"{MODULE}.demo_policy", raise_if_not_found=False))
        self.assertFalse(self.env["res.users"].search([("login", "in", ["alice", "maria", "n8n-integration", "sally", "simon", "walter"])]))
        self.assertFalse(self.env.ref("stock.warehouse0").governance_supervisor_id)
        self.assertFalse(self.env.ref("base.main_company").governance_accounts_payable_id)
        self.assertFalse(self.env["ir.model.data"].search([("module", "=", MODULE), ("name", "=like", "demo\\_%")]))

    def _load_demo(self):
        for filename in get_manifest(MODULE)["demo"]:
            convert_file(self.env, MODULE, filename, {}, mode="init", noupdate=True, kind="demo")
        return lambda name: self.env.ref(f"{MODULE}.{name}")

    def test_demo_scenarios(self):
        ref = self._load_demo()
        policy = ref("demo_policy")
        self.assertEqual(policy.state, "active")
        buyer = ref("demo_user_buyer")
        self.assertTrue(buyer.has_group(f"{MODULE}.group_requester"))
        self.assertTrue(ref("demo_user_integration").has_group(f"{MODULE}.group_integration"))
        self.assertTrue(ref("demo_user_auditor").has_group(f"{MODULE}.group_auditor"))
        self.assertTrue(ref("demo_user_governance_manager").has_group(f"{MODULE}.group_manager"))

        def confirm(name):
            order = ref(name)
            order.with_user(buyer).button_confirm()
            return order, self.env["governance.approval.request"].search(
                [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)])

        order, request = confirm("demo_po_two_levels")
        self.assertEqual((order.state, request.outcome), ("to approve", "needs_approval"))
        self.assertIn("demo-po-finance", request.matched_rules)  # level 2 opens when level 1 approves
        self.assertEqual(request.review_ids.eligible_user_ids,
                         ref("demo_user_purchasing_approver") | ref("demo_user_purchasing_approver_2"))

        order, request = confirm("demo_po_critical")
        self.assertIn(ref("demo_user_operations_approver"), request.review_ids.eligible_user_ids)

        order, request = confirm("demo_po_not_preferred")
        self.assertIn("demo-po-not-preferred", request.matched_rules)

        order, request = confirm("demo_po_high_risk")
        self.assertEqual((order.governance_state, request.outcome), ("hold", "hold"))
        self.assertEqual(ref("demo_product_controller").tracking, "serial")

        self.assertEqual(ref("demo_po_released").state, "purchase")
        self.assertEqual(ref("demo_po_released").governance_confirmation_id.state, "awaiting")
        self.assertEqual(len(self.env["governance.exception"].search([("id", "in", [
            ref("demo_exception_price").id, ref("demo_exception_lead_time").id])])), 2)

        blocked = order.copy({"partner_id": ref("demo_vendor_nordic").id})
        blocked.order_line.write({"product_id": ref("demo_product_bearing").id, "product_qty": 10000, "price_unit": 25})
        with self.assertRaisesRegex(UserError, "beyond purchasing authority"):
            blocked.with_user(buyer).button_confirm()

        # The reordering rule fires: nothing on hand, a minimum of 30.
        orderpoint = ref("demo_orderpoint_oil")
        orderpoint.action_replenish()
        line = self.env["purchase.order.line"].search([("orderpoint_id", "=", orderpoint.id)])
        self.assertEqual(line.order_id.partner_id, ref("demo_vendor_nordic"))
        self.assertEqual(line.product_qty, 150)
        self.assertTrue(self.env["governance.event"].search([("event_type", "=", "replenishment.triggered")]))
        line.order_id.with_user(buyer).button_confirm()
        request = self.env["governance.approval.request"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", line.order_id.id)])
        self.assertIn("demo-po-replenishment-large", request.matched_rules)

        customer = ref("demo_customer_overdue")
        self.assertEqual(customer.credit_limit, 5000)

    def test_demo_quotation_waits_for_the_sales_manager(self):
        ref = self._load_demo()
        order = ref("demo_so_discount")
        self.assertEqual((order.state, order.partner_id), ("draft", ref("demo_customer_overdue")))
        order.with_user(ref("demo_user_salesperson")).action_confirm()
        request = self.env["governance.approval.request"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)])
        self.assertEqual((order.state, order.governance_state, request.outcome), ("draft", "pending", "needs_approval"), request.evaluation)
        self.assertEqual(set(request.matched_rules.split(", ")), {"demo-so-discount", "demo-so-credit"})  # 25 % off, overdue
        self.assertEqual({review.tier_name: review.eligible_user_ids for review in request.review_ids},
                         {"Sales manager": ref("demo_user_sales_manager"), "Credit control": ref("demo_user_finance_approver")})

    def test_demo_serialised_count_needs_operations_and_finance(self):
        ref = self._load_demo()
        clerk = ref("demo_user_warehouse_supervisor")
        quant = ref("demo_quant_controller").with_user(clerk).with_context(inventory_mode=True)
        quant.inventory_quantity = 0
        action = quant.action_apply_inventory()
        adjustment = self.env["governance.stock.adjustment"].browse(action["res_id"]).with_user(clerk)
        adjustment.reason_id = self.env.ref(f"{MODULE}.stock_adjustment_reason_lost")
        self.env["ir.attachment"].create({"name": "count.jpg", "res_model": adjustment._name, "res_id": adjustment.id,
                                          "datas": base64.b64encode(b"jpeg")})
        adjustment.action_apply()
        self.assertEqual(adjustment.state, "to_approve")
        request = self.env["governance.approval.request"].search(
            [("res_model", "=", adjustment._name), ("res_id", "=", adjustment.id)])
        self.assertEqual(sorted(request.review_ids.mapped("tier_name")), ["Finance", "Operations"])
        self.assertEqual(set(request.review_ids.mapped("level")), {1})
        self.assertEqual(request.review_ids.eligible_user_ids,
                         ref("demo_user_operations_approver") | ref("demo_user_finance_approver"))

        warehouse = self.env.ref("stock.warehouse0")
        self.assertEqual((warehouse.governance_supervisor_id, warehouse.governance_operations_manager_id,
                          warehouse.governance_receiving_supervisor_id),
                         (clerk, ref("demo_user_operations_approver"), clerk))
        self.assertEqual(self.env.ref("base.main_company").governance_accounts_payable_id, ref("demo_user_finance_approver"))
        self.assertTrue(ref("demo_category_critical").governance_own_tolerance)
