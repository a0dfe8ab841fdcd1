"""Shared fixtures of the outbound tests (S6, S8): a three-step warehouse, its people and sales orders."""

from odoo import Command
from odoo.tests import new_test_user

from .common import GovernanceCase


class ShippingCase(GovernanceCase):
    """GovernanceCase plus a pick-pack-ship warehouse with a supervisor and an operations manager,
    a salesperson, a stocked product and helpers that move a sales order through its steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return new_test_user(cls.env, login=login, groups=groups, password=f"{login}-pass-1234",
                                 email=f"{login}@acme.example", name=login.capitalize())

        cls.picker = user("picker", "base.group_user,stock.group_stock_user")
        cls.wendy = user("wendy", "base.group_user,stock.group_stock_manager")
        cls.otto = user("otto", "base.group_user,stock.group_stock_user")
        cls.sam = user("sam", "base.group_user,sales_team.group_sale_salesman")
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.warehouse.write({
            "delivery_steps": "pick_pack_ship", "governance_pick_pack_hours": 2, "governance_ship_hours": 24,
            "governance_supervisor_id": cls.wendy.id, "governance_operations_manager_id": cls.otto.id,
        })
        cls.customer = cls.env["res.partner"].create({"name": "Brightline Retail", "email": "orders@brightline.example"})
        cls.goods = cls.env["product.product"].create({"name": "Pallet jack", "is_storable": True, "list_price": 300.0})
        cls.env["stock.quant"]._update_available_quantity(cls.goods, cls.warehouse.lot_stock_id, 1000)
        cls.Event = cls.env["governance.event"]
        cls.Hold = cls.env["governance.shipment.hold"]
        cls.Late = cls.env["governance.late.shipment"]

    def sell(self, qty=2):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "user_id": self.sam.id, "warehouse_id": self.warehouse.id,
            "order_line": [Command.create({"product_id": self.goods.id, "product_uom_qty": qty})],
        })
        order.action_confirm()
        return order

    def step(self, order, kind):
        picking_type = {"pick": self.warehouse.pick_type_id, "pack": self.warehouse.pack_type_id,
                        "ship": self.warehouse.out_type_id}[kind]
        return order.picking_ids.filtered(lambda picking: picking.picking_type_id == picking_type)

    def validate(self, picking, user=None):
        picking = picking.with_user(user or self.wendy)
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        return picking.button_validate()

    def to_delivery(self, order):
        """Pick and pack ``order``: its delivery (the ship step) is then ready."""
        self.validate(self.step(order, "pick"))
        self.validate(self.step(order, "pack"))
        delivery = self.step(order, "ship")
        delivery.action_assign()
        self.assertEqual(delivery.state, "assigned")
        return delivery

    def events(self, record, event_type):
        return self.Event.search([("subject", "=", f"{record._name}/{record.id}"), ("event_type", "=", event_type)],
                                 order="id")
