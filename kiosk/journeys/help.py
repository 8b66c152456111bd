"""Call staff: a reason → a ticket number from the gateway's help queue, printed too.

Rules: a failed print does not stop the call (the number is on screen); the ticket stays in
the draft for the session, so the ticket screen shows it until the citizen leaves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.core import Task
from kiosk.core.flow import Flow
from kiosk.journeys.base import JourneyService

log = logging.getLogger("kiosk.journeys.help")

FLOW = Flow("help", ("help_reason", "help_ticket"), {("help_reason", "ticket"): "help_ticket"})


@dataclass(repr=False, eq=False)
class HelpDraft:
    ticket: Any = None  # the gateway's HelpTicket
    printed: bool | None = None  # None: no printer

    def wipe(self) -> None:
        self.ticket, self.printed = None, None


class HelpService(JourneyService[HelpDraft]):
    name = "help"
    Draft = HelpDraft
    flow = FLOW

    def ask(self, reason: str, label: str) -> Task:
        """Ask staff to come; ``label`` is the reason in the citizen's words, for the ticket."""
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

        def done(result: tuple[Any, bool | None]) -> None:
            self.draft.ticket, self.draft.printed = result
            log.info("help requested", extra={"reason": reason, "ticket": result[0].ticket})
            self.core.advance("ticket")

        return self.gateway_call(work, "ask").then(done)
