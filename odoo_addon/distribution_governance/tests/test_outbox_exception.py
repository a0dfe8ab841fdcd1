import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .outbox_common import OutboxCase


@tagged("post_install", "-at_install")
class TestExceptionQueue(OutboxCase):
    def raise_params(self, **overrides):
        return dict({
            "exception_type": "price_variance",
            "severity": "high",
            "summary": "Bill price 12% above the PO",
            "idempotency_key": "exc-price-0001",
        }, **overrides)

    def test_raise_over_the_api_with_document_owner_sla_and_evidence(self):
        order = self.make_order()
        result = self.api.raise_exception(self.raise_params(
            document={"model": "purchase.order", "id": order.id, "name": order.name},
            owner="buyer@outbox.example",
            sla_hours=4,
            details="Line 1: 11.20 instead of 10.00",
            evidence=[{"name": "bill.pdf", "mimetype": "application/pdf",
                       "content_base64": base64.b64encode(b"%PDF-1.4 test").decode()},
                      {"name": "portal", "url": "https://portal.example/bill/7"}],
        ))
        exception = self.env["governance.exception"].browse(result["exception_id"])
        self.assertEqual(result, {"exception_id": exception.id, "name": exception.name, "state": "open"})
        self.assertTrue(exception.name.startswith("EXC/"))
        self.assertEqual(exception.exception_type_id, self.env.ref("distribution_governance.exception_type_price_variance"))
        self.assertEqual((exception.category, exception.severity), ("business", "high"))
        self.assertEqual((exception.res_model, exception.res_id), ("purchase.order", order.id))
        self.assertEqual(exception.owner_id, self.buyer)
        self.assertAlmostEqual(exception.sla_due, fields.Datetime.now() + timedelta(hours=4), delta=timedelta(minutes=1))
        self.assertEqual(sorted(exception.evidence_ids.mapped("name")), ["bill.pdf", "portal"])
        self.assertEqual(base64.b64decode(exception.evidence_ids.filtered("datas").datas), b"%PDF-1.4 test")

        audit = self.env["governance.audit.log"].search([("res_model", "=", exception._name), ("res_id", "=", exception.id)])
        self.assertEqual(audit.mapped("event"), ["exception_raised"])

        event = self.Event.search([("event_type", "=", "exception.raised")], limit=1)
        self.assertEqual(event.subject, f"purchase.order/{order.id}")
        envelope = event.envelope()
        self.assertEqual(envelope["data"]["exception"]["name"], exception.name)
        self.assertEqual(envelope["data"]["exception"]["owner"]["login"], self.buyer.login)
        self.assertEqual(envelope["data"]["document"], {"model": "purchase.order", "id": order.id, "name": order.name,
                                                        "company": order.company_id.name})

    def test_raise_is_idempotent_by_key(self):
        first = self.api.raise_exception(self.raise_params())
        again = self.api.raise_exception(self.raise_params())
        self.assertEqual(first, again)
        self.assertEqual(self.env["governance.exception"].search_count([("summary", "=", "Bill price 12% above the PO")]), 1)
        with self.assertRaisesRegex(UserError, r"\[dg:idempotency_conflict\]"):
            self.api.raise_exception(self.raise_params(severity="low"))

    def test_unknown_type_joins_the_queue_as_a_new_type(self):
        result = self.api.raise_exception(self.raise_params(
            exception_type="n8n_execution_failed", category="technical", idempotency_key="exc-n8n-0001"))
        exception = self.env["governance.exception"].browse(result["exception_id"])
        self.assertEqual(exception.exception_type_id.code, "n8n_execution_failed")
        self.assertEqual(exception.category, "technical")

    def test_only_the_integration_group_may_raise_and_resolve(self):
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            self.env["governance.api"].with_user(self.buyer).raise_exception(self.raise_params())
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            self.env["governance.api"].with_user(self.manager).resolve_exception(
                {"exception_id": 1, "resolution": "resolved", "reason": "x", "idempotency_key": "exc-res-0001"})

    def test_invalid_params_name_the_field(self):
        with self.assertRaisesRegex(ValidationError, r"severity.*\[dg:invalid_params\]"):
            self.api.raise_exception(self.raise_params(severity="apocalyptic"))
        with self.assertRaisesRegex(ValidationError, r"evidence\[0\]"):
            self.api.raise_exception(self.raise_params(evidence=[{"name": "x", "content_base64": "!!!"}]))

    def test_resolve_over_the_api_audits_and_emits(self):
        exception_id = self.api.raise_exception(self.raise_params())["exception_id"]
        result = self.api.resolve_exception({
            "exception_id": exception_id, "resolution": "resolved", "reason": "Vendor credited the difference",
            "actor": "buyer@outbox.example", "idempotency_key": "exc-res-0001",
        })
        self.assertEqual(result, {"exception_id": exception_id, "state": "resolved"})
        exception = self.env["governance.exception"].browse(exception_id)
        self.assertEqual((exception.closed_by_id, exception.resolution_reason), (self.buyer, "Vendor credited the difference"))
        audit = self.env["governance.audit.log"].search([("res_model", "=", exception._name), ("res_id", "=", exception.id)])
        self.assertEqual(sorted(audit.mapped("event")), ["exception_closed", "exception_raised"])
        event = self.Event.search([("event_type", "=", "exception.resolved")], limit=1)
        data = event.envelope()["data"]
        self.assertEqual((data["resolution"], data["reason"], data["resolved_by"]["login"]),
                         ("resolved", "Vendor credited the difference", self.buyer.login))
        self.assertEqual(data["exception"]["state"], "resolved")
        with self.assertRaisesRegex(UserError, r"\[dg:not_pending\]"):
            self.api.resolve_exception({"exception_id": exception_id, "resolution": "dismissed", "reason": "again",
                                        "idempotency_key": "exc-res-0002"})

    def test_dismiss_needs_a_reason_and_state_moves_only_by_the_buttons(self):
        exception = self.env["governance.exception"].with_user(self.buyer).create({
            "exception_type_id": self.env.ref("distribution_governance.exception_type_late_shipment").id,
            "summary": "WH/OUT/0042 still in packing after 2 days",
        })
        self.assertEqual((exception.severity, exception.category), ("high", "business"))
        self.assertTrue(exception.sla_due, "the type's SLA applies")
        with self.assertRaises(UserError):
            exception.write({"state": "resolved"})
        exception.action_start()
        self.assertEqual((exception.state, exception.owner_id), ("in_progress", self.buyer))
        wizard_action = exception.with_context(default_resolution="dismissed").action_open_close_wizard()
        Wizard = self.env[wizard_action["res_model"]].with_user(self.buyer).with_context(wizard_action["context"])
        with self.assertRaises(ValidationError):
            Wizard.create({"reason": "  "}).action_confirm()
        Wizard.create({"reason": "Carrier picked it up this morning"}).action_confirm()
        self.assertEqual(exception.state, "dismissed")
        self.assertEqual(exception.resolution_reason, "Carrier picked it up this morning")
        events = self.env["governance.audit.log"].search(
            [("res_model", "=", exception._name), ("res_id", "=", exception.id)], order="id").mapped("event")
        self.assertEqual(events, ["exception_raised", "exception_updated", "exception_closed"])
        self.assertTrue(any("Carrier picked it up" in str(body) for body in exception.message_ids.mapped("body")))

    def test_overdue_and_age_filters(self):
        Exception = self.env["governance.exception"]
        late = Exception.create({
            "exception_type_id": self.env.ref("distribution_governance.exception_type_credit_hold").id,
            "summary": "Customer over credit limit", "sla_due": fields.Datetime.now() - timedelta(hours=1),
        })
        fresh = Exception.create({
            "exception_type_id": self.env.ref("distribution_governance.exception_type_credit_hold").id,
            "summary": "Another customer", "sla_due": fields.Datetime.now() + timedelta(hours=1),
        })
        overdue = Exception.search([("is_overdue", "=", True), ("id", "in", (late | fresh).ids)])
        self.assertEqual(overdue, late)
        self.assertEqual(Exception.search([("is_overdue", "=", False), ("id", "in", (late | fresh).ids)]), fresh)
        self.assertEqual(late.age_days, 0)
