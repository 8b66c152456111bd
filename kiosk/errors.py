"""One error base for everything a person at the kiosk can meet.

Every such error carries a ``message_key`` (a short stable string the UI translates), a
``next_step`` key (what to do now) and a ``detail`` for staff, technicians and logs (never
personal data).  The card path, the printer, the gateway client, staff mode and the journeys
raise subclasses; screens show any of them the same way.
"""

from __future__ import annotations


class KioskError(Exception):
    message_key = "error.unexpected"
    next_step = "next.ask_staff"

    def __init__(self, message_key: str | None = None, next_step: str | None = None, detail: str = ""):
        if message_key:
            self.message_key = message_key
        if next_step:
            self.next_step = next_step
        self.detail = detail
        super().__init__(f"{self.message_key}: {detail}" if detail else self.message_key)


class CitizenError(KioskError):
    """What a journey tells the citizen: a message key and a next-step key, nothing technical."""

    next_step = "next.try_again"


def citizen_error(exc: BaseException) -> KioskError:
    """Map any failure to what the citizen is told; unknown failures say 'ask staff'."""
    if isinstance(exc, KioskError):
        return exc
    key = getattr(exc, "message_key", None)
    if key:
        return CitizenError(key, getattr(exc, "next_step", None) or "next.try_again", type(exc).__name__)
    return CitizenError("error.unexpected", "next.ask_staff", type(exc).__name__)
