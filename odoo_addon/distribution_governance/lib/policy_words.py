"""A policy rule's conditions in words, e.g. "amount ≥ 1,000 USD and vendor not preferred".

Plain Python (no ``odoo`` import) so the policy screen and its tests share one wording.
"""
from decimal import Decimal, InvalidOperation

OPERATOR_NAMES = {
    "eq": "is",
    "ne": "is not",
    "lt": "<",
    "lte": "≤",
    "gt": ">",
    "gte": "≥",
    "between": "between",
    "in": "is one of",
    "not_in": "is none of",
    "any_in": "includes any of",
    "none_in": "includes none of",
}
# Names for the operator picker of the condition editor.
OPERATOR_LABELS = {
    "eq": "is (=)",
    "ne": "is not (≠)",
    "lt": "less than (<)",
    "lte": "at most (≤)",
    "gt": "more than (>)",
    "gte": "at least (≥)",
    "between": "between",
    "in": "is one of",
    "not_in": "is none of",
    "any_in": "includes any of",
    "none_in": "includes none of",
}
MONEY_FACTS = ("amount", "adjustment_value")
PERCENT_FACTS = ("discount_percent", "margin_percent")
# Yes/no facts read better as a phrase than as "vendor preferred is false".
BOOLEAN_PHRASES = {
    "vendor_preferred": ("vendor preferred", "vendor not preferred"),
    "serialized": ("serialised item", "item not serialised"),
}


def fact_label(fact):
    return fact.replace("_percent", " %").replace("_", " ")


def _number(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _value(fact, value, currency):
    if isinstance(value, list):
        return ", ".join(_value(fact, item, currency) for item in value)
    if fact in MONEY_FACTS:
        return f"{_number(value)} {currency}".strip()
    if fact in PERCENT_FACTS:
        return f"{_number(value)} %"
    return str(value)


def describe_condition(fact, op, value, currency=""):
    """One condition in words; ``value`` as the policy document holds it."""
    if fact in BOOLEAN_PHRASES and op in ("eq", "ne") and isinstance(value, bool):
        yes, no = BOOLEAN_PHRASES[fact]
        return yes if value == (op == "eq") else no
    if isinstance(value, bool):
        return f"{fact_label(fact)} {OPERATOR_NAMES.get(op, op)} {'yes' if value else 'no'}"
    if op == "between" and isinstance(value, list) and len(value) == 2:
        low, high = (_value(fact, item, currency) for item in value)
        return f"{fact_label(fact)} between {low} and {high}"
    return f"{fact_label(fact)} {OPERATOR_NAMES.get(op, op)} {_value(fact, value, currency)}"


def describe_conditions(conditions, currency=""):
    """All of a rule's conditions joined by "and" (a rule matches when every condition holds)."""
    if not conditions:
        return "always"
    return " and ".join(describe_condition(c["fact"], c["op"], c["value"], currency) for c in conditions)
