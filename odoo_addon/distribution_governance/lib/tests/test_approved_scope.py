import unittest

from ..approved_scope import CEILING, FLOOR, overruns

APPROVED = {"amount": "12500.00", "vendor_risk": "low", "product_categories": ["All", "All / Spare parts"]}


class TestOverruns(unittest.TestCase):
    def test_same_or_lower_stays_within(self):
        self.assertEqual(overruns(APPROVED, dict(APPROVED), {"amount": CEILING}), [])
        lower = dict(APPROVED, amount="500.00", product_categories=["All"])
        self.assertEqual(overruns(APPROVED, lower, {"amount": CEILING}), [])

    def test_ceiling_compares_as_decimals(self):
        self.assertEqual(overruns({"amount": "12500.00"}, {"amount": "12500"}, {"amount": CEILING}), [])
        [found] = overruns(APPROVED, dict(APPROVED, amount="500000.00"), {"amount": CEILING})
        self.assertEqual((found["key"], found["kind"], found["approved"], found["current"]),
                         ("amount", "above", "12500.00", "500000.00"))
        # 9 is not above 10 (a string comparison would say it is).
        self.assertEqual(overruns({"amount": "10"}, {"amount": "9"}, {"amount": CEILING}), [])

    def test_floor_may_only_go_up(self):
        self.assertEqual(overruns({"margin": "20"}, {"margin": "25"}, {"margin": FLOOR}), [])
        self.assertEqual(overruns({"margin": "20"}, {"margin": "19.99"}, {"margin": FLOOR})[0]["kind"], "below")

    def test_without_a_bound_any_difference_counts(self):
        self.assertEqual(overruns({"amount": "10"}, {"amount": "9"})[0]["kind"], "changed")
        self.assertEqual(overruns(APPROVED, dict(APPROVED, vendor_risk="medium"))[0]["kind"], "changed")

    def test_lists_may_lose_but_not_gain(self):
        [found] = overruns(APPROVED, dict(APPROVED, product_categories=["All", "All / Tools"]))
        self.assertEqual((found["kind"], found["values"]), ("added", ["All / Tools"]))

    def test_a_value_that_appears_or_disappears_is_a_change(self):
        self.assertEqual(overruns(APPROVED, dict(APPROVED, urgency="urgent"))[0]["key"], "urgency")
        without = {key: value for key, value in APPROVED.items() if key != "vendor_risk"}
        self.assertEqual(overruns(APPROVED, without)[0]["kind"], "changed")
        self.assertEqual(overruns({"amount": None}, {"amount": "5"}, {"amount": CEILING})[0]["kind"], "changed")

    def test_unreadable_numbers_count_as_a_change(self):
        self.assertEqual(overruns({"amount": "10"}, {"amount": "ten"}, {"amount": CEILING})[0]["kind"], "changed")
