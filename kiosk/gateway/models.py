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


# --- catalog ---------------------------------------------------------------------------------


def _str_list(d, key, where=""):
    raw = _get(d, key, list, where=where, optional=True) or []
    if not all(isinstance(x, str) for x in raw):
        raise SchemaError(f"{where}{key}: expected a list of text")
    return list(raw)


@dataclass(frozen=True)
class LifeEvent:
    id: str
    name_vi: str
    name_en: str

    @classmethod
    def from_dict(cls, d: Any) -> "LifeEvent":
        return cls(_get(d, "id", str), _get(d, "name_vi", str), _get(d, "name_en", str))


@dataclass(frozen=True)
class ProcedureSummary:
    code: str
    name_vi: str
    name_en: str
    level: str
    life_event: str
    agency_vi: str
    agency_en: str
    processing_days: int
    fee_vnd: int

    @classmethod
    def _fields(cls, d: Any, where: str = "") -> dict:
        return dict(
            code=_get(d, "code", str, where=where), name_vi=_get(d, "name_vi", str, where=where),
            name_en=_get(d, "name_en", str, where=where),
            level=_enum(d, "level", ("province", "commune"), where=where),
            life_event=_get(d, "life_event", str, where=where), agency_vi=_get(d, "agency_vi", str, where=where),
            agency_en=_get(d, "agency_en", str, where=where),
            processing_days=_get(d, "processing_days", int, where=where), fee_vnd=_get(d, "fee_vnd", int, where=where),
        )

    @classmethod
    def from_dict(cls, d: Any, where: str = "") -> "ProcedureSummary":
        return cls(**cls._fields(d, where))


@dataclass(frozen=True)
class ProcedurePage:
    items: list[ProcedureSummary]
    total: int

    @classmethod
    def from_dict(cls, d: Any) -> "ProcedurePage":
        items = [ProcedureSummary.from_dict(x, f"items[{i}].") for i, x in enumerate(_get(d, "items", list))]
        return cls(items=items, total=_get(d, "total", int))


@dataclass(frozen=True)
class RequiredDocument:
    name_vi: str
    name_en: str
    originals: int
    copies: int
    required: bool
    note_vi: str = ""
    note_en: str = ""

    @classmethod
    def from_dict(cls, d: Any, where: str = "documents[].") -> "RequiredDocument":
        return cls(_get(d, "name_vi", str, where=where), _get(d, "name_en", str, where=where),
                   _get(d, "originals", int, where=where), _get(d, "copies", int, where=where),
                   _get(d, "required", bool, where=where),
                   _get(d, "note_vi", str, where=where, optional=True) or "",
                   _get(d, "note_en", str, where=where, optional=True) or "")


@dataclass(frozen=True)
class ProcedureFee:
    name_vi: str
    name_en: str
    amount_vnd: int
    online_amount_vnd: int | None = None
    unit_vi: str = ""
    unit_en: str = ""
    exemptions_vi: list[str] = field(default_factory=list)
    exemptions_en: list[str] = field(default_factory=list)
    note_vi: str = ""
    note_en: str = ""

    @classmethod
    def from_dict(cls, d: Any, where: str = "fees[].") -> "ProcedureFee":
        return cls(
            _get(d, "name_vi", str, where=where), _get(d, "name_en", str, where=where),
            _get(d, "amount_vnd", int, where=where), _get(d, "online_amount_vnd", int, where=where, optional=True),
            _get(d, "unit_vi", str, where=where, optional=True) or "",
            _get(d, "unit_en", str, where=where, optional=True) or "",
            _str_list(d, "exemptions_vi", where), _str_list(d, "exemptions_en", where),
            _get(d, "note_vi", str, where=where, optional=True) or "",
            _get(d, "note_en", str, where=where, optional=True) or "",
        )


@dataclass(frozen=True)
class Procedure(ProcedureSummary):
    code_verified: bool = True
    field_vi: str = ""
    field_en: str = ""
    documents: list[RequiredDocument] = field(default_factory=list)
    fees: list[ProcedureFee] = field(default_factory=list)
    processing_vi: str = ""
    processing_en: str = ""
    result_vi: str = ""
    result_en: str = ""
    delivery_options: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    form: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Any, where: str = "") -> "Procedure":
        options = _str_list(d, "delivery_options")
        if not set(options) <= set(DELIVERY_METHODS):
            raise SchemaError("delivery_options: unexpected value")
        return cls(
            **ProcedureSummary._fields(d),
            code_verified=_get(d, "code_verified", bool),
            field_vi=_get(d, "field_vi", str), field_en=_get(d, "field_en", str),
            documents=[RequiredDocument.from_dict(x, f"documents[{i}].") for i, x in enumerate(_get(d, "documents", list))],
            fees=[ProcedureFee.from_dict(x, f"fees[{i}].") for i, x in enumerate(_get(d, "fees", list))],
            processing_vi=_get(d, "processing_vi", str), processing_en=_get(d, "processing_en", str),
            result_vi=_get(d, "result_vi", str), result_en=_get(d, "result_en", str),
            delivery_options=options, legal_basis=_str_list(d, "legal_basis"), sources=_str_list(d, "sources"),
            form=_get(d, "form", dict),
        )


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    kind: str

    @classmethod
    def from_dict(cls, d: Any) -> "Province":
        return cls(_get(d, "code", str), _get(d, "name", str), _enum(d, "kind", ("city", "province")))


