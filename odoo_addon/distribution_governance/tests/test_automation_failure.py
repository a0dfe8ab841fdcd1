from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

INTEGRATION = "base.group_user,distribution_governance.group_integration"


@tagged("post_install", "-at_install")
class TestAutomationFailure(TransactionCase):
    """A failed n8n execution reported through raise_exception (scenario S9)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(cls.env, "dg_af_n8n", groups=INTEGRATION)
        cls.ops = new_test_user(cls.env, "dg_af_ops", groups="distribution_governance.group_manager")
        cls.kind = cls.env.ref("distribution_governance.exception_type_automation_failure")
        cls.kind.default_owner_id = cls.ops
        cls.api = cls.env["governance.api"].with_user(cls.integration)

    def report(self, execution_id="4711", key=None, **automation):
        return self.api.raise_exception({
            "exception_type": "automation_failure",
            "category": "technical",
            "severity": "high",
            "summary": f"Procurement approval failed at Record Decision (execution {execution_id})",
            "idempotency_key": key or f"n8n-execution-{execution_id}",
            "automation": dict({
                "workflow_id": "dgProcurementApproval",
                "workflow_name": "Procurement approval",
                "node": "Record Decision",
                "execution_id": execution_id,
                "execution_url": f"https://n8n.acme.example/workflow/dgProcurementApproval/executions/{execution_id}",
                "error_message": "[dg:not_eligible] bob is not an eligible approver of review 12",
                "trigger": "approval.requested evt_01JDG0000000000000000001",
            }, **automation),
        })

    def test_failure_becomes_one_technical_exception_with_owner_and_sla_of_its_type(self):
        before = self.env["governance.event"].search_count([("event_type", "=", "exception.raised")])
        result = self.report()
        exception = self.env["governance.exception"].browse(result["exception_id"])
        self.assertEqual(result, {"exception_id": exception.id, "name": exception.name, "state": "open"})
        self.assertEqual((exception.category, exception.exception_type_id, exception.owner_id),
                         ("technical", self.kind, self.ops))
        self.assertAlmostEqual(exception.sla_due, fields.Datetime.now() + timedelta(hours=8),
                               delta=timedelta(minutes=1))
        self.assertEqual(exception.automation_key, "dgProcurementApproval:4711")
        self.assertEqual(exception.automation_workflow, "Procurement approval (dgProcurementApproval)")
        self.assertEqual(exception.automation_node, "Record Decision")
        self.assertEqual(exception.automation_execution_id, "4711")
        self.assertIn("/executions/4711", exception.automation_execution_url)
        self.assertIn("not_eligible", exception.automation_error)
        self.assertIn("evt_01JDG", exception.automation_trigger)
        self.assertEqual(self.env["governance.event"].search_count([("event_type", "=", "exception.raised")]), before + 1)

    def test_one_exception_per_execution_whatever_the_key(self):
        first = self.report(key="n8n-execution-4711")
        again = self.report(key="n8n-execution-4711")
        other_key = self.report(key="retry-of-4711-by-hand", error_message="a second report of the same execution")
        self.assertEqual(first, again)
        self.assertEqual(first["exception_id"], other_key["exception_id"])
        self.assertEqual(self.env["governance.exception"].search_count(
            [("automation_key", "=", "dgProcurementApproval:4711")]), 1)
        second = self.report(execution_id="4712")
        self.assertNotEqual(second["exception_id"], first["exception_id"])

    def test_technical_queue_shows_automation_failures_apart_from_business_exceptions(self):
        failure = self.env["governance.exception"].browse(self.report()["exception_id"])
        business = self.env["governance.exception"].browse(self.api.raise_exception({
            "exception_type": "price_variance", "severity": "high", "summary": "Bill 12% above PO",
            "idempotency_key": "exc-price-af-1"})["exception_id"])
        action = self.env.ref("distribution_governance.governance_exception_action_technical")
        technical = self.env["governance.exception"].search(eval(action.domain))  # noqa: S307 - our own XML
        self.assertIn(failure, technical)
        self.assertNotIn(business, technical)

    def test_bad_reports_are_refused_naming_the_field(self):
        cases = [
            ({"error_message": ""}, "automation.error_message: must have at least 1 characters"),
            ({"workflow_id": "x" * 101}, "automation.workflow_id: must have at most 100 characters"),
            ({"error_message": "e" * 4001}, "automation.error_message: must have at most 4000 characters"),
            ({"colour": "red"}, "automation.colour: is not a parameter of this method"),
        ]
        for automation, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(ValidationError, message + r".*\[dg:invalid_params\]"):
                self.report(execution_id="9", key="bad-report-9", **automation)
        self.assertFalse(self.env["governance.exception"].search([("automation_key", "like", ":9")]))

    def test_the_event_that_started_the_execution_is_kept_and_linked_when_ours(self):
        first = self.env["governance.exception"].browse(self.report(execution_id="4801")["exception_id"])
        self.assertFalse(first.automation_event_uid)
        ours = self.env["governance.event"].search(
            [("event_type", "=", "exception.raised"), ("res_id", "=", first.id)], limit=1)
        self.assertTrue(ours)
        linked = self.env["governance.exception"].browse(self.report(execution_id="4802", event={
            "id": ours.event_uid, "type": ours.event_type})["exception_id"])
        self.assertEqual((linked.automation_event_uid, linked.automation_event_type, linked.automation_event_id,
                          linked.automation_event_subject), (ours.event_uid, "exception.raised", ours, ours.subject))
        foreign = self.env["governance.exception"].browse(self.report(execution_id="4803", event={
            "id": "evt_not_ours", "type": "approval.requested", "subject": "purchase.order/7"})["exception_id"])
        self.assertEqual((foreign.automation_event_uid, foreign.automation_event_type, foreign.automation_event_id,
                          foreign.automation_event_subject), ("evt_not_ours", "approval.requested",
                                                              self.env["governance.event"], "purchase.order/7"))
        with self.assertRaisesRegex(ValidationError, r"automation\.event\.id: must have at most 100 characters"):
            self.report(execution_id="4804", event={"id": "e" * 101, "type": "approval.requested"})
        with self.assertRaisesRegex(ValidationError, r"automation\.event\.type"):
            self.report(execution_id="4805", event={"id": "evt_1"})
