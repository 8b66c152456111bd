"""What every screen shares: translated labels that follow the language, a title area at the
top and the controls in the lower part, error and busy states, and wiping what it showed."""

from __future__ import annotations

from kivy.uix.screenmanager import Screen

from kiosk.core import CitizenError
from kiosk.text import format_vnd
from kiosk.widgets import theme as th
from kiosk.widgets.common import Panel, Scroll, Text, vbox


class KioskScreen(Screen):
    title_key = ""
    subtitle_key = ""

    def __init__(self, app, **kw):
        super().__init__(**kw)
        self.app = app
        self.core = app.core
        self._tr: dict[int, tuple[object, str, dict]] = {}
        t = th.get_theme()
        self.body = vbox(padding=32 if t.landscape else 48, spacing=20 if t.landscape else 28)
        # The body fills the screen; only when large text makes it taller than the screen does
        # it scroll (a bar shows it), so nothing is ever cut off or pushed out of reach.
        self.scroller = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"],
                               always_overscroll=False)
        # at normal text size, with speech off, everything must fit without scrolling
        self.scroller.must_fit = lambda: th.get_theme().text_scale <= 1 and not self._speech_bar_open()
        self.body.size_hint_y = None
        self.scroller.add_widget(self.body)
        self.add_widget(self.scroller)

        def fit(*_):
            self.body.height = max(self.body.minimum_height, self.scroller.height)

        self.body.bind(minimum_height=fit)
        self.scroller.bind(height=fit)
        t.bind(text_scale=fit)
        self.title = Text("", size=th.FONT_TITLE, bold=True)
        self.subtitle = Text("", size=th.FONT_BODY, role="muted")
        if self.title_key:
            self.tr(self.title, self.title_key)
            self.body.add_widget(self.title)
        if self.subtitle_key:
            self.tr(self.subtitle, self.subtitle_key)
            self.body.add_widget(self.subtitle)
        self.message = Panel(orientation="vertical", size_hint_y=None, padding=t.px(28), spacing=t.px(10),
                             role="surface", border_role="error")
        self.message_text = Text("", size=th.FONT_BODY, role="error", bold=True)
        self.message_next = Text("", size=th.FONT_BODY)
        self.message.add_widget(self.message_text)
        self.message.add_widget(self.message_next)
        self.message.bind(minimum_height=self.message.setter("height"))
        self.build()

    def _speech_bar_open(self) -> bool:
        is_open = getattr(self.app, "speech_bar_open", None)
        return bool(is_open and is_open())

    # -- subclasses fill these ----------------------------------------------------------------

    def build(self) -> None:
        pass

    def enter(self, **kw) -> None:
        """The step became current."""

    def wipe(self) -> None:
        """Forget everything shown about the citizen (called on every reset)."""
        self.hide_error()

    # -- translation --------------------------------------------------------------------------

    def tr(self, widget, key: str, **fmt):
        self._tr[id(widget)] = (widget, key, fmt)
        widget.text = self.app.t(key, **fmt)
        return widget

    def relabel(self) -> None:
        for widget, key, fmt in list(self._tr.values()):
            widget.text = self.app.t(key, **fmt)
        self.on_relabel()

    def on_relabel(self) -> None:
        pass

    def money(self, amount: int) -> str:
        """An amount in đồng, written the citizen's way ("50.000 đ" / "50,000 VND")."""
        return self.app.t("pay.money", amount=format_vnd(amount, self.app.translator.lang))

    # -- errors -------------------------------------------------------------------------------

    def show_error(self, err: CitizenError, container=None) -> None:
        self.tr(self.message_text, err.message_key)
        self.tr(self.message_next, err.next_step)
        target = container or self.body
        if self.message.parent is not target:
            if self.message.parent:
                self.message.parent.remove_widget(self.message)
            target.add_widget(self.message, index=self._error_index(target))

    def _error_index(self, target) -> int:
        return 0

    def hide_error(self) -> None:
        if self.message.parent:
            self.message.parent.remove_widget(self.message)
        self._tr.pop(id(self.message_text), None)
        self._tr.pop(id(self.message_next), None)
        self.message_text.text = self.message_next.text = ""
