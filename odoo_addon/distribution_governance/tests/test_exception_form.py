from odoo.tests import Form, tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestExceptionForm(GovernanceCase):
    """An exception raised by hand in the form takes its type's defaults and links its document."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Type = cls.env["governance.exception.type"]
        cls.receipt_type = Type.create({"name": "Receipt quantity discrepancy", "code": "dg_test_receipt_qty",
                                        "category": "business", "default_severity": "high", "sla_hours": 8,
                                        "default_owner_id": cls.olga.id})
        cls.integration_type = Type.create({"name": "Integration failure", "code": "dg_test_integration",
                                            "category": "technical", "default_severity": "critical", "sla_hours": 0})

    def form(self):
        return Form(self.env["governance.exception"].with_user(self.manager))

    def test_the_type_sets_its_defaults_and_changing_it_follows(self):
        form = self.form()
        form.summary = "12 bearings missing"
        form.exception_type_id = self.receipt_type
        self.assertEqual((form.category, form.severity, form.owner_id), ("business", "high", self.olga))
        self.assertTrue(form.sla_due)
        form.exception_type_id = self.integration_type
        self.assertEqual((form.category, form.severity), ("technical", "critical"))
        self.assertFalse(form.sla_due)
        exception = form.save()
        self.assertEqual((exception.category, exception.severity), ("technical", "critical"))

    def test_saved_with_the_type_defaults(self):
        form = self.form()
        form.summary = "Receipt short"
        form.exception_type_id = self.receipt_type
        exception = form.save()
        self.assertEqual((exception.category, exception.severity, exception.owner_id),
                         ("business", "high", self.olga))

    def test_a_severity_chosen_after_the_type_is_kept(self):
        form = self.form()
        form.summary = "Receipt short"
        form.exception_type_id = self.receipt_type
        form.severity = "low"
        self.assertEqual(form.save().severity, "low")

    def test_the_document_is_chosen_with_a_reference(self):
        order = self.create_order(500)
        form = self.form()
        form.summary = "Receipt short"
        form.exception_type_id = self.receipt_type
        form.document_ref = order
        exception = form.save()
        self.assertEqual((exception.res_model, exception.res_id, exception.document_name),
                         ("purchase.order", order.id, order.name))
        self.assertEqual(exception.document_ref, order)
        self.assertIn(("purchase.order", "Purchase Order"),
                      self.env["governance.exception"]._fields["document_ref"]._description_selection(self.env))
        action = exception.with_user(self.manager).action_open_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("purchase.order", order.id))

    def test_the_api_keeps_the_callers_severity(self):
        api = self.env["governance.api"].with_user(self.integration)
        result = api.raise_exception({"exception_type": "dg_test_receipt_qty", "severity": "low",
                                      "summary": "From n8n", "idempotency_key": "exc-form-0001"})
        exception = self.env["governance.exception"].browse(result["exception_id"])
        self.assertEqual((exception.severity, exception.category), ("low", "business"))
