from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .outbox_common import HAS_TYPESCRIPT_VERIFIER, verify_with_typescript
from .supplier_common import SupplierCase


@tagged("post_install", "-at_install")
class TestSupplierConfirmation(SupplierCase):
    """Every released order awaits its supplier; answers are recorded with their evidence."""

    def test_release_opens_one_confirmation_within_the_window(self):
        self.assertEqual(self.env.company.governance_confirmation_window_hours, 48)
        order = self.release_order()
        confirmation = self.confirmation_of(order)
        self.assertEqual((confirmation.state, confirmation.partner_id, confirmation.buyer_id),
                         ("awaiting", self.vendor, self.buyer))
        self.assertEqual(confirmation.date_due - confirmation.date_requested, timedelta(hours=48))
        self.assertEqual(confirmation.line_ids.planned_date, order.order_line.date_planned)
        self.assertEqual(order.governance_confirmation_id, confirmation)
        self.assertEqual(order.governance_confirmation_state, "awaiting")
        requested = self.events(order, "supplier_confirmation.requested")
        self.assertEqual(len(requested), 1)
        data = requested.envelope()["data"]
        self.assertEqual((data["confirmation"]["state"], data["supplier"]["email"], data["buyer"]["login"]),
                         ("awaiting", "orders@acme-parts.example", "buyer"))
        self.assertEqual(data["origin"], "manual")
        # Releasing again opens no second one; the vendor's own window wins over the company's.
        order.button_approve()
        self.assertEqual(len(self.confirmation_of(order)), 1)
        self.vendor.governance_confirmation_window_hours = 24
        other = self.confirmation_of(self.release_order())
        self.assertEqual(other.date_due - other.date_requested, timedelta(hours=24))

    def test_confirmation_with_the_planned_dates_is_on_time(self):
        order = self.release_order()
        planned = order.order_line.date_planned
        result = self.record(order, supplier_reference="ACK-1001", promised_date=self.day(planned),
                             raw_message="Subject: Re: P1\n\nConfirmed.", received_at=fields.Datetime.to_string(
                                 fields.Datetime.now()).replace(" ", "T") + "Z")
        confirmation = self.confirmation_of(order)
        self.assertEqual((result["state"], result["outcome"], result["drift_days"]), ("confirmed", "on_time", 0))
        self.assertEqual(order.order_line.date_planned, planned)
        update = confirmation.update_ids
        self.assertEqual((update.source, update.status, update.supplier_reference, update.user_id),
                         ("email", "confirmed", "ACK-1001", self.integration))
        self.assertEqual(update.attachment_id.raw, b"Subject: Re: P1\n\nConfirmed.")
        self.assertEqual((update.attachment_id.res_model, update.attachment_id.res_id), (confirmation._name, confirmation.id))
        self.assertGreaterEqual(confirmation.delay_hours, 0)
        self.assertFalse(confirmation.answered_late)
        self.assertEqual(len(self.events(order, "supplier_confirmation.confirmed")), 1)

    def test_date_change_moves_the_expected_date_and_measures_drift(self):
        order = self.release_order(lines=[{"product_id": self.product2.id, "product_qty": 10, "price_unit": 2}])
        bearing = order.order_line.filtered(lambda line: line.product_id == self.product)
        seal = order.order_line - bearing
        planned = bearing.date_planned
        seal_planned = seal.date_planned
        result = self.record(order, status="confirmed", source="edi", supplier_reference="855-0001",
                             lines=[{"product_code": "AP-6204", "promised_date": self.day(planned, 7)},
                                    {"line_number": 2, "promised_date": self.day(seal_planned)}])
        self.assertEqual((result["state"], result["outcome"], result["drift_days"]), ("date_changed", "date_changed", 7))
        self.assertEqual(bearing.date_planned.date(), (planned + timedelta(days=7)).date())
        self.assertEqual(seal.date_planned, seal_planned)
        line = self.confirmation_of(order).line_ids.filtered(lambda line: line.product_id == self.product)
        self.assertEqual((line.drift_days, line.usual_lead_days), (7, 5))
        promised_lead = (line.promised_date.date() - order.date_approve.date()).days
        self.assertEqual(line.lead_time_drift_days, promised_lead - 5)
        self.assertEqual(result["lead_time_drift_days"], promised_lead - 5)
        self.assertIn("Expected arrival changed by the supplier (EDI, 855-0001)", order.message_ids[0].body)
        self.assertFalse(result["material_drift"])  # nothing sold: not fast-moving
        self.assertEqual(result["exception_id"], 0)
        event = self.events(order, "supplier_confirmation.date_changed")
        data = event.envelope()["data"]
        self.assertEqual((data["drift_days"], data["material"], data["source"]), (7, False, "edi"))
        self.assertEqual(data["new_date"][:10], self.day(planned, 7))
        if HAS_TYPESCRIPT_VERIFIER:
            events = self.Event.search([("subject", "=", f"purchase.order/{order.id}")])
            results = verify_with_typescript([{"secrets": ["whsec_" + "A" * 32], "headers": {}, "body": e.body}
                                              for e in events])
            self.assertEqual({r["type"]: r["schema_errors"] for r in results},
                             {t: [] for t in set(events.mapped("event_type"))})

    def test_rejection_is_recorded_and_the_buyer_follows_up(self):
        order = self.release_order()
        result = self.record(order, status="rejected", source="portal", reason="Discontinued item")
        self.assertEqual((result["state"], result["outcome"]), ("rejected", "rejected"))
        activity = order.activity_ids
        self.assertEqual((activity.user_id, activity.activity_type_id),
                         (self.buyer, self.env.ref("distribution_governance.mail_activity_type_supplier_follow_up")))
        self.assertIn("Discontinued item", order.message_ids[0].body)

    def test_updates_are_evidence_and_unknown_lines_are_refused(self):
        order = self.release_order()
        self.record(order, raw_message="ack")
        update = self.confirmation_of(order).update_ids
        with self.assertRaisesRegex(UserError, "evidence"):
            update.write({"source": "manual"})
        with self.assertRaisesRegex(UserError, "evidence"):
            update.unlink()
        with self.assertRaisesRegex(UserError, "dg:not_found"):
            self.record(order, lines=[{"product_code": "NOPE-1", "promised_date": "2030-01-01"}])
        with self.assertRaisesRegex(ValidationError, "received_at.*dg:invalid_params"):
            self.record(order, received_at="2999-01-01")
        self.assertEqual(len(self.confirmation_of(order).update_ids), 1)

    def test_cancelled_order_cancels_its_confirmation(self):
        order = self.release_order()
        order.button_cancel()
        confirmation = self.confirmation_of(order)
        self.assertEqual(confirmation.state, "cancelled")
        with self.assertRaisesRegex(UserError, "dg:not_pending"):
            self.record(order)


