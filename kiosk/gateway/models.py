"""The gateway contract, written once: what a kiosk sends and what a gateway answers.

Every class here is a frozen dataclass annotated for pydantic.  The same classes serve

- the client (kiosk.gateway.client): ``Cls.from_dict(json)`` checks an answer strictly (JSON
  types, no numbers as text, time zones on date-times; unknown keys are ignored so a newer
  gateway can add fields) and raises ``SchemaError``, which the client turns into
  ``GatewayBadResponse``;
- the demo gateway (kiosk.gateway.demo.app): FastAPI validates requests and answers with them
  and turns them into docs/openapi.json.  Field names are the wire names.

Building one in Python (``Address(province, ward, street)``) checks nothing, as any
dataclass: the gateway is the judge of a request.  Personal fields are ``repr=False``, so a
submission printed into a log shows no name or number.  Datetimes are timezone-aware,
dates ``date``.
"""

import dataclasses
import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    with_config,
)
from pydantic.json_schema import SkipJsonSchema

DossierStatus = Literal[
    "received", "in_progress", "supplement_requested", "result_ready", "delivered", "collected", "rejected"
]
DeliveryMethod = Literal["pickup", "post"]
PaymentMethod = Literal["vietqr", "cash"]
PaymentStatus = Literal["pending", "paid", "expired", "cancelled"]
Level = Literal["province", "commune"]
PassiveAuthStatus = Literal["verified", "chain_not_verified", "failed", "not_performed"]
HelpReason = Literal["card_problem", "form_help", "payment", "documents", "accessibility", "other"]
HelpStatus = Literal["waiting", "in_service", "done", "cancelled"]
Journey = Literal["lookup", "submit", "payment", "help", "other"]

DOSSIER_STATUSES = get_args(DossierStatus)
DELIVERY_METHODS = get_args(DeliveryMethod)
PAYMENT_STATUSES = get_args(PaymentStatus)
HELP_REASONS = get_args(HelpReason)
HELP_STATUSES = get_args(HelpStatus)

DOSSIER_CODE_PATTERN = r"^[A-Z0-9](?:[A-Z0-9.\-/]{4,38})[A-Z0-9]$"
# the per-dossier secret printed on the dossier receipt (kiosk.text.normalize_claim_code)
CLAIM_CODE_PATTERN = r"^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$"
ID_NUMBER_PATTERN = r"^\d{12}$"
KIOSK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
PHONE_PATTERN = r"^\+?\d{9,12}$"

# Request bodies a gateway reads at most (413 beyond, refused before the body is read): a
# dossier submission carries its document photos (at most 12 pages, JPEG at most 1600 px on a
# side: about 1.5 MB each at worst, 24 MB as base64), everything else is small.
MAX_SUBMISSION_BYTES = 24 * 1024 * 1024
MAX_REQUEST_BYTES = 64 * 1024


class SchemaError(ValueError):
    """JSON from the gateway that does not follow the contract."""


# --- field types -----------------------------------------------------------------------------


def _text_only(value):
    """Dates travel as ISO 8601 text: a number is refused, never read as a timestamp."""
    if not isinstance(value, (str, date, datetime)):
        raise ValueError("expected ISO 8601 text")
    return value


def _whole_number(value):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)  # JSON 5.0 is the integer 5
        raise ValueError("expected a whole number")
    return value


def _by_time(events: list) -> list:
    return sorted(events, key=lambda e: e.at)


IsoDateTime = Annotated[datetime, BeforeValidator(_text_only)]  # sent by a kiosk
IsoDate = Annotated[date, BeforeValidator(_text_only)]
Instant = AwareDatetime  # answered by a gateway: always with its time zone


def _whole(**limits):
    """An integer a kiosk sends; JSON 5.0 counts as 5 (the limits sit inside, so the document
    shows them as minimum/maximum)."""
    return Annotated[int, Field(**limits), BeforeValidator(_whole_number)]


NonNegative = Annotated[int, Field(ge=0)]
KioskId = Annotated[str, Field(min_length=1, max_length=40, pattern=KIOSK_ID_PATTERN)]
Phone = Annotated[str, Field(pattern=PHONE_PATTERN)]


# --- the common part -------------------------------------------------------------------------


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


# --- errors ----------------------------------------------------------------------------------


@contract
class Problem(Wire):
    """Error body (RFC 9457 style)."""

    type: Annotated[str, Field(description="Stable machine-readable key, e.g. 'not_found', 'invalid_request'.")]
    title: str
    status: int
    detail: str | None = None


# --- dossiers --------------------------------------------------------------------------------


