import unittest

from odoo.tests import tagged

from ..lib.tests.receiver import Receiver
from .common import GovernanceCase
from .outbox_common import HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON, verify_with_typescript


@tagged("post_install", "-at_install")
class TestLevelAndOutcomeEvents(GovernanceCase):
    """Every reviewer is told when their level opens, and the requester of every outcome.

    Level 1 opens with approval.requested; each later level with approval.level_opened (its reviews
    and eligible approvers in approval.requested's shape). approval.completed names the requester
    and the decision that closed the request, with its comment.
    """

    def confirmed(self, amount):
        order = self.create_order(amount)
        order.with_user(self.buyer).button_confirm()
        return order

    def events_of(self, order):
        return self.env["governance.event"].search([("subject", "=", f"purchase.order/{order.id}")], order="sequence")

    def test_the_second_level_is_announced_with_its_reviews_and_approvers(self):
        order = self.confirmed(20000)
        self.decide(order, "Purchasing", self.alice)
        events = self.events_of(order)
        self.assertEqual(events.mapped("event_type"), ["approval.requested", "approval.decided", "approval.level_opened"])
        data = events[-1].envelope()["data"]
        self.assertEqual((data["level"], data["request"]["state"], data["requester"]["login"]), (2, "pending", "buyer"))
        self.assertEqual(data["document"]["name"], order.name)
        reviews = {review["tier_name"]: review for review in data["pending_reviews"]}
        self.assertEqual(sorted(reviews), ["Finance", "Operations"])
        self.assertEqual({review["level"] for review in reviews.values()}, {2})
        self.assertEqual(reviews["Finance"]["review_id"], self.review(order, "Finance").id)
        self.assertEqual(sorted(person["login"] for person in reviews["Finance"]["eligible_approvers"]),
                         ["alice", "fay", "finn"])
        self.assertEqual([person["email"] for person in reviews["Operations"]["eligible_approvers"]],
                         ["olga@acme.example"])
        # Only the reasons of the opened level's tiers.
        self.assertEqual({reason["rule"] for reason in data["reasons"]}, {"po-10k-finance", "po-10k-ops"})

    def test_no_level_event_while_a_level_is_still_open_nor_after_the_last(self):
        order = self.confirmed(20000)
        self.decide(order, "Purchasing", self.alice)
        self.decide(order, "Finance", self.fay)
        self.decide(order, "Operations", self.olga)
        self.decide(order, "Finance", self.finn)
        # Approval events only: the released order goes on to ask its supplier for confirmation.
        approval_events = self.events_of(order).filtered(lambda event: event.event_type.startswith("approval."))
        types = approval_events.mapped("event_type")
        self.assertEqual(types.count("approval.level_opened"), 1)
        self.assertEqual(types[-1], "approval.completed")
        self.assertEqual(self.events_of(order).mapped("event_type")[-1], "supplier_confirmation.requested")
        data = approval_events[-1].envelope()["data"]
        self.assertEqual((data["result"], data["requester"]["email"]), ("approved", "buyer@acme.example"))
        self.assertEqual((data["closing_decision"]["actor"]["login"], data["closing_decision"]["outcome"],
                          data["closing_decision"]["tier_name"]), ("finn", "approve", "Finance"))

    def test_the_requester_hears_of_a_rejection_with_its_comment(self):
        order = self.confirmed(5000)
        self.decide(order, "Purchasing", self.alice, "reject", comment="Quote expired, ask again")
        data = self.events_of(order)[-1].envelope()["data"]
        self.assertEqual((data["result"], data["requester"]["login"]), ("rejected", "buyer"))
        self.assertEqual(data["closing_decision"]["comment"], "Quote expired, ask again")
        self.assertEqual(data["closing_decision"]["actor"]["login"], "alice")

    def test_the_requester_hears_of_changes_requested(self):
        order = self.confirmed(5000)
        self.decide(order, "Purchasing", self.alice, "request_changes", comment="Split the delivery")
        data = self.events_of(order)[-1].envelope()["data"]
        self.assertEqual((data["result"], data["closing_decision"]["comment"]), ("changes_requested", "Split the delivery"))

    def test_a_cancelled_request_has_no_closing_decision(self):
        order = self.confirmed(5000)
        order.with_user(self.buyer).button_cancel()
        data = self.events_of(order)[-1].envelope()["data"]
        self.assertEqual((data["result"], data["closing_decision"]), ("cancelled", None))

    def test_decide_over_the_api_says_who_decides_next(self):
        order = self.confirmed(20000)
        review = self.review(order, "Purchasing")
        result = self.env["governance.api"].with_user(self.integration).decide({
            "review_id": review.id, "actor": "alice", "outcome": "approve", "idempotency_key": "level-next-0001"})
        self.assertEqual(result["request_state"], "pending")
        self.assertEqual(sorted((item["level"], item["tier_name"]) for item in result["pending_reviews"]),
                         [(2, "Finance"), (2, "Operations")])

    @unittest.skipUnless(HAS_TYPESCRIPT_VERIFIER, NO_VERIFIER_REASON)
    def test_delivered_events_match_the_contract(self):
        receiver = Receiver()
        self.addCleanup(receiver.stop)
        subscription = self.env["governance.subscription"].create({
            "name": "Level receiver", "url": receiver.url,
            "event_types": "approval.level_opened,approval.completed"})
        order = self.confirmed(20000)
        self.decide(order, "Purchasing", self.alice)
        self.decide(order, "Finance", self.fay, "reject", comment="Over budget")
        for _batch in range(2):
            self.env["governance.delivery"]._dispatch_due()
        self.assertEqual([event["type"] for event in receiver.events()], ["approval.level_opened", "approval.completed"])
        results = verify_with_typescript([
            {"secrets": [subscription.secret], "headers": request["headers"], "body": request["body"]}
            for request in receiver.requests])
        self.assertEqual([(result["signature"], result["schema_errors"]) for result in results], [("valid", [])] * 2)