@tagged("post_install", "-at_install")
class TestSupplierOverdue(SupplierCase):
    """The scheduled action flags what is due, once, in batches."""

    def make_due(self, *orders):
        for order in orders:
            confirmation = self.confirmation_of(order)
            confirmation.write({"date_due": fields.Datetime.now() - timedelta(hours=3)})

    def test_overdue_run_twice_flags_each_order_once(self):
        first, second, not_due = self.release_order(), self.release_order(), self.release_order()
        self.make_due(first, second)
        exceptions = self.env["governance.exception"].search_count([])
        self.assertEqual(self.Confirmation._cron_flag_overdue(), 2)
        for order in (first, second):
            confirmation = self.confirmation_of(order)
            self.assertEqual(confirmation.state, "overdue")
            exception = confirmation.overdue_exception_id
            self.assertEqual((exception.exception_type_id.code, exception.owner_id, exception.res_id, exception.state),
                             ("supplier_confirmation_overdue", self.buyer, order.id, "open"))
            self.assertTrue(exception.sla_due)
            self.assertEqual(order.activity_ids.user_id, self.buyer)
            event = self.events(order, "supplier_confirmation.overdue")
            self.assertEqual(len(event), 1)
            self.assertEqual(event.envelope()["data"]["overdue_hours"], 3)
        self.assertEqual(self.confirmation_of(not_due).state, "awaiting")
        # A second run finds nothing due and raises nothing more.
        self.assertEqual(self.Confirmation._cron_flag_overdue(), 0)
        self.assertEqual(self.env["governance.exception"].search_count([]), exceptions + 2)
        self.assertEqual(len(first.activity_ids), 1)
        self.assertEqual(len(self.events(first, "supplier_confirmation.overdue")), 1)

    def test_batches_read_only_what_is_due(self):
        orders = [self.release_order() for _index in range(3)]
        self.make_due(*orders)
        self.assertEqual([self.Confirmation._cron_flag_overdue(batch_size=2) for _run in range(3)], [2, 1, 0])
        # The search reads only awaiting rows past due, through the partial index on the due date.
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                            ["governance_supplier_confirmation_awaiting_due_idx"])
        self.assertIn("WHERE ((state)::text = 'awaiting'::text)", self.env.cr.fetchone()[0])

    def test_late_answer_routes_overdue_and_resolves_the_exception(self):
        order = self.release_order()
        self.make_due(order)
        self.Confirmation._cron_flag_overdue()
        exception = self.confirmation_of(order).overdue_exception_id
        result = self.record(order, promised_date=self.day(order.order_line.date_planned))
        self.assertEqual((result["state"], result["outcome"]), ("confirmed", "overdue"))
        self.assertEqual(exception.state, "resolved")
        self.assertTrue(self.confirmation_of(order).answered_late)


