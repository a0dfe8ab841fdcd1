import unittest

from ..api_params import API, EVENT_TYPES, ParamsError, check_params, without_nulls
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

    def test_oversized_strings_and_lists_are_refused(self):
        self.assert_error("decide", self.decide(comment="x" * 4001), "comment")
        self.assert_error("decide", self.decide(actor="a" * 255), "actor")
        params = {"url": "https://hooks.example.com/x", "event_types": ["governance.ping"], "secret": "whsec_x",
                  "idempotency_key": "key-00000001"}
        self.assert_error("register_subscription", dict(params, name="n" * 10240), "name")
        self.assert_error("register_subscription", dict(params, url="https://a.example/" + "p" * 2048), "url")
        self.assert_error("register_subscription", dict(params, event_types=["governance.ping"] * 51), "event_types")
        self.assertEqual(check_params("register_subscription", dict(params, name="n" * 200))["name"], "n" * 200)

    def test_lone_surrogates_are_refused_with_their_field(self):
        # Valid JSON ("\\ud800") that no column, hash or XML-RPC answer can carry.
        self.assert_error("decide", self.decide(comment="ok \ud800"), "comment")
        self.assert_error("decide", self.decide(idempotency_key="key-\udfff-00000001"), "idempotency_key")
        self.assertEqual(check_params("decide", self.decide(comment="ok \U0001F600"))["comment"], "ok \U0001F600")


class TestContractBounds(unittest.TestCase):
    """Every string a caller sends has a maximum length; no result schema admits null."""

    def strings_without_max(self, schema, path):
        found = []
        if schema.get("type") == "string" and "maxLength" not in schema and "enum" not in schema:
            found.append(path)
        for name, item in schema.get("properties", {}).items():
            found += self.strings_without_max(item, f"{path}.{name}")
        if "items" in schema:
            found += self.strings_without_max(schema["items"], f"{path}[]")
            if "maxItems" not in schema:
                found.append(f"{path} (array without maxItems)")
        return found

    def nullable(self, schema, path):
        found = []
        if isinstance(schema, dict):
            kinds = schema.get("type")
            if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
                found.append(path)
            for key, item in schema.items():
                found += self.nullable(item, f"{path}.{key}")
        elif isinstance(schema, list):
            for index, item in enumerate(schema):
                found += self.nullable(item, f"{path}[{index}]")
        return found

    def test_every_string_param_has_a_max_length(self):
        missing = [found for name, method in API["methods"].items()
                   for found in self.strings_without_max(method["params"], name)]
        self.assertEqual(missing, [])

    def test_no_result_schema_admits_null(self):
        self.assertEqual([found for name, method in API["methods"].items()
                          for found in self.nullable(method["result"], name)], [])

    def test_without_nulls(self):
        self.assertEqual(without_nulls({"a": None, "b": {"c": None, "d": [{"e": None, "f": 1}]}, "g": False}),
                         {"b": {"d": [{"f": 1}]}, "g": False})
        with self.assertRaises(ValueError):
            without_nulls({"a": [1, None]})


if __name__ == "__main__":
    unittest.main()
