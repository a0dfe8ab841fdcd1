"""Whether the tiers of one request can all be staffed by different people.

One person cannot satisfy two tiers of the same request, so the tiers together need as many
different eligible people as the sum of their minimums; by Hall's theorem they can be staffed
exactly when every group of tiers has, between its eligible people, at least the sum of its
minimums. Pure Python: no Odoo import.
"""

from itertools import combinations

# Requests have a handful of tiers; beyond this many only groups of two are checked.
EXHAUSTIVE_UP_TO = 12


def understaffed_group(tiers):
    """The smallest group of two or more tiers that cannot be staffed by different people, or None.

    ``tiers`` is a list of ``(name, min_approvals, people)`` where ``people`` is a set. Returns
    ``(names, needed, available)``. Single tiers are left to the caller, which names why people
    were left out.
    """
    largest = len(tiers) if len(tiers) <= EXHAUSTIVE_UP_TO else 2
    for size in range(2, largest + 1):
        for group in combinations(tiers, size):
            needed = sum(tier[1] for tier in group)
            available = len(set().union(*(tier[2] for tier in group)))
            if available < needed:
                return [tier[0] for tier in group], needed, available
    return None
