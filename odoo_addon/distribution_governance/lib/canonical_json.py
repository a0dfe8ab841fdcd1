"""Canonical JSON, as defined in contract/policy/SEMANTICS.md.

Sorted keys, no insignificant white space, UTF-8, integer numbers only, no lone surrogates
(UTF-8 cannot encode them). Used for policy
content hashes, the audit hash chain and byte-for-byte comparison with the TypeScript side.
"""

import json
import re

MAX_SAFE_INTEGER = 2**53 - 1
# A surrogate code point in a Python string is always a lone one: JSON decoding joins an escaped
# high-low pair into one code point, and UTF-8 cannot carry a surrogate at all.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NonCanonicalNumber(ValueError):
    """The value holds a number that has no canonical form (a fraction, or beyond 2^53-1)."""


class NonCanonicalString(ValueError):
    """The value holds a string or key with a lone surrogate (U+D800-U+DFFF), which UTF-8 cannot encode."""


def has_lone_surrogate(text):
    """Whether the string ``text`` holds a surrogate that is not half of a pair (so is not text)."""
    return LONE_SURROGATE.search(text) is not None


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


def _check_text(text):
    if has_lone_surrogate(text):
        raise NonCanonicalString(ascii(text))
    return text


def _normalise(value):
    if isinstance(value, str):
        return _check_text(value)
    if isinstance(value, dict):
        return {_check_text(str(key)): _normalise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        integer = as_safe_integer(value)
        if integer is None:
            raise NonCanonicalNumber(repr(value))
        return integer
    return value


def canonical_json(value):
    """Serialise ``value`` canonically.

    Raises NonCanonicalNumber for a non-integer number and NonCanonicalString for a lone surrogate.
    """
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
