"""Look up a dossier: the code (typed or scanned) → where the dossier stands → done.

Rules: the code is checked before anything is sent; a provisional reference (TAM-…) is
answered from the offline outbox by the gateway service; the status slip prints each time
it is asked for (a citizen may want a second copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.core import CitizenError, Task
from kiosk.core.flow import Flow, Stage
from kiosk.gateway.models import Dossier
from kiosk.journeys.base import JourneyService, code_task

FLOW = Flow("lookup", ("lookup_code", "lookup_status", "done"), {("lookup_code", "found"): "lookup_status"},
            stages=(Stage("stage.code", ("lookup_code",)), Stage("stage.status", ("lookup_status",))))


@dataclass(repr=False, eq=False)
class LookupDraft:
    code: str = ""
    dossier: Any = None  # a gateway Dossier, or the outbox's ProvisionalStatus

    def wipe(self) -> None:
        self.code, self.dossier = "", None


class LookupService(JourneyService[LookupDraft]):
    name = "lookup"
    Draft = LookupDraft
    flow = FLOW

    @property
    def dossier_code(self) -> str | None:
        return self.draft.code or None

    def find(self, raw_code: str) -> Task:
        """Validate the typed or scanned code, then ask the gateway (off the UI thread)."""

        def ask(code: str) -> Task:
            self.draft.code = code
            return self.gateway_call(lambda gw: gw.lookup_dossier(code), "find").then(self._found)

        return code_task(raw_code, ask)

    def _found(self, dossier: Any) -> None:
        self.draft.dossier = dossier
        self.core.advance("found")

    def print_slip(self) -> Task:
        """The status slip of the dossier looked up; a failed print is an error to show."""
        dossier, receipts, lang = self.draft.dossier, self.core.receipts, self.lang
        if not isinstance(dossier, Dossier):  # nothing looked up, or a provisional reference
            return Task.failed(CitizenError("lookup.nothing_to_print", "next.try_again"))
        if receipts is None:
            return Task.failed(CitizenError("printer.no_device", "next.collect_at_counter"))
        return self.run(lambda: receipts.check(receipts.status_slip(dossier, lang)), "slip")

