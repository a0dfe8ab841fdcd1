import unittest

from ..api_params import API, EVENT_TYPES, ParamsError, check_params
from .common import HAS_CONTRACT, NO_CONTRACT_REASON, load_contract


@unittest.skipUnless(HAS_CONTRACT, NO_CONTRACT_REASON)
class TestContractCopies(unittest.TestCase):
    """The addon ships copies of contract files (it may be installed without the repository)."""

    def test_api_methods_copy_equals_contract(self):
        self.assertEqual(API, load_contract("api", "methods.json"))

    def test_event_types_copy_equals_contract(self):
        self.assertEqual(EVENT_TYPES, load_contract("events", "event-types.json")["event_types"])


class TestCheckParams(unittest.TestCase):
    def decide(self, **changes):
        params = {"review_id": 3, "actor": "maria", "outcome": "approve", "idempotency_key": "key-00000001"}
        params.update(changes)
        return {key: value for key, value in params.items() if value is not None}

    def assert_error(self, method, params, path):
        with self.assertRaises(ParamsError) as caught:
            check_params(method, params)
        self.assertEqual(caught.exception.path, path)

    def test_valid_params_pass(self):
        self.assertEqual(check_params("decide", self.decide(comment="ok")), self.decide(comment="ok"))

    def test_defaults_are_filled_in(self):
        self.assertEqual(check_params("list_pending_reviews", {})["limit"], 100)

    def test_each_problem_names_its_field(self):
        self.assert_error("decide", self.decide(review_id=None), "review_id")
        self.assert_error("decide", self.decide(review_id="3"), "review_id")
        self.assert_error("decide", self.decide(review_id=True), "review_id")
        self.assert_error("decide", self.decide(review_id=0), "review_id")
        self.assert_error("decide", self.decide(outcome="maybe"), "outcome")
        self.assert_error("decide", self.decide(idempotency_key="short"), "idempotency_key")
        self.assert_error("decide", self.decide(extra=1), "extra")
        self.assert_error("list_pending_reviews", {"limit": 1001}, "limit")
        self.assert_error("api_info", [], "")


if __name__ == "__main__":
    unittest.main()
