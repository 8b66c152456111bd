"""The gateway contract as pydantic models: FastAPI turns them into docs/openapi.json.

These models describe what any gateway must accept and answer; the demo gateway is one
implementation.  Field names are the wire names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

DossierStatus = Literal[
    "received", "in_progress", "supplement_requested", "result_ready", "delivered", "collected", "rejected"
]
DeliveryMethod = Literal["pickup", "post"]

DOSSIER_CODE_PATTERN = r"^[A-Z0-9](?:[A-Z0-9.\-/]{4,38})[A-Z0-9]$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


IsoDateTime = Annotated[datetime, BeforeValidator(_text_only)]
IsoDate = Annotated[date, BeforeValidator(_text_only)]
Int = Annotated[int, BeforeValidator(_whole_number)]


class Problem(Model):
    """Error body (RFC 9457 style)."""

    type: str = Field(description="Stable machine-readable key, e.g. 'not_found', 'invalid_request'.")
    title: str
    status: int
    detail: Optional[str] = None


class ProcedureRef(Model):
    code: str = Field(description="National procedure code, e.g. 1.001193", examples=["1.001193"])
    name_vi: str
    name_en: str


class TimelineEvent(Model):
    status: DossierStatus
    at: datetime
    note_vi: str = ""
    note_en: str = ""


class DossierFee(Model):
    amount_vnd: int = Field(ge=0)
    paid: bool


class DeliveryInfo(Model):
    method: DeliveryMethod
    province: Optional[str] = None
    ward: Optional[str] = Field(None, description="Ward or commune (two-level units since 1 July 2025).")
    tracking_code: Optional[str] = None


class Dossier(Model):
    """What a status page shows. No personal data: no names, ID numbers or addresses
    beyond the province and ward a result is posted to."""

    code: str
    procedure: ProcedureRef
    status: DossierStatus
    timeline: list[TimelineEvent]
    submitted_at: datetime
    expected_date: Optional[date] = None
    agency_vi: str
    agency_en: str
    fee: DossierFee
    delivery: DeliveryInfo


class Heartbeat(Model):
    kiosk_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    sent_at: IsoDateTime
    devices: dict[str, str] = Field(default_factory=dict,
                                    description="Device kind → state, e.g. {'printer': 'online'}.")


class HeartbeatAck(Model):
    server_time: datetime
    api_version: str


class Health(Model):
    status: Literal["ok"]
    api_version: str


# --- catalog ---------------------------------------------------------------------------------

Level = Literal["province", "commune"]


class LifeEvent(Model):
    id: str
    name_vi: str
    name_en: str


class RequiredDocument(Model):
    name_vi: str
    name_en: str
    originals: int = Field(ge=0)
    copies: int = Field(ge=0)
    required: bool
    note_vi: Optional[str] = None
    note_en: Optional[str] = None


class ProcedureFee(Model):
    name_vi: str
    name_en: str
    amount_vnd: int = Field(ge=0, description="Amount at the counter/kiosk, VND.")
    online_amount_vnd: Optional[int] = Field(None, ge=0, description="Amount when filed online, if different.")
    unit_vi: Optional[str] = None
    unit_en: Optional[str] = None
    exemptions_vi: list[str] = Field(default_factory=list)
    exemptions_en: list[str] = Field(default_factory=list)
    note_vi: Optional[str] = None
    note_en: Optional[str] = None


class ProcedureSummary(Model):
    code: str = Field(description="National procedure code, e.g. 1.001193")
    name_vi: str
    name_en: str
    level: Level
    life_event: str
    agency_vi: str
    agency_en: str
    processing_days: int = Field(ge=0, description="Working days; 0 = the same day")
    fee_vnd: int = Field(ge=0, description="The main fee (first fee line), VND")


class Procedure(ProcedureSummary):
    code_verified: bool = Field(description="False when the code could not be confirmed from public sources")
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
    form: dict = Field(description="JSON Schema (draft 2020-12 subset) of the procedure's form data.")


class ProcedureList(Model):
    items: list[ProcedureSummary]
    total: int = Field(ge=0)


# --- submission ------------------------------------------------------------------------------

PassiveAuthStatus = Literal["verified", "chain_not_verified", "failed", "not_performed"]


class PassiveAuthentication(Model):
    """What the kiosk proved about the chip (ICAO 9303 passive authentication)."""

    status: PassiveAuthStatus
    hashes_ok: Optional[bool] = Field(None, description="Every data-group hash matches EF.SOD")
    signature_ok: Optional[bool] = Field(None, description="Document-signer signature over EF.SOD valid")
    chain_ok: Optional[bool] = Field(None, description="Document signer chains to a trusted CSCA; null = no trust store")


class Applicant(Model):
    id_number: str = Field(pattern=r"^\d{12}$", description="12-digit personal identification number")
    full_name: str = Field(min_length=1, max_length=100)
    date_of_birth: IsoDate
    source: Literal["chip", "qr", "typed"] = Field(description="Where the identity came from")
    passive_authentication: PassiveAuthentication


class DocumentPhoto(Model):
    kind: str = Field(min_length=1, max_length=80, description="Which required document this is")
    content_type: Literal["image/jpeg", "image/png", "application/pdf"]
    data_base64: str = Field(min_length=4, max_length=4_000_000)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Address(Model):
    """Two-level address (since 1 July 2025): province + ward/commune + street."""

    province: str = Field(min_length=2, max_length=60)
    ward: str = Field(min_length=2, max_length=60)
    street: str = Field(min_length=1, max_length=160)


class DeliveryChoice(Model):
    method: DeliveryMethod
    address: Optional[Address] = Field(None, description="Required when method is post")
    recipient_name: Optional[str] = Field(None, max_length=100)
    phone: Optional[str] = Field(None, pattern=r"^\+?\d{9,12}$")


class DossierSubmission(Model):
    procedure_code: str = Field(min_length=3, max_length=20)
    applicant: Applicant
    form: dict = Field(description="Form data; must validate against the procedure's form schema")
    documents: list[DocumentPhoto] = Field(default_factory=list, max_length=12)
    delivery: DeliveryChoice
    contact_phone: Optional[str] = Field(None, pattern=r"^\+?\d{9,12}$")
    consent_at: IsoDateTime = Field(description="When the citizen consented to the processing of personal data")
    submitted_at: IsoDateTime = Field(description="Kiosk clock at submission (the outbox may deliver later)")
    provisional_reference: Optional[str] = Field(None, max_length=40,
                                                 description="Reference printed on a provisional receipt, if any")


class SubmissionReceipt(Model):
    code: str = Field(description="The dossier code the citizen uses to look it up")
    status: DossierStatus
    procedure: ProcedureRef
    received_at: datetime
    expected_date: Optional[date] = None
    fee: DossierFee
    provisional_reference: Optional[str] = None


# --- payments --------------------------------------------------------------------------------

PaymentStatus = Literal["pending", "paid", "expired", "cancelled"]


class PaymentRequest(Model):
    dossier_code: str = Field(pattern=DOSSIER_CODE_PATTERN)
    method: Literal["vietqr", "cash"]


class Payment(Model):
    id: str
    dossier_code: str
    amount_vnd: int = Field(ge=0)
    method: Literal["vietqr", "cash"]
    status: PaymentStatus
    qr_payload: Optional[str] = Field(None, description="VietQR (EMVCo) payload to show as a QR code")
    created_at: datetime
    expires_at: datetime
    paid_at: Optional[datetime] = None
    confirmed_by: Optional[str] = Field(None, description="'bank' or the staff member who took the cash")


class CashConfirmation(Model):
    staff_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    amount_vnd: Int = Field(ge=0)
    receipt_number: Optional[str] = Field(None, max_length=40)


# --- delivery --------------------------------------------------------------------------------


class DeliveryBooking(Model):
    address: Address
    recipient_name: str = Field(min_length=1, max_length=100)
    phone: str = Field(pattern=r"^\+?\d{9,12}$")
    note: Optional[str] = Field(None, max_length=200)


class DeliveryConfirmation(Model):
    booking_id: str
    dossier_code: str
    tracking_code: str
    fee_vnd: int = Field(ge=0)
    estimated_days: int = Field(ge=0)
    province: str
    ward: str


class Province(Model):
    code: str
    name: str
    kind: Literal["city", "province"]


# --- help and ratings ------------------------------------------------------------------------

HelpReason = Literal["card_problem", "form_help", "payment", "documents", "accessibility", "other"]
HelpStatus = Literal["waiting", "in_service", "done", "cancelled"]


class HelpRequestIn(Model):
    reason: HelpReason
    procedure_code: Optional[str] = Field(None, max_length=20)
    note: Optional[str] = Field(None, max_length=300)


class HelpTicket(Model):
    id: int
    ticket: str = Field(description="Ticket number the citizen sees, e.g. H-007")
    kiosk_id: str
    reason: HelpReason
    status: HelpStatus
    created_at: datetime
    position: Optional[int] = Field(None, description="Place in the waiting queue (1 = next)")


class HelpStatusChange(Model):
    status: HelpStatus
    staff_id: Optional[str] = Field(None, max_length=40)


class RatingIn(Model):
    score: Int = Field(ge=1, le=5)
    journey: Literal["lookup", "submit", "payment", "help", "other"]
    dossier_code: Optional[str] = Field(None, pattern=DOSSIER_CODE_PATTERN)
    comment: Optional[str] = Field(None, max_length=500)
    rated_at: Optional[IsoDateTime] = None


class RatingAck(Model):
    id: int
