"""Validate form data against a procedure's form schema (the JSON Schema subset the contract
uses: object with properties of type string/integer/boolean, enum, minLength/maxLength,
pattern, minimum/maximum, format date, required, additionalProperties false).

Used by the demo gateway on submission and by the kiosk before it submits, so the citizen
hears about a missing field at once.  Returns a list of problems as (field, key) pairs, where
key is a stable message key such as "form.required".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any


def validate(schema: dict, data: Any) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        return [("", "form.not_an_object")]
    props: dict = schema.get("properties", {})
    for name in schema.get("required", []):
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append((name, "form.required"))
    if schema.get("additionalProperties") is False:
        for name in data:
            if name not in props:
                problems.append((name, "form.unknown_field"))
    for name, spec in props.items():
        if name not in data or data[name] is None:
            continue
        problems.extend((name, key) for key in _check(spec, data[name]))
    return problems


def _check(spec: dict, value: Any) -> list[str]:
    kind = spec.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return ["form.expected_text"]
        if len(value) > spec.get("maxLength", 10_000) or len(value) < spec.get("minLength", 0):
            return ["form.length"]
        if "enum" in spec and value not in spec["enum"]:
            return ["form.not_a_choice"]
        if "pattern" in spec and not re.fullmatch(spec["pattern"].lstrip("^").rstrip("$"), value):
            return ["form.bad_format"]
        if spec.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return ["form.bad_date"]
        return []
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return ["form.expected_number"]
        if value < spec.get("minimum", value) or value > spec.get("maximum", value):
            return ["form.out_of_range"]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else ["form.expected_yes_no"]
    return []
