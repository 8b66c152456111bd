"""Attract screen: what a passer-by sees.  Touch anywhere to start."""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.uix.gridlayout import GridLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Spacer, Text, hbox, vbox
from kiosk.widgets.democard import DemoCardButton

# Alternates between the two languages whatever the kiosk's language is.
LOOP = (("vi", "attract.touch"), ("en", "attract.touch"))


class AttractScreen(KioskScreen):
    def build(self) -> None:
        t = th.get_theme()
        self.body.padding = t.px(64)
        self.crest = Text("", size=th.FONT_HEADING, role="accent", halign="center", bold=True)
        self.tr(self.crest, "attract.service_name")
        self.location = Text(self.core.settings.kiosk.location_name, size=th.FONT_BODY, halign="center",
                             role="muted")
        self.clock = Text("", size=th.FONT_DISPLAY, halign="center", bold=True)
        self.date = Text("", size=th.FONT_BODY, halign="center", role="muted")
        self.services = Text("", size=th.FONT_BODY, halign="center")
        self.tr(self.services, "attract.services")
        self.prompt = BigButton("", action=self.start, size=th.FONT_DISPLAY)
        self.prompt.min_height = 320
        self.prompt_sub = Text("", size=th.FONT_HEADING, halign="center", role="muted")
        self.vi = BigButton("Tiếng Việt", action=lambda: self.app.set_language("vi", start=True), kind="secondary",
                            size=th.FONT_BODY)
        self.en = BigButton("English", action=lambda: self.app.set_language("en", start=True), kind="secondary",
                            size=th.FONT_BODY)
        self.access = BigButton("", action=self.app.open_access_panel, kind="quiet", size=th.FONT_BODY)
        self.tr(self.access, "attract.accessibility")
        panel = Panel(orientation="vertical", size_hint_y=None, padding=t.px(36), spacing=t.px(24))
        panel.bind(minimum_height=panel.setter("height"))
        panel.add_widget(self.services)
        panel.add_widget(self.prompt)
        panel.add_widget(self.prompt_sub)
        # the language and text-size buttons (and "Listen"): one row; two rows of two in large
        # text, where four to a row leave no room for a whole word ("English")
        row = GridLayout(cols=3, size_hint_y=None, spacing=t.px(24))
        for b in (self.vi, self.en, self.access):
            row.add_widget(b)
        row.bind(minimum_height=row.setter("height"))
        self.row = row
        t.follow(text_scale=self._arrange_row)
        self._arrange_row()
        # a card someone left on the reader is called out to whoever comes next (or back)
        self.card_left = Panel(orientation="vertical", size_hint_y=None, padding=t.px(28), role="accent")
        self.card_left.add_widget(self.tr(Text("", size=th.FONT_HEADING, bold=True, role="on_primary",
                                               halign="center"), "attract.card_left"))
        self.card_left.bind(minimum_height=self.card_left.setter("height"))
        self.card_left.opacity = 0
        self.demo_card = None
        reader = self.core.devices.card_reader
        if DemoCardButton.simulated(reader):  # the demo's card has no hand to take it away
            self.demo_card = DemoCardButton(self.app, reader, disabled=True)
            self.card_left.add_widget(self.demo_card)
        self._unsubscribe = None
        welcome = (self.crest, self.location, Spacer(), self.clock, self.date, self.card_left, Spacer())
        if t.landscape:
            # two columns: who we are on the left, what to touch on the right
            left = vbox(Spacer(), *welcome, spacing=16)
            right = vbox(Spacer(), panel, row, Spacer(), spacing=28)
            self.body.add_widget(hbox(left, right, spacing=64))
        else:
            for w in welcome + (panel, row):
                self.body.add_widget(w)
        self._phase = 0
        self._loop = None

    def add_control(self, button) -> None:
        """One more control beside the language and text-size buttons (e.g. "Listen")."""
        self.row.add_widget(button)
        self._arrange_row()

    def _arrange_row(self, *_) -> None:
        count = len(self.row.children)
        large = th.get_theme().text_scale > 1
        self.row.cols = min(count, 2) if large and count > 3 else max(count, 1)

    def start(self) -> None:
        self.app.start_session()

    def on_touch_down(self, touch):
        # Touch anywhere starts; the buttons keep their own meaning.
        buttons = [self.prompt, *self.row.children, *([self.demo_card] if self.demo_card is not None else [])]
        if any(b.collide_point(*b.to_parent(*b.to_widget(*touch.pos))) for b in buttons if not b.disabled):
            return super().on_touch_down(touch)
        if self.collide_point(*touch.pos):
            self.start()
            return True
        return super().on_touch_down(touch)

    def enter(self, **kw) -> None:
        self._tick()
        if self._loop is None:
            self._loop = Clock.schedule_interval(self._tick, 3.0)
        reader = self.core.devices.card_reader
        if self._unsubscribe is None and hasattr(reader, "add_card_listener"):
            self._unsubscribe = reader.add_card_listener(
                lambda event: self.app.run_on_ui(lambda: self._show_card(event.present)))
            self._show_card(reader.card_present())

    def _show_card(self, present: bool) -> None:
        self.card_left.opacity = 1 if present else 0
        if self.demo_card is not None:
            self.demo_card.disabled = not present
            self.demo_card.relabel()

    def on_leave(self, *a):
        if self._loop is not None:
            self._loop.cancel()
            self._loop = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _tick(self, *_):
        lang, key = LOOP[self._phase % len(LOOP)]
        other = LOOP[(self._phase + 1) % len(LOOP)][0]
        self.prompt.text = self.app.t(key, lang=lang)
        self.prompt_sub.text = self.app.t("attract.touch", lang=other)
        self._phase += 1
        self.clock.text = time.strftime("%H:%M")
        self.date.text = self.app.format_date(time.localtime())

    def on_relabel(self) -> None:
        self._phase = 0
        self._tick()
