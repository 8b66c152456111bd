"""What a scanned QR code says, as a typed value.

One entry point::

    parse_payload(text, allowed_hosts) -> DossierCodePayload | IdCardQr | VietQrPayload | UnknownPayload

It never raises for content: anything it cannot vouch for comes back as ``UnknownPayload``
whose ``message_key`` is what the screen says ("qr.not_dossier_or_id") and whose ``reason`` is a
short stable string for logs and tests (never the payload itself).  Only a non-``str`` argument
raises (``TypeError``), because that is a programming error, not a citizen's.

Every payload is hostile until validated here: its length is bounded, control and format
characters (including bidi overrides and lone surrogates) are refused, every field has an
allowed alphabet, and nothing from a payload is used to build a URL, SQL or a path: a lookup
URL is only *read* (its host must be on the allow-list) and what leaves this module is a
dossier code that passed ``kiosk.text.normalize_dossier_code``.

Order of recognition: VietQR (starts with ``000201``) → ID-card front QR (``|``-separated) →
the kiosk's dossier receipt (``HOSO:<code>:<claim code>``) → lookup URL (``http(s)://``) → bare
dossier code → unknown.

The dossier receipt a kiosk prints carries, besides the code, the dossier's **claim code** (the
secret that lets whoever holds the receipt pay for the dossier and book delivery of its
result): its QR reads ``HOSO:H26.99-251125-7KQ2M9XD:7KQ2-M9XD`` (upper case, digits and
``.-/:`` only, so the QR stays small in alphanumeric mode).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

from kiosk.text import (
    InvalidClaimCode,
    InvalidDossierCode,
    is_id_number,
    mask_id,
    nfc,
    normalize_claim_code,
    normalize_dossier_code,
)
from kiosk.vietqr import VietQr, VietQrError
from kiosk.vietqr import parse as parse_vietqr

MAX_PAYLOAD_CHARS = 1024  # an ID-card QR is ~200, a VietQR ≤512, a lookup URL a few dozen
MAX_URL_CHARS = 512
NOT_DOSSIER_OR_ID = "qr.not_dossier_or_id"

# query parameters that carry a dossier code in lookup URLs (compared case-insensitively)
DOSSIER_QUERY_KEYS = ("mahoso", "ma_ho_so", "ma", "hoso", "code", "dossier", "dossiercode", "sobiennhan", "q", "id")


RECEIPT_PREFIX = "HOSO:"


@dataclass(frozen=True)
class DossierCodePayload:
    code: str  # normalised by kiosk.text.normalize_dossier_code
    from_url: bool = False
    host: str | None = None  # the allow-listed host the code came from, if any
    message_key: str = "qr.dossier_found"
    # from the kiosk's dossier receipt: proof that whoever holds it acts for the applicant
    claim_code: str | None = field(default=None, repr=False)  # normalised, "XXXX-XXXX"


def receipt_qr(code: str, claim_code: str | None) -> str:
    """What the dossier receipt's QR says: the code, and with the claim code when there is one
    (``parse_payload`` reads it back as a ``DossierCodePayload`` carrying both)."""
    code = normalize_dossier_code(code)
    if not claim_code:
        return code
    return f"{RECEIPT_PREFIX}{code}:{normalize_claim_code(claim_code)}"


@dataclass(repr=False)
class IdCardQr:
    """The front QR of a chip ID card.  Personal data: keep in memory for the session only."""

    id_number: str
    old_id: str
    full_name: str
    dob: date | None
    sex: str
    address: str
    issue_date: date | None
    extra_fields: int = 0  # fields beyond the 7 of the 2021 format (2024 cards), ignored
    message_key: str = "qr.id_card_found"

    def wipe(self) -> None:
        """Drop every personal value (Python cannot scrub str memory; references go)."""
        self.id_number = ""
        self.old_id = ""
        self.full_name = ""
        self.dob = None
        self.sex = ""
        self.address = ""
        self.issue_date = None

    @property
    def wiped(self) -> bool:
        return not self.id_number and not self.full_name

    def __repr__(self) -> str:  # never print personal data, even by accident in a traceback
        return f"IdCardQr(id_number={mask_id(self.id_number)!r}, fields=7+{self.extra_fields})"

    __str__ = __repr__


@dataclass(frozen=True)
class VietQrPayload:
    """A valid (CRC checked) VietQR/EMVCo payment QR: the kiosk explains what it is."""

    payment: VietQr
    message_key: str = "qr.payment_qr"


@dataclass(frozen=True)
class UnknownPayload:
    reason: str  # stable, no payload content: "too-long", "host-not-allowed", "vietqr-crc-mismatch"…
    length: int = 0
    message_key: str = NOT_DOSSIER_OR_ID
    next_step: str = "next.check_code"


Payload = DossierCodePayload | IdCardQr | VietQrPayload | UnknownPayload


def _refused_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    # Cc control, Cf format (bidi overrides, zero-width), Cs lone surrogates, Co private use,
    # Cn unassigned; also the Unicode line/paragraph separators
    return cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def parse_payload(text: str, allowed_hosts: tuple[str, ...] = ()) -> Payload:
    """Classify and validate a scanned text; see the module docstring.  Never raises for content."""
    if not isinstance(text, str):
        raise TypeError("parse_payload expects str")
    length = len(text)
    if length > MAX_PAYLOAD_CHARS:
        return UnknownPayload("too-long", length)
    # a scanner or decoder may leave one trailing line end: forgive exactly that, refuse the rest
    body = text.strip(" ")
    if body.endswith("\r\n"):
        body = body[:-2]
    elif body.endswith(("\n", "\r")):
        body = body[:-1]
    body = body.strip(" ")
    if not body:
        return UnknownPayload("empty", length)
    if any(_refused_char(ch) for ch in body):
        return UnknownPayload("control-characters", length)

    if body.startswith("000201"):
        try:
            return VietQrPayload(parse_vietqr(body))
        except VietQrError as exc:
            return UnknownPayload("vietqr-" + exc.reason, length)
    if "|" in body:
        return _parse_id_card(body, length)
    if body[:len(RECEIPT_PREFIX)].upper() == RECEIPT_PREFIX:
        return _parse_receipt(body[len(RECEIPT_PREFIX):], length)
    if body.lower().startswith(("http://", "https://")):
        return _parse_lookup_url(body, allowed_hosts, length)
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]{0,20}:", body):  # no dossier code holds a ":"
        return UnknownPayload("other-uri-scheme", length)  # javascript:, WIFI:, MECARD:, tel:…
    try:
        return DossierCodePayload(normalize_dossier_code(body))
    except InvalidDossierCode as exc:
        return UnknownPayload("dossier-" + exc.reason, length)


# --- the kiosk's dossier receipt ---------------------------------------------------------------


def _parse_receipt(rest: str, length: int) -> Payload:
    code, sep, claim = rest.rpartition(":")
    if not sep or not code:
        return UnknownPayload("receipt-malformed", length)
    try:
        normalized = normalize_dossier_code(code)
    except InvalidDossierCode as exc:
        return UnknownPayload("receipt-dossier-" + exc.reason, length)
    try:
        return DossierCodePayload(normalized, claim_code=normalize_claim_code(claim))
    except InvalidClaimCode as exc:
        return UnknownPayload("receipt-claim-" + exc.reason, length)


# --- lookup URLs -------------------------------------------------------------------------------

_URL_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def _parse_lookup_url(url: str, allowed_hosts: tuple[str, ...], length: int) -> Payload:
    if len(url) > MAX_URL_CHARS:
        return UnknownPayload("url-too-long", length)
    if not _URL_SAFE.fullmatch(url):  # ASCII only: no IDN look-alikes, no spaces, no backslashes
        return UnknownPayload("url-bad-characters", length)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return UnknownPayload("url-malformed", length)
    if parts.scheme.lower() not in ("http", "https"):
        return UnknownPayload("url-malformed", length)
    if "@" in parts.netloc:  # https://allowed.host@evil.example/ tricks
        return UnknownPayload("url-userinfo", length)
    host = (parts.hostname or "").lower()
    if host.endswith("."):  # the one root dot of a fully qualified name; "host.." is no host
        host = host[:-1]
    allowed = {h.lower() for h in allowed_hosts}
    if not host or host not in allowed:  # exactly one of them: never a suffix, prefix or sub-domain
        return UnknownPayload("host-not-allowed", length)
    if port not in (None, 80, 443):
        return UnknownPayload("host-not-allowed", length)
    try:
        query = parse_qsl(parts.query, max_num_fields=20)  # lenient; blank values dropped (never a code)
    except ValueError:
        return UnknownPayload("url-malformed", length)
    found = {v for k, v in query if k.lower() in DOSSIER_QUERY_KEYS and v}
    if len(found) > 1:
        return UnknownPayload("url-ambiguous-code", length)
    if found:
        candidate = next(iter(found))
    else:
        segments = [s for s in parts.path.split("/") if s]
        if not segments:
            return UnknownPayload("url-no-code", length)
        candidate = unquote(segments[-1])
    try:
        return DossierCodePayload(normalize_dossier_code(candidate), from_url=True, host=host)
    except InvalidDossierCode as exc:
        return UnknownPayload("url-dossier-" + exc.reason, length)


# --- ID card front QR -------------------------------------------------------------------------

ID_QR_MIN_FIELDS = 7
ID_QR_MAX_FIELDS = 16  # 2024 cards may add fields: accept a few, interpret the first seven
_NAME_MAX = 100
_ADDRESS_MAX = 300
_SEXES = {"nam": "Nam", "nữ": "Nữ", "nu": "Nữ", "male": "Nam", "female": "Nữ", "m": "Nam", "f": "Nữ", "khác": "Khác"}


def _letters_only(text: str, extra: str) -> bool:
    for ch in text:
        if ch in extra:
            continue
        cat = unicodedata.category(ch)
        if cat[0] not in ("L", "M"):
            return False
    return True


def _ddmmyyyy(raw: str) -> date | None:
    """The date written DDMMYYYY, or None for anything else (31022021 included)."""
    if not re.fullmatch(r"\d{8}", raw):
        return None
    try:
        return date(int(raw[4:]), int(raw[2:4]), int(raw[:2]))
    except ValueError:
        return None


def _parse_id_card(body: str, length: int) -> Payload:
    fields = body.split("|")
    if not (ID_QR_MIN_FIELDS <= len(fields) <= ID_QR_MAX_FIELDS):
        return UnknownPayload("id-field-count", length)
    id12, old_id, name, dob_raw, sex_raw, address, issue_raw = (nfc(f.strip()) for f in fields[:7])
    if not is_id_number(id12):
        return UnknownPayload("id-number", length)
    if old_id and not re.fullmatch(r"\d{9}|\d{12}", old_id):
        return UnknownPayload("id-old-number", length)
    name = re.sub(r" {2,}", " ", name)
    if not name or len(name) > _NAME_MAX or not _letters_only(name, " '-"):
        return UnknownPayload("id-name", length)
    dob = _ddmmyyyy(dob_raw)
    issue = _ddmmyyyy(issue_raw)  # None when left out (allowed) or garbled (refused below)
    today = date.today()
    if dob is None or not (date(1900, 1, 1) <= dob <= today):
        return UnknownPayload("id-date", length)
    if issue_raw and (issue is None or not (dob <= issue <= today)):
        return UnknownPayload("id-date", length)
    sex = _SEXES.get(sex_raw.lower())
    if sex is None:
        return UnknownPayload("id-sex", length)
    if len(address) > _ADDRESS_MAX or not _letters_only(address, " 0123456789,.-/()'&;:#"):
        return UnknownPayload("id-address", length)
    return IdCardQr(
        id_number=id12,
        old_id=old_id,
        full_name=name,
        dob=dob,
        sex=sex,
        address=address,
        issue_date=issue,
        extra_fields=len(fields) - ID_QR_MIN_FIELDS,
    )


def describe(payload: Payload) -> dict:
    """A log/JSON-safe summary: kind and non-personal facts only (ID numbers masked)."""
    if isinstance(payload, DossierCodePayload):
        return {"kind": "dossier", "code": payload.code, "from_url": payload.from_url, "host": payload.host,
                "claim_code": payload.claim_code is not None}  # that there is one, never what it is
    if isinstance(payload, IdCardQr):
        return {"kind": "id_card", "id_number": mask_id(payload.id_number), "extra_fields": payload.extra_fields}
    if isinstance(payload, VietQrPayload):
        p = payload.payment
        return {"kind": "vietqr", "bank_bin": p.bank_bin, "amount": p.amount, "napas": p.is_napas}
    return {"kind": "unknown", "reason": payload.reason, "message_key": payload.message_key}
