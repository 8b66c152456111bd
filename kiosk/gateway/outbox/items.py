"""What an outbox item is: its kinds and states, the wire format of its stored payload, and
what the citizen takes home (a ``ProvisionalReceipt`` with a ``TAM-…`` reference, looked up
later as a ``ProvisionalStatus``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

KINDS = ("submission", "cash_confirmation", "rating")
STATES = ("sending", "queued", "delivered", "set_aside")
WIRE_VERSION = 2  # payload {"v": 2, "body": <the exact JSON text sent>, "payment_id": …}
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back


@dataclass(frozen=True)
class ProvisionalReceipt:
    """What the citizen takes home when their dossier could not be sent yet."""

    reference: str
    kind: str
    queued_at: datetime
    message_key: str = "gateway.provisional_receipt"
    next_step: str = "next.check_later"

    @property
    def provisional(self) -> bool:
        return True


@dataclass(frozen=True)
class ProvisionalStatus:
    reference: str
    state: str  # queued | delivered | set_aside
    dossier_code: str | None
    queued_at: datetime
    attempts: int
    last_error: str | None


def new_reference() -> str:
    """A provisional reference: 'TAM-' + 8 unambiguous characters (a valid dossier-code shape)."""
    return "TAM-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))

