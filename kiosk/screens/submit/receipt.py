"""The dossier receipt ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") prints once per dossier; a
failed print says where to collect it and may be tried again."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.screens.submit.common import SubmitScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text
from kiosk.widgets.printstatus import PrintStatus


class SubmitReceiptScreen(SubmitScreen):
    title_key = "submit.receipt.title"

    def build(self) -> None:
        self.code = Text("", size=th.FONT_HEADING, bold=True)
        self.status = PrintStatus(self, printing="submit.receipt.printing", printed="submit.receipt.printed",
                                  taken="next.submit_take_receipt")
        self.again = BigButton("", action=self.print_receipt, kind="secondary")
        self.again.min_height = 120
        self.tr(self.again, "submit.receipt.again")
        self.finish = BigButton("", action=lambda: self.service.finish(), size=th.FONT_TITLE)
        self.finish.min_height = 160
        self.tr(self.finish, "pay.continue")
        for w in (self.code, *self.status.widgets, Widget(), self.again, self.finish):
            self.body.add_widget(w)

    @property
    def result(self):
        """The PrintResult, or the error shown."""
        return self.status.result

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
        self._show_again(False)
        # a failed print may be tried again (the printer also keeps it for staff)
        self.status.follow(self.service.print_receipt()).then(
            lambda result: self._show_again(not result.ok), lambda _err: self._show_again(True))

    def wipe(self) -> None:
        super().wipe()
        self.status.clear()
        self._tr.pop(id(self.code), None)
        self.code.text = ""
