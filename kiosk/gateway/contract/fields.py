"""The contract's vocabulary: enumerations, patterns, size limits and the field types the
contract classes share (dates as ISO 8601 text, whole numbers, kiosk ids, phone numbers)."""

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from pydantic import AwareDatetime, BeforeValidator, Field

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


IsoDateTime = Annotated[datetime, BeforeValidator(_text_only)]  # sent by a kiosk
IsoDate = Annotated[date, BeforeValidator(_text_only)]
Instant = AwareDatetime  # answered by a gateway: always with its time zone


def whole(**limits):
    """An integer a kiosk sends; JSON 5.0 counts as 5 (the limits sit inside, so the document
    shows them as minimum/maximum)."""
    return Annotated[int, Field(**limits), BeforeValidator(_whole_number)]


NonNegative = Annotated[int, Field(ge=0)]
KioskId = Annotated[str, Field(min_length=1, max_length=40, pattern=KIOSK_ID_PATTERN)]
Phone = Annotated[str, Field(pattern=PHONE_PATTERN)]
