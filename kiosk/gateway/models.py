"""Typed values the gateway client returns.

Each ``from_dict`` checks the JSON it is given against the contract (docs/openapi.json) and
raises ``SchemaError`` on anything missing or of the wrong type; the client turns that into
``GatewayBadResponse``.  Datetimes are timezone-aware ``datetime`` objects, dates ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

DOSSIER_STATUSES = (
    "received",
    "in_progress",
    "supplement_requested",
    "result_ready",
    "delivered",
    "collected",
    "rejected",
)
PAYMENT_STATUSES = ("pending", "paid", "expired", "cancelled")
DELIVERY_METHODS = ("pickup", "post")


class SchemaError(ValueError):
    """JSON from the gateway that does not follow the contract."""


# --- small checked getters -------------------------------------------------------------------


def _get(d: Any, key: str, kind, *, optional: bool = False, where: str = ""):
    if not isinstance(d, dict):
        raise SchemaError(f"{where or 'value'}: expected an object")
    if key not in d or d[key] is None:
        if optional:
            return None
        raise SchemaError(f"{where}{key}: missing")
    value = d[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is int and isinstance(value, bool):
        raise SchemaError(f"{where}{key}: expected int")
    if not isinstance(value, kind):
        name = getattr(kind, "__name__", str(kind))
        raise SchemaError(f"{where}{key}: expected {name}")
    return value


def _enum(d, key, allowed, *, where="", optional=False):
    value = _get(d, key, str, where=where, optional=optional)
    if value is None:
        return None
    if value not in allowed:
        raise SchemaError(f"{where}{key}: unexpected value")
    return value


def parse_datetime(raw: str, where: str = "") -> datetime:
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


def parse_date(raw: str, where: str = "") -> date:
    if not isinstance(raw, str):
        raise SchemaError(f"{where}: expected an ISO 8601 date")
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        raise SchemaError(f"{where}: expected an ISO 8601 date") from None


def _dt(d, key, where="", optional=False):
    raw = _get(d, key, str, where=where, optional=optional)
    return None if raw is None else parse_datetime(raw, f"{where}{key}")


def _date(d, key, where="", optional=False):
    raw = _get(d, key, str, where=where, optional=optional)
    return None if raw is None else parse_date(raw, f"{where}{key}")


def iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- dossiers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureRef:
    code: str
    name_vi: str
    name_en: str

    @classmethod
    def from_dict(cls, d: Any, where: str = "procedure.") -> "ProcedureRef":
        return cls(
            code=_get(d, "code", str, where=where),
            name_vi=_get(d, "name_vi", str, where=where),
            name_en=_get(d, "name_en", str, where=where),
        )


@dataclass(frozen=True)
class TimelineEvent:
    status: str
    at: datetime
    note_vi: str = ""
    note_en: str = ""

    @classmethod
    def from_dict(cls, d: Any, where: str = "timeline[].") -> "TimelineEvent":
        return cls(
            status=_enum(d, "status", DOSSIER_STATUSES, where=where),
            at=_dt(d, "at", where),
            note_vi=_get(d, "note_vi", str, where=where, optional=True) or "",
            note_en=_get(d, "note_en", str, where=where, optional=True) or "",
        )


@dataclass(frozen=True)
class DossierFee:
    amount_vnd: int
    paid: bool

    @classmethod
    def from_dict(cls, d: Any, where: str = "fee.") -> "DossierFee":
        amount = _get(d, "amount_vnd", int, where=where)
        if amount < 0:
            raise SchemaError(f"{where}amount_vnd: negative")
        return cls(amount_vnd=amount, paid=_get(d, "paid", bool, where=where))


@dataclass(frozen=True)
class DeliveryInfo:
    method: str
    province: str | None = None
    ward: str | None = None
    tracking_code: str | None = None

    @classmethod
    def from_dict(cls, d: Any, where: str = "delivery.") -> "DeliveryInfo":
        return cls(
            method=_enum(d, "method", DELIVERY_METHODS, where=where),
            province=_get(d, "province", str, where=where, optional=True),
            ward=_get(d, "ward", str, where=where, optional=True),
            tracking_code=_get(d, "tracking_code", str, where=where, optional=True),
        )


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure: ProcedureRef
    status: str
    timeline: list[TimelineEvent]
    submitted_at: datetime
    expected_date: date | None
    agency_vi: str
    agency_en: str
    fee: DossierFee
    delivery: DeliveryInfo
    provisional: bool = False  # True for a receipt the outbox issued, not yet at the gateway

    @property
    def latest(self) -> TimelineEvent | None:
        return self.timeline[-1] if self.timeline else None

    @property
    def finished(self) -> bool:
        return self.status in ("delivered", "collected", "rejected")

    @classmethod
    def from_dict(cls, d: Any) -> "Dossier":
        if not isinstance(d, dict):
            raise SchemaError("dossier: expected an object")
        timeline_raw = _get(d, "timeline", list)
        timeline = [TimelineEvent.from_dict(e, f"timeline[{i}].") for i, e in enumerate(timeline_raw)]
        timeline.sort(key=lambda e: e.at)
        return cls(
            code=_get(d, "code", str),
            procedure=ProcedureRef.from_dict(_get(d, "procedure", dict)),
            status=_enum(d, "status", DOSSIER_STATUSES),
            timeline=timeline,
            submitted_at=_dt(d, "submitted_at"),
            expected_date=_date(d, "expected_date", optional=True),
            agency_vi=_get(d, "agency_vi", str),
            agency_en=_get(d, "agency_en", str),
            fee=DossierFee.from_dict(_get(d, "fee", dict)),
            delivery=DeliveryInfo.from_dict(_get(d, "delivery", dict)),
        )


def to_jsonable(value: Any) -> Any:
    """Dataclasses → plain JSON values (datetimes as ISO 8601), for CLI output and the outbox."""
    import dataclasses

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


# --- heartbeat -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeartbeatAck:
    server_time: datetime
    latency_ms: float = 0.0
    api_version: str = ""

    @classmethod
    def from_dict(cls, d: Any, latency_ms: float = 0.0) -> "HeartbeatAck":
        return cls(
            server_time=_dt(d, "server_time"),
            latency_ms=latency_ms,
            api_version=_get(d, "api_version", str, optional=True) or "",
        )
