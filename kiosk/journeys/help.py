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

Waiting is not idling: the ticket tells the citizen to wait by the kiosk, so while it is open
the idle timeout is held (the idle policy's hold named ``HOLD``, which no other part of the app
releases), for at most kiosk.ini's ``help_wait_minutes`` from the call; past that, or once the
ticket is done or cancelled, the usual warning and reset apply again, so an abandoned ticket
never keeps a session for ever.  When the wait began is the ticket's own (in the session's
draft, wiped with it), never the service's: a new session's ticket starts its own wait.
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
HOLD = "help"  # the idle policy's hold while the citizen waits for staff


@dataclass(repr=False, eq=False)
class HelpDraft:
    ticket: Any = None  # the gateway's HelpTicket (its status follows the gateway's)
    printed: bool | None = None  # None: no printer
    waiting_since: float | None = None  # when the ticket was taken, on the idle policy's clock

    @property
    def open(self) -> bool:
        """Staff have yet to come (waiting) or are with the citizen (in service)."""
        return self.ticket is not None and self.ticket.status in OPEN

    @property
    def helped(self) -> bool:
        """Staff marked the ticket done: the help happened."""
        return self.ticket is not None and self.ticket.status == "done"

    def wipe(self) -> None:
        self.ticket, self.printed, self.waiting_since = None, None, None


class HelpService(JourneyService[HelpDraft]):
    name = "help"
    Draft = HelpDraft
    flow = FLOW

    def __init__(self, core: KioskCore, clock: Callable[[], float] = time.monotonic):
        super().__init__(core)
        self._clock = clock
        self._next_poll = 0.0
        self._polling = False
        self._kept: tuple[Any, bool | None, float | None] | None = None
        self._shown_minutes: int | None = None  # the wait last shown, in whole minutes
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

    @property
    def wait_limit(self) -> float:
        """Seconds a citizen waiting for staff is not timed out (kiosk.ini help_wait_minutes)."""
        return 60.0 * self.core.settings.kiosk.help_wait_minutes

    def waited(self) -> float | None:
        """Seconds since the open ticket was taken (None: no open ticket)."""
        d = self.existing
        if d is None or not d.open or d.waiting_since is None:
            return None
        return max(0.0, self.core.idle.clock() - d.waiting_since)

    def wait_held(self) -> bool:
        """Is the idle timeout held for this wait now (an open ticket, within the limit)?"""
        waited = self.waited()
        return waited is not None and waited < self.wait_limit

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
            d = self.draft
            d.ticket, d.printed = result
            d.waiting_since = self.core.idle.clock()  # this ticket's own wait starts now
            self._next_poll = self._clock() + POLL_SECONDS
            log.info("help requested", extra={"reason": reason, "ticket": result[0].ticket})
            self._hold_while_waiting()
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
            self._hold_while_waiting()
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
                self._hold_while_waiting()
                self.changed()
            return found

        def failed(_err) -> None:
            self._polling = False
            self._next_poll = self._clock() + POLL_SECONDS

        return self.gateway_call(work, "check").then(done, failed)

    def _tick(self) -> None:
        self._hold_while_waiting()
        waited = self.waited()
        minutes = None if waited is None else int(waited // 60)
        if minutes != self._shown_minutes:  # the wait shown on the ticket moves on
            self._shown_minutes = minutes
            if minutes is not None:
                self.changed()
        if self.open and not self._polling and self._clock() >= self._next_poll:
            self.check()

    def _hold_while_waiting(self) -> None:
        """The idle policy's ``HOLD`` follows the ticket: held for what is left of the wait
        limit while it is open (again after "home", which keeps it), released once it is not."""
        idle = self.core.idle
        waited = self.waited()
        if waited is not None and waited < self.wait_limit:
            if idle.armed and not idle.holding(HOLD):
                idle.hold(self.wait_limit - waited, owner=HOLD)
                log.info("idle held while waiting for staff", extra={"seconds": round(self.wait_limit - waited)})
        elif idle.holding(HOLD):
            idle.release(owner=HOLD)

    # -- kept across "home" -----------------------------------------------------------------------

    def _keep_across_home(self, reason: str) -> None:
        d = self.existing
        self._polling = False
        self._shown_minutes = None
        keep = reason == "home" and d is not None and d.open
        self._kept = (d.ticket, d.printed, d.waiting_since) if keep else None
        if not keep:  # the session ends (or the ticket did): so does the wait's hold
            self.core.idle.release(owner=HOLD)

    def _on_core(self, event: str, value: Any) -> None:
        if event == "wiped" and value == "home" and self._kept is not None:
            d = self.draft
            d.ticket, d.printed, d.waiting_since = self._kept
            self._kept = None
            self._hold_while_waiting()
            self.changed()
