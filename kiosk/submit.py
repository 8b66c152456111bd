"""Submitting a procedure: the citizen's draft and what is worked out from it.  Plain Python.

``SubmitDraft`` holds one citizen's submission while they build it: the procedure chosen, the
form values, the document photos (JPEG bytes in ``bytearray``, in memory only), the delivery
choice and, once sent, the idempotency key and the gateway's answer.  It lives in the session
(``session.notes["submit"]``) and ``wipe()`` overwrites every photo buffer and forgets the rest,
so ``session.wipe()`` destroys it with everything else.

The helpers below do the rest without Kivy:

- ``form_fields(procedure)``: the procedure's JSON-schema form as fields a screen can show;
- ``prefill(...)``: what the chip tells us for those fields (nationality, ethnicity, an address
  when the residence on the card is cleanly province + ward/commune + street);
- ``coerce`` / ``problems``: the typed text as JSON values, validated with the gateway's rules
  (``kiosk.gateway.formschema``), one message key per field;
- ``photo_quality`` / ``encode_jpeg``: a captured camera frame's quality hint (too dark,
  blurred, no page found) and its JPEG bytes;
- ``build_submission``: the ``DossierSubmission`` the gateway receives.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Sequence

from kiosk.text import fold, nfc

# -- documents ------------------------------------------------------------------------------------

MAX_PAGES_PER_DOCUMENT = 4
MAX_PAGES = 12  # the contract's limit on documents per submission
HINT_DARK = "submit.photo.hint.dark"
HINT_BLURRED = "submit.photo.hint.blurred"
HINT_NO_PAGE = "submit.photo.hint.no_page"
HINT_OK = "submit.photo.hint.ok"

# A page is "too dark" under this mean grey level; "blurred" under this Laplacian variance
# (measured on generated pages: a sharp page of text scores several hundred, a 9-px blur < 30).
DARK_LEVEL = 60
BLUR_VARIANCE = 60.0
MIN_PAGE_FRACTION = 0.12  # the page must fill at least this much of the frame
MIN_PAGE_CONTRAST = 25  # grey levels between the page and what is around it


def document_mode(doc) -> str:
    """How the kiosk gets a required document:

    - ``chip``: the requester's ID card, read from its chip at the kiosk (nothing to photograph);
    - ``form``: the declaration form "(theo mẫu)": the kiosk's form replaces it;
    - ``photo``: anything else is photographed page by page.
    """
    vi, en = fold(getattr(doc, "name_vi", "")), fold(getattr(doc, "name_en", ""))
    if "card chip" in en or "chip the" in vi:
        return "chip"
    if re.search(r"\((theo )?mau\b", vi):
        return "form"
    return "photo"


@dataclass(repr=False, eq=False)
class Photo:
    """One photographed page: JPEG bytes in memory, their hash and the quality hint."""

    data: bytearray
    sha256: str
    hint: str = HINT_OK
    width: int = 0
    height: int = 0

    def wipe(self) -> None:
        self.data[:] = b"\x00" * len(self.data)
        del self.data[:]
        self.sha256 = ""

    def __repr__(self) -> str:
        return f"Photo({len(self.data)} bytes, {self.hint})"


@dataclass(repr=False, eq=False)
class DocumentSlot:
    index: int  # position in procedure.documents
    doc: Any  # kiosk.gateway.models.RequiredDocument
    mode: str
    pages: list[Photo] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return bool(getattr(self.doc, "required", False))

    def name(self, lang: str) -> str:
        return getattr(self.doc, f"name_{lang}", "") or self.doc.name_vi

    def wipe(self) -> None:
        for page in self.pages:
            page.wipe()
        self.pages.clear()

    def __repr__(self) -> str:
        return f"DocumentSlot({self.index}, {self.mode}, pages={len(self.pages)})"


# -- the draft ------------------------------------------------------------------------------------


@dataclass(repr=False, eq=False)
class SubmitDraft:
    procedure: Any = None  # kiosk.gateway.models.Procedure
    # finding it: the last search / life event the citizen looked at, and what came back
    query: str = ""
    life_event: Any = None  # kiosk.gateway.models.LifeEvent
    results: list = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # form values as shown/typed (text)
    documents: list[DocumentSlot] = field(default_factory=list)
    doc_at: int = 0  # which photo document the photo step shows
    delivery: dict[str, str] = field(default_factory=dict)  # method, recipient, phone, province…
    consent_at: datetime | None = None
    reviewing: bool = False  # a "change" link was followed: continue goes back to the review
    # sending: one key per submission content, so a retry never files twice
    idempotency_key: str | None = None
    submitted_at: datetime | None = None
    sent_digest: str = ""
    receipt: Any = None  # SubmissionReceipt or outbox.ProvisionalReceipt
    wiped: bool = False

    def choose(self, procedure) -> None:
        """A (new) procedure: what was given for another one goes."""
        if self.procedure is not None and self.procedure.code == procedure.code:
            return
        self._forget_content()
        self.procedure = procedure
        self.documents = [DocumentSlot(i, d, document_mode(d)) for i, d in enumerate(procedure.documents)]

    @property
    def photo_documents(self) -> list[DocumentSlot]:
        return [d for d in self.documents if d.mode == "photo"]

    @property
    def page_count(self) -> int:
        return sum(len(d.pages) for d in self.documents)

    def missing_documents(self) -> list[DocumentSlot]:
        """Required documents that still have no page."""
        return [d for d in self.photo_documents if d.required and not d.pages]

    @property
    def fee_vnd(self) -> int:
        fees = getattr(self.procedure, "fees", None) or []
        return int(fees[0].amount_vnd) if fees else 0

    @property
    def sent(self) -> bool:
        return self.receipt is not None

    @property
    def provisional(self) -> bool:
        return bool(getattr(self.receipt, "provisional", False)) and not hasattr(self.receipt, "code")

    @property
    def reference(self) -> str:
        """The dossier code, or the provisional TAM- reference."""
        r = self.receipt
        return getattr(r, "code", None) or getattr(r, "reference", "") or ""

    def digest(self) -> str:
        """What the submission says (not when): a change means a new idempotency key."""
        content = {
            "procedure": getattr(self.procedure, "code", ""),
            "values": self.values,
            "pages": [[p.sha256 for p in d.pages] for d in self.documents],
            "delivery": self.delivery,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def _forget_content(self) -> None:
        for d in self.documents:
            d.wipe()
        self.documents = []
        self.values.clear()
        self.delivery.clear()
        self.doc_at = 0
        self.reviewing = False
        self.idempotency_key = None
        self.submitted_at = None
        self.sent_digest = ""

    def wipe(self) -> None:
        self._forget_content()
        self.procedure = None
        self.query = ""
        self.life_event = None
        self.results = []
        self.consent_at = None
        self.receipt = None
        self.wiped = True

    def __repr__(self) -> str:  # never personal data
        return (f"SubmitDraft(procedure={getattr(self.procedure, 'code', None)}, pages={self.page_count}, "
                f"sent={self.sent})")


# -- the form -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # an EntryField kind: text | name | digits | date | choice
    title_vi: str
    title_en: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); booleans: ("yes", …), ("no", …)
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    json_type: str = "string"
    default: str = ""

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" else self.title_vi) or self.title_vi or self.name


NAME_FIELDS = re.compile(r"(full_name|_name|ward|street|place_of_birth|place_of_death)$")


def form_fields(procedure, yes_no: tuple[str, str] = ("Có", "Không")) -> list[FormField]:
    """The procedure's form schema as fields, in the schema's order."""
    schema = getattr(procedure, "form", None) or {}
    required = set(schema.get("required", []))
    out: list[FormField] = []
    for name, spec in (schema.get("properties") or {}).items():
        kind, choices, json_type = "text", (), spec.get("type", "string")
        if json_type == "boolean":
            kind, choices = "choice", (("yes", yes_no[0]), ("no", yes_no[1]))
        elif json_type == "integer":
            kind = "digits"
        elif "enum" in spec:
            kind, choices = "choice", tuple((str(v), str(v)) for v in spec["enum"])
        elif spec.get("format") == "date":
            kind = "date"
        elif NAME_FIELDS.search(name):
            kind = "name"
        default = spec.get("default", "")
        out.append(FormField(
            name=name, kind=kind, title_vi=spec.get("title", name), title_en=spec.get("x-title-en", ""),
            required=name in required, choices=choices, max_length=spec.get("maxLength"),
            minimum=spec.get("minimum"), maximum=spec.get("maximum"), json_type=json_type,
            default=str(default) if default not in (None, "") and not isinstance(default, bool) else "",
        ))
    return out


def coerce(fields: Sequence[FormField], values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Typed text → the JSON the gateway expects (empty optional fields left out), and the
    problems found on the way (a number that is not one)."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for f in fields:
        raw = nfc(str(values.get(f.name, "") or "")).strip()
        if not raw:
            continue
        if f.json_type == "integer":
            if not raw.isdigit() or len(raw) > 15:
                problems.append((f.name, "form.expected_number"))
                continue
            data[f.name] = int(raw)
        elif f.json_type == "boolean":
            data[f.name] = raw == "yes"
        else:
            data[f.name] = raw
    return data, problems


def problems(procedure, fields: Sequence[FormField], values: dict[str, str]) -> list[tuple[str, str]]:
    """Every problem with the values, at most one message key per field (the gateway's own
    validation rules, so what passes here passes there)."""
    from kiosk.gateway.formschema import validate

    data, found = coerce(fields, values)
    found += validate(getattr(procedure, "form", None) or {}, data)
    seen: set[str] = set()
    out = []
    for name, key in found:
        if name not in seen:
            seen.add(name)
            out.append((name, key))
    return out


# -- from the chip --------------------------------------------------------------------------------

WARD_PREFIXES = ("phuong ", "xa ", "dac khu ")
PROVINCE_PREFIXES = ("thanh pho ", "tinh ", "tp. ", "tp ")


def _province_key(name: str) -> str:
    folded = fold(name)
    for prefix in PROVINCE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def parse_residence(text: str, provinces: Sequence = ()) -> tuple[str, str, str] | None:
    """``street, ward/commune, province`` → (province name as the gateway lists it, ward,
    street), or None when the residence is not cleanly in that two-level shape (a district
    named, parts missing, a province the gateway does not list).  Addresses printed before
    July 2025 usually name a district: they are left for the citizen to type."""
    parts = [p.strip() for p in nfc(text or "").split(",") if p.strip()]
    if len(parts) != 3:
        return None
    street, ward, province = parts
    if not fold(ward).startswith(WARD_PREFIXES):
        return None
    wanted = _province_key(province)
    for p in provinces:
        if _province_key(p.name) == wanted:
            return p.name, ward, street
    return None


def prefill(fields: Sequence[FormField], identity, provinces: Sequence = ()) -> dict[str, str]:
    """Values the chip gives for the form's fields (the citizen can still change them)."""
    out: dict[str, str] = {}
    names = {f.name for f in fields}
    for f in fields:
        if f.default:
            out[f.name] = f.default
    if identity is None:
        return out
    for name in ("nationality", "ethnicity"):
        value = getattr(identity, name, "") or ""
        if name in names and value:
            out[name] = value
    # the citizen's own current address: "address_*" fields (a new address to register,
    # "new_address_*", is by definition another one)
    parsed = parse_residence(getattr(identity, "residence", ""), provinces)
    if parsed and {"address_province", "address_ward", "address_street"} <= names:
        out["address_province"], out["address_ward"], out["address_street"] = parsed
    return out