@contract
class ProcedureRef(Wire):
    code: Annotated[str, Field(description="National procedure code, e.g. 1.001193", examples=["1.001193"])]
    name_vi: str
    name_en: str


@contract
class TimelineEvent(Wire):
    status: DossierStatus
    at: Instant
    note_vi: str = ""
    note_en: str = ""


@contract
class DossierFee(Wire):
    amount_vnd: NonNegative
    paid: bool


@contract
class DeliveryInfo(Wire):
    method: DeliveryMethod
    province: str | None = None
    ward: Annotated[str | None, Field(description="Ward or commune (two-level units since 1 July 2025).")] = None
    tracking_code: str | None = None


@contract
class Dossier(Wire):
    """What a status page shows. No personal data: no names, ID numbers or addresses
    beyond the province and ward a result is posted to."""

    code: str
    procedure: ProcedureRef
    status: DossierStatus
    timeline: Annotated[list[TimelineEvent], AfterValidator(_by_time)]  # oldest first
    submitted_at: Instant
    expected_date: Annotated[date | None, Field(default=None)]  # optional on the wire
    agency_vi: str
    agency_en: str
    fee: DossierFee
    delivery: DeliveryInfo

    @property
    def latest(self) -> TimelineEvent | None:
        return self.timeline[-1] if self.timeline else None

    @property
    def finished(self) -> bool:
        return self.status in ("delivered", "collected", "rejected")

    @property
    def provisional(self) -> bool:
        """A dossier the gateway answered with is never provisional (compare ProvisionalStatus)."""
        return False


# --- kiosks ----------------------------------------------------------------------------------


