import unittest

from ..tier_staffing import understaffed_group


class TestUnderstaffedGroup(unittest.TestCase):
    def test_enough_different_people(self):
        tiers = [("Purchasing", 1, {"alice"}), ("Finance", 2, {"alice", "fay", "finn"}), ("Operations", 1, {"olga"})]
        self.assertIsNone(understaffed_group(tiers))

    def test_one_person_needed_by_two_tiers(self):
        tiers = [("Purchasing", 1, {"alice"}), ("Finance", 2, {"alice", "finn"}), ("Operations", 1, {"olga"})]
        self.assertEqual(understaffed_group(tiers), (["Purchasing", "Finance"], 3, 2))

    def test_only_a_larger_group_falls_short(self):
        # Every pair can be staffed; the three tiers together need 3 people out of 2.
        tiers = [("A", 1, {"x", "y"}), ("B", 1, {"x", "y"}), ("C", 1, {"x", "y"})]
        self.assertEqual(understaffed_group(tiers), (["A", "B", "C"], 3, 2))

    def test_single_tiers_are_left_to_the_caller(self):
        self.assertIsNone(understaffed_group([("Finance", 2, {"fay"})]))
        self.assertIsNone(understaffed_group([]))
