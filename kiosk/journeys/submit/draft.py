"""The submission a citizen builds: the procedure chosen, the form values, the document photos
(JPEG bytes in ``bytearray``, in memory only), the delivery choice and, once sent, the
idempotency key and the gateway's answer.  It is the submit journey's draft in the session;
``wipe()`` overwrites every photo buffer and forgets the rest."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.text import fold

MAX_PAGES_PER_DOCUMENT = 4
MAX_PAGES = 12  # the contract's limit on documents per submission
HINT_DARK = "submit.photo.hint.dark"
HINT_BLURRED = "submit.photo.hint.blurred"
HINT_NO_PAGE = "submit.photo.hint.no_page"
HINT_OK = "submit.photo.hint.ok"


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
    # a photo with a quality problem: not a page until the citizen keeps it anyway
    pending: Photo | None = None

    @property
    def required(self) -> bool:
        return bool(getattr(self.doc, "required", False))

    def name(self, lang: str) -> str:
        return getattr(self.doc, f"name_{lang}", "") or self.doc.name_vi

    def wipe(self) -> None:
        for page in self.pages:
            page.wipe()
        self.pages.clear()
        self.drop_pending()

    def drop_pending(self) -> None:
        if self.pending is not None:
            self.pending.wipe()
            self.pending = None

    def __repr__(self) -> str:
        return f"DocumentSlot({self.index}, {self.mode}, pages={len(self.pages)})"


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
    dossier: Any = None  # the dossier the gateway filed (what the pay steps show), once sent
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
        self.receipt = self.dossier = None
        self.wiped = True

    def __repr__(self) -> str:  # never personal data
        return (f"SubmitDraft(procedure={getattr(self.procedure, 'code', None)}, pages={self.page_count}, "
                f"sent={self.sent})")
