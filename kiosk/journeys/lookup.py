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
from kiosk.text import CROCKFORD

# -- typing a dossier code --------------------------------------------------------------------
#
# A dossier code the gateway issues reads ``H26.99-241125-7KQ2M9XD``: the issuing office's fixed
# part (``CODE_PREFIX``, the same on every receipt this kiosk's gateway prints), the filing date
# (six digits, YYMMDD), then the dossier's own part: 8 of Crockford's base-32 digits for a new
# dossier (kiosk/gateway/demo/store.py ``new_dossier``), 4 digits for the older samples
# (``…-0002``).  The citizen types only the date and the last part: the fixed part is shown and
# skipped, the hyphens are put in, and letters are offered only in the last part (Crockford's:
# no I, L, O or U).  A code of another shape (a provisional ``TAM-…`` reference, another
# office's code) is typed freely on the full pad.

CODE_PREFIX = "H26.99"
DATE_DIGITS = 6
TAIL_MIN, TAIL_MAX = 4, 8
TAIL_LETTERS = "".join(ch for ch in CROCKFORD if ch.isalpha())  # ABCDEFGHJKMNPQRSTVWXYZ


@dataclass
class CodeEntry:
    """The two parts of a dossier code the citizen types, with the fixed parts put in."""

    date: str = ""
    tail: str = ""

    @property
    def part(self) -> str:
        """Which part the next character goes to: ``"date"`` or ``"tail"``."""
        return "date" if len(self.date) < DATE_DIGITS else "tail"

    @property
    def letters_allowed(self) -> bool:
        return self.part == "tail"

    @property
    def complete(self) -> bool:
        return len(self.date) == DATE_DIGITS and TAIL_MIN <= len(self.tail) <= TAIL_MAX

    @property
    def empty(self) -> bool:
        return not self.date and not self.tail

    @property
    def code(self) -> str:
        """The whole code as issued, separators included (as far as typed)."""
        out = f"{CODE_PREFIX}-{self.date}"
        if len(self.date) == DATE_DIGITS:
            out += f"-{self.tail}"
        return out

    def accepts(self, ch: str) -> bool:
        if self.part == "date":
            return ch.isdigit()
        return len(self.tail) < TAIL_MAX and (ch.isdigit() or ch in TAIL_LETTERS)

    def type(self, ch: str) -> bool:
        """Add ``ch`` where it goes; False (nothing changes) for a character the format has no
        place for there."""
        ch = ch.upper()
        if not self.accepts(ch):
            return False
        if self.part == "date":
            self.date += ch
        else:
            self.tail += ch
        return True

    def backspace(self) -> None:
        if self.tail:
            self.tail = self.tail[:-1]
        else:
            self.date = self.date[:-1]

    def clear(self) -> None:
        self.date = self.tail = ""

    @classmethod
    def fits(cls, code: str) -> bool:
        """A code of this format (typed this way), or the start of one."""
        return cls.split(code) is not None

    @staticmethod
    def split(code: str) -> tuple[str, str] | None:
        """(date, tail) of a code of this format, or of the start of one typed as printed
        (the fixed part and separators included); None for a code of another shape."""
        code = code.strip().upper()
        head = f"{CODE_PREFIX}-"
        if len(code) <= len(head):
            return ("", "") if head.startswith(code) else None
        if not code.startswith(head):
            return None
        rest = code[len(head):]
        date, sep, tail = rest.partition("-")
        if not date.isdigit() or len(date) > DATE_DIGITS or (sep and len(date) != DATE_DIGITS):
            return None
        if len(tail) > TAIL_MAX or not all(ch.isdigit() or ch in TAIL_LETTERS for ch in tail):
            return None
        return date, tail


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

