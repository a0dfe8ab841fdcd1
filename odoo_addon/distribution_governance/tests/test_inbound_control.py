import unittest
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import GovernanceCase
from .outbox_common import HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON, verify_with_typescript


@tagged("post_install", "-at_install")
class TestInboundControl(GovernanceCase):
    """Scenario S5 on real receipts and bills: quantity and price discrepancies beyond tolerance,
    aging receipts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"governance_receipt_tolerance_percent": 5.0, "governance_receipt_tolerance_qty": 0.0,
                           "governance_price_tolerance_percent": 5.0, "governance_price_tolerance_amount": 0.0,
                           "governance_receipt_aging_hours": 24})
        cls.payables = cls.env["res.users"].create({
            "name": "Paula Payables", "login": "payables", "email": "payables@acme.example",
            "groups_id": [Command.set([cls.env.ref("base.group_user").id, cls.env.ref("account.group_account_invoice").id])],
        })
        cls.company.governance_accounts_payable_id = cls.payables
        # A warehouse user with no governance rights validates receipts: raising runs as the system.
        cls.receiver = cls.env["res.users"].create({
            "name": "Rita Receiving", "login": "receiver", "email": "receiver@acme.example",
            "groups_id": [Command.set([cls.env.ref("stock.group_stock_user").id])],
        })
        cls.vendor.email = "orders@acmeparts.example"
        cls.Exception = cls.env["governance.exception"]
        cls.Event = cls.env["governance.event"]

    def order(self, qty=100, price=5.0, product=None):
        order = self.create_order(price)
        order.order_line.write({"product_qty": qty, "price_unit": price, "product_id": (product or self.product).id})
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        return order.with_env(self.env)

    def receive(self, order, qty, backorder=False, picking=None):
        picking = picking or order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.move_ids.quantity = qty
        context = {"skip_backorder": True}
        if not backorder:
            context["picking_ids_not_to_backorder"] = picking.ids
        picking.with_user(self.receiver).with_context(**context).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def raised(self, code, document):
        return self.Exception.search([("exception_type_id.code", "=", code), ("res_model", "=", document._name),
                                      ("res_id", "=", document.id)])

    def test_short_receipt_beyond_tolerance_raises_owned_exception_with_evidence(self):
        order = self.order(100)
        receipt = self.receive(order, 94)
        exception = self.raised("receipt_quantity_discrepancy", receipt)
        self.assertEqual(len(exception), 1)
        self.assertEqual((exception.owner_id, exception.purchase_order_id, exception.state),
                         (self.buyer, order, "open"))
        self.assertTrue(exception.sla_due)
        [line] = exception.evidence_data["lines"]
        self.assertEqual({key: line[key] for key in ("ordered", "received", "received_total", "difference",
                                                      "difference_percent", "allowance", "beyond_tolerance")},
                         {"ordered": "100", "received": "94", "received_total": "94", "difference": "-6",
                          "difference_percent": "-6", "allowance": "5", "beyond_tolerance": True})
        self.assertEqual(exception.evidence_data["purchase_order"]["name"], order.name)
        self.assertEqual(exception.evidence_data["supplier"]["email"], "orders@acmeparts.example")
        self.assertIn("94", exception.evidence_html)
        self.assertEqual(exception.activity_ids.user_id, self.buyer)
        event = self.Event.search([("event_type", "=", "exception.raised"), ("res_model", "=", "stock.picking"),
                                   ("res_id", "=", receipt.id)])
        data = event.envelope()["data"]
        self.assertEqual(data["exception"]["exception_type"], "receipt_quantity_discrepancy")
        self.assertEqual(data["exception"]["owner"]["login"], self.buyer.login)
        self.assertEqual(data["evidence"]["receipt"]["name"], receipt.name)
        self.assertEqual(data["evidence"]["lines"][0]["received"], "94")

        exception._close("resolved", "Supplier credited the 6 missing units")
        self.assertFalse(exception.activity_ids)
        resolved = self.Event.search([("event_type", "=", "exception.resolved"), ("res_id", "=", receipt.id),
                                      ("res_model", "=", "stock.picking")])
        self.assertEqual(resolved.envelope()["data"]["evidence"]["purchase_order"]["name"], order.name)

    def test_tolerance_boundaries_and_category_and_supervisor(self):
        self.assertFalse(self.raised("receipt_quantity_discrepancy", self.receive(self.order(100), 95)))
        self.assertFalse(self.raised("receipt_quantity_discrepancy", self.receive(self.order(100), 105)))
        over = self.receive(self.order(100), 106)
        self.assertEqual(self.raised("receipt_quantity_discrepancy", over).evidence_data["lines"][0]["difference"], "6")

        self.category.write({"governance_own_tolerance": True, "governance_receipt_tolerance_percent": 0.0,
                             "governance_receipt_tolerance_qty": 10.0})
        supervisor = self.carol
        self.env.ref("stock.warehouse0").governance_receiving_supervisor_id = supervisor
        self.assertFalse(self.raised("receipt_quantity_discrepancy", self.receive(self.order(100), 90)))
        short = self.raised("receipt_quantity_discrepancy", self.receive(self.order(100), 89))
        self.assertEqual(short.owner_id, supervisor)
        self.assertEqual(short.evidence_data["lines"][0]["tolerance"],
                         {"percent": "0", "absolute": "10", "source": f"category {self.category.display_name}"})

    def test_backorder_defers_the_shortage_to_the_last_receipt(self):
        order = self.order(100)
        first = self.receive(order, 60, backorder=True)
        self.assertFalse(self.raised("receipt_quantity_discrepancy", first))
        second = self.receive(order, 30)
        exception = self.raised("receipt_quantity_discrepancy", second)
        line = exception.evidence_data["lines"][0]
        self.assertEqual((line["received"], line["received_total"], line["difference"]), ("30", "90", "-10"))

    def test_lots_are_evidence(self):
        product = self.env["product.product"].create({
            "name": "Valve (lot)", "categ_id": self.category.id, "is_storable": True, "tracking": "lot"})
        order = self.order(10, product=product)
        picking = order.picking_ids
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [Command.create({
            "product_id": product.id, "lot_name": "LOT-A", "quantity": 5, "picking_id": picking.id,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id})]
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()
        exception = self.raised("receipt_quantity_discrepancy", picking)
        self.assertEqual(exception.evidence_data["lines"][0]["lots"], [{"name": "LOT-A", "quantity": "5"}])

    def bill(self, order, price):
        order.action_create_invoice()
        bill = order.invoice_ids
        bill.write({"invoice_date": fields.Date.today(), "ref": "INV-778"})
        bill.invoice_line_ids.price_unit = price
        bill.action_post()
        return bill

    def test_bill_over_price_raises_for_accounts_payable_once(self):
        order = self.order(10, price=10.0)
        self.receive(order, 10)
        within = self.bill(order, 10.5)
        self.assertFalse(self.raised("price_variance", within))

        order = self.order(10, price=10.0)
        self.receive(order, 10)
        bill = self.bill(order, 10.8)
        exception = self.raised("price_variance", bill)
        self.assertEqual((len(exception), exception.owner_id, exception.purchase_order_id),
                         (1, self.payables, order))
        line = exception.evidence_data["lines"][0]
        self.assertEqual({key: line[key] for key in ("ordered_price", "billed_price", "difference_percent")},
                         {"ordered_price": "10.00", "billed_price": "10.80", "difference_percent": "8"})
        self.assertEqual(exception.evidence_data["vendor_reference"], "INV-778")
        data = self.Event.search([("event_type", "=", "exception.raised"), ("res_model", "=", "account.move"),
                                  ("res_id", "=", bill.id)]).envelope()["data"]
        self.assertEqual(data["exception"]["owner"]["login"], "payables")

        bill.button_draft()
        bill.action_post()
        self.assertEqual(len(self.raised("price_variance", bill)), 1)

    def test_aging_receipts_flagged_once_and_resolved_when_done(self):
        order = self.order(10)
        receipt = order.picking_ids
        receipt.scheduled_date = fields.Datetime.now() - timedelta(hours=30)
        fresh = self.order(10).picking_ids
        self.assertEqual(self.env["stock.picking"]._cron_flag_aging_receipts(), 1)
        self.assertEqual(self.env["stock.picking"]._cron_flag_aging_receipts(), 0)
        exception = self.raised("unprocessed_receipt", receipt)
        self.assertEqual((len(exception), exception.owner_id, exception.evidence_data["hours_late"]),
                         (1, self.buyer, 30))
        self.assertFalse(self.raised("unprocessed_receipt", fresh))
        report = self.env["governance.exception.aging.report"].with_user(self.manager)
        self.assertEqual(report.search([("exception_id", "=", exception.id)]).mapped("age_bucket"), ["0_1d"])
        groups = report.read_group([("exception_type_id.code", "=", "unprocessed_receipt")], ["exception_type_id"],
                                   ["exception_type_id", "age_bucket"], lazy=False)
        self.assertEqual([group["__count"] for group in groups], [1])
        self.receive(order, 10)
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(exception.resolution_reason, f"{receipt.name} was validated.")
        self.assertFalse(report.search([("exception_id", "=", exception.id)]))

    @unittest.skipUnless(HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON)
    def test_event_data_matches_the_contract(self):
        """The three types' exception.raised and exception.resolved data validate against
        contract/events/data-schemas.json (evidence included), with the TypeScript side's checker."""
        aging = self.order(10)
        aging.picking_ids.scheduled_date = fields.Datetime.now() - timedelta(hours=48)
        self.env["stock.picking"]._cron_flag_aging_receipts()
        self.receive(aging, 4)                       # resolves the aging one, raises a discrepancy
        self.bill(aging, 6.0)                        # 20 % over the order's 5.00
        events = self.Event.search([("event_type", "in", ("exception.raised", "exception.resolved"))])
        types = {(event.event_type, event.envelope()["data"]["exception"]["exception_type"]) for event in events}
        self.assertEqual(types, {("exception.raised", "unprocessed_receipt"), ("exception.resolved", "unprocessed_receipt"),
                                 ("exception.raised", "receipt_quantity_discrepancy"),
                                 ("exception.raised", "price_variance")})
        self.assertTrue(all(event.envelope()["data"].get("evidence") for event in events))
        results = verify_with_typescript([{"secrets": [], "headers": {}, "body": event.body} for event in events])
        self.assertEqual([result["schema_errors"] for result in results], [[]] * len(events))
