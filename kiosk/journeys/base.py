"""What every journey service shares.

A journey service owns one journey's rules: its flow (which step follows which), its typed
draft (what the citizen gave, in the session, wiped with it), and the work it starts (off the
UI thread, as ``Task``s).  When work succeeds the service keeps the result in its draft and
moves the citizen on itself (``core.advance(event)``); screens only render the draft and
forward touches.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from kiosk.core import CitizenError, KioskCore, Task
from kiosk.core.flow import Flow
from kiosk.text import InvalidDossierCode, normalize_dossier_code

log = logging.getLogger("kiosk.journeys")

D = TypeVar("D")


class JourneyService(Generic[D]):
    name: ClassVar[str] = ""
    Draft: ClassVar[type]
    flow: ClassVar[Flow | None] = None

    def __init__(self, core: KioskCore):
        self.core = core
        if self.name:
            core.on_work(self.name, self.has_work)

    def has_work(self) -> bool:
        """Does this journey's draft hold something the citizen gave, that leaving the journey
        would throw away (``core.work_at_stake``)?  By default: any field of the draft away from
        its default; a journey whose draft only holds what it showed may say no."""
        draft = self.existing
        return draft is not None and holds_data(draft)

    @property
    def dossier_code(self) -> str | None:
        """The dossier this journey is about, if any (the rating sends it)."""
        return None

    @property
    def draft(self) -> D:
        return self.core.session.draft(self.Draft)

    @property
    def existing(self) -> D | None:
        """The draft if this session has one (for reads that must not make one)."""
        return self.core.session.peek(self.Draft)

    @property
    def lang(self) -> str:
        return self.core.session.language

    def changed(self) -> None:
        """Tell this journey's screens to render again."""
        self.core.emit(self.name)

    def move(self, event: str, *, from_step: str | None = None) -> None:
        """Move the citizen on along the flow with ``event``, unless they already left the step
        the work started on (``from_step``; without it: unless the current step has no such
        transition), because they went back while it ran: a late answer never pulls them
        forward."""
        still = self.core.step == from_step if from_step is not None else self.core.can(event)
        if still:
            self.core.advance(event)
        else:
            log.info("answer after the step was left", extra={"journey": self.name, "event": event})

    def mover(self, event: str) -> Callable[..., None]:
        """``move(event)`` as a callback for work starting now, on the step the citizen is on."""
        step = self.core.step
        return lambda *_: self.move(event, from_step=step)

    def gateway_call(self, work: Callable[[Any], Any], what: str) -> Task:
        return self.core.gateway_call(work, f"{self.name}-{what}")

    def run(self, work: Callable[[], Any], what: str) -> Task:
        return self.core.run(work, f"{self.name}-{what}")

    def print_once(self, key: str, build: Callable[[Any], Any], what: str = "print") -> Task:
        """Print a receipt once per ``key`` for this session (off the UI thread):
        ``build(receipts)`` prints it through the receipt service; the task's result is the
        PrintResult (a failed print is a result too: the printer keeps it for staff)."""
        receipts = self.core.receipts
        if receipts is None:
            return Task.failed(CitizenError("printer.no_device", "next.collect_at_counter"), what)
        return self.run(lambda: receipts.print_once(key, lambda: build(receipts)), what)


def holds_data(draft: Any) -> bool:
    """Any field of a dataclass draft away from its default (an empty draft holds nothing)."""
    if not dataclasses.is_dataclass(draft):
        return True  # not ours to judge: count it as data
    for f in dataclasses.fields(draft):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            return True
        value = getattr(draft, f.name)
        if value is default:
            continue
        try:
            if value != default:
                return True
        except Exception:  # noqa: BLE001 - a value that cannot be compared is data
            return True
    return False


def dossier_code(raw_code: str) -> str:
    """The typed or scanned dossier code in its normal form; a CitizenError says why not."""
    try:
        return normalize_dossier_code(raw_code)
    except InvalidDossierCode as exc:
        raise CitizenError(f"lookup.invalid.{exc.reason}", "next.check_code") from exc


def code_task(raw_code: str, then: Callable[[str], Task]) -> Task:
    """``then(code)`` for a valid code, else a failed Task telling the citizen why."""
    try:
        code = dossier_code(raw_code)
    except CitizenError as err:
        return Task.failed(err)
    return then(code)

