"""End of a journey: thanks, what to take, and back to the start."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text


class DoneScreen(KioskScreen):
    title_key = "done.title"

    def build(self) -> None:
        self.reminder = Text("", size=th.FONT_HEADING, role="accent", bold=True)
        self.tr(self.reminder, "done.take_belongings")
        self.finish = BigButton("", action=lambda: self.core.finish("done"), size=th.FONT_TITLE)
        self.tr(self.finish, "done.finish")
        self.more = BigButton("", action=self.app.go_home, kind="secondary")
        self.tr(self.more, "done.another_service")
        for w in (self.reminder, Widget(), self.more, self.finish):
            self.body.add_widget(w)
