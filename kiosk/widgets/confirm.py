"""A question before something that cannot be undone ("Trang chủ" with a form filled, the
technician's "Tắt ứng dụng kiosk"): what would be lost, in plain words, with the safe choice
first, largest and the default, and the other choice saying exactly what it does."""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.modalview import ModalView

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text


class ConfirmDialog(ModalView):
    """``ask(...)`` with catalog keys: a title, what will be lost, the safe choice ("Ở lại",
    closes the dialog) and the other ("Xoá và về trang chủ", runs ``on_go``).  A touch outside
    the dialog does nothing: only the two buttons answer."""

    def __init__(self, app, **kw):
        t = th.get_theme()
        super().__init__(auto_dismiss=False, size_hint=(0.62 if t.landscape else 0.88, None),
                         background_color=(0, 0, 0, 0.6), **kw)
        self._anim_duration = 0  # appears and goes at once, like the timeout dialog
        self.app = app
        self.name = ""
        self.keys: dict[str, str] = {}
        self.on_go: Callable[[], None] | None = None
        self.title = Text("", size=th.FONT_TITLE, bold=True)
        self.body = Text("", size=th.FONT_HEADING)
        self.stay = BigButton("", action=self.answer_stay, kind="primary", size=th.FONT_TITLE)
        self.stay.min_height = 170
        self.go = BigButton("", action=self.answer_go, kind="secondary", size=th.FONT_HEADING)
        self.go.min_height = 140
        panel = Panel(orientation="vertical", padding=t.px(48), spacing=t.px(36), size_hint_y=None)
        for w in (self.title, self.body, self.stay, self.go):
            panel.add_widget(w)
        panel.bind(minimum_height=panel.setter("height"))
        panel.bind(height=lambda *_: setattr(self, "height", panel.height))
        self.add_widget(panel)

    def ask(self, name: str, *, title: str, body: str, stay: str, go: str, on_go: Callable[[], None]) -> None:
        """Show the question (``name`` says which, for tests and the gallery)."""
        self.name, self.on_go = name, on_go
        self.keys = {"title": title, "body": body, "stay": stay, "go": go}
        self.relabel()
        if not self.parent:
            self.open(animation=False)

    def relabel(self) -> None:
        for part, key in self.keys.items():
            getattr(self, part).text = self.app.t(key)

    def answer_stay(self) -> None:
        self.close()

    def answer_go(self) -> None:
        on_go = self.on_go
        self.close()
        if on_go is not None:
            on_go()

    def close(self) -> None:
        self.on_go = None
        self.name = ""
        if self.parent:
            self.dismiss(animation=False)
