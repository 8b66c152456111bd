"""Identify with the chip ID card: the key (typed ID number or the card's front QR) → place
the card → reading progress → who the chip says you are, with its authenticity → consent.

The same steps are the first part of every journey that needs the citizen's identity (the
submit flow includes them).  Rules: only an identity whose passive authentication did not
fail is ever kept (the reader raises instead); a read is cancelled when the citizen leaves
the step or the session ends; declining consent forgets the read (back to the menu).
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

log = logging.getLogger("kiosk.journeys.identify")

STEPS = ("identify_key", "identify_read", "identify_result", "consent")
# inside another journey, reading the card is one stage; it is skipped when this session
# already read it
STAGE = Stage("stage.card", STEPS, optional=True)
FLOW = Flow("identify", (*STEPS, "done"),
            stages=(Stage("stage.card_key", STEPS[:1]), Stage("stage.card_read", STEPS[1:2]),
                    Stage("stage.card_check", STEPS[2:])))


@dataclass(repr=False, eq=False)
class IdentifyDraft:
    key: CardKey | None = None  # what opens the chip: ID number (CAN), and the birth date from the QR

    def wipe(self) -> None:
        self.key = None


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

    def use_number(self, digits: str) -> None:
        """The citizen typed the 12-digit ID number: on to placing the card."""
        if not is_id_number(digits):
            raise CitizenError("identify.bad_number", "next.check_id_number")
        self.draft.key = CardKey(digits)
        self.core.advance()

    def use_front_qr(self, payload: IdCardQr) -> None:
        """The card's front QR: the ID number and the birth date (BAC works when PACE does not)."""
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

        return self.run(lambda: reader.read_identity(key, progress=report, cancel=cancel), "read").then(done)

    def cancel_read(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self._cancel = None

    def agree(self) -> None:
        self.core.session.consent_given = True
        self.core.advance()

    def decline(self) -> None:
        self.core.home()  # nothing is kept: the identity read goes with the journey
