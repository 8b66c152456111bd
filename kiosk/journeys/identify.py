"""Identify with the chip ID card: consent (who receives the data, under which law) → the key
(the last 6 digits of the ID number, or the card's front QR) → place the card → reading
progress → who the chip says you are, with its authenticity.

The same steps are the first part of every journey that needs the citizen's identity (the
submit flow includes them).  Consent is asked on the first step, before anything personal is
typed, scanned or read; declining it ends the journey with nothing read.

The key: PACE opens the chip with the CAN, the last 6 digits of the ID number, so that is all
the citizen types.  Only a chip that refuses PACE needs what BAC needs (the full number and the
birth date; the expiry is tried from the renewal ages, kiosk/devices/cardreader/key.py): the
read then comes back to the key step, which asks for those (``draft.need_bac``).

Staff confirm on the citizen's behalf: where a journey allows it (pay and delivery: their flow
has the ``STAFF_EVENT`` transition from the key step), a clerk who entered the staff PIN checks
an identity document against the person and types the ID number on it
(``kiosk.staff.StaffMode.confirm_applicant``).  The check (``StaffCheck``: number, document,
who) is kept in this draft, in the session's memory only, wiped with it, and shown to the
gateway as the applicant proof when the chip was not read (``kiosk.journeys.pay.applicant_proof``).

Rules: only an identity whose passive authentication did not fail is ever kept (the reader
raises instead); a read is cancelled when the citizen leaves the step or the session ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.core import CitizenError, KioskCore, Task
from kiosk.core.flow import Flow, Stage
from kiosk.devices.cardreader.key import CardKey
from kiosk.journeys.base import JourneyService
from kiosk.payloads import IdCardQr
from kiosk.text import is_id_number

CAN_DIGITS = 6
BAC_NEEDED = ("card.need-dob", "card.need-bac")  # the reader's answers when the chip refused PACE

log = logging.getLogger("kiosk.journeys.identify")

STEPS = ("identify_key", "identify_read", "identify_result")  # consent: the key step's first part
# from the key step, once staff confirmed the applicant: on to what the journey does next
STAFF_EVENT = "staff_confirmed"
# inside another journey, reading the card is one stage; it is skipped when this session
# already read it
STAGE = Stage("stage.card", STEPS, optional=True)
FLOW = Flow("identify", (*STEPS, "done"),
            stages=(Stage("stage.card_key", STEPS[:1]), Stage("stage.card_read", STEPS[1:2]),
                    Stage("stage.card_check", STEPS[2:])))


@dataclass(repr=False, eq=False)
class IdentifyDraft:
    key: CardKey | None = None  # what opens the chip: the CAN, or the ID number and birth date
    need_bac: bool = False  # the chip refused PACE: ask for the full number and the birth date
    staff_entry: bool = False  # staff entered the PIN: the key step shows the clerk's entry
    staff_check: Any = None  # kiosk.gateway.contract.payments.StaffCheck, once staff confirmed

    def wipe(self) -> None:
        self.key = self.staff_check = None
        self.need_bac = self.staff_entry = False


class IdentifyService(JourneyService[IdentifyDraft]):
    name = "identify"
    Draft = IdentifyDraft
    flow = FLOW

    def __init__(self, core: KioskCore):
        super().__init__(core)
        self._cancel: threading.Event | None = None
        core.on_wipe(lambda _reason: self.cancel_read())

    @property
    def identity(self) -> Any:
        return self.core.session.identity

    @property
    def identified(self) -> bool:
        """The chip was read and consent given in this session."""
        return self.core.session.identity is not None and self.core.session.consent_given

    @property
    def consent_given(self) -> bool:
        return self.core.session.consent_given

    def use_can(self, digits: str) -> None:
        """The citizen typed the last 6 digits of the ID number: on to placing the card."""
        if not self.consent_given:
            raise CitizenError("identify.consent_first", "next.read_consent")
        if len(digits) != CAN_DIGITS or not digits.isdigit():
            raise CitizenError("identify.bad_can", "next.check_can")
        self.draft.key = CardKey("", can_digits=digits)
        self.core.advance()

    def use_number(self, digits: str, dob=None) -> None:
        """The 12-digit ID number (and, for a chip that refused PACE, the birth date): on to
        placing the card."""
        if not self.consent_given:
            raise CitizenError("identify.consent_first", "next.read_consent")
        if not is_id_number(digits):
            raise CitizenError("identify.bad_number", "next.check_id_number")
        self.draft.key = CardKey(digits, dob=dob)
        self.core.advance()

    def use_front_qr(self, payload: IdCardQr) -> None:
        """The card's front QR: the ID number and the birth date (BAC works when PACE does not)."""
        if not self.consent_given:
            payload.wipe()  # nothing personal is kept before consent
            raise CitizenError("identify.consent_first", "next.read_consent")
        if not is_id_number(payload.id_number):
            raise CitizenError("identify.scanned_other", "next.show_card_qr")
        self.core.session.id_card_qr = payload
        self.draft.key = CardKey(payload.id_number, dob=payload.dob)
        self.core.advance()

    def read(self, progress: Callable[[float, str], None]) -> Task:
        """Read the chip off the UI thread; ``progress(fraction, step)`` comes on the UI thread.
        Without a key (the session was reset meanwhile) the citizen goes back to give one."""
        key = self.draft.key
        if key is None:
            self.core.back()
            return Task.resolved(None, "identify-read")
        reader = self.core.card_reader
        if reader is None:
            return Task.failed(CitizenError("card.no-reader", "next.ask_staff"))
        self.cancel_read()
        cancel = self._cancel = threading.Event()
        worker = self.core.worker
        generation = worker.generation

        def report(fraction: float, step: str) -> None:
            worker.dispatch(lambda: generation == worker.generation and not cancel.is_set()
                            and progress(fraction, step))

        def done(identity: Any) -> None:
            if cancel.is_set():
                identity.wipe()
                return
            session = self.core.session
            if session.identity is not None and session.identity is not identity:
                session.identity.wipe()
            session.identity = identity
            log.info("identity read", extra={"access": identity.access_method, "pa": identity.pa_status})
            self.core.advance()

        def refused(err: CitizenError) -> None:
            # (runs before the screen's own callback: what the screen shows is set here)
            if err.message_key == "card.access-denied" and key.can_digits and not key.id_number:
                err.message_key, err.next_step = "identify.can_denied", "next.check_can"
            if err.message_key in BAC_NEEDED and self.draft.key is key:
                # the chip refused PACE: back to the key step, which asks what BAC needs
                self.draft.need_bac = True
                self.changed()
                self.core.back()

        return self.run(lambda: reader.read_identity(key, progress=report, cancel=cancel), "read").then(
            done, refused)

    def cancel_read(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self._cancel = None

    def agree(self) -> None:
        """Consent given: the key step asks for the card's number next."""
        self.core.session.consent_given = True
        self.changed()

    def decline(self) -> None:
        self.core.home()  # nothing was read; nothing is kept

    # -- staff confirm on the citizen's behalf -------------------------------------------------

    @property
    def staff_may_confirm(self) -> bool:
        """The journey lets staff confirm the applicant from this step (pay, delivery)."""
        return self.core.can(STAFF_EVENT)

    @property
    def staff_check(self) -> Any:
        """Staff's check of the citizen's document in this session (a ``StaffCheck``), or None."""
        draft = self.existing
        return draft.staff_check if draft is not None else None

    def open_staff_entry(self) -> None:
        """Staff entered the PIN: the key step shows the clerk's entry (the document checked, the
        ID number)."""
        if self.staff_may_confirm:
            self.draft.staff_entry = True
            self.changed()

    def close_staff_entry(self) -> None:
        """The clerk's entry closed without a check: back to the card."""
        draft = self.existing
        if draft is not None and draft.staff_entry:
            draft.staff_entry = False
            self.changed()

    def use_staff_check(self, check: Any) -> None:
        """Staff confirmed (``kiosk.staff.StaffMode.confirm_applicant`` checked the PIN, the
        number and the document): kept for this session; on to what the journey does next."""
        if not self.staff_may_confirm:
            raise CitizenError("identify.staff_not_here", "next.ask_staff")
        draft = self.draft
        draft.staff_check, draft.staff_entry = check, False
        self.core.advance(STAFF_EVENT)

    def drop_staff_check(self) -> None:
        """The gateway refused staff's check (not this dossier's applicant): forgotten, so staff
        can check again from the identify step."""
        draft = self.existing
        if draft is not None and draft.staff_check is not None:
            draft.staff_check = None
            self.changed()
