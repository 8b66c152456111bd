"""Acting for the applicant (``ApplicantProof``, ``StaffCheck``), fee payments (VietQR or cash, the demo bank's
confirmation) and delivery of a result by post (``DeliveryBooking``, ``DeliveryConfirmation``)."""

from dataclasses import field
from typing import Annotated, Any, Literal, get_args

from pydantic import Field

from kiosk.gateway.contract.dossiers import Address
from kiosk.gateway.contract.fields import (
    CLAIM_CODE_PATTERN,
    DOSSIER_CODE_PATTERN,
    ID_NUMBER_PATTERN,
    Instant,
    KioskId,
    NonNegative,
    PaymentMethod,
    PaymentStatus,
    Phone,
    whole,
)
from kiosk.gateway.contract.wire import SchemaError, Wire, contract, parse

# --- acting for the applicant ----------------------------------------------------------------


# what a clerk checked the citizen against: the ID card itself (căn cước / CCCD, read by eye,
# not by its chip), the VNeID app's level-2 electronic identity, or a passport that prints the
# personal ID number
StaffCheckDocument = Literal["id_card", "vneid", "passport"]
STAFF_CHECK_DOCUMENTS = get_args(StaffCheckDocument)


@contract
class StaffCheck(Wire):
    """Post-office staff, signed in at the kiosk with the staff PIN just now, checked an identity
    document against the person in front of them and typed the ID number printed on it.  The
    gateway compares the number with the dossier's applicant as it does a chip's, and records
    who attested it and which document (never the number)."""

    id_number: Annotated[str, Field(pattern=ID_NUMBER_PATTERN, description=(
        "12-digit ID number the clerk typed from the document checked (sent over TLS only)"))] = \
        field(repr=False)
    document: Annotated[StaffCheckDocument, Field(description=(
        "What the clerk checked: 'id_card' (the ID card, by eye), 'vneid' (the VNeID app, level 2) "
        "or 'passport'"))]
    staff_id: Annotated[KioskId, Field(description="The staff member who attests it (as in cash confirmations)")]

    def __repr__(self) -> str:  # never the number
        return f"StaffCheck({self.document}, {self.staff_id})"


@contract
class ApplicantProof(Wire):
    """Proof that the caller acts for the dossier's applicant, required to pay for a dossier and
    to book delivery of its result (a missing or wrong proof is 403 ``applicant_proof_required``
    or ``applicant_proof_mismatch``).  Exactly one of (two or more is a mismatch):

    - ``id_number``: the applicant's ID number as the kiosk read it from the chip ID card in this
      session (never a number typed or scanned from the card's printed QR);
    - ``claim_code``: the secret printed on the dossier receipt;
    - ``staff_check``: staff, signed in with the staff PIN, checked the citizen's document and
      confirm on the citizen's behalf (``StaffCheck``): the number is compared as ``id_number``
      is, and the gateway keeps who attested it with the payment or booking."""

    id_number: Annotated[str | None, Field(pattern=ID_NUMBER_PATTERN, description=(
        "12-digit ID number read from the applicant's chip in this session (sent over TLS only)"))] = \
        field(default=None, repr=False)
    claim_code: Annotated[str | None, Field(pattern=CLAIM_CODE_PATTERN, description=(
        "The claim code printed on the dossier receipt (case and the hyphen do not matter)"))] = \
        field(default=None, repr=False)
    staff_check: Annotated[StaffCheck | None, Field(description=(
        "Staff confirm on the citizen's behalf, with the staff PIN: the ID number from the document "
        "they checked"))] = field(default=None, repr=False)

    def __repr__(self) -> str:  # which kind of proof, never its value
        kinds = [k for k in ("id_number", "claim_code", "staff_check") if getattr(self, k)]
        return f"ApplicantProof({'+'.join(kinds) or 'none'})"


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
    amount_vnd: whole(ge=0)
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