# --- submission (what the kiosk sends) -------------------------------------------------------
# Personal fields are repr=False: a submission printed into a log shows no name or number.


@dataclass(frozen=True)
class PassiveAuthentication:
    status: str  # verified | chain_not_verified | failed | not_performed
    hashes_ok: bool | None = None
    signature_ok: bool | None = None
    chain_ok: bool | None = None


@dataclass(frozen=True)
class Applicant:
    id_number: str = field(repr=False)
    full_name: str = field(repr=False)
    date_of_birth: date = field(repr=False)
    source: str = "chip"  # chip | qr | typed
    passive_authentication: PassiveAuthentication = field(default_factory=lambda: PassiveAuthentication("not_performed"))


@dataclass(frozen=True)
class DocumentPhoto:
    kind: str
    content_type: str
    data_base64: str = field(repr=False)
    sha256: str

    @classmethod
    def from_bytes(cls, kind: str, content_type: str, data: bytes) -> "DocumentPhoto":
        import base64
        import hashlib

        return cls(kind, content_type, base64.b64encode(data).decode("ascii"), hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Address:
    province: str
    ward: str
    street: str = field(repr=False)


@dataclass(frozen=True)
class DeliveryChoice:
    method: str  # pickup | post
    address: Address | None = None
    recipient_name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DossierSubmission:
    procedure_code: str
    applicant: Applicant
    form: dict = field(repr=False)
    delivery: DeliveryChoice
    consent_at: datetime
    submitted_at: datetime
    documents: list[DocumentPhoto] = field(default_factory=list)
    contact_phone: str | None = field(default=None, repr=False)
    provisional_reference: str | None = None

    def to_json(self) -> dict:
        out = to_jsonable(self)
        return {k: v for k, v in _drop_none(out).items()}


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@dataclass(frozen=True)
class SubmissionReceipt:
    code: str
    status: str
    procedure: ProcedureRef
    received_at: datetime
    expected_date: date | None
    fee: DossierFee
    provisional_reference: str | None = None

    @classmethod
    def from_dict(cls, d: Any) -> "SubmissionReceipt":
        return cls(
            code=_get(d, "code", str), status=_enum(d, "status", DOSSIER_STATUSES),
            procedure=ProcedureRef.from_dict(_get(d, "procedure", dict)), received_at=_dt(d, "received_at"),
            expected_date=_date(d, "expected_date", optional=True), fee=DossierFee.from_dict(_get(d, "fee", dict)),
            provisional_reference=_get(d, "provisional_reference", str, optional=True),
        )


# --- payments, delivery, help, ratings -------------------------------------------------------


@dataclass(frozen=True)
class Payment:
    id: str
    dossier_code: str
    amount_vnd: int
    method: str
    status: str
    qr_payload: str | None
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None = None
    confirmed_by: str | None = None

    @property
    def settled(self) -> bool:
        return self.status != "pending"

    @classmethod
    def from_dict(cls, d: Any) -> "Payment":
        method = _enum(d, "method", ("vietqr", "cash"))
        qr = _get(d, "qr_payload", str, optional=True)
        if method == "vietqr" and not qr:
            raise SchemaError("qr_payload: missing for a VietQR payment")
        return cls(
            id=_get(d, "id", str), dossier_code=_get(d, "dossier_code", str), amount_vnd=_get(d, "amount_vnd", int),
            method=method, status=_enum(d, "status", PAYMENT_STATUSES), qr_payload=qr,
            created_at=_dt(d, "created_at"), expires_at=_dt(d, "expires_at"),
            paid_at=_dt(d, "paid_at", optional=True), confirmed_by=_get(d, "confirmed_by", str, optional=True),
        )


@dataclass(frozen=True)
class DeliveryConfirmation:
    booking_id: str
    dossier_code: str
    tracking_code: str
    fee_vnd: int
    estimated_days: int
    province: str
    ward: str

    @classmethod
    def from_dict(cls, d: Any) -> "DeliveryConfirmation":
        return cls(*(_get(d, k, t) for k, t in (
            ("booking_id", str), ("dossier_code", str), ("tracking_code", str), ("fee_vnd", int),
            ("estimated_days", int), ("province", str), ("ward", str))))


HELP_REASONS = ("card_problem", "form_help", "payment", "documents", "accessibility", "other")
HELP_STATUSES = ("waiting", "in_service", "done", "cancelled")


@dataclass(frozen=True)
class HelpTicket:
    id: int
    ticket: str
    kiosk_id: str
    reason: str
    status: str
    created_at: datetime
    position: int | None = None

    @classmethod
    def from_dict(cls, d: Any) -> "HelpTicket":
        return cls(
            id=_get(d, "id", int), ticket=_get(d, "ticket", str), kiosk_id=_get(d, "kiosk_id", str),
            reason=_enum(d, "reason", HELP_REASONS), status=_enum(d, "status", HELP_STATUSES),
            created_at=_dt(d, "created_at"), position=_get(d, "position", int, optional=True),
        )
