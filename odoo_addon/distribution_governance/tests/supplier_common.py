"""Shared fixtures of the supplier-confirmation tests: a released order, its vendor and the API."""

import json
from datetime import timedelta

from odoo import Command, fields

from .common import GovernanceCase


class SupplierCase(GovernanceCase):
    """GovernanceCase plus a vendor with a 5-day lead time, a second product and an API helper."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor.write({"email": "orders@acme-parts.example"})
        cls.vendor_product = cls.product
        cls.product.write({"default_code": "BRG-6204", "is_storable": True})
        cls.product.seller_ids.write({"delay": 5, "product_code": "AP-6204"})
        cls.product2 = cls.env["product.product"].create({
            "name": "Seal 40x62", "default_code": "SEAL-4062", "categ_id": cls.category.id, "is_storable": True,
            "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 2.0, "delay": 5})],
        })
        cls.Confirmation = cls.env["governance.supplier.confirmation"]
        cls.Event = cls.env["governance.event"]

    def release_order(self, amount=500, lines=None, vendor=None):
        """A purchase order the buyer confirms and the policy lets straight through (under 1000)."""
        order = self.create_order(amount, vendor=vendor)
        if lines:
            order.write({"order_line": [Command.create(line) for line in lines]})
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        return order

    def confirmation_of(self, order):
        return self.Confirmation.search([("purchase_order_id", "=", order.id)])

    def record(self, order, user=None, **params):
        payload = dict({"purchase_order": order.name, "status": "confirmed", "source": "email",
                        "idempotency_key": f"key-{order.name}-{len(params)}-{json.dumps(params, sort_keys=True)[:80]}"},
                       **params)
        return self.env["governance.api"].with_user(user or self.integration).record_supplier_confirmation(payload)

    def events(self, order, event_type):
        return self.Event.search([("subject", "=", f"purchase.order/{order.id}"), ("event_type", "=", event_type)],
                                 order="id")

    @staticmethod
    def day(moment, days=0):
        """ISO date ``days`` after ``moment``."""
        return fields.Date.to_string((moment + timedelta(days=days)).date())
