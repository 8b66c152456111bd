"""Find the procedure: words typed on the Vietnamese keyboard (accents optional), or browse by
life event."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.submit.common import FullWidth, SubmitScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, hbox, vbox


class SubmitFindScreen(SubmitScreen):
    title_key = "submit.find.title"
    subtitle_key = "submit.find.subtitle"

    def build(self) -> None:
        from kiosk.widgets.vnkeyboard import VietnameseKeyboard

        t = th.get_theme()
        self.busy = False
        self.query = ""
        self.field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), border_role="primary")
        self.field_text = Text("", size=th.FONT_HEADING, bold=True)
        self.field.add_widget(self.field_text)
        self.field.bind(minimum_height=lambda *_: setattr(self.field, "height",
                                                          max(self.field.minimum_height, t.px(110))))
        self.keyboard = VietnameseKeyboard(self.typed, max_length=60)
        self.search = BigButton("", action=self.do_search, size=th.FONT_TITLE)
        self.search.min_height = 150
        self.browse = BigButton("", action=self.do_browse, kind="secondary")
        self.browse.min_height = 120
        self.tr(self.browse, "submit.find.browse")
        if t.landscape:
            self.body.remove_widget(self.title)
            self.body.remove_widget(self.subtitle)
            self.form = vbox(self.title, self.subtitle, self.field, Widget(), self.search, self.browse, spacing=20,
                             size_hint_x=None, width=t.px(760))
            self.body.add_widget(hbox(self.form, vbox(Widget(), self.keyboard, spacing=0), spacing=40))
        else:
            self.form = self.body
            for w in (self.field, Widget(), FullWidth(self.keyboard, t.px(40)), self.search, self.browse):
                self.body.add_widget(w)
        self._show()

    def _error_index(self, target) -> int:
        return target.children.index(self.field) if self.field in target.children else 0

    def typed(self, text: str) -> None:
        self.hide_error()
        self.query = text
        self._show()

    def set_query(self, text: str) -> None:
        """Put words in the field as if typed (scripted sessions)."""
        self.keyboard.set_text(text)
        self.typed(self.keyboard.text)

    def _show(self) -> None:
        if self.query:
            self._tr.pop(id(self.field_text), None)
            self.field_text.text = self.query
            self.field_text.role = "text"
        else:
            self.tr(self.field_text, "submit.find.placeholder")
            self.field_text.role = "muted"
        self.tr(self.search, "submit.find.searching" if self.busy else "submit.find.search")
        self.search.disabled = self.busy or not self.query.strip()

    def on_relabel(self) -> None:
        self.keyboard.relabel()

    def do_search(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.busy = True
        self._show()
        self.service.search(self.query).then(self._found, self._failed)

    def _found(self, _page) -> None:
        self.busy = False
        self._show()

    def _failed(self, err: CitizenError) -> None:
        self.busy = False
        self._show()
        self.show_error(err, container=self.form)

    def do_browse(self) -> None:
        self.hide_error()
        self.service.show_life_events()

    def wipe(self) -> None:
        super().wipe()
        self.busy = False
        self.query = ""
        self.keyboard.set_text("")
        self._show()
