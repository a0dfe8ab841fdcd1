import base64
import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import APPROVER, REQUESTER, GovernanceCase


@tagged("post_install", "-at_install")
class TestStockAdjustment(GovernanceCase):
    """S7: counted quantities reach the books only through a governed stock adjustment.

    Policy (added to the purchasing one): a serialised item, or 1,000 or more of another, needs
    Operations (Olga, 4 h SLA, escalates to Carol); 5,000 or more also needs Finance (the finance
    group) in parallel at the same level.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, login="clerk", groups=f"base.group_user,stock.group_stock_user,{REQUESTER}",
                                  name="Clerk", email="clerk@acme.example")
        cls.stock_manager = new_test_user(cls.env, login="stockman", name="Stockman", email="stockman@acme.example",
                                          groups=f"base.group_user,stock.group_stock_manager,{REQUESTER}")
        (cls.fay | cls.olga).groups_id = [Command.link(cls.env.ref("stock.group_stock_user").id)]

        def tier_rule(code, sequence, conditions, name, **tier):
            return Command.create({
                "code": code, "sequence": sequence, "document_type": "governance.stock.adjustment",
                "action": "require_tier", "reason": code, "tier_name": name, "tier_level": 1,
                "min_approvals": 1, "sla_hours": 4, "escalate_user_id": cls.carol.id,
                "condition_ids": [Command.create({"fact": f, "op": op, "value": v}) for f, op, v in conditions], **tier})

        cls.policy.write({"rule_ids": [
            tier_rule("adj-serialised", 110, [("serialized", "eq", "true")], "Operations",
                      approver_user_ids=[Command.set(cls.olga.ids)]),
            tier_rule("adj-value", 120, [("serialized", "eq", "false"), ("adjustment_value", "gte", "1000")],
                      "Operations", approver_user_ids=[Command.set(cls.olga.ids)]),
            tier_rule("adj-finance", 130, [("adjustment_value", "gte", "5000")], "Finance",
                      approver_group_ids=[Command.set(cls.finance_group.ids)]),
        ]})
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock = cls.warehouse.lot_stock_id
        cls.bulk = cls.env["product.product"].create({
            "name": "Cable tie", "is_storable": True, "categ_id": cls.category.id, "standard_price": 10.0})
        cls.scanner = cls.env["product.product"].create({
            "name": "Handheld scanner", "is_storable": True, "tracking": "serial", "categ_id": cls.category.id,
            "standard_price": 6000.0})
        cls.serial = cls.env["stock.lot"].create({"name": "SN-0001", "product_id": cls.scanner.id})
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.bulk, cls.stock, 100)
        Quant._update_available_quantity(cls.scanner, cls.stock, 1, lot_id=cls.serial)
        cls.bulk_quant = Quant._gather(cls.bulk, cls.stock)
        cls.scanner_quant = Quant._gather(cls.scanner, cls.stock, lot_id=cls.serial, strict=True)
        cls.damaged = cls.env.ref("distribution_governance.stock_adjustment_reason_damaged")

    def count(self, quant, quantity, user=None):
        quant = quant.with_user(user or self.clerk).with_context(inventory_mode=True)
        quant.inventory_quantity = quantity
        return quant

    def on_hand(self, quant):
        self.env.flush_all()
        self.env.cr.execute("SELECT quantity FROM stock_quant WHERE id = %s", [quant.id])
        row = self.env.cr.fetchone()
        return row[0] if row else 0.0

    def pending_scanner_count(self):
        """The serial scanner counted missing (0 of 1, worth 6,000), applied with evidence: waits for approval."""
        quant = self.count(self.scanner_quant, 0)
        action = quant.action_apply_inventory()
        adjustment = self.env["governance.stock.adjustment"].browse(action["res_id"]).with_user(self.clerk)
        adjustment.reason_id = self.damaged
        self.env["ir.attachment"].create({"name": "photo.jpg", "res_model": adjustment._name, "res_id": adjustment.id,
                                          "datas": base64.b64encode(b"jpeg")})
        adjustment.action_apply()
        self.assertEqual(adjustment.state, "to_approve")
        return adjustment

    def decide(self, adjustment, tier_name, user, outcome="approve", **kwargs):
        review = adjustment.sudo()._governance_current_request().review_ids.filtered(lambda r: r.tier_name == tier_name)
        return review.with_user(user)._decide(user, outcome, **kwargs)

    def test_straight_through_count_applies_at_once(self):
        quant = self.count(self.bulk_quant, 98)
        quant.with_context(governance_reason_code="count_correction").action_apply_inventory()
        self.assertEqual(self.on_hand(self.bulk_quant), 98)
        adjustment = self.env["governance.stock.adjustment"].search([("line_ids.quant_id", "=", self.bulk_quant.id)])
        self.assertEqual((adjustment.state, adjustment.governance_state), ("applied", "straight_through"))
        facts = adjustment._governance_facts()
        self.assertEqual((facts["adjustment_value"], facts["quantity_variance"], facts["serialized"], facts["reason_code"]),
                         ("20.00", "2.00", False, "count_correction"))
        self.assertEqual((facts["warehouse"], facts["product_categories"]), (self.warehouse.code, ["All", "All / Spare parts"]))
        self.assertTrue(self.env["governance.audit.log"].search(
            [("event", "=", "straight_through"), ("res_model", "=", adjustment._name), ("res_id", "=", adjustment.id)]))

    def test_serialised_high_value_count_needs_finance_and_operations_in_parallel(self):
        quant = self.count(self.scanner_quant, 0)
        action = quant.action_apply_inventory()
        adjustment = self.env["governance.stock.adjustment"].browse(action["res_id"]).with_user(self.clerk)
        self.assertEqual(self.on_hand(self.scanner_quant), 1)
        with self.assertRaisesRegex(UserError, r"needs a reason code.*\[dg:reason_required\]$"):
            adjustment.action_apply()
        adjustment.reason_id = self.damaged
        with self.assertRaisesRegex(UserError, r"worth 6000.00 .*attach.*\[dg:evidence_required\]$"):
            adjustment.action_apply()
        self.env["ir.attachment"].create({"name": "photo.jpg", "res_model": adjustment._name, "res_id": adjustment.id,
                                          "datas": base64.b64encode(b"jpeg")})
        adjustment.action_apply()
        request = adjustment.sudo()._governance_current_request()
        self.assertEqual((adjustment.state, request.state), ("to_approve", "pending"))
        self.assertEqual(sorted((review.level, review.tier_name, review.state) for review in request.review_ids),
                         [(1, "Finance", "pending"), (1, "Operations", "pending")])
        self.assertEqual(adjustment._governance_facts()["serialized"], True)
        event = self.env["governance.event"].search([("event_type", "=", "approval.requested"),
                                                     ("res_model", "=", adjustment._name), ("res_id", "=", adjustment.id)])
        self.assertEqual(event.envelope()["data"]["context"], json.loads(request.approval_context))
        context = {item["key"]: item["value"] for item in json.loads(request.approval_context)}
        self.assertEqual((context["value"], context["reason"], context["evidence"]), ("6000.00 USD", "damaged: Damaged goods", "1"))
        self.assertIn("Handheld scanner [SN-0001]", context["counted"])
        self.decide(adjustment, "Operations", self.olga)
        self.assertEqual((adjustment.state, self.on_hand(self.scanner_quant)), ("to_approve", 1))
        self.decide(adjustment, "Finance", self.fay)
        self.assertEqual((adjustment.state, request.state), ("applied", "approved"))
        self.assertEqual(self.on_hand(self.scanner_quant), 0)
        move = self.env["stock.move"].search([("is_inventory", "=", True), ("product_id", "=", self.scanner.id)])
        self.assertEqual((move.state, move.reference), ("done", adjustment.name))

    def test_every_path_to_applied_quantities_is_refused_while_pending(self):
        adjustment = self.pending_scanner_count()
        quant = self.scanner_quant.with_user(self.stock_manager).with_context(inventory_mode=True)
        attempts = {
            "Apply (UI and RPC)": lambda: quant.action_apply_inventory(),
            "Apply with a reason (RPC)": lambda: quant.with_context(governance_reason_code="damaged").action_apply_inventory(),
            "count written": lambda: quant.write({"inventory_quantity": 1}),
            "on hand written": lambda: quant.write({"inventory_quantity_auto_apply": 0}),
            "count cleared": lambda: quant.action_clear_inventory_quantity(),
            "applied directly": lambda: quant.sudo()._apply_inventory(),
        }
        for path, attempt in attempts.items():
            with self.subTest(path=path), self.assertRaisesRegex(UserError, r"\[dg:approval_pending\]$"):
                with self.env.cr.savepoint():
                    attempt()
        result = self.env["stock.quant"].with_user(self.stock_manager).with_context(inventory_mode=True).load(
            ["product_id/.id", "location_id/.id", "lot_id/.id", "inventory_quantity"],
            [[str(self.scanner.id), str(self.stock.id), str(self.serial.id), "1"]])
        # An import (Odoo 18 imports counts) changes nothing on hand either.
        self.assertEqual(result["messages"], [])
        self.assertEqual(self.scanner.with_context(location=self.stock.id).qty_available, 1)
        self.assertEqual((self.on_hand(self.scanner_quant), adjustment.state), (1, "to_approve"))

    def test_counts_need_a_reason_on_every_path(self):
        quant = self.count(self.bulk_quant, 90)
        action = quant.action_apply_inventory()
        self.assertEqual((action["res_model"], self.on_hand(self.bulk_quant)), ("governance.stock.adjustment", 100))
        # Apply again: the same draft opens (no second one).
        self.assertEqual(quant.action_apply_inventory()["res_id"], action["res_id"])
        manager = self.bulk_quant.with_user(self.stock_manager).with_context(inventory_mode=True)
        for path, attempt in {
            "on hand written": lambda: manager.write({"inventory_quantity_auto_apply": 95}),
            "unknown reason": lambda: manager.with_context(governance_reason_code="nope").action_apply_inventory(),
        }.items():
            with self.subTest(path=path), self.assertRaisesRegex(UserError, r"\[dg:reason_required\]$"):
                with self.env.cr.savepoint():
                    attempt()
        wizard = self.env["stock.change.product.qty"].with_user(self.stock_manager).create({
            "product_id": self.bulk.id, "product_tmpl_id": self.bulk.product_tmpl_id.id, "new_quantity": 50})
        with self.assertRaisesRegex(UserError, r"\[dg:approval_required\]$"), self.env.cr.savepoint():
            wizard.change_product_qty()
        result = self.env["stock.quant"].with_user(self.stock_manager).with_context(inventory_mode=True).load(
            ["product_id/.id", "location_id/.id", "inventory_quantity_auto_apply"],
            [[str(self.bulk.id), str(self.stock.id), "95"]])
        # Odoo 18 imports counts: the imported quant waits to be applied like any other.
        self.assertEqual((result["messages"], self.bulk.with_context(location=self.stock.id).qty_available), ([], 100))

    def test_nobody_acts_within_the_sla_escalates(self):
        adjustment = self.pending_scanner_count()
        request = adjustment.sudo()._governance_current_request()
        past = fields.Datetime.now() - timedelta(minutes=1)
        request.review_ids.sudo().write({"date_reminder": False, "date_escalation": past, "date_due": past})
        self.assertEqual(self.env["governance.approval.review"]._cron_sla(), 2)
        self.assertEqual(request.review_ids.mapped("escalated"), [True, True])
        self.assertTrue(all(self.carol in review.eligible_user_ids for review in request.review_ids))
        events = self.env["governance.event"].search([("event_type", "=", "approval.escalated"),
                                                      ("res_model", "=", adjustment._name), ("res_id", "=", adjustment.id)])
        self.assertEqual(len(events), 2)
        # Carol, the next authority, decides Operations; one person cannot satisfy Finance too.
        self.decide(adjustment, "Operations", self.carol)
        with self.assertRaisesRegex(AccessError, r"\[dg:segregation_of_duties\]$"):
            self.decide(adjustment, "Finance", self.carol)
        self.decide(adjustment, "Finance", self.finn)
        self.assertEqual((adjustment.state, self.on_hand(self.scanner_quant)), ("applied", 0))

    def test_segregation_of_duties_and_rejection(self):
        fay_counts = self.count(self.scanner_quant, 0, user=self.fay)
        adjustment = self.env["governance.stock.adjustment"].browse(fay_counts.action_apply_inventory()["res_id"])
        adjustment = adjustment.with_user(self.fay)
        adjustment.reason_id = self.env.ref("distribution_governance.stock_adjustment_reason_count_correction")
        self.env["ir.attachment"].create({"name": "sheet.pdf", "res_model": adjustment._name, "res_id": adjustment.id,
                                          "datas": base64.b64encode(b"pdf")})
        adjustment.action_apply()
        with self.assertRaisesRegex(AccessError, r"\[dg:segregation_of_duties\]$"):
            self.decide(adjustment, "Finance", self.fay)
        with self.assertRaisesRegex(AccessError, r"\[dg:not_eligible\]$"):
            self.decide(adjustment, "Operations", self.clerk)
        self.decide(adjustment, "Operations", self.olga, "reject", comment="The scanner is in the repair room")
        self.assertEqual((adjustment.state, self.on_hand(self.scanner_quant)), ("rejected", 1))
