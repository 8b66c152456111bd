"""What every contract class can do besides being a dataclass (``Wire``, made one with
``contract``), answers read strictly (``parse``, ``SchemaError``), values written as the demo
gateway writes them (``dump``), and the JSON helpers (``to_jsonable``, ``body``, ``iso``,
``parse_datetime``)."""

import dataclasses
import functools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config


class SchemaError(ValueError):
    """JSON from the gateway that does not follow the contract."""


@functools.cache
def _adapter(tp) -> TypeAdapter:
    return TypeAdapter(tp)


def parse(tp, data: Any):
    """``data`` (decoded JSON from a gateway) as ``tp`` (a contract class, ``list[...]``…), read
    the way the client reads answers: strict JSON types, unknown keys ignored.  Raises
    ``SchemaError`` (never pydantic's ValidationError)."""
    try:
        raw = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise SchemaError("not JSON") from None
    try:
        return _adapter(tp).validate_json(raw, strict=True, extra="ignore")
    except ValidationError as exc:
        raise SchemaError(_summary(exc)) from None


def _summary(exc: ValidationError) -> str:
    """Where and what, without the offending values (they could be anything)."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "value"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def dump(value: Any) -> Any:
    """A contract value as the demo gateway serialises it (pydantic's JSON mode)."""
    return _adapter(type(value)).dump_python(value, mode="json")


def contract(cls):
    """Make ``cls`` a contract class: a frozen dataclass whose extra keys the gateway refuses."""
    return with_config(ConfigDict(extra="forbid"))(dataclass(frozen=True)(cls))


class Wire:
    """What every contract class can do besides being a dataclass."""

    @classmethod
    def from_dict(cls, data: Any):
        """An answer from a gateway, checked (``SchemaError`` when it breaks the contract)."""
        return parse(cls, data)

    @classmethod
    def model_validate(cls, data: Any):
        """A request checked as the demo gateway checks it (raises pydantic's ValidationError)."""
        return _adapter(cls).validate_python(data)


# --- JSON helpers ----------------------------------------------------------------------------


def parse_datetime(raw: str, where: str = "") -> datetime:
    """ISO 8601 text with a time zone ('Z' allowed) → an aware datetime; ``SchemaError`` otherwise."""
    if not isinstance(raw, str):
        raise SchemaError(f"{where}: expected an ISO 8601 date-time")
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SchemaError(f"{where}: expected an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise SchemaError(f"{where}: date-time without a time zone")
    return value


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def to_jsonable(value: Any) -> Any:
    """Dataclasses → plain JSON values (datetimes as ISO 8601), for CLI output and the outbox."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def body(value: Any) -> Any:
    """A request body: ``to_jsonable`` with absent (None) fields left out."""
    return _drop_none(to_jsonable(value))


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
