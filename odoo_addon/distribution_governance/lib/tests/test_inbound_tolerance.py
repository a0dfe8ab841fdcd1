import unittest

from ..inbound_tolerance import Tolerance, allowance, beyond, check_tolerance, decimal_text, difference_percent


class TestInboundTolerance(unittest.TestCase):
    def test_the_larger_allowance_wins(self):
        self.assertEqual(allowance(100, Tolerance(5, 0)), 5)
        self.assertEqual(allowance(2, Tolerance(5, 1)), 1)
        self.assertEqual(allowance(100, Tolerance(0, 0)), 0)

    def test_boundaries(self):
        five = Tolerance(5, 0)
        self.assertFalse(beyond(100, 95, five))       # exactly at the tolerance: fine
        self.assertFalse(beyond(100, 105, five))
        self.assertTrue(beyond(100, 94.9, five))
        self.assertTrue(beyond(100, 105.1, five))
        self.assertTrue(beyond(10, 10.8, Tolerance(5, 0)))   # 8 % over a 5 % tolerance
        self.assertFalse(beyond(10, 10.8, Tolerance(5, 1)))  # within the absolute one
        self.assertTrue(beyond(10, 10.01, Tolerance(0, 0)))
        self.assertFalse(beyond(10, 10.0000000001, Tolerance(0, 0)))
        self.assertTrue(beyond(0, 1, Tolerance(5, 0)))       # nothing expected, something came

    def test_difference_percent(self):
        self.assertEqual(difference_percent(100, 80), "-20")
        self.assertEqual(difference_percent(10, 10.8), "8")
        self.assertEqual(difference_percent(3, 2), "-33.33")
        self.assertIsNone(difference_percent(0, 3))

    def test_check_tolerance(self):
        self.assertIsNone(check_tolerance(5, 0))
        self.assertIsNotNone(check_tolerance(-1, 0))
        self.assertIsNotNone(check_tolerance(5, -0.5))
        self.assertIsNotNone(check_tolerance(5000, 0))

    def test_decimal_text(self):
        self.assertEqual([decimal_text(v) for v in (94.0, -5.5, 0.0, -0.0001, 1.23456)], ["94", "-5.5", "0", "0", "1.235"])