@tagged("post_install", "-at_install")
class TestLeadTimeDrift(SupplierCase):
    """A material date change on a fast-moving product raises an exception naming the customer orders hit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Nordic Retail"})

    def sale(self, product, qty, commitment):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "commitment_date": commitment,
            "order_line": [fields.Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": 30})],
        })
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def test_material_drift_raises_an_exception_with_the_affected_orders(self):
        order = self.release_order()
        planned = order.order_line.date_planned
        hit = self.sale(self.product, 12, planned + timedelta(days=2))
        later = self.sale(self.product, 3, planned + timedelta(days=30))
        self.sale(self.product2, 40, planned + timedelta(days=1))
        result = self.record(order, lines=[{"line_number": 1, "promised_date": self.day(planned, 7)}],
                             raw_message="855 ...", source="edi")
        self.assertTrue(result["material_drift"])
        self.assertEqual([sale["name"] for sale in result["affected_sale_orders"]], [hit.name])
        self.assertEqual(result["affected_sale_orders"][0]["quantity"], "12")
        exception = self.env["governance.exception"].browse(result["exception_id"])
        self.assertEqual((exception.exception_type_id.code, exception.owner_id, exception.res_id),
                         ("lead_time_drift", self.buyer, order.id))
        self.assertIn(hit.name, exception.details)
        self.assertNotIn(later.name, exception.details)
        self.assertEqual(exception.evidence_ids, self.confirmation_of(order).update_ids.attachment_id)
        data = self.events(order, "supplier_confirmation.date_changed").envelope()["data"]
        self.assertEqual((data["material"], data["drift_days"], data["exception"]["exception_type"]),
                         (True, 7, "lead_time_drift"))
        self.assertEqual([sale["name"] for sale in data["affected_sale_orders"]], [hit.name])
        self.assertTrue(data["lines"][0]["fast_moving"])

    def test_small_drift_or_slow_product_raises_nothing(self):
        order = self.release_order()
        planned = order.order_line.date_planned
        self.sale(self.product, 12, planned + timedelta(days=1))
        result = self.record(order, promised_date=self.day(planned, 2))  # below the 3-day threshold
        self.assertEqual((result["state"], result["material_drift"], result["exception_id"]), ("date_changed", False, 0))
        self.assertEqual(len(result["affected_sale_orders"]), 1)
        self.env["ir.config_parameter"].sudo().set_param("distribution_governance.fast_moving_min_qty", "100")
        other = self.release_order()
        result = self.record(other, promised_date=self.day(other.order_line.date_planned, 9))
        self.assertEqual((result["drift_days"], result["material_drift"]), (9, False))
