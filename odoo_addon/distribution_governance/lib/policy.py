"""Policy evaluation: the Python half of contract/policy/SEMANTICS.md.

Plain Python (no ``odoo`` import) so that it is unit-tested on its own and gives the same
canonical result, byte for byte, as nodes/shared/policy/ in TypeScript. Odoo calls
``evaluate`` and never evaluates a policy any other way.

Command line: ``python3 policy.py VECTORS.json`` or ``python3 policy.py POLICY.json INPUT.json``
prints canonical JSON results (see ``main``); one process evaluates a whole vector file (the
differential test in test/contract/ sends thousands of random cases through it at once).
"""

import hashlib
import json
import os
import re
import sys
from decimal import Decimal

if __package__:
    from .canonical_json import as_safe_integer, canonical_json, has_lone_surrogate
else:  # run as a script
    from canonical_json import as_safe_integer, canonical_json, has_lone_surrogate

POLICY_FORMAT = "distribution-governance.policy/1"
ACTIONS = ("require_tier", "block", "hold")
APPROVER_TYPES = ("user", "group", "field")
OUTCOMES = ("auto_approve", "needs_approval", "hold", "blocked")

# Always used with fullmatch: "$" would also match before a final newline ("10000\n").
_DECIMAL_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_RULE_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_HASH_RE = re.compile(r"sha256:[0-9a-f]{64}")
# The CLI reads JSON integers of more digits than this as (inexact, unsafe) floats: Python refuses
# to convert an integer of over 4,300 digits, and no integer of 17 or more digits is a safe one.
_MAX_INTEGER_DIGITS = 32
MAX_DEPTH = 64  # arrays and objects nested in one another, the document itself included

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "facts.json"), encoding="utf-8") as _catalogue:
    CATALOGUE = json.load(_catalogue)
FACT_TYPES = {name: spec["type"] for name, spec in CATALOGUE["facts"].items()}
TYPE_OPERATORS = {name: tuple(spec["operators"]) for name, spec in CATALOGUE["types"].items()}
OPERATORS = tuple(op for ops in TYPE_OPERATORS.values() for op in ops)

MSG_OBJECT = "must be an object"
MSG_ARRAY = "must be an array"
MSG_NON_EMPTY = "must be a non-empty string"
MSG_DECIMAL = "must be a decimal string or an integer"
MSG_APPROVER = 'must be {"type": "user"|"group"|"field", "ref": non-empty string}'
MSG_LONE_SURROGATE = "must not contain a lone surrogate"
FACT_TYPE_MESSAGES = {
    "decimal": MSG_DECIMAL,
    "string": "must be a string",
    "boolean": "must be a boolean",
    "string_list": "must be an array of strings",
}


class PolicyError(ValueError):
    """An invalid policy document or input; ``as_result()`` is the contract's error object."""

    def __init__(self, code, path, message):
        super().__init__(f"{code} at {path or '<root>'}: {message}")
        self.code = code
        self.path = path
        self.message = message

    def as_result(self):
        return {"error": {"code": self.code, "message": self.message, "path": self.path}}


def _policy_error(path, message):
    return PolicyError("invalid_policy", path, message)


def _input_error(path, message):
    return PolicyError("invalid_input", path, message)


def parse_decimal(value):
    """A fact or condition decimal as an exact Decimal, or None when it is not one."""
    if isinstance(value, str):
        return Decimal(value) if _DECIMAL_RE.fullmatch(value) else None
    integer = as_safe_integer(value)
    return Decimal(integer) if integer is not None else None


def _is_non_empty_string(value):
    return isinstance(value, str) and value != ""


def _is_string_list(value, non_empty=False):
    return isinstance(value, list) and all(isinstance(item, str) for item in value) and (bool(value) or not non_empty)


def _is_approver(value):
    return (
        isinstance(value, dict)
        and value.get("type") in APPROVER_TYPES
        and _is_non_empty_string(value.get("ref"))
    )


def _check_integer(value, minimum):
    integer = as_safe_integer(value)
    return integer is not None and integer >= minimum


def _member_path(path, key):
    return f"{path}.{key}" if path else key


def _nested_deeper_than(value, limit):
    """Whether ``value`` nests arrays and objects more than ``limit`` deep (recursion stays within limit + 1)."""
    if isinstance(value, (dict, list)):
        if limit < 1:
            return True
        items = value.values() if isinstance(value, dict) else value
        return any(_nested_deeper_than(item, limit - 1) for item in items)
    return False


