"""Dossiers: what a status page shows (``Dossier`` and its timeline), and what a kiosk files
(``DossierSubmission``: the applicant, the form, the document photos, the delivery chosen) with
the gateway's ``SubmissionReceipt``."""

from dataclasses import field
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from kiosk.gateway.contract.fields import (
    CLAIM_CODE_PATTERN,
    DeliveryMethod,
    DossierStatus,
    Instant,
    IsoDate,
    IsoDateTime,
    NonNegative,
    PassiveAuthStatus,
    Phone,
)
from kiosk.gateway.contract.wire import Wire, body, contract

# --- dossiers --------------------------------------------------------------------------------


def _by_time(events: list) -> list:
    return sorted(events, key=lambda e: e.at)


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
        return body(self)


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
