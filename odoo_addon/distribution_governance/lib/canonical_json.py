"""Canonical JSON, as defined in contract/policy/SEMANTICS.md.

Sorted keys, no insignificant white space, UTF-8, integer numbers only. Used for policy
content hashes, the audit hash chain and byte-for-byte comparison with the TypeScript side.
"""

import json

MAX_SAFE_INTEGER = 2**53 - 1


class NonCanonicalNumber(ValueError):
    """The value holds a number that has no canonical form (a fraction, or beyond 2^53-1)."""


def as_safe_integer(value):
    """Return ``value`` as an int when it is a JSON integer JavaScript holds exactly, else None.

    ``1.0`` counts as ``1`` because JavaScript cannot tell them apart; booleans never count.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else None
    if isinstance(value, float) and value.is_integer() and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return int(value)
    return None


def _normalise(value):
    if isinstance(value, dict):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        integer = as_safe_integer(value)
        if integer is None:
            raise NonCanonicalNumber(repr(value))
        return integer
    return value


def canonical_json(value):
    """Serialise ``value`` canonically; raises NonCanonicalNumber for non-integer numbers."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
