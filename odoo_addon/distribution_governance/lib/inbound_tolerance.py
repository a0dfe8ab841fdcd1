"""Tolerances of inbound control (scenario S5): when a received quantity or a billed price is a discrepancy.

A tolerance has a percentage of the expected value and an absolute amount (quantity, or price per
unit). A difference is within tolerance when it stays within either of them, so the allowance is
the larger of the two: 5 % of 2 units is 0.1, yet one unit short of 2 is fine when the absolute
tolerance is 1. Both at zero means any difference counts.
"""

from collections import namedtuple

Tolerance = namedtuple("Tolerance", "percent absolute")


def allowance(expected, tolerance):
    """How far the actual value may differ from ``expected``, either way."""
    return max(abs(expected) * tolerance.percent / 100.0, tolerance.absolute)


def difference_percent(expected, actual):
    """The difference as a percentage of the expected value, a decimal string (None when nothing
    was expected)."""
    if not expected:
        return None
    return decimal_text((actual - expected) * 100.0 / expected, 2)


def beyond(expected, actual, tolerance, precision=1e-9):
    """Whether ``actual`` differs from ``expected`` by more than the tolerance allows.

    ``precision`` absorbs rounding (half the unit of measure's rounding, or of the currency's).
    """
    return abs(actual - expected) - allowance(expected, tolerance) > precision


def check_tolerance(percent, absolute):
    """A readable problem with a tolerance's values, or None."""
    if percent is None or absolute is None or percent < 0 or absolute < 0:
        return "a tolerance is a percentage and an absolute amount, both zero or more"
    if percent > 1000:
        return "a percentage tolerance above 1000 % would accept anything"
    return None


def decimal_text(value, digits=3):
    """A number as the contract writes a decimal (a string: events carry integers only), without
    trailing zeros: 94.0 -> "94", -5.5 -> "-5.5"."""
    text = f"{round(value, digits) + 0.0:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tolerance_data(tolerance, source):
    return {"percent": decimal_text(tolerance.percent, 2), "absolute": decimal_text(tolerance.absolute, 6),
            "source": source}
