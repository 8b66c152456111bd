"""Typed errors of the card path.

Every error a citizen can meet carries a ``message_key`` (stable, short, translated by the UI)
and a ``next_step`` key (what to do now).  Lower layers raise the specific subclasses; nothing
else escapes ``read_identity``.
"""

from __future__ import annotations

from kiosk.errors import KioskError


class CardError(KioskError):
    message_key = "card.error"
    next_step = "next.ask_staff"
    exit_code = 6

    def __init__(self, detail: str = "", *, message_key: str | None = None, next_step: str | None = None):
        # ``detail`` is for technicians and logs: never personal data.
        super().__init__(message_key, next_step, detail)


class NoReaderError(CardError):
    message_key = "card.no-reader"
    next_step = "next.ask_staff"
    exit_code = 5


class NoCardError(CardError):
    message_key = "card.no-card"
    next_step = "next.place_card"
    exit_code = 5


class CardRemovedError(CardError):
    """The card left the field (or the link dropped) during a read; partial data is discarded."""

    message_key = "card.removed"
    next_step = "next.place_card_again"
    exit_code = 5


class NotAnIdCardError(CardError):
    """No eMRTD applet: a bank card, a transport card, a phone…"""

    message_key = "card.not-id-card"
    next_step = "next.use_chip_id_card"
    exit_code = 6


class AccessDeniedError(CardError):
    """PACE or BAC failed: the key (ID number, DOB, expiry) does not open this chip."""

    message_key = "card.access-denied"
    next_step = "next.check_id_number"
    exit_code = 4


class SecureMessagingError(CardError):
    """A response whose MAC does not verify (or 6987/6988): an error, never data."""

    message_key = "card.secure-messaging"
    next_step = "next.place_card_again"
    exit_code = 6


class CardDataError(CardError):
    """A file that cannot be parsed: bad BER, truncated, absurd sizes, bad check digits."""

    message_key = "card.bad-data"
    next_step = "next.ask_staff"
    exit_code = 6


class PassiveAuthError(CardError):
    """Passive authentication failed: the data is not what the issuer signed."""

    message_key = "card.not-authentic"
    next_step = "next.ask_staff"
    exit_code = 3

    def __init__(self, detail: str = "", *, check: str = "", **kw):
        self.check = check
        super().__init__(detail, **kw)


class CancelledError(CardError):
    message_key = "card.cancelled"
    next_step = "next.none"
    exit_code = 6


class CardKeyError(CardError):
    """The key given for the read is malformed (not 12 digits, bad date…)."""

    message_key = "card.bad-key"
    next_step = "next.check_id_number"
    exit_code = 4


class ApduError(CardError):
    """A status word other than 9000 where the caller did not expect one."""

    def __init__(self, sw: int, what: str = ""):
        self.sw = sw
        super().__init__(f"{what} answered {sw:04X}")
