"""Whether a released document still stays within what its approval covered.

An approval is given for the facts a document had when it was submitted (and for what it is
bound to besides them, such as its vendor and products). After release a change may stay
inside that: a "ceiling" fact (an order's amount) may go down, a "floor" fact (a margin) may go
up, a list (product categories, products) may lose items; every other value must stay as it was.
Pure Python: no Odoo import.
"""

from decimal import Decimal, InvalidOperation

CEILING = "ceiling"
FLOOR = "floor"


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def overruns(approved, current, bounds=None):
    """The ways ``current`` goes beyond ``approved``, as a list of dicts, in key order.

    Each dict has ``key``, ``kind`` and the two values: ``above`` (a ceiling value went up),
    ``below`` (a floor value went down), ``added`` (a list gained items, ``values`` lists them),
    ``changed`` (any other difference, including a value that appeared or disappeared).
    An empty list means ``current`` is within ``approved``.
    """
    bounds = bounds or {}
    found = []
    for key in sorted(set(approved) | set(current)):
        before, after = approved.get(key), current.get(key)
        if before == after:
            continue
        entry = {"key": key, "approved": before, "current": after}
        bound = bounds.get(key)
        if isinstance(before, list) and isinstance(after, list):
            added = [value for value in after if value not in before]
            if added:
                found.append(dict(entry, kind="added", values=added))
            continue
        if bound in (CEILING, FLOOR) and before is not None and after is not None:
            low, high = _decimal(before), _decimal(after)
            if low is not None and high is not None:
                if (bound == CEILING and high > low) or (bound == FLOOR and high < low):
                    found.append(dict(entry, kind="above" if bound == CEILING else "below"))
                continue
        found.append(dict(entry, kind="changed"))
    return found
