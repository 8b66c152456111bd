"""The dossier was sent (its code and when the result is expected), or kept at the kiosk while
the gateway is down (a provisional TAM- reference); then pay the fee, or print the receipt."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.screens.submit.common import SubmitScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text, content_panel, hbox, vbox


class SubmitSentScreen(SubmitScreen):
    title_key = "submit.sent.title"

    def build(self) -> None:
        self.result = content_panel(role="ok", spacing=10)
        self.state = Text("", size=th.FONT_HEADING, role="on_primary", bold=True)
        self.code_label = Text("", size=th.FONT_BODY, role="on_primary")
        self.code = Text("", size=th.FONT_DISPLAY, role="on_primary", bold=True)
        # large text, or a long code (a gateway's codes end in a random part): still on one line
        th.get_theme().bind(text_scale=lambda _t, _scale: self._size_code())
        self.expected = Text("", size=th.FONT_BODY, role="on_primary")
        for w in (self.state, self.code_label, self.code, self.expected):
            self.result.add_widget(w)
        self.explain = Text("", size=th.FONT_BODY)
        self.pay_note = Text("", size=th.FONT_BODY, bold=True)
        self.go = BigButton("", action=lambda: self.service.after_sent(), size=th.FONT_TITLE)
        self.go.min_height = 160
        t = th.get_theme()
        if t.landscape:
            right = vbox(Widget(), self.pay_note, self.go, spacing=24, size_hint_x=None, width=t.px(700))
            self.body.add_widget(hbox(vbox(self.result, self.explain, Widget(), spacing=24), right, spacing=40))
        else:
            for w in (self.result, self.explain, self.pay_note, Widget(), self.go):
                self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.app.nav.back.disabled = True  # a sent dossier cannot be edited and sent again
        self.render()

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        draft, service = self.draft, self.service
        if not draft.sent:
            return
        fee, to_pay = service.fee, service.to_pay
        self.tr(self.title, "submit.sent.title_provisional" if draft.provisional else "submit.sent.title")
        if draft.provisional:
            self.result.role = "warn"
            self.state.text = self.app.t("submit.sent.provisional")
            self.code_label.text = self.app.t("submit.sent.reference")
            self.expected.text = ""
            self.explain.text = self.app.t("gateway.provisional_receipt")
            self.pay_note.text = self.app.t("submit.sent.pay_later") if fee > 0 else ""
        else:
            self.result.role = "ok"
            self.state.text = self.app.t("submit.sent.received")
            self.code_label.text = self.app.t("submit.sent.code")
            expected = getattr(draft.receipt, "expected_date", None)
            self.expected.text = self.app.t("submit.sent.expected", date=self.app.format_date(expected)) \
                if expected else ""
            self.explain.text = self.app.t("submit.sent.explain")
            if to_pay:
                self.pay_note.text = self.app.t("submit.sent.fee", fee=self.money(fee))
            elif fee <= 0:
                self.pay_note.text = self.app.t("submit.sent.no_fee")
            else:
                self.pay_note.text = ""
        self.code.text = draft.reference
        self._size_code()
        self.tr(self.go, "submit.sent.pay" if to_pay else "submit.sent.print")

    def _size_code(self) -> None:
        long_code = len(self.code.text) > 18
        if th.get_theme().text_scale > 1:
            self.code.design_size = th.FONT_BODY if long_code else th.FONT_HEADING
        else:
            self.code.design_size = th.FONT_TITLE if long_code else th.FONT_DISPLAY

    def wipe(self) -> None:
        super().wipe()
        for w in (self.state, self.code_label, self.code, self.expected, self.explain, self.pay_note):
            w.text = ""
