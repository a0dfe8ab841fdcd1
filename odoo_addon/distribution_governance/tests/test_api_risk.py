from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


def nulls(value, path="result"):
    """Paths in ``value`` holding None (XML-RPC cannot send them)."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [found for key, child in value.items() for found in nulls(child, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for index, child in enumerate(value) for found in nulls(child, f"{path}[{index}]")]
    return []


@tagged("post_install", "-at_install")
class TestPurchaseRiskInputs(TransactionCase):
    """S2's risk inputs on real stock, purchase and sales records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.integration = new_test_user(
            cls.env, "dg_risk_n8n", groups="base.group_user,distribution_governance.group_integration")
        cls.buyer = new_test_user(cls.env, "dg_risk_buyer", groups="base.group_user,purchase.group_purchase_user",
                                  name="Rita Buyer")
        cls.api = cls.env["governance.api"].with_user(cls.integration)
        Category = cls.env["product.category"]
        cls.critical = Category.create({"name": "Critical spares"})
        cls.valves = Category.create({"name": "Valves", "parent_id": cls.critical.id})
        cls.other = Category.create({"name": "Office"})
        Product = cls.env["product.product"]
        cls.valve = Product.create({"name": "Valve 9", "default_code": "VALVE-9", "categ_id": cls.valves.id,
                                    "is_storable": True, "type": "consu"})
        cls.pump = Product.create({"name": "Pump 2", "default_code": "PUMP-2", "categ_id": cls.critical.id,
                                   "is_storable": True, "type": "consu"})
        cls.paper = Product.create({"name": "Paper", "categ_id": cls.other.id, "is_storable": True, "type": "consu"})
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.env["stock.warehouse.orderpoint"].create({
            "product_id": cls.valve.id, "warehouse_id": cls.warehouse.id,
            "location_id": cls.warehouse.lot_stock_id.id, "product_min_qty": 10, "product_max_qty": 20,
        })
        cls.env["stock.quant"]._update_available_quantity(cls.pump, cls.warehouse.lot_stock_id, 50)
        cls.supplier = cls.env["res.partner"].create({"name": "Slow Valves Ltd"})
        cls.customer = cls.env["res.partner"].create({"name": "Hospital North", "is_company": True})
        cls.now = fields.Datetime.now()
        # A receipt from the same supplier that arrived 10 days after its planned date.
        past = cls.order(cls.pump, 5, cls.now - timedelta(days=12), confirm=True)
        picking = past.picking_ids
        picking.scheduled_date = cls.now - timedelta(days=10)
        picking.move_ids.quantity = 5
        picking.button_validate()
        # The open order at risk: 5 valves expected in 10 days, below the minimum of 10.
        cls.at_risk = cls.order(cls.valve, 5, cls.now + timedelta(days=10), confirm=True)
        cls.office = cls.order(cls.paper, 100, cls.now + timedelta(days=3))
        cls.sale(cls.valve, 3, 120.0, cls.now + timedelta(days=2))  # promised before the receipt
        cls.sale(cls.valve, 1, 120.0, cls.now + timedelta(days=30))  # promised after it: not at risk

    @classmethod
    def order(cls, product, qty, planned, confirm=False):
        order = cls.env["purchase.order"].create({
            "partner_id": cls.supplier.id, "user_id": cls.buyer.id,
            "order_line": [Command.create({"product_id": product.id, "product_qty": qty, "price_unit": 40.0,
                                           "date_planned": planned})],
        })
        if confirm:
            order.button_confirm()
        return order

    @classmethod
    def sale(cls, product, qty, price, commitment):
        order = cls.env["sale.order"].create({
            "partner_id": cls.customer.id, "commitment_date": commitment,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": price})],
        })
        order.action_confirm()
        return order

    def risks(self, **params):
        return self.api.purchase_risk_inputs(params)

    def test_delay_shortage_and_demand_at_risk_of_an_open_order(self):
        result = self.risks(category_ids=[self.critical.id])
        self.assertEqual(nulls(result), [])
        self.assertFalse(result["has_more"])
        orders = {entry["order"]["name"]: entry for entry in result["orders"]}
        self.assertNotIn(self.office.name, orders)
        risk = orders[self.at_risk.name]
        self.assertEqual(risk["document"], {"model": "purchase.order", "id": self.at_risk.id, "name": self.at_risk.name})
        self.assertEqual(risk["order"]["supplier"]["name"], "Slow Valves Ltd")
        self.assertEqual(risk["order"]["buyer"], {"login": "dg_risk_buyer", "name": "Rita Buyer"})
        self.assertEqual(risk["order"]["state"], "purchase")
        self.assertEqual([(line["product"]["code"], line["category"], line["qty_open"]) for line in risk["lines"]],
                         [("VALVE-9", "Critical spares / Valves", 5.0)])
        self.assertEqual(risk["delay"], {"source": "late_receipts", "late_receipts": 1, "max_days_late": 10,
                                         "overdue_receipts": 0})
        # Forecast: 0 on hand + 5 incoming - 4 promised = 1, below the minimum of 10.
        self.assertEqual(risk["shortage"], [{"product": {"id": self.valve.id, "code": "VALVE-9", "name": "Valve 9"},
                                             "forecast_qty": 1.0, "min_qty": 10.0, "shortage_qty": 9.0}])
        demand = risk["demand_at_risk"]
        self.assertEqual((demand["amount"], demand["currency"], demand["lines_total"]),
                         (360.0, self.env.company.currency_id.name, 1))
        self.assertEqual(demand["lines"][0]["customer"], {"id": self.customer.id, "name": "Hospital North"})
        self.assertEqual((demand["lines"][0]["qty"], demand["lines"][0]["amount"]), (3.0, 360.0))

    def test_pages_cover_every_open_order_once(self):
        everything = [entry["order"]["id"] for entry in self.risks(limit=500)["orders"]]
        self.assertIn(self.office.id, everything)
        seen, offset = [], 0
        while True:
            page = self.risks(limit=1, offset=offset)
            seen += [entry["order"]["id"] for entry in page["orders"]]
            if not page["has_more"]:
                self.assertEqual(page["next_offset"], 0)
                break
            offset = page["next_offset"]
        self.assertEqual(seen, everything)
        self.assertEqual(seen, sorted(seen))
        # Keyset paging gives the same pages.
        keyset, after_id = [], 0
        while True:
            page = self.risks(limit=1, after_id=after_id)
            keyset += [entry["order"]["id"] for entry in page["orders"]]
            if not page["has_more"]:
                self.assertEqual(page["next_after_id"], 0)
                break
            self.assertEqual(page["next_after_id"], keyset[-1])
            after_id = page["next_after_id"]
        self.assertEqual(keyset, everything)

    def test_refusals(self):
        with self.assertRaisesRegex(ValidationError, r"limit: must be <= 500.*\[dg:invalid_params\]"):
            self.risks(limit=501)
        with self.assertRaisesRegex(ValidationError, r"category_ids\[0\]: must be of type integer"):
            self.risks(category_ids=["1; DROP TABLE purchase_order"])
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            self.env["governance.api"].with_user(self.buyer).purchase_risk_inputs({})
