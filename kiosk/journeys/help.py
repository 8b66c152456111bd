"""Call staff: a reason → a ticket number from the gateway's help queue, printed too.

Help is asked from the help journey (the menu's tile) or from any screen (the navigation bar's
"Gọi nhân viên"), over whatever the citizen is doing: asking never starts a journey, never
wipes one, and the citizen carries on while they wait.

Rules: one open ticket at a time (asking again shows the same ticket, never a second one); a
failed print does not stop the call (the number is on screen); the ticket stays for the
session, across "home" too (it holds no personal data), until the citizen cancels it or staff
close it; while it is open the service asks the gateway now and then whether staff took it or
marked it done, and only then (``helped``) is the citizen asked to rate the help.  In the help
journey, the ticket closes the way back: back never lands one tap from a second ticket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.core import KioskCore, Task
from kiosk.core.flow import Flow
from kiosk.journeys.base import JourneyService

log = logging.getLogger("kiosk.journeys.help")

FLOW = Flow("help", ("help_reason", "help_ticket"), {("help_reason", "ticket"): "help_ticket"})

OPEN = ("waiting", "in_service")
POLL_SECONDS = 5.0  # how often an open ticket's status is asked


@dataclass(repr=False, eq=False)
class HelpDraft:
    ticket: Any = None  # the gateway's HelpTicket (its status follows the gateway's)
    printed: bool | None = None  # None: no printer

    @property
    def open(self) -> bool:
        """Staff have yet to come (waiting) or are with the citizen (in service)."""
        return self.ticket is not None and self.ticket.status in OPEN

    @property
    def helped(self) -> bool:
        """Staff marked the ticket done: the help happened."""
        return self.ticket is not None and self.ticket.status == "done"

    def wipe(self) -> None:
        self.ticket, self.printed = None, None


class HelpService(JourneyService[HelpDraft]):
    name = "help"
    Draft = HelpDraft
    flow = FLOW

    def __init__(self, core: KioskCore, clock: Callable[[], float] = time.monotonic):
        super().__init__(core)
        self._clock = clock
        self._next_poll = 0.0
        self._polling = False
        self._kept: tuple[Any, bool | None] | None = None
        core.on_tick(self._tick)
        core.on_wipe(self._keep_across_home)
        core.subscribe(self._on_core)

    def has_work(self) -> bool:
        """Leaving loses nothing: an open ticket is kept across "home"."""
        return False

    # -- what the screens show ------------------------------------------------------------------

    @property
    def ticket(self) -> Any:
        d = self.existing
        return d.ticket if d is not None else None

    @property
    def open(self) -> bool:
        d = self.existing
        return d is not None and d.open

    @property
    def helped(self) -> bool:
        d = self.existing
        return d is not None and d.helped

    # -- asking, cancelling -----------------------------------------------------------------------

    def ask(self, reason: str, label: str) -> Task:
        """Ask staff to come; ``label`` is the reason in the citizen's words, for the ticket.
        With a ticket already open, that ticket (no second one)."""
        if self.open:
            self._after_ticket()
            return Task.resolved(self.ticket, "help-ask")
        receipts, lang = self.core.receipts, self.lang

        def work(gateway) -> tuple[Any, bool | None]:
            ticket = gateway.create_help_request(reason)
            printed = None
            if receipts is not None:
                try:
                    printed = receipts.help_ticket(ticket.ticket, label, max(0, (ticket.position or 1) - 1), lang).ok
                except Exception as exc:  # noqa: BLE001 - the number is on screen as well
                    log.warning("help ticket not printed", extra={"kind": type(exc).__name__})
                    printed = False
            return ticket, printed

        def done(result: tuple[Any, bool | None]) -> Any:
            self.draft.ticket, self.draft.printed = result
            self._next_poll = self._clock() + POLL_SECONDS
            log.info("help requested", extra={"reason": reason, "ticket": result[0].ticket})
            self._after_ticket()
            return result[0]

        return self.gateway_call(work, "ask").then(done)

    def _after_ticket(self) -> None:
        """In the help journey: on to the ticket, and the reasons are behind a closed way back.
        Elsewhere the citizen stays where they are; the ticket shows over their screen."""
        if self.core.step == "help_reason":
            self.core.advance("ticket")
            self.core.close_way_back()
        self.changed()

    def cancel(self) -> Task:
        """The citizen no longer needs staff: the ticket leaves the queue."""
        ticket = self.ticket
        if ticket is None or not self.open:
            return Task.resolved(ticket, "help-cancel")

        def done(updated: Any) -> Any:
            d = self.existing
            if d is not None and d.ticket is not None and d.ticket.id == updated.id:
                d.ticket = updated
            log.info("help cancelled", extra={"ticket": updated.ticket})
            self.changed()
            return updated

        return self.gateway_call(lambda gw: gw.update_help_request(ticket.id, "cancelled"), "cancel").then(done)

    # -- following the ticket ---------------------------------------------------------------------

    def check(self) -> Task:
        """Ask the gateway where the open ticket is (taken, done, cancelled by staff)."""
        ticket = self.ticket
        if ticket is None or not self.open or self._polling:
            return Task.resolved(ticket, "help-check")
        self._polling = True
        kiosk = self.core.settings.kiosk.kiosk_id

        def work(gateway) -> Any:
            return next((t for t in gateway.list_help_requests(None, kiosk_id=kiosk) if t.id == ticket.id), None)

        def done(found: Any) -> Any:
            self._polling = False
            self._next_poll = self._clock() + POLL_SECONDS
            d = self.existing
            if found is None or d is None or d.ticket is None or d.ticket.id != found.id:
                return found
            changed = (found.status, found.position) != (d.ticket.status, d.ticket.position)
            d.ticket = found
            if changed:
                log.info("help ticket moved", extra={"ticket": found.ticket, "status": found.status})
                self.changed()
            return found

        def failed(_err) -> None:
            self._polling = False
            self._next_poll = self._clock() + POLL_SECONDS

        return self.gateway_call(work, "check").then(done, failed)

    def _tick(self) -> None:
        if self.open and not self._polling and self._clock() >= self._next_poll:
            self.check()

    # -- kept across "home" -----------------------------------------------------------------------

    def _keep_across_home(self, reason: str) -> None:
        d = self.existing
        self._polling = False
        self._kept = (d.ticket, d.printed) if reason == "home" and d is not None and d.open else None

    def _on_core(self, event: str, value: Any) -> None:
        if event == "wiped" and value == "home" and self._kept is not None:
            self.draft.ticket, self.draft.printed = self._kept
            self._kept = None
            self.changed()
