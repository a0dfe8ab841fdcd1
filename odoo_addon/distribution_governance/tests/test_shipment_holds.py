import json
from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .shipping_common import ShippingCase


@tagged("post_install", "-at_install")
class TestShipmentHolds(ShippingCase, HttpCase):
    """S6: a held delivery cannot be validated by the button or over RPC until a reviewer ends the hold."""

    def place(self, delivery, key, reason="carrier_exception", **params):
        payload = dict({"delivery_id": delivery.id, "reason": reason, "summary": "Carrier: address not found",
                        "idempotency_key": key}, **params)
        return self.env["governance.api"].with_user(self.integration).place_shipment_hold(payload)

    @mute_logger("odoo.http")
    def test_hold_refuses_validation_by_button_and_rpc_until_released(self):
        order = self.sell()
        delivery = self.to_delivery(order)
        wizard = self.env["governance.shipment.hold.place.wizard"].with_user(self.sam).create({
            "picking_id": delivery.id, "reason": "credit", "summary": "Customer over credit limit"})
        wizard.action_confirm()
        hold = delivery.governance_hold_ids
        self.assertEqual((hold.state, hold.placed_by_id, hold.source, delivery.governance_on_hold),
                         ("active", self.sam, "user", True))
        self.assertEqual(hold.exception_id.exception_type_id.code, "credit_hold")
        with self.assertRaisesRegex(UserError, r"is on hold \(Credit\).*\[dg:on_hold\]$"):
            self.validate(delivery)
        with self.assertRaisesRegex(Fault, r"\[dg:on_hold\]"):
            self.xmlrpc_object.execute(self.env.cr.dbname, self.wendy.id, "wendy-pass-1234", "stock.picking",
                                       "button_validate", [delivery.id])
        with self.assertRaisesRegex(UserError, r"\[dg:on_hold\]"):
            delivery.with_user(self.wendy).action_cancel()
        self.env.cr.execute("SELECT state FROM stock_picking WHERE id = %s", [delivery.id])
        self.assertEqual(self.env.cr.fetchone()[0], "assigned")
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            hold.with_user(self.sam).action_open_review()  # opening is allowed; deciding is not:
            self.env["governance.shipment.hold.review.wizard"].with_user(self.sam).create(
                {"hold_id": hold.id, "outcome": "release", "reason": "paid"}).action_confirm()
        review = self.env["governance.shipment.hold.review.wizard"].with_user(self.wendy).create(
            {"hold_id": hold.id, "outcome": "release", "reason": "Customer paid the overdue invoices"})
        review.action_confirm()
        self.assertEqual((hold.state, hold.reviewed_by_id, delivery.governance_on_hold), ("released", self.wendy, False))
        self.assertEqual(hold.exception_id.state, "resolved")
        self.assertEqual(self.validate(delivery), True)
        self.assertEqual(delivery.state, "done")
        audit = self.env["governance.audit.log"].search([("res_model", "=", "stock.picking"), ("res_id", "=", delivery.id)])
        self.assertEqual(sorted(audit.mapped("event")), ["hold_placed", "hold_released"])
        self.assertTrue(self.env["governance.audit.log"]._verify_chain()["ok"])
        placed = self.events(delivery, "shipment_hold.placed").envelope()["data"]
        self.assertEqual((placed["hold"]["reason"], placed["delivery"]["sale_order"]["name"],
                          placed["delivery"]["salesperson"]["login"]), ("credit", order.name, "sam"))
        released = self.events(delivery, "shipment_hold.released").envelope()["data"]
        self.assertEqual((released["outcome"], released["released_by"]["login"]), ("released", "wendy"))
        raised = self.events(delivery, "exception.raised").envelope()["data"]
        self.assertEqual(raised["shipment_hold"]["id"], hold.id)

    def test_api_hold_is_idempotent_not_stacked_and_cancel_ends_every_hold(self):
        order = self.sell()
        delivery = self.to_delivery(order)
        delivery.carrier_tracking_ref = "1Z999AA10123456784"
        event = {"carrier": "ups", "tracking_reference": "1Z999AA10123456784", "status": "exception",
                 "event_id": "trk-1", "occurred_at": "2026-11-23T08:14:40Z"}
        first = self.place(delivery, "carrier-trk-1", carrier_event=event)
        self.assertEqual(self.place(delivery, "carrier-trk-1", carrier_event=event), first)
        again = self.place(delivery, "carrier-trk-2", carrier_event=dict(event, event_id="trk-2"))
        self.assertEqual((first["created"], again["created"], again["hold_id"]), (True, False, first["hold_id"]))
        quality = self.place(delivery, "quality-0001", reason="quality", actor="wendy")
        self.assertEqual(self.Hold.browse(quality["hold_id"]).placed_by_id, self.wendy)
        self.assertEqual(len(self.events(delivery, "shipment_hold.placed")), 2)
        self.assertEqual(len(self.env["governance.exception"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", delivery.id)])), 2)
        api = self.env["governance.api"].with_user(self.integration)
        release = {"hold_id": first["hold_id"], "outcome": "cancel_delivery", "reason": "Parcel lost; reshipping",
                   "idempotency_key": "cancel-0001"}
        with self.assertRaisesRegex(Exception, r"actor: .*\[dg:invalid_params\]"):
            api.release_shipment_hold(release)
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            api.release_shipment_hold(dict(release, actor="sam"))
        result = api.release_shipment_hold(dict(release, actor="wendy"))
        self.assertEqual((result["state"], result["delivery"]["state"], result["on_hold"]), ("cancelled", "cancel", False))
        self.assertEqual(api.release_shipment_hold(dict(release, actor="wendy")), result)
        self.assertEqual(set(delivery.governance_hold_ids.mapped("state")), {"cancelled"})
        self.assertEqual(set(self.env["governance.exception"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", delivery.id)]).mapped("state")), {"resolved"})

    def test_find_deliveries_by_tracking_reference_or_origin(self):
        order = self.sell()
        delivery = self.to_delivery(order)
        delivery.carrier_tracking_ref = "1Z999AA10123456784"
        api = self.env["governance.api"].with_user(self.integration)
        found = api.find_deliveries({"tracking_reference": "1z999aa10123456784"})["deliveries"]
        self.assertEqual([row["id"] for row in found], delivery.ids)
        self.assertEqual((found[0]["sale_order"]["name"], found[0]["customer"]["name"], found[0]["holds"]),
                         (order.name, "Brightline Retail", []))
        self.assertEqual([row["id"] for row in api.find_deliveries({"origin": order.name})["deliveries"]], delivery.ids)
        self.assertEqual(api.find_deliveries({"tracking_reference": "NOPE%"}), {"deliveries": []})
        with self.assertRaisesRegex(Exception, r"\[dg:invalid_params\]"):
            api.find_deliveries({})


@tagged("post_install", "-at_install")
class TestLateShipments(ShippingCase):
    """S8: a transfer left in packing past its warehouse's policy is flagged, owned and escalated, once."""

    def test_pack_step_past_policy_is_flagged_owned_escalated_and_closed_once(self):
        order = self.sell()
        self.validate(self.step(order, "pick"))
        pack = self.step(order, "pack")
        pack.scheduled_date = fields.Datetime.now() - timedelta(hours=3)
        on_time = self.sell()
        self.step(on_time, "pack").scheduled_date = fields.Datetime.now() - timedelta(hours=1)
        self.assertEqual(self.Late._cron_scan(), (1, 0))
        late = pack.governance_late_id
        self.assertEqual((late.step, late.owner_id, late.state, pack.governance_late_flagged), ("pack", self.wendy, "late", True))
        exception = late.exception_id
        self.assertEqual((exception.exception_type_id.code, exception.owner_id), ("late_shipment", self.wendy))
        raised = self.events(pack, "exception.raised").envelope()["data"]
        self.assertEqual((raised["late_shipment"]["step"], raised["late_shipment"]["delivery"]["sale_order"]["name"]),
                         ("pack", order.name))
        self.assertEqual(self.Late._cron_scan(), (0, 0), "a rerun raises nothing twice")
        listed = self.env["governance.api"].with_user(self.integration).list_late_shipments({})["late_shipments"]
        self.assertEqual([(row["delivery"]["name"], row["owner"]["login"], row["salesperson"]["login"]) for row in listed],
                         [(pack.name, "wendy", "sam")])
        exception.sla_due = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(late.escalate_after, exception.sla_due, "a changed SLA moves the escalation")
        self.assertEqual(self.Late._cron_scan(), (0, 1))
        self.assertEqual(self.Late._cron_scan(), (0, 0))
        escalated = self.events(pack, "exception.escalated")
        self.assertEqual(len(escalated), 1)
        data = escalated.envelope()["data"]
        self.assertEqual(sorted(user["login"] for user in data["escalated_to"]), ["otto", "sam"])
        self.assertEqual((data["reason"], data["late_shipment"]["state"]), ("sla_expired", "escalated"))
        self.assertTrue(exception.escalated)
        self.assertIn(self.otto.partner_id, exception.message_partner_ids)
        self.validate(pack)
        self.assertEqual((late.state, exception.state), ("closed", "resolved"))
        self.assertEqual(json.loads(self.events(pack, "exception.resolved").body)["data"]["late_shipment"]["state"], "closed")

    def test_scan_works_in_batches_of_what_is_late(self):
        orders = [self.sell() for _index in range(3)]
        for order in orders:
            self.step(order, "pick").scheduled_date = fields.Datetime.now() - timedelta(hours=5)
        self.assertEqual(self.Late._cron_scan(batch_size=2), (2, 0))
        self.assertEqual(self.Late._cron_scan(batch_size=2), (1, 0))
        self.assertEqual(self.Late._cron_scan(batch_size=2), (0, 0))
        self.env.flush_all()
        self.env.cr.execute("EXPLAIN SELECT id FROM stock_picking WHERE state IN ('waiting', 'confirmed', 'assigned') "
                            "AND governance_late_flagged IS NOT TRUE AND scheduled_date < now() "
                            "AND picking_type_id = ANY(%s) ORDER BY scheduled_date, id LIMIT 200",
                            [self.warehouse.pick_type_id.ids])
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        # On a table this small the planner may prefer a scan; the index must at least exist and be usable.
        self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'stock_picking_governance_lateness_idx'")
        self.assertIn("governance_late_flagged IS NOT TRUE", self.env.cr.fetchone()[0], plan)
