from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import INTEGRATION, GovernanceCase


@tagged("post_install", "-at_install")
class TestWriteBackApi(GovernanceCase):
    def setUp(self):
        super().setUp()
        self.order = self.create_order(5000)
        self.order.with_user(self.buyer).button_confirm()
        self.review_rec = self.review(self.order, "Purchasing")
        self.api = self.env["governance.api"].with_user(self.integration)

    def _decide(self, api=None, **params):
        payload = dict({"review_id": self.review_rec.id, "actor": "alice", "outcome": "approve",
                        "idempotency_key": "n8n-exec-0001"}, **params)
        return (self.api if api is None else api).decide(payload)

    def test_decide_for_an_eligible_actor(self):
        result = self._decide(actor="alice@acme.example", comment="via chat")
        self.assertEqual(result["request_state"], "approved")
        self.assertEqual(result["actor"]["login"], "alice")
        self.assertNotIn("on_behalf_of", result, "no null in a result: the key is left out")
        self.assertEqual(result["document"], {"model": "purchase.order", "id": self.order.id, "name": self.order.name})
        self.assertEqual(self.order.state, "purchase")
        decision = self.review_rec.decision_ids
        self.assertEqual((decision.user_id, decision.channel, decision.comment), (self.alice, "api", "via chat"))
        entry = self.env["governance.audit.log"].search([("event", "=", "decision"), ("review_id", "=", self.review_rec.id)])
        self.assertEqual((entry.actor_id.login, entry.create_uid), ("alice", self.integration))
        self.assertIn('"recorded_by":"n8n"', entry.content)

    def test_same_idempotency_key_returns_the_first_result_and_changes_nothing(self):
        first = self._decide()
        decisions = self.env["governance.approval.decision"].search_count([])
        audit = self.env["governance.audit.log"].search_count([])
        self.assertEqual(self._decide(), first)
        self.assertEqual(self.env["governance.approval.decision"].search_count([]), decisions)
        self.assertEqual(self.env["governance.audit.log"].search_count([]), audit)
        with self.assertRaisesRegex(UserError, "dg:idempotency_conflict"):
            self._decide(outcome="reject", comment="no")

    def test_idempotency_keys_belong_to_their_caller(self):
        first = self._decide()
        other = new_test_user(self.env, login="n8n-2", groups=f"base.group_user,{INTEGRATION}")
        # Another caller replaying the same key and params does not get the first caller's result:
        # its call runs, and finds the review decided.
        with self.assertRaisesRegex(UserError, "dg:not_pending"):
            self._decide(api=self.env["governance.api"].with_user(other))
        self.assertEqual(self._decide(), first, "the first caller's replay still gets its result")
        # For decide, the acting person is part of the key: the same key for another actor is another call.
        big = self.create_order(20000)
        big.with_user(self.buyer).button_confirm()
        self.decide(big, "Purchasing", self.alice)
        result = self._decide(review_id=self.review(big, "Operations").id, actor="olga")
        self.assertEqual((result["actor"]["login"], result["outcome"]), ("olga", "approve"))
        # Stored results of other methods are scoped to the caller too.
        params = {"exception_type": "n8n.failed", "severity": "low", "summary": "x", "idempotency_key": "shared-key-01"}
        mine = self.api.raise_exception(params)
        theirs = self.env["governance.api"].with_user(other).raise_exception(params)
        self.assertNotEqual(mine["exception_id"], theirs["exception_id"])
        self.assertEqual(self.api.raise_exception(params), mine)

    def test_integration_cannot_decide_for_someone_not_eligible(self):
        with self.assertRaisesRegex(AccessError, "dg:not_eligible"):
            self._decide(actor="outsider")
        with self.assertRaisesRegex(AccessError, "dg:segregation_of_duties"):
            self._decide(actor="buyer", idempotency_key="n8n-exec-0002")
        with self.assertRaisesRegex(ValidationError, "dg:unknown_actor"):
            self._decide(actor="nobody@nowhere.example", idempotency_key="n8n-exec-0003")
        self.assertEqual(self.order.state, "to approve")

    def test_same_checks_as_the_ui(self):
        with self.assertRaisesRegex(ValidationError, "dg:comment_required"):
            self._decide(outcome="reject")
        with self.assertRaisesRegex(MissingError, "dg:not_found"):
            self._decide(review_id=999999)

    def test_bad_params_name_the_field(self):
        with self.assertRaisesRegex(ValidationError, r"outcome: must be one of.*\[dg:invalid_params\]"):
            self._decide(outcome="maybe")
        with self.assertRaisesRegex(ValidationError, r"idempotency_key: must have at least 8.*\[dg:invalid_params\]"):
            self._decide(idempotency_key="short")
        with self.assertRaisesRegex(ValidationError, r"review_id: must be of type integer.*\[dg:invalid_params\]"):
            self._decide(review_id="12")
        with self.assertRaisesRegex(ValidationError, r"surprise: is not a parameter.*\[dg:invalid_params\]"):
            self._decide(surprise=True)
        with self.assertRaisesRegex(ValidationError, r"params: must be of type object.*\[dg:invalid_params\]"):
            self.api.decide(["not", "an", "object"])

    def test_an_approver_may_only_act_as_themselves(self):
        api = self.env["governance.api"].with_user(self.carol)
        with self.assertRaisesRegex(AccessError, r"only act as themselves.*\[dg:forbidden\]"):
            self._decide(api=api, actor="alice")
        result = self._decide(api=self.env["governance.api"].with_user(self.alice))
        self.assertEqual(result["request_state"], "approved")

    def test_users_without_the_group_are_refused(self):
        with mute_logger("odoo.models"), self.assertRaisesRegex(AccessError, "dg:forbidden"):
            self._decide(api=self.env["governance.api"].with_user(self.buyer), actor="buyer")
        with self.assertRaisesRegex(AccessError, "dg:forbidden"):
            self.env["governance.api"].with_user(self.buyer).export_policy_document({})

    def test_list_pending_reviews(self):
        reviews = self.api.list_pending_reviews({"actor": "alice"})["reviews"]
        self.assertEqual([r["review_id"] for r in reviews], self.review_rec.ids)
        review = reviews[0]
        self.assertEqual((review["tier_name"], review["min_approvals"], review["approvals"]), ("Purchasing", 1, 0))
        self.assertEqual([p["login"] for p in review["eligible_approvers"]], ["alice"])
        self.assertEqual(review["requester"]["login"], "buyer")
        self.assertTrue(review["due"].endswith("Z"))
        self.assertEqual(self.api.list_pending_reviews({"actor": "olga"})["reviews"], [])
        everything = self.api.list_pending_reviews({})["reviews"]
        self.assertIn(self.review_rec.id, [r["review_id"] for r in everything])
        mine = self.env["governance.api"].with_user(self.alice).list_pending_reviews({})["reviews"]
        self.assertEqual([r["review_id"] for r in mine], self.review_rec.ids)

    def test_export_policy_document(self):
        document = self.api.export_policy_document({})
        self.assertEqual(document, self.policy.export_document())
        self.policy.action_retire()
        with self.assertRaisesRegex(MissingError, "no active policy"):
            self.api.export_policy_document({})

    def test_api_info(self):
        info = self.api.api_info({})
        self.assertEqual(info["api_version"], "1.3")
        self.assertTrue(info["integration"])
        self.assertIn("approval.requested", info["event_types"])