@contract
class AuditHead(Wire):
    """The last entry of the kiosk's audit log: the gateway keeps the newest it received, so a
    log rewritten or wiped on the kiosk no longer matches (``kiosk audit verify --gateway``)."""

    seq: Annotated[int, Field(ge=0)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


@contract
class Heartbeat(Wire):
    kiosk_id: KioskId
    sent_at: IsoDateTime
    devices: Annotated[dict[str, str], Field(description="Device kind → state, e.g. {'printer': 'online'}.")] = \
        field(default_factory=dict)
    audit_head: AuditHead | None = None


@contract
class HeartbeatAck(Wire):
    server_time: Instant
    api_version: str
    # measured by the client, not sent by the gateway
    latency_ms: Annotated[SkipJsonSchema[float], Field(exclude=True)] = 0.0


@contract
class Health(Wire):
    status: Literal["ok"]
    api_version: str


# --- catalog ---------------------------------------------------------------------------------


@contract
class LifeEvent(Wire):
    id: str
    name_vi: str
    name_en: str


@contract
class RequiredDocument(Wire):
    name_vi: str
    name_en: str
    originals: NonNegative
    copies: NonNegative
    required: bool
    note_vi: str | None = None
    note_en: str | None = None


@contract
class ProcedureFee(Wire):
    name_vi: str
    name_en: str
    amount_vnd: Annotated[int, Field(ge=0, description="Amount at the counter/kiosk, VND.")]
    online_amount_vnd: Annotated[int | None, Field(ge=0, description="Amount when filed online, if different.")] = None
    unit_vi: str | None = None
    unit_en: str | None = None
    exemptions_vi: list[str] = field(default_factory=list)
    exemptions_en: list[str] = field(default_factory=list)
    note_vi: str | None = None
    note_en: str | None = None


@contract
class ProcedureSummary(Wire):
    code: Annotated[str, Field(description="National procedure code, e.g. 1.001193")]
    name_vi: str
    name_en: str
    level: Level
    life_event: str
    agency_vi: str
    agency_en: str
    processing_days: Annotated[int, Field(ge=0, description="Working days; 0 = the same day")]
    fee_vnd: Annotated[int, Field(ge=0, description="The main fee (first fee line), VND")]


@contract
class Procedure(ProcedureSummary):
    code_verified: Annotated[bool, Field(description="False when the code could not be confirmed from public sources")]
    field_vi: str
    field_en: str
    documents: list[RequiredDocument]
    fees: list[ProcedureFee]
    processing_vi: str
    processing_en: str
    result_vi: str
    result_en: str
    delivery_options: list[DeliveryMethod]
    legal_basis: list[str]
    sources: list[str]
    form: Annotated[dict, Field(description="JSON Schema (draft 2020-12 subset) of the procedure's form data.")]


@contract
class ProcedureList(Wire):
    items: list[ProcedureSummary]
    total: NonNegative


ProcedurePage = ProcedureList  # the kiosk's name for one page of results


@contract
class Province(Wire):
    code: str
    name: str
    kind: Literal["city", "province"]


# --- submission (what the kiosk sends) -------------------------------------------------------


@contract
class PassiveAuthentication(Wire):
    """What the kiosk proved about the chip (ICAO 9303 passive authentication)."""

    status: PassiveAuthStatus
    hashes_ok: Annotated[bool | None, Field(description="Every data-group hash matches EF.SOD")] = None
    signature_ok: Annotated[bool | None, Field(description="Document-signer signature over EF.SOD valid")] = None
    chain_ok: Annotated[bool | None,
                        Field(description="Document signer chains to a trusted CSCA; null = no trust store")] = None


@contract
class Applicant(Wire):
    id_number: Annotated[str, Field(pattern=r"^\d{12}$", description="12-digit personal identification number")] = \
        field(repr=False)
    full_name: Annotated[str, Field(min_length=1, max_length=100)] = field(repr=False)
    date_of_birth: IsoDate = field(repr=False)
    source: Annotated[Literal["chip", "qr", "typed"], Field(description="Where the identity came from")]
    passive_authentication: PassiveAuthentication


@contract
class DocumentPhoto(Wire):
    kind: Annotated[str, Field(min_length=1, max_length=80, description="Which required document this is")]
    content_type: Literal["image/jpeg", "image/png", "application/pdf"]
    data_base64: Annotated[str, Field(min_length=4, max_length=4_000_000)] = field(repr=False)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @classmethod
    def from_bytes(cls, kind: str, content_type: str, data: bytes) -> "DocumentPhoto":
        import base64
        import hashlib

        return cls(kind, content_type, base64.b64encode(data).decode("ascii"), hashlib.sha256(data).hexdigest())


@contract
class Address(Wire):
    """Two-level address (since 1 July 2025): province + ward/commune + street."""

    province: Annotated[str, Field(min_length=2, max_length=60)]
    ward: Annotated[str, Field(min_length=2, max_length=60)]
    street: Annotated[str, Field(min_length=1, max_length=160)] = field(repr=False)


@contract
class DeliveryChoice(Wire):
    method: DeliveryMethod
    address: Annotated[Address | None, Field(description="Required when method is post")] = None
    recipient_name: Annotated[str | None, Field(max_length=100)] = field(default=None, repr=False)
    phone: Phone | None = field(default=None, repr=False)


@contract
class DossierSubmission(Wire):
    procedure_code: Annotated[str, Field(min_length=3, max_length=20)]
    applicant: Applicant
    form: Annotated[dict, Field(description="Form data; must validate against the procedure's form schema")] = \
        field(repr=False)
    documents: Annotated[list[DocumentPhoto], Field(max_length=12)] = field(default_factory=list, kw_only=True)
    delivery: DeliveryChoice
    contact_phone: Phone | None = field(default=None, repr=False, kw_only=True)
    consent_at: Annotated[IsoDateTime,
                          Field(description="When the citizen consented to the processing of personal data")]
    submitted_at: Annotated[IsoDateTime, Field(description="Kiosk clock at submission (the outbox may deliver later)")]
    provisional_reference: Annotated[str | None, Field(
        max_length=40, description="Reference printed on a provisional receipt, if any")] = None

    def to_json(self) -> dict:
        """The request body: JSON values, absent fields left out."""
        return _drop_none(to_jsonable(self))


@contract
class SubmissionReceipt(Wire):
    code: Annotated[str, Field(description="The dossier code the citizen uses to look it up")]
    status: DossierStatus
    procedure: ProcedureRef
    received_at: Instant
    expected_date: Annotated[date | None, Field(default=None)]  # optional on the wire
    fee: DossierFee
    provisional_reference: str | None = None
    claim_code: Annotated[str | None, Field(
        pattern=CLAIM_CODE_PATTERN,
        description="The dossier's secret, printed on the dossier receipt (in words and in its QR code): "
                    "whoever holds the receipt may pay for the dossier and book delivery of its result "
                    "(see ApplicantProof). Never shown on a status page.")] = field(default=None, repr=False)


# --- acting for the applicant ----------------------------------------------------------------


@contract
class ApplicantProof(Wire):
    """Proof that the caller acts for the dossier's applicant, required to pay for a dossier and
    to book delivery of its result (a missing or wrong proof is 403 ``applicant_proof_required``
    or ``applicant_proof_mismatch``).  Exactly one of:

    - ``id_number``: the applicant's ID number as the kiosk read it from the chip ID card in this
      session (never a number typed or scanned from the card's printed QR);
    - ``claim_code``: the secret printed on the dossier receipt."""

    id_number: Annotated[str | None, Field(pattern=ID_NUMBER_PATTERN, description=(
        "12-digit ID number read from the applicant's chip in this session (sent over TLS only)"))] = \
        field(default=None, repr=False)
    claim_code: Annotated[str | None, Field(pattern=CLAIM_CODE_PATTERN, description=(
        "The claim code printed on the dossier receipt (case and the hyphen do not matter)"))] = \
        field(default=None, repr=False)

    def __repr__(self) -> str:  # which kind of proof, never its value
        kind = "id_number" if self.id_number else "claim_code" if self.claim_code else "none"
        return f"ApplicantProof({kind})"


# --- payments --------------------------------------------------------------------------------


_PROOF_FIELD = Field(description="Required: who the caller acts for (403 without it). Not part of the "
                                  "idempotency fingerprint: it authorises the call, it does not define it.")


@contract
class PaymentRequest(Wire):
    dossier_code: Annotated[str, Field(pattern=DOSSIER_CODE_PATTERN)]
    method: PaymentMethod
    applicant_proof: Annotated[ApplicantProof | None, _PROOF_FIELD] = None


@contract
class DemoBankConfirmation(Wire):
    """DEMO ONLY: the simulated bank pays now, for someone acting for the applicant."""

    applicant_proof: Annotated[ApplicantProof | None, _PROOF_FIELD] = None


@contract
class Payment(Wire):
    id: str
    dossier_code: str
    amount_vnd: NonNegative
    method: PaymentMethod
    status: PaymentStatus
    qr_payload: Annotated[str | None, Field(default=None, description="VietQR (EMVCo) payload to show as a QR code")]
    created_at: Instant
    expires_at: Instant
    paid_at: Instant | None = None
    confirmed_by: Annotated[str | None, Field(description="'bank' or the staff member who took the cash")] = None

    @property
    def settled(self) -> bool:
        return self.status != "pending"

    @classmethod
    def from_dict(cls, data: Any) -> "Payment":
        payment = parse(cls, data)
        if payment.method == "vietqr" and not payment.qr_payload:
            raise SchemaError("qr_payload: missing for a VietQR payment")
        return payment


@contract
class CashConfirmation(Wire):
    staff_id: KioskId
    amount_vnd: _whole(ge=0)
    receipt_number: Annotated[str | None, Field(max_length=40)] = None


# --- delivery --------------------------------------------------------------------------------


@contract
class DeliveryBooking(Wire):
    address: Address
    recipient_name: Annotated[str, Field(min_length=1, max_length=100)] = field(repr=False)
    phone: Phone = field(repr=False)
    note: Annotated[str | None, Field(max_length=200)] = None
    applicant_proof: Annotated[ApplicantProof | None, _PROOF_FIELD] = None


@contract
class DeliveryConfirmation(Wire):
    booking_id: str
    dossier_code: str
    tracking_code: str
    fee_vnd: NonNegative
    estimated_days: NonNegative
    province: str
    ward: str


# --- help and ratings ------------------------------------------------------------------------


@contract
class HelpRequestIn(Wire):
    reason: HelpReason
    procedure_code: Annotated[str | None, Field(max_length=20)] = None
    note: Annotated[str | None, Field(max_length=300)] = None


@contract
class HelpTicket(Wire):
    id: int
    ticket: Annotated[str, Field(description="Ticket number the citizen sees, e.g. H-007")]
    kiosk_id: str
    reason: HelpReason
    status: HelpStatus
    created_at: Instant
    position: Annotated[int | None, Field(description="Place in the waiting queue (1 = next)")] = None


@contract
class HelpStatusChange(Wire):
    status: HelpStatus
    staff_id: Annotated[str | None, Field(max_length=40)] = None


@contract
class RatingIn(Wire):
    score: _whole(ge=1, le=5)
    journey: Journey
    dossier_code: Annotated[str | None, Field(pattern=DOSSIER_CODE_PATTERN)] = None
    comment: Annotated[str | None, Field(max_length=500)] = None
    rated_at: IsoDateTime | None = None


@contract
class RatingAck(Wire):
    id: int


# --- reconciliation --------------------------------------------------------------------------


@contract
class IdempotencyRecord(Wire):
    """What the gateway did with one of the calling kiosk's idempotency keys: the first answer it
    gave under that key (a kiosk asks when a replay is refused with 409 idempotency_conflict)."""

    key: str
    status: Annotated[int, Field(description="HTTP status of the first answer")]
    response: Annotated[Any, Field(description="The first answer's body, as it was sent")]
    created_at: Instant


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
