"""The dossier receipt ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") prints once per dossier; a
failed print says where to collect it and may be tried again."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.submit.common import SubmitScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text


class SubmitReceiptScreen(SubmitScreen):
    title_key = "submit.receipt.title"

    def build(self) -> None:
        self.code = Text("", size=th.FONT_HEADING, bold=True)
        self.printing = Text("", size=th.FONT_HEADING, bold=True)
        self.print_next = Text("", size=th.FONT_BODY)
        self.again = BigButton("", action=self.print_receipt, kind="secondary")
        self.again.min_height = 120
        self.tr(self.again, "submit.receipt.again")
        self.finish = BigButton("", action=lambda: self.service.finish(), size=th.FONT_TITLE)
        self.finish.min_height = 160
        self.tr(self.finish, "pay.continue")
        self.result = None  # the PrintResult, or the CitizenError shown
        for w in (self.code, self.printing, self.print_next, Widget(), self.again, self.finish):
            self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.app.nav.back.disabled = True
        draft = self.draft
        self.code.text = self.app.t("status.code", code=draft.reference) if draft.sent else ""
        self.print_receipt()

    def on_relabel(self) -> None:
        if self.draft.sent:
            self.code.text = self.app.t("status.code", code=self.draft.reference)

    def _show_again(self, show: bool) -> None:
        self.again.disabled = not show
        self.again.opacity = 1 if show else 0

    def print_receipt(self) -> None:
        self.result = None
        self._show_again(False)
        self.printing.role = "text"
        self.tr(self.printing, "submit.receipt.printing")
        self.print_next.text = ""
        self._tr.pop(id(self.print_next), None)
        self.service.print_receipt().then(self._printed, self._failed)

    def _printed(self, result) -> None:
        self.result = result
        if result.ok:
            self.printing.role = "ok"
            self.tr(self.printing, "submit.receipt.printed")
            self.tr(self.print_next, "next.submit_take_receipt")
        else:
            self._failed(CitizenError(result.message_key, result.next_step or "next.collect_at_counter"))

    def _failed(self, err: CitizenError) -> None:
        self.result = self.result or err
        self._show_again(True)
        self.printing.role = "error"
        self.tr(self.printing, err.message_key)
        self.tr(self.print_next, err.next_step)

    def wipe(self) -> None:
        super().wipe()
        self.result = None
        self.printing.role = "text"
        for w in (self.code, self.printing, self.print_next):
            self._tr.pop(id(w), None)
            w.text = ""
