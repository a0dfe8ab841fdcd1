from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .supplier_common import SupplierCase


@tagged("post_install", "-at_install")
class TestSupplierConfirmationApiRpc(SupplierCase, HttpCase):
    """The write-back API as n8n calls it (XML-RPC, which cannot carry null), and who may call it."""

    def call(self, user, method, *args, model="governance.api"):
        return self.xmlrpc_object.execute(self.env.cr.dbname, user.id, f"{user.login}-pass-1234", model, method, *args)

    def setUp(self):
        super().setUp()
        self.order = self.release_order()
        self.planned = self.order.order_line.date_planned
        self.payload = {
            "purchase_order": self.order.name, "status": "confirmed", "source": "edi",
            "supplier_reference": "855-77001", "received_at": "2026-01-02T08:30:00+01:00",
            "lines": [{"line_number": 1, "promised_date": self.day(self.planned, 4), "quantity": "1"}],
            "raw_message": "ISA*00*...~ST*855*0001~BAK*00*AC*" + self.order.name + "~SE*4*0001~",
            "raw_filename": "855-77001.edi", "idempotency_key": "n8n-855-77001",
        }

    def test_integration_records_a_date_change_over_xmlrpc_once(self):
        # received_at in the past of the request: the answer arrived before the window closed.
        self.confirmation_of(self.order).write({"date_requested": fields.Datetime.from_string("2026-01-01 00:00:00"),
                                                "date_due": fields.Datetime.from_string("2026-01-03 00:00:00")})
        result = self.call(self.integration, "record_supplier_confirmation", self.payload)
        self.assertEqual((result["state"], result["outcome"], result["drift_days"], result["exception_id"]),
                         ("date_changed", "date_changed", 4, 0))
        self.assertEqual(result["lines"][0]["promised_date"], self.day(self.planned, 4) + "T00:00:00Z")
        update = self.confirmation_of(self.order).update_ids
        self.assertEqual(fields.Datetime.to_string(update.received_at), "2026-01-02 07:30:00")
        self.assertEqual((update.user_id, update.attachment_id.name), (self.integration, "855-77001.edi"))
        # The same key answers the same, marked replayed, and records nothing more; other params with it are refused.
        self.assertFalse(result["replayed"])
        self.assertEqual(self.call(self.integration, "record_supplier_confirmation", self.payload),
                         dict(result, replayed=True))
        self.assertEqual(len(self.confirmation_of(self.order).update_ids), 1)
        with mute_logger("odoo.http"), self.assertRaisesRegex(Fault, "dg:idempotency_conflict"):
            self.call(self.integration, "record_supplier_confirmation", dict(self.payload, status="rejected"))

    @mute_logger("odoo.http")
    def test_bad_params_name_the_field_and_change_nothing(self):
        cases = {
            "supplier_reference": dict(self.payload, supplier_reference="R" * 101),
            "raw_message": dict(self.payload, raw_message="x" * 200001),
            "lines[0].promised_date": dict(self.payload, lines=[{"line_number": 1, "promised_date": "08/12/2026"}]),
            "lines[0].quantity": dict(self.payload, lines=[{"line_number": 1, "quantity": "-3"}]),
            "source": dict(self.payload, source="fax"),
            "purchase_order": dict(self.payload, purchase_order=""),
        }
        for index, (field, payload) in enumerate(cases.items()):
            with self.assertRaisesRegex(Fault, rf"{field.replace('[', '.').replace(']', '.')}.*\[dg:invalid_params\]"):
                self.call(self.integration, "record_supplier_confirmation",
                          dict(payload, idempotency_key=f"bad-params-{index:04d}"))
        with self.assertRaisesRegex(Fault, "dg:not_found"):
            self.call(self.integration, "record_supplier_confirmation",
                      dict(self.payload, purchase_order="P99999", idempotency_key="bad-order-0001"))
        draft = self.create_order(100)
        with self.assertRaisesRegex(Fault, "dg:not_pending"):
            self.call(self.integration, "record_supplier_confirmation",
                      dict(self.payload, purchase_order=draft.name, idempotency_key="draft-order-0001"))
        self.assertFalse(self.confirmation_of(self.order).update_ids)
        self.assertEqual(self.order.order_line.date_planned, self.planned)

    def test_lists_by_state_and_overdue(self):
        late = self.release_order()
        self.confirmation_of(late).write({"date_due": fields.Datetime.now() - timedelta(hours=2)})
        awaiting = self.call(self.integration, "list_supplier_confirmations", {"state": "awaiting"})["confirmations"]
        self.assertEqual({row["purchase_order"]["name"] for row in awaiting}, {self.order.name, late.name})
        [row] = self.call(self.integration, "list_overdue_supplier_confirmations", {})["confirmations"]
        self.assertEqual((row["purchase_order"]["name"], row["overdue"], row["state"]), (late.name, True, "awaiting"))
        self.assertLess(row["hours_left"], 0)
        self.assertEqual((row["buyer"]["login"], row["supplier"]["email"]), ("buyer", "orders@acme-parts.example"))
        self.Confirmation._cron_flag_overdue()
        [row] = self.call(self.integration, "list_supplier_confirmations", {"state": "overdue"})["confirmations"]
        self.assertEqual(row["confirmation_id"], self.confirmation_of(late).id)

    @mute_logger("odoo.http")
    def test_access_rights(self):
        # A buyer (purchase user) may record for their company's orders; an auditor may only read.
        result = self.call(self.buyer, "record_supplier_confirmation",
                           dict(self.payload, source="manual", idempotency_key="buyer-manual-0001"))
        self.assertEqual(result["state"], "date_changed")
        with self.assertRaisesRegex(Fault, "dg:forbidden"):
            self.call(self.auditor, "record_supplier_confirmation", dict(self.payload, idempotency_key="auditor-0001"))
        self.assertEqual(len(self.call(self.auditor, "list_supplier_confirmations", {})["confirmations"]), 1)
        with self.assertRaisesRegex(Fault, "dg:forbidden"):
            self.call(new_test_user(self.env, login="noperm", groups="base.group_user", password="noperm-pass-1234"),
                      "list_supplier_confirmations", {})
        # Nobody writes the records directly: they change only through the API's checks.
        confirmation = self.confirmation_of(self.order)
        for user in (self.buyer, self.integration, self.auditor):
            with self.assertRaises(Fault):
                self.call(user, "write", [confirmation.id], {"state": "confirmed"}, model="governance.supplier.confirmation")
            with self.assertRaises(Fault):
                self.call(user, "create", {"confirmation_id": confirmation.id, "status": "confirmed", "source": "api",
                                           "received_at": "2026-01-01 00:00:00"},
                          model="governance.supplier.confirmation.update")
        self.assertEqual(confirmation.state, "date_changed")

    def test_other_companies_orders_are_not_found(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        vendor = self.vendor.sudo().copy({"company_id": other.id})
        order = self.env["purchase.order"].sudo().with_company(other).create({
            "partner_id": vendor.id, "company_id": other.id,
            "order_line": [fields.Command.create({"product_id": self.product2.id, "product_qty": 1, "price_unit": 5})],
        })
        order.button_confirm()
        self.assertEqual((order.state, self.confirmation_of(order).state), ("purchase", "awaiting"))
        with mute_logger("odoo.http"), self.assertRaisesRegex(Fault, "dg:not_found"):
            self.call(self.integration, "record_supplier_confirmation",
                      dict(self.payload, purchase_order=order.name, idempotency_key="other-co-0001"))
