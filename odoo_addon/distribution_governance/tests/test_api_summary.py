from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

HASH = "sha256:" + "ab" * 32


@tagged("post_install", "-at_install")
class TestSummaryNote(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, "dg_sum_n8n", groups="base.group_user,distribution_governance.group_integration")
        cls.buyer = new_test_user(cls.env, "dg_sum_buyer", groups="base.group_user,purchase.group_purchase_user")
        cls.vendor = cls.env["res.partner"].create({"name": "Summary Vendor"})
        cls.order = cls.env["purchase.order"].create({"partner_id": cls.vendor.id})
        cls.api = cls.env["governance.api"].with_user(cls.integration)

    def post(self, **overrides):
        return self.api.post_summary_note(dict({
            "document": {"model": "purchase.order", "id": self.order.id},
            "summary": "Valve 9 is short by 8 <b>units</b>; two customer orders are due before the receipt.",
            "source": "ai", "model": "gpt-4o-mini", "prompt_hash": HASH,
            "idempotency_key": f"summary:purchase.order:{self.order.id}:{HASH}",
        }, **overrides))

    def notes(self):
        return self.order.message_ids.filtered(lambda message: "summary" in (message.body or "").lower())

    def test_ai_summary_is_a_marked_note_once_per_key(self):
        result = self.post()
        self.assertEqual(self.post(), result)
        message = self.env["mail.message"].browse(result["message_id"])
        self.assertEqual(result, {"message_id": message.id, "posted": True,
                                  "document": {"model": "purchase.order", "id": self.order.id, "name": self.order.name}})
        self.assertEqual(self.notes(), message)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("AI-generated summary (advice only; people decide)", message.body)
        self.assertIn("gpt-4o-mini", message.body)
        self.assertIn(HASH, message.body)
        self.assertIn("8 &lt;b&gt;units&lt;/b&gt;", message.body)
        self.assertEqual(self.order.state, "draft")

    def test_fallback_summary_says_why(self):
        result = self.post(source="fallback", fallback_reason="timeout", prompt_hash="", idempotency_key="summary-fb-1")
        body = self.env["mail.message"].browse(result["message_id"]).body
        self.assertIn("AI unavailable: timeout", body)
        self.assertNotIn("AI-generated", body)

    def test_refusals(self):
        with self.assertRaisesRegex(ValidationError, r"document.model: res.currency has no chatter"):
            self.post(document={"model": "res.currency", "id": 1}, idempotency_key="summary-bad-1")
        with self.assertRaisesRegex(MissingError, r"\[dg:not_found\]$"):
            self.post(document={"model": "purchase.order", "id": 999999}, idempotency_key="summary-bad-2")
        with self.assertRaisesRegex(ValidationError, r"prompt_hash: must match"):
            self.post(prompt_hash="md5:abc", idempotency_key="summary-bad-3")
        with self.assertRaisesRegex(ValidationError, r"summary: must have at most 4000"):
            self.post(summary="x" * 4001, idempotency_key="summary-bad-4")
        with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
            self.env["governance.api"].with_user(self.buyer).post_summary_note({})
        self.assertFalse(self.notes())
