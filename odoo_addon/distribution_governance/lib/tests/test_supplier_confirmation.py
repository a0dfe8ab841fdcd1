import unittest
from datetime import datetime

from ..api_params import ParamsError, check_params
from ..supplier_confirmation import day_difference, hours_left, is_fast_moving, lead_time_drift, outcome, parse_date


class TestSupplierConfirmationLogic(unittest.TestCase):
    def test_parse_date_reads_dates_and_offsets_as_utc(self):
        self.assertEqual(parse_date("2026-12-08"), datetime(2026, 12, 8))
        self.assertEqual(parse_date("2026-12-08T09:30:00Z"), datetime(2026, 12, 8, 9, 30))
        self.assertEqual(parse_date("2026-12-08T09:30:00+02:00"), datetime(2026, 12, 8, 7, 30))
        self.assertEqual(parse_date("2026-12-08 01:00-0130"), datetime(2026, 12, 8, 2, 30))
        for bad in ("08/12/2026", "2026-13-01", "2026-12-08T25:00", "", None):
            with self.assertRaises(ValueError):
                parse_date(bad)

    def test_drift_and_lead_time(self):
        self.assertEqual(day_difference(datetime(2026, 12, 8, 1), datetime(2026, 12, 1, 23)), 7)
        self.assertEqual(day_difference(datetime(2026, 11, 30), datetime(2026, 12, 1)), -1)
        self.assertEqual(lead_time_drift(datetime(2026, 11, 20), datetime(2026, 12, 8), 14), 4)
        self.assertEqual(lead_time_drift(None, datetime(2026, 12, 8), 14), 0)

    def test_outcome_routes(self):
        due = datetime(2026, 12, 2)
        self.assertEqual(outcome("rejected", True, datetime(2026, 12, 3), due), "rejected")
        self.assertEqual(outcome("confirmed", True, datetime(2026, 12, 3), due), "date_changed")
        self.assertEqual(outcome("confirmed", False, datetime(2026, 12, 3), due), "overdue")
        self.assertEqual(outcome("confirmed", False, datetime(2026, 12, 1), due), "on_time")

    def test_fast_moving_and_hours_left(self):
        self.assertTrue(is_fast_moving(10, 10))
        self.assertFalse(is_fast_moving(9.5, 10))
        self.assertFalse(is_fast_moving(1000, 0))
        self.assertEqual(hours_left(datetime(2026, 12, 2, 12), datetime(2026, 12, 2, 9, 30)), 2)
        self.assertEqual(hours_left(datetime(2026, 12, 2, 9), datetime(2026, 12, 2, 9, 30)), -1)

    def test_record_params_are_bounded(self):
        base = {"purchase_order": "P00042", "status": "confirmed", "source": "edi", "idempotency_key": "key-00000001"}
        check_params("record_supplier_confirmation", dict(base, lines=[{"line_number": 1, "promised_date": "2026-12-08"}]))
        cases = {
            "lines": dict(base, lines=[{"line_number": 1}] * 501),
            "supplier_reference": dict(base, supplier_reference="x" * 101),
            "reason": dict(base, reason="x" * 2001),
            "lines[0].product_code": dict(base, lines=[{"product_code": "x" * 101}]),
            "lines[0].extra": dict(base, lines=[{"extra": 1}]),
            "received_at": dict(base, received_at="yesterday"),
        }
        for path, params in cases.items():
            with self.assertRaises(ParamsError) as caught:
                check_params("record_supplier_confirmation", params)
            self.assertEqual(caught.exception.path, path)


if __name__ == "__main__":
    unittest.main()