# -- photos ---------------------------------------------------------------------------------------


def photo_quality(frame) -> str:
    """A quality hint key for a captured BGR (or grey) frame: too dark, no page, blurred, ok."""
    import cv2
    import numpy as np

    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if float(gray.mean()) < DARK_LEVEL:
        return HINT_DARK
    if float(gray.std()) < 8:  # one even surface: an empty desk, a covered lens
        return HINT_NO_PAGE
    small = cv2.resize(gray, (640, max(1, int(gray.shape[0] * 640 / gray.shape[1]))), interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return HINT_NO_PAGE
    page = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(page)
    if area < MIN_PAGE_FRACTION * small.shape[0] * small.shape[1]:
        return HINT_NO_PAGE
    inside = np.zeros_like(small)
    cv2.drawContours(inside, [page], -1, 255, thickness=-1)
    page_level = float(small[inside > 0].mean())
    around = small[inside == 0]
    if around.size and page_level - float(around.mean()) < MIN_PAGE_CONTRAST:
        return HINT_NO_PAGE
    x, y, w, h = cv2.boundingRect(page)
    region = small[y:y + h, x:x + w]
    if float(cv2.Laplacian(region, cv2.CV_64F).var()) < BLUR_VARIANCE:
        return HINT_BLURRED
    return HINT_OK


def encode_jpeg(frame, quality: int = 85, max_side: int = 1600) -> bytearray:
    """The frame as JPEG bytes in a bytearray (the encoder's own buffer is zeroed)."""
    import cv2

    h, w = frame.shape[:2]
    scale = min(1.0, max_side / float(max(h, w)))
    if scale < 1.0:
        frame = cv2.resize(frame, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("the photo could not be encoded")
    data = bytearray(buf)
    buf.fill(0)
    return data


def capture(frame) -> Photo:
    """A camera frame → a Photo (quality hint first, then the JPEG)."""
    hint = photo_quality(frame)
    data = encode_jpeg(frame)
    h, w = frame.shape[:2]
    return Photo(data, hashlib.sha256(data).hexdigest(), hint, w, h)


# -- the submission -------------------------------------------------------------------------------

PA_STATUS = {"authentic": "verified", "integrity-only": "chain_not_verified", "failed": "failed"}


def passive_authentication(identity):
    from kiosk.gateway.models import PassiveAuthentication

    pa = getattr(identity, "passive_auth", None)
    status = PA_STATUS.get(getattr(pa, "status", ""), "not_performed")
    if status == "verified":
        return PassiveAuthentication(status, True, True, True)
    if status == "chain_not_verified":
        return PassiveAuthentication(status, True, True, None)
    return PassiveAuthentication(status)


def document_kind(slot: DocumentSlot, page: int, pages: int) -> str:
    """The contract's ``kind`` of a page (at most 80 characters): the document's name."""
    suffix = f" - trang {page}/{pages}" if pages > 1 else ""
    name = slot.doc.name_vi
    room = 80 - len(suffix)
    if len(name) > room:
        name = name[:room - 1].rstrip() + "…"
    return name + suffix


def delivery_choice(delivery: dict):
    from kiosk.gateway.models import Address, DeliveryChoice

    if delivery.get("method") != "post":
        return DeliveryChoice("pickup")
    return DeliveryChoice(
        "post", Address(delivery.get("province_name", ""), delivery.get("ward", ""), delivery.get("street", "")),
        recipient_name=delivery.get("recipient") or None, phone=delivery.get("phone") or None)


def build_submission(draft: SubmitDraft, identity, *, provisional_reference: str | None = None):
    """The DossierSubmission for the draft (``draft.submitted_at`` must be set)."""
    from kiosk.gateway.models import Applicant, DocumentPhoto, DossierSubmission

    if identity is None or not getattr(identity, "id_number", ""):
        raise ValueError("no identity")
    dob = identity.date_of_birth
    if dob is None:
        raise ValueError("no date of birth")
    fields = form_fields(draft.procedure)
    data, _ = coerce(fields, draft.values)
    documents = []
    for slot in draft.documents:
        for i, page in enumerate(slot.pages, 1):
            documents.append(DocumentPhoto.from_bytes(document_kind(slot, i, len(slot.pages)), "image/jpeg",
                                                      bytes(page.data)))
    now = draft.submitted_at or datetime.now(timezone.utc)
    delivery = delivery_choice(draft.delivery)
    return DossierSubmission(
        procedure_code=draft.procedure.code,
        applicant=Applicant(identity.id_number, identity.full_name, dob if isinstance(dob, date) else dob, "chip",
                            passive_authentication(identity)),
        form=data, delivery=delivery, consent_at=draft.consent_at or now, submitted_at=now,
        documents=documents, contact_phone=delivery.phone, provisional_reference=provisional_reference)


def localized(obj, attr: str, lang: str) -> str:
    return getattr(obj, f"{attr}_{lang}", "") or getattr(obj, f"{attr}_vi", "") or ""
