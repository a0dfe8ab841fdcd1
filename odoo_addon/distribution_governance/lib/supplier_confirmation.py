"""Supplier confirmations without the ORM: dates from the API, drift, outcome and fast-moving items.

Times are naive UTC datetimes, as Odoo stores them.
"""

import re
from datetime import datetime, timedelta, timezone

_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)


def parse_date(text):
    """A naive UTC datetime from an ISO 8601 date or date-time; ValueError names what is wrong.

    A plain date means midnight UTC of that day; a date-time without an offset is UTC.
    """
    match = _DATE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 date or date-time")
    year, month, day, hour, minute, second, offset = match.groups()
    moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def day_difference(later, earlier):
    """Whole calendar days from ``earlier`` to ``later`` (negative when earlier is later)."""
    if not later or not earlier:
        return 0
    return (later.date() - earlier.date()).days


def lead_time_drift(order_date, promised, usual_lead_days):
    """Promised lead time (order date to promised date) minus the vendor's usual lead time, in days."""
    if not order_date or not promised:
        return 0
    return day_difference(promised, order_date) - int(usual_lead_days or 0)


def outcome(status, date_changed, answered_at, due):
    """How n8n routes an answer: rejected, date_changed, overdue (after the window closed) or on_time."""
    if status == "rejected":
        return "rejected"
    if date_changed:
        return "date_changed"
    if due and answered_at and answered_at > due:
        return "overdue"
    return "on_time"


def is_fast_moving(quantity_sold, minimum_quantity):
    """A product is fast-moving when it sold at least ``minimum_quantity`` units in the window."""
    return minimum_quantity > 0 and quantity_sold >= minimum_quantity


def hours_left(due, now):
    """Whole hours until ``due`` (negative once past), rounded toward the past."""
    if not due:
        return 0
    seconds = (due - now).total_seconds()
    return int(seconds // 3600)


def utc_text(moment):
    """RFC 3339 UTC text, or "" for none (the API never answers null)."""
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""