def _has_only_integers(value):
    """Whether every number in ``value`` is a safe integer (so it has a canonical form)."""
    if isinstance(value, dict):
        return all(_has_only_integers(item) for item in value.values())
    if isinstance(value, list):
        return all(_has_only_integers(item) for item in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return as_safe_integer(value) is not None
    return True


def lone_surrogate_path(value, path=""):
    """The path of the first string holding a lone surrogate in ``value``, or None.

    Canonical order: an object's keys by code point, each key before its value (a key with a lone
    surrogate is reported at the object's own path); array items in order.
    """
    if isinstance(value, str):
        return path if has_lone_surrogate(value) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key in sorted(value):
            if has_lone_surrogate(key):
                return path
            found = lone_surrogate_path(value[key], _member_path(path, key))
            if found is not None:
                return found
    return None


def content_hash(document):
    """``sha256:<hex>`` of the canonical JSON of ``document`` without its ``content_hash``."""
    body = {key: value for key, value in document.items() if key != "content_hash"}
    return "sha256:" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _validate_condition(condition, path):
    if not isinstance(condition, dict):
        raise _policy_error(path, MSG_OBJECT)
    fact = condition.get("fact")
    if not isinstance(fact, str) or fact not in FACT_TYPES:
        raise _policy_error(f"{path}.fact", "unknown fact")
    op = condition.get("op")
    fact_type = FACT_TYPES[fact]
    if not isinstance(op, str) or op not in OPERATORS:
        raise _policy_error(f"{path}.op", "unknown operator")
    if op not in TYPE_OPERATORS[fact_type]:
        raise _policy_error(f"{path}.op", f"operator not allowed for a {fact_type} fact")
    value = condition.get("value")
    value_path = f"{path}.value"
    if op in ("in", "not_in", "any_in", "none_in"):
        if not _is_string_list(value, non_empty=True):
            raise _policy_error(value_path, "must be a non-empty array of strings")
    elif op == "between":
        bounds = [parse_decimal(item) for item in value] if isinstance(value, list) and len(value) == 2 else None
        if bounds is None or None in bounds or bounds[0] > bounds[1]:
            raise _policy_error(value_path, "must be [low, high] decimals with low <= high")
    elif fact_type == "decimal":
        if parse_decimal(value) is None:
            raise _policy_error(value_path, MSG_DECIMAL)
    elif fact_type == "string":
        if not isinstance(value, str):
            raise _policy_error(value_path, "must be a string")
    elif not isinstance(value, bool):
        raise _policy_error(value_path, "must be a boolean")


def _validate_tier(rule, path):
    tier = rule.get("tier")
    if rule["action"] != "require_tier":
        if tier is not None:
            raise _policy_error(f"{path}.tier", "only require_tier rules have a tier")
        return
    path = f"{path}.tier"
    if not isinstance(tier, dict):
        raise _policy_error(path, MSG_OBJECT)
    if not _check_integer(tier.get("level"), 1):
        raise _policy_error(f"{path}.level", "must be an integer >= 1")
    if not _is_non_empty_string(tier.get("name")):
        raise _policy_error(f"{path}.name", MSG_NON_EMPTY)
    approvers = tier.get("approvers")
    if not isinstance(approvers, list) or not approvers:
        raise _policy_error(f"{path}.approvers", "must be a non-empty array")
    seen = set()
    for index, approver in enumerate(approvers):
        if not _is_approver(approver):
            raise _policy_error(f"{path}.approvers[{index}]", MSG_APPROVER)
        if (approver["type"], approver["ref"]) in seen:
            raise _policy_error(f"{path}.approvers[{index}]", "duplicate approver")
        seen.add((approver["type"], approver["ref"]))
    if not _check_integer(tier.get("min_approvals"), 1):
        raise _policy_error(f"{path}.min_approvals", "must be an integer >= 1")
    # Without a group, each approver (a user, or the user in a field) is one person at most.
    no_group = all(approver["type"] != "group" for approver in approvers)
    if no_group and as_safe_integer(tier["min_approvals"]) > len(approvers):
        raise _policy_error(f"{path}.min_approvals", "exceeds the number of named approvers")
    sla_hours = tier.get("sla_hours")
    if sla_hours is not None and not _check_integer(sla_hours, 1):
        raise _policy_error(f"{path}.sla_hours", "must be an integer >= 1 or null")
    escalate_to = tier.get("escalate_to")
    if escalate_to is not None and not _is_approver(escalate_to):
        raise _policy_error(f"{path}.escalate_to", MSG_APPROVER + " or null")


def _validate_rule(rule, path, seen_ids):
    if not isinstance(rule, dict):
        raise _policy_error(path, MSG_OBJECT)
    rule_id = rule.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID_RE.fullmatch(rule_id):
        raise _policy_error(f"{path}.id", "must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    if rule_id in seen_ids:
        raise _policy_error(f"{path}.id", "duplicate rule id")
    seen_ids.add(rule_id)
    if not _check_integer(rule.get("sequence"), 0):
        raise _policy_error(f"{path}.sequence", "must be an integer >= 0")
    if not _is_non_empty_string(rule.get("document_type")):
        raise _policy_error(f"{path}.document_type", MSG_NON_EMPTY)
    conditions = rule.get("conditions")
    if not isinstance(conditions, list):
        raise _policy_error(f"{path}.conditions", MSG_ARRAY)
    for index, condition in enumerate(conditions):
        _validate_condition(condition, f"{path}.conditions[{index}]")
    if rule.get("action") not in ACTIONS:
        raise _policy_error(f"{path}.action", "must be one of require_tier, block, hold")
    if not _is_non_empty_string(rule.get("reason")):
        raise _policy_error(f"{path}.reason", MSG_NON_EMPTY)
    _validate_tier(rule, path)


def validate_policy(document):
    """Raise PolicyError for the first problem of ``document`` in the order of SEMANTICS.md."""
    if not isinstance(document, dict):
        raise _policy_error("", MSG_OBJECT)
    if document.get("format") != POLICY_FORMAT:
        raise _policy_error("format", f'must be "{POLICY_FORMAT}"')
    if not _is_non_empty_string(document.get("name")):
        raise _policy_error("name", MSG_NON_EMPTY)
    if not _check_integer(document.get("version"), 1):
        raise _policy_error("version", "must be an integer >= 1")
    currency = document.get("currency")
    if not isinstance(currency, str) or not _CURRENCY_RE.fullmatch(currency):
        raise _policy_error("currency", "must be an ISO 4217 currency code")
    declared_hash = document.get("content_hash")
    if "content_hash" in document and (not isinstance(declared_hash, str) or not _HASH_RE.fullmatch(declared_hash)):
        raise _policy_error("content_hash", 'must be "sha256:" followed by 64 lowercase hex digits')
    rules = document.get("rules")
    if not isinstance(rules, list):
        raise _policy_error("rules", MSG_ARRAY)
    seen_ids = set()
    for index, rule in enumerate(rules):
        _validate_rule(rule, f"rules[{index}]", seen_ids)
    if _nested_deeper_than(document, MAX_DEPTH):
        raise _policy_error("", f"must not be nested more than {MAX_DEPTH} levels deep")
    if not _has_only_integers(document):
        raise _policy_error("", "must contain integer numbers only")
    surrogate_path = lone_surrogate_path(document)
    if surrogate_path is not None:
        raise _policy_error(surrogate_path, MSG_LONE_SURROGATE)
    if "content_hash" in document and declared_hash != content_hash(document):
        raise _policy_error("content_hash", "does not match the document's content")


def validate_input(document, subject):
    """Raise PolicyError for the first problem of the evaluation input ``subject``."""
    if not isinstance(subject, dict):
        raise _input_error("", MSG_OBJECT)
    if not _is_non_empty_string(subject.get("document_type")):
        raise _input_error("document_type", MSG_NON_EMPTY)
    if has_lone_surrogate(subject["document_type"]):
        raise _input_error("document_type", MSG_LONE_SURROGATE)
    facts = subject.get("facts")
    if not isinstance(facts, dict):
        raise _input_error("facts", MSG_OBJECT)
    currency = facts.get("currency")
    if currency is not None and currency != document["currency"]:
        raise _input_error("facts.currency", f"does not match the policy currency {document['currency']}")
    for name, fact_type in FACT_TYPES.items():
        value = facts.get(name)
        if value is None:
            continue
        valid = {
            "decimal": lambda v: parse_decimal(v) is not None,
            "string": lambda v: isinstance(v, str),
            "boolean": lambda v: isinstance(v, bool),
            "string_list": _is_string_list,
        }[fact_type](value)
        if not valid:
            raise _input_error(f"facts.{name}", FACT_TYPE_MESSAGES[fact_type])
        if fact_type in ("string", "string_list") and lone_surrogate_path(value) is not None:
            raise _input_error(f"facts.{name}", MSG_LONE_SURROGATE)


def _condition_holds(condition, value):
    """True or False for a condition on a present fact value."""
    op, expected = condition["op"], condition["value"]
    fact_type = FACT_TYPES[condition["fact"]]
    if fact_type == "decimal":
        actual = parse_decimal(value)
        if op == "between":
            low, high = (parse_decimal(bound) for bound in expected)
            return low <= actual <= high
        target = parse_decimal(expected)
        return {
            "eq": actual == target,
            "ne": actual != target,
            "lt": actual < target,
            "lte": actual <= target,
            "gt": actual > target,
            "gte": actual >= target,
        }[op]
    if op == "eq":
        return value == expected
    if op == "ne":
        return value != expected
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    overlap = any(item in expected for item in value)
    return overlap if op == "any_in" else not overlap


def _rule_status(rule, facts):
    """('matched' | 'not_matched' | 'undetermined', missing fact names)."""
    missing = []
    for condition in rule["conditions"]:
        value = facts.get(condition["fact"])
        if value is None:
            missing.append(condition["fact"])
        elif not _condition_holds(condition, value):
            return "not_matched", []
    if missing:
        return "undetermined", missing
    return "matched", []


def evaluate_or_raise(document, subject):
    """Evaluate ``subject`` against the policy ``document``; raises PolicyError when either is invalid."""
    validate_policy(document)
    validate_input(document, subject)
    document_type = subject["document_type"]
    facts = subject["facts"]
    rules = sorted(
        (rule for rule in document["rules"] if rule["document_type"] == document_type),
        key=lambda rule: (as_safe_integer(rule["sequence"]), rule["id"]),
    )
    matched, undetermined, missing = [], [], set()
    for rule in rules:
        status, rule_missing = _rule_status(rule, facts)
        if status == "matched":
            matched.append(rule)
        elif status == "undetermined":
            undetermined.append(rule)
            missing.update(rule_missing)
    actions = {rule["action"] for rule in matched}
    if "block" in actions:
        outcome = "blocked"
    elif "hold" in actions or undetermined:
        outcome = "hold"
    elif "require_tier" in actions:
        outcome = "needs_approval"
    else:
        outcome = "auto_approve"
    levels = {}
    for rule in matched:
        if rule["action"] == "require_tier":
            levels.setdefault(as_safe_integer(rule["tier"]["level"]), []).append(rule["id"])
    return {
        "document_type": document_type,
        "levels": [{"level": level, "tiers": levels[level]} for level in sorted(levels)],
        "matched_rules": [rule["id"] for rule in matched],
        "missing_facts": sorted(missing),
        "outcome": outcome,
        "policy": {"name": document["name"], "version": as_safe_integer(document["version"])},
        "reasons": [{"action": rule["action"], "rule": rule["id"], "text": rule["reason"]} for rule in matched],
        "undetermined_rules": [rule["id"] for rule in undetermined],
    }


def evaluate(document, subject):
    """The contract's result object: an evaluation, or ``{"error": {...}}`` for invalid data."""
    try:
        return evaluate_or_raise(document, subject)
    except PolicyError as error:
        return error.as_result()


def _big_integer(text):
    if len(text.lstrip("-")) <= _MAX_INTEGER_DIGITS:
        return int(text)
    return float(text)  # beyond any safe integer (inf for thousands of digits): never an integer


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def load_json(handle):
    """Read JSON as JavaScript's JSON.parse does: huge integers stay numbers, NaN/Infinity are refused."""
    return json.load(handle, parse_int=_big_integer, parse_constant=_no_constant)


def main(argv):
    """Print canonical results: one per case of a vector file, or one for a policy and an input file.

    ``policy.py VECTORS.json`` prints ``<case name> <result>`` lines (the TypeScript CLI prints the
    same, so the two can be diffed); ``policy.py POLICY.json INPUT.json`` prints one result.
    """
    if len(argv) not in (1, 2):
        sys.stderr.write("usage: policy.py VECTORS.json | policy.py POLICY.json INPUT.json\n")
        return 2
    loaded = []
    for path in argv:
        try:
            with open(path, encoding="utf-8") as handle:
                loaded.append(load_json(handle))
        except (OSError, ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            sys.stderr.write(f"policy.py: cannot read {path}: {type(error).__name__}: {error}\n")
            return 2
    if len(loaded) == 2:
        lines = [canonical_json(evaluate(loaded[0], loaded[1]))]
    else:
        lines = [f"{case['name']} {canonical_json(evaluate(case['policy'], case['input']))}" for case in loaded[0]["cases"]]
    # UTF-8 whatever the locale, like the TypeScript command line.
    sys.stdout.buffer.write("".join(f"{line}\n" for line in lines).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
