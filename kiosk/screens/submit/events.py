"""Browse by life event: what is happening in the citizen's life (a birth, a death…)."""

from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.submit.common import SubmitScreen
from kiosk.text import localized
from kiosk.widgets import theme as th
from kiosk.widgets.common import Panel, Scroll, Text


class EventTile(ButtonBehavior, Panel):
    def __init__(self, action, **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", padding=t.px(28), spacing=t.px(8), role="primary", **kw)
        self.action = action
        self.heading = Text("", size=th.FONT_HEADING, role="on_primary", bold=True)
        self.add_widget(self.heading)
        self.size_hint_y = None
        self.bind(minimum_height=lambda *_: setattr(self, "height", max(self.minimum_height, t.px(150))))

    def on_release(self):
        self.action()


class SubmitEventsScreen(SubmitScreen):
    title_key = "submit.events.title"
    subtitle_key = "submit.events.subtitle"

    def build(self) -> None:
        from kivy.uix.gridlayout import GridLayout

        t = th.get_theme()
        self.events = []
        self.tiles: dict[str, EventTile] = {}
        self.grid = GridLayout(cols=3 if t.landscape else 2, spacing=t.px(20), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.loading = Text("", size=th.FONT_BODY, role="muted")
        scroll = Scroll(do_scroll_x=False, bar_width=t.px(14))
        scroll.add_widget(self.grid)
        self.body.add_widget(self.loading)
        if not t.landscape:  # the choices sit in the lower part of a portrait screen
            self.body.add_widget(Widget(size_hint_y=0.3))
        self.body.add_widget(scroll)

    def enter(self, **kw) -> None:
        self.hide_error()
        if not self.events:
            self.tr(self.loading, "submit.loading")
            self.service.life_events().then(self._events, self._failed)

    def _events(self, events) -> None:
        self.loading.text = ""
        self._tr.pop(id(self.loading), None)
        self.events = list(events)
        self.grid.clear_widgets()
        self.tiles.clear()
        for event in self.events:
            tile = EventTile(lambda e=event: self.choose(e))
            self.tiles[event.id] = tile
            self.grid.add_widget(tile)
        self.on_relabel()

    def on_relabel(self) -> None:
        for event in self.events:
            self.tiles[event.id].heading.text = localized(event, "name", self.lang)

    def choose(self, event) -> None:
        self.hide_error()
        self.service.browse(event).then(None, self._failed)

    def _failed(self, err: CitizenError) -> None:
        self.loading.text = ""
        self._tr.pop(id(self.loading), None)
        self.show_error(err)
