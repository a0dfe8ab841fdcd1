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
        self.assertFalse(self.env["res.users"].search([("login", "in", ["alice", "maria", "n8n-integration"])]))
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
