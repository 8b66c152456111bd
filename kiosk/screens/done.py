"""End of a journey: thanks, what to take, the rating (five faces and an optional reason), and
back to the start."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, hbox, vbox
from kiosk.widgets.democard import DemoCardButton
from kiosk.widgets.faces import RatingPanel


class DoneScreen(KioskScreen):
    title_key = "done.title"

    def build(self) -> None:
        t = th.get_theme()
        self.reminder = Text("", size=th.FONT_HEADING, role="accent", bold=True)
        self.tr(self.reminder, "done.take_belongings")
        self.finish = BigButton("", action=lambda: self.core.finish("done"), size=th.FONT_TITLE)
        self.tr(self.finish, "done.finish")
        self.more = BigButton("", action=self.app.go_home, kind="secondary")
        self.tr(self.more, "done.another_service")
        self.card_left = Panel(orientation="vertical", size_hint_y=None, padding=t.px(32), role="accent")
        # in landscape the call-out shares a half-width column with the buttons: a size smaller
        self.card_left.add_widget(self.tr(Text("", size=th.FONT_HEADING if t.landscape else th.FONT_TITLE, bold=True,
                                               role="on_primary", halign="center"), "done.card_left"))
        self.card_left.bind(minimum_height=self.card_left.setter("height"))
        self.card_left.opacity = 0
        self.demo_card = None
        reader = self.core.card_reader
        if DemoCardButton.simulated(reader):  # the demo's card has no hand to take it away
            self.demo_card = DemoCardButton(self.app, reader)
            self.card_left.add_widget(self.demo_card)
        self._unsubscribe = None
        self.rating = RatingPanel(self.app, cols=2)
        if t.landscape:
            self.body.remove_widget(self.title)  # the faces need the left column's full height
            left = vbox(self.title, Widget(), self.rating, spacing=20)
            right = vbox(self.reminder, Widget(), self.more, self.finish, spacing=20)
            self.body.add_widget(hbox(left, right, spacing=48))
        else:
            for w in (self.reminder, Widget(), self.rating, self.more, self.finish):
                self.body.add_widget(w)
        # the call-out takes room only while a card is on the reader (under the reminder)
        self._card_box = self.reminder.parent

    def enter(self, **kw) -> None:
        self.rating.sync()
        reader = self.core.card_reader
        if reader is not None:
            self._unsubscribe = reader.add_card_listener(
                lambda event: self.app.run_on_ui(lambda: self._show_card(event.present)))
            self._show_card(reader.card_present())
        if self.demo_card is not None:
            self.demo_card.start()

    def on_relabel(self) -> None:
        self.rating.relabel()

    def on_leave(self, *args) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self.demo_card is not None:
            self.demo_card.stop()

    def _show_card(self, present: bool) -> None:
        """A card still on the reader is called out until it is taken."""
        box = self._card_box
        self.card_left.opacity = 1 if present else 0
        if present and self.card_left.parent is None:
            box.add_widget(self.card_left, index=box.children.index(self.reminder))
        elif not present and self.card_left.parent is not None:
            box.remove_widget(self.card_left)

    def wipe(self) -> None:
        super().wipe()
        self.rating.reset()
