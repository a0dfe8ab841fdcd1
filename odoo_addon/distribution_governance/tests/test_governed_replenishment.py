from odoo import Command
from odoo.tests import tagged

from .supplier_common import SupplierCase


@tagged("post_install", "-at_install")
class TestGovernedReplenishment(SupplierCase):
    """S1: a reordering rule below its minimum creates a request for quotation that is governed like
    any purchase order; a non-preferred vendor adds a tier."""

    @classmethod
    def _create_policy(cls):
        policy = super()._create_policy()
        policy.write({"rule_ids": [cls._rule(
            "po-non-preferred", "require_tier", [("vendor_preferred", "eq", "false")], 60,
            reason="Vendor is not the preferred supplier", tier_name="Category manager", tier_level=1,
            approver_user_ids=[Command.set(cls.eve.ids)], min_approvals=1, sla_hours=24)]})
        return policy

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backup_vendor = cls.env["res.partner"].create({
            "name": "Backup Bearings", "email": "sales@backup-bearings.example", "governance_vendor_risk": "low"})
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        buy = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.part = cls.env["product.product"].create({
            "name": "Pump seal kit", "default_code": "PSK-1", "categ_id": cls.category.id, "is_storable": True,
            "route_ids": [Command.set(buy.ids)],
            "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 100.0, "sequence": 1, "delay": 4}),
                           Command.create({"partner_id": cls.backup_vendor.id, "price": 110.0, "sequence": 2})],
        })
        cls.Orderpoint = cls.env["stock.warehouse.orderpoint"]

    def orderpoint(self, supplier=None):
        return self.Orderpoint.create({
            "name": "OP/PSK-1", "product_id": self.part.id, "warehouse_id": self.warehouse.id,
            "location_id": self.warehouse.lot_stock_id.id, "product_min_qty": 10, "product_max_qty": 20,
            "trigger": "auto", "supplier_id": supplier.id if supplier else False,
        })

    def rfq_of(self, orderpoint):
        return self.env["purchase.order.line"].search([("orderpoint_id", "=", orderpoint.id)]).order_id

    def test_scheduler_creates_a_governed_rfq_with_two_tiers_for_a_non_preferred_vendor(self):
        backup = self.part.seller_ids.filtered(lambda seller: seller.partner_id == self.backup_vendor)
        orderpoint = self.orderpoint(backup)
        self.env["procurement.group"].run_scheduler()
        rfq = self.rfq_of(orderpoint)
        self.assertEqual((len(rfq), rfq.state, rfq.partner_id), (1, "draft", self.backup_vendor))
        self.assertEqual(rfq.order_line.product_qty, 20)
        facts = rfq._governance_facts()
        self.assertEqual((facts["origin"], facts["vendor_preferred"], facts["amount"]), ("replenishment", False, "2200.00"))
        event = self.env["governance.event"].search([
            ("subject", "=", f"stock.warehouse.orderpoint/{orderpoint.id}"), ("event_type", "=", "replenishment.triggered")])
        data = event.envelope()["data"]
        self.assertEqual((data["rule"]["id"], data["product"]["id"], data["quantity"], data["warehouse"]),
                         (orderpoint.id, self.part.id, "20", self.warehouse.code))
        self.assertEqual((data["vendor"]["name"], data["purchase_order"]["name"], data["increased"]),
                         ("Backup Bearings", rfq.name, False))
        # The buyer confirms it: spend and the non-preferred vendor each need a tier.
        rfq.with_user(self.buyer).button_confirm()
        self.assertEqual(rfq.state, "to approve")
        request = self.request_of(rfq)
        self.assertEqual(sorted(request.review_ids.mapped("tier_name")), ["Category manager", "Purchasing"])
        self.decide(rfq, "Purchasing", self.alice)
        self.assertEqual(rfq.state, "to approve")
        self.assertFalse(self.confirmation_of(rfq))
        self.decide(rfq, "Category manager", self.eve)
        self.assertEqual(rfq.state, "purchase")
        self.assertEqual(self.confirmation_of(rfq).state, "awaiting")
        requested = self.events(rfq, "supplier_confirmation.requested").envelope()["data"]
        self.assertEqual((requested["origin"], requested["supplier"]["email"]), ("replenishment", "sales@backup-bearings.example"))
        completed = self.events(rfq, "approval.completed").envelope()["data"]
        self.assertEqual(completed["result"], "approved")

    def test_preferred_vendor_needs_only_the_spend_tier_and_order_once_extends_the_rfq(self):
        orderpoint = self.orderpoint()
        orderpoint.action_replenish()  # "Order Once"
        rfq = self.rfq_of(orderpoint)
        self.assertEqual(rfq.partner_id, self.vendor)
        self.assertTrue(rfq._governance_facts()["vendor_preferred"])
        # Demand grows: the replenishment report's Order Once extends the same draft RFQ.
        self.env["stock.quant"]._update_available_quantity(self.part, self.warehouse.lot_stock_id, -15)
        self.env.invalidate_all()
        orderpoint.action_replenish()
        self.assertEqual(self.rfq_of(orderpoint), rfq)
        self.assertEqual(rfq.order_line.product_qty, 35)
        events = self.env["governance.event"].search([
            ("subject", "=", f"stock.warehouse.orderpoint/{orderpoint.id}")], order="id")
        self.assertEqual([event.envelope()["data"]["increased"] for event in events], [False, True])
        rfq.with_user(self.buyer).button_confirm()
        self.assertEqual(self.request_of(rfq).review_ids.mapped("tier_name"), ["Purchasing"])
