"""The citizen's session: everything they gave the kiosk, in memory only, wiped at the end.

Nothing in a session is ever written to disk or logs.  What every journey shares (the chip
identity, a scanned ID-card QR, consent) is a field; what one journey gathers is its typed
*draft* (``session.draft(PayDraft)``), made on first use.  ``wipe()`` clears every field and
draft, overwrites byte buffers (document photos, the face image) and asks values that hold
personal data to wipe themselves, then leaves a fresh, empty session behind.
``holds_data()`` is what tests and the idle reset check.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kiosk.roles import Role

D = TypeVar("D")


def _scrub(value: Any) -> None:
    """Best-effort in-place destruction of personal data held by ``value``."""
    if isinstance(value, bytearray):
        value[:] = b"\x00" * len(value)
    elif isinstance(value, dict):
        for v in value.values():
            _scrub(v)
        value.clear()
    elif isinstance(value, list):
        for v in value:
            _scrub(v)
        value.clear()
    elif hasattr(value, "wipe") and callable(value.wipe):
        value.wipe()


@dataclass
class Session:
    """One citizen's visit.  Fields hold personal data only while the visit lasts."""

    session_id: str = field(default_factory=lambda: secrets.token_hex(8))
    started_at: float = field(default_factory=time.time)
    language: str = "vi"
    role: Role = Role.CITIZEN
    journey: str | None = None
    # what the citizen gave or was shown
    identity: Any = None  # kiosk.identity.Identity once the chip card was read
    id_card_qr: Any = None  # kiosk.payloads.IdCardQr when the card's front QR was shown
    consent_given: bool = False
    drafts: dict[type, Any] = field(default_factory=dict)  # one typed draft per journey

    _PERSONAL = ("identity", "id_card_qr", "drafts")

    def draft(self, kind: type[D]) -> D:
        """This session's draft of ``kind`` (a dataclass with ``wipe()``), made on first use."""
        draft = self.drafts.get(kind)
        if draft is None:
            draft = self.drafts[kind] = kind()
        return draft

    def peek(self, kind: type[D]) -> D | None:
        """This session's draft of ``kind`` if it has one; reading never makes one (an empty
        draft still counts as data held)."""
        return self.drafts.get(kind)

    def holds_data(self) -> bool:
        """True while anything the citizen gave (or was shown about them) is still here."""
        for name in self._PERSONAL:
            value = getattr(self, name)
            if value not in (None, "", {}, []):
                return True
        return self.consent_given

    def wipe(self, language: str | None = None) -> None:
        """Destroy everything personal and start a fresh session (new id)."""
        for name in self._PERSONAL:
            _scrub(getattr(self, name))
        fresh = Session(language=language or self.language)
        self.__dict__.update(fresh.__dict__)

    def __repr__(self) -> str:  # never show personal data in a traceback or log
        return (
            f"Session(id={self.session_id}, journey={self.journey}, role={self.role.value}, "
            f"holds_data={self.holds_data()})"
        )
