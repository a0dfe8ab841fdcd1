import unittest

from ..policy_words import describe_conditions


class TestPolicyWords(unittest.TestCase):
    def test_amount_and_vendor(self):
        conditions = [{"fact": "amount", "op": "gte", "value": "1000"},
                      {"fact": "vendor_preferred", "op": "eq", "value": False}]
        self.assertEqual(describe_conditions(conditions, "USD"), "amount ≥ 1,000 USD and vendor not preferred")

    def test_lists_between_percent_and_none(self):
        self.assertEqual(describe_conditions([{"fact": "product_categories", "op": "any_in", "value": ["A", "B"]}]),
                         "product categories includes any of A, B")
        self.assertEqual(describe_conditions([{"fact": "amount", "op": "between", "value": ["10", "2000.5"]}], "EUR"),
                         "amount between 10 EUR and 2,000.50 EUR")
        self.assertEqual(describe_conditions([{"fact": "margin_percent", "op": "lt", "value": "12"}]), "margin % < 12 %")
        self.assertEqual(describe_conditions([]), "always")
