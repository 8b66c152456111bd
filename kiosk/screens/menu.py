"""Services menu: one large tile per service.  A service whose journey is not built yet is
shown disabled with a pointer to the counter, never as a fake screen."""

from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk import journeys
from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import Panel, Scroll, Text, vbox


class Tile(ButtonBehavior, Panel):
    def __init__(self, service: journeys.Service, action, available: bool, **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", padding=t.px(32), spacing=t.px(12), **kw)
        self.service = service
        self.action = action
        self.available = available
        self.role = "primary" if self.available else "disabled"
        fg = "on_primary" if self.available else "on_disabled"
        self.heading = Text("", size=th.FONT_HEADING, role=fg, bold=True)
        self.sub = Text("", size=th.FONT_SMALL, role=fg)
        self.add_widget(self.heading)
        self.add_widget(self.sub)
        self.size_hint_y = None
        self.bind(minimum_height=lambda *_: setattr(self, "height", max(self.minimum_height, t.px(260))))
        self.disabled = not self.available

    def on_release(self):
        if self.available:
            self.action(self.service.journey)


class MenuScreen(KioskScreen):
    title_key = "menu.title"
    subtitle_key = "menu.subtitle"

    def build(self) -> None:
        t = th.get_theme()
        self.grid = GridLayout(cols=3 if t.landscape else 2, spacing=t.px(24), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.tiles: dict[str, Tile] = {}
        for service in journeys.SERVICES:
            tile = Tile(service, self.app.start_journey, self.app.journeys.is_available(service.journey))
            self.tiles[service.journey] = tile
            self.grid.add_widget(tile)
        # the tiles sit in the lower part of the screen; in large-text mode they scroll
        scroll = Scroll(do_scroll_x=False, size_hint_y=None, bar_width=t.px(14))
        scroll.add_widget(self.grid)
        area = vbox(Widget(), scroll, spacing=0)

        def fit(*_):
            scroll.height = min(self.grid.height, area.height)

        self.grid.bind(height=fit)
        area.bind(height=fit)
        self.body.add_widget(area)
        self.on_relabel()

    def on_relabel(self) -> None:
        for tile in self.tiles.values():
            tile.heading.text = self.app.t(tile.service.title_key)
            tile.sub.text = self.app.t(tile.service.subtitle_key if tile.available else "menu.not_yet")
