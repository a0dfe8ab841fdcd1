"""Checks the params object of a write-back API call against contract/api/methods.json.

``lib/api_methods.json`` is a copy of the contract file (a unit test keeps them equal). Only
the JSON Schema keywords that the params schemas use are supported; an unknown keyword is a
programming error, not a silent pass.
"""

import json
import os
import re

from .canonical_json import as_safe_integer, has_lone_surrogate

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "api_methods.json"), encoding="utf-8") as _file:
    API = json.load(_file)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "event_types.json"), encoding="utf-8") as _file:
    EVENT_TYPES = json.load(_file)["event_types"]

_KNOWN = {
    "type", "properties", "required", "additionalProperties", "minLength", "maxLength", "minimum",
    "maximum", "enum", "items", "minItems", "maxItems", "pattern", "format", "default", "description",
}


class ParamsError(ValueError):
    """The params object does not match the method's schema; ``path`` names the field."""

    def __init__(self, path, message):
        super().__init__(f"{path or 'params'}: {message}")
        self.path = path


def _type_ok(value, expected):
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return as_safe_integer(value) is not None
    if expected == "null":
        return value is None
    raise KeyError(expected)


def check(schema, value, path=""):
    """Raise ParamsError for the first mismatch of ``value`` against ``schema``."""
    unknown = set(schema) - _KNOWN
    if unknown:
        raise KeyError(f"unsupported schema keywords {sorted(unknown)} at {path or 'params'}")
    expected = schema.get("type")
    if expected is not None:
        types = expected if isinstance(expected, list) else [expected]
        if not any(_type_ok(value, kind) for kind in types):
            raise ParamsError(path, f"must be of type {' or '.join(types)}")
    if "enum" in schema and value not in schema["enum"]:
        raise ParamsError(path, "must be one of " + ", ".join(str(item) for item in schema["enum"]))
    if isinstance(value, str):
        # Valid JSON can carry one (an escaped "\\ud800"); nothing can store or hash it.
        if has_lone_surrogate(value):
            raise ParamsError(path, "must not contain a lone surrogate (U+D800-U+DFFF)")
        if len(value) < schema.get("minLength", 0):
            raise ParamsError(path, f"must have at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise ParamsError(path, f"must have at most {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise ParamsError(path, f"must match {schema['pattern']}")
    if as_safe_integer(value) is not None and not isinstance(value, str):
        if "minimum" in schema and value < schema["minimum"]:
            raise ParamsError(path, f"must be >= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise ParamsError(path, f"must be <= {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise ParamsError(path, f"must have at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise ParamsError(path, f"must have at most {schema['maxItems']} items")
        for index, item in enumerate(value):
            check(schema.get("items", {}), item, f"{path}[{index}]")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                raise ParamsError(f"{path}.{name}".lstrip("."), "is required")
        properties = schema.get("properties", {})
        for name, item in value.items():
            item_path = f"{path}.{name}".lstrip(".")
            if name in properties:
                check(properties[name], item, item_path)
            elif schema.get("additionalProperties", True) is False:
                raise ParamsError(item_path, "is not a parameter of this method")


def check_params(method, params):
    """Check ``params`` of API ``method``; returns them with the schema's defaults filled in."""
    schema = API["methods"][method]["params"]
    check(schema, params)
    filled = dict(params)
    for name, prop in schema.get("properties", {}).items():
        if name not in filled and "default" in prop:
            filled[name] = prop["default"]
    return filled


def without_nulls(value):
    """``value`` with every null-valued key left out, at any depth (XML-RPC cannot marshal None).

    A null inside a list has no key to leave out: it is a programming error, raised here rather
    than at the client after the call has committed.
    """
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        if any(item is None for item in value):
            raise ValueError("a null in a list of an API result")
        return [without_nulls(item) for item in value]
    return value
