"""What the printer is doing with a citizen's receipt, in two lines: "Đang in…", then
"Đã in xong" with what to take, or what went wrong with where to collect the paper.

One widget for every screen that prints (the payment receipt, the cash ticket, the delivery
slip, the dossier receipt).  It follows a print ``Task`` (``follow(task)``) or shows a result
already known (``show(result)``); ``result`` is the PrintResult (or the error) once known.
The lines are translated through the screen, so a language switch re-labels them.
"""

from __future__ import annotations

from typing import Any

from kiosk.core import CitizenError, KioskError, Task
from kiosk.widgets import theme as th
from kiosk.widgets.common import Text

COLLECT = "next.collect_at_counter"


class PrintStatus:
    """Two Text lines owned by ``screen`` (a KioskScreen: its ``tr`` keeps them translated).
    ``printed``/``taken``: the keys shown when the paper came out; ``failed_next``: the next
    step shown under any failure (default: the printer's own next step)."""

    def __init__(self, screen, *, printing: str, printed: str, taken: str, failed_next: str | None = None,
                 size: float = th.FONT_HEADING):
        self.screen = screen
        self.keys = {"printing": printing, "printed": printed, "taken": taken}
        self.failed_next = failed_next
        self.state = Text("", size=size, bold=True)
        self.next = Text("", size=th.FONT_BODY)
        self.result: Any = None

    @property
    def widgets(self) -> tuple[Text, Text]:
        return self.state, self.next

    def follow(self, task: Task) -> Task:
        """Show "printing…" now and the outcome of ``task`` when it comes."""
        self.result = None
        self._set("text", self.keys["printing"], None)
        return task.then(self.show, self.fail)

    def show(self, result: Any, **fmt) -> None:
        """A PrintResult (or the error met instead): printed, or the problem.  ``fmt`` fills
        the failure's next step (e.g. the ticket number to tell the counter)."""
        if isinstance(result, KioskError):
            self.fail(result, **fmt)
            return
        self.result = result
        if result.ok:
            self._set("ok", self.keys["printed"], self.keys["taken"])
        else:
            self._failed(CitizenError(result.message_key, result.next_step or COLLECT), fmt)

    def fail(self, err: KioskError, **fmt) -> None:
        if self.result is None:
            self.result = err
        self._failed(err, fmt)

    def _failed(self, err: KioskError, fmt: dict) -> None:
        self._set("error", err.message_key, self.failed_next or err.next_step or COLLECT, **fmt)

    def _set(self, role: str, state_key: str, next_key: str | None, **fmt) -> None:
        self.state.role = role
        self.screen.tr(self.state, state_key)
        if next_key is None:
            self.screen._tr.pop(id(self.next), None)
            self.next.text = ""
        else:
            self.screen.tr(self.next, next_key, **fmt)

    def clear(self) -> None:
        self.result = None
        self.state.role = "text"
        for w in self.widgets:
            self.screen._tr.pop(id(w), None)
            w.text = ""
