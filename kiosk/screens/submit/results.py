"""The procedures found by a search, or those of a life event: one tile each (name, fee, time)."""

from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.submit.common import SubmitScreen, column, scroll_page, to_top
from kiosk.text import localized
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text


class ProcedureTile(ButtonBehavior, Panel):
    def __init__(self, procedure, action, **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", padding=t.px(28), spacing=t.px(8), role="surface",
                         border_role="primary", **kw)
        self.procedure = procedure
        self.action = action
        self.name = Text("", size=th.FONT_HEADING, bold=True, role="primary")
        self.sub = Text("", size=th.FONT_SMALL, role="muted")
        self.add_widget(self.name)
        self.add_widget(self.sub)
        self.size_hint_y = None
        self.bind(minimum_height=lambda *_: setattr(self, "height", max(self.minimum_height, t.px(130))))

    def on_release(self):
        self.action(self.procedure)


class SubmitListScreen(SubmitScreen):
    def build(self) -> None:
        self.busy = False
        self.heading = Text("", size=th.FONT_TITLE, bold=True)
        self.note = Text("", size=th.FONT_BODY, role="muted")
        self.items = column(spacing=20)
        self.scroll = scroll_page(self.items)
        self.tiles: list[ProcedureTile] = []
        self.browse = BigButton("", action=lambda: self.service.show_life_events(), kind="secondary")
        self.browse.min_height = 120
        self.tr(self.browse, "submit.find.browse")
        for w in (self.heading, self.note, self.scroll, self.browse):
            self.body.add_widget(w)
        if not th.get_theme().landscape:  # the choices sit in the lower part of a portrait screen
            self.body.add_widget(Widget(size_hint_y=0.3), index=2)

    def enter(self, **kw) -> None:
        self.hide_error()
        self.busy = False
        self.render()
        to_top(self.scroll)

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        draft = self.draft
        self.items.clear_widgets()
        self.tiles = []
        if draft.life_event is not None:
            self.heading.text = localized(draft.life_event, "name", self.lang)
            self.note.text = self.app.t("submit.list.event_note")
        else:
            self.heading.text = self.app.t("submit.list.found", query=draft.query)
            self.note.text = self.app.t("submit.list.search_note" if draft.results else "submit.list.none")
        for p in draft.results:
            tile = ProcedureTile(p, self.choose)
            tile.name.text = localized(p, "name", self.lang)
            tile.sub.text = self.app.t("submit.list.sub", fee=self.fee_text(p.fee_vnd),
                                       days=self.days_text(p.processing_days))
            self.tiles.append(tile)
            self.items.add_widget(tile)
        self.browse.opacity = 1 if draft.life_event is None else 0
        self.browse.disabled = draft.life_event is not None

    def tile_for(self, name_vi: str):
        return next((t for t in self.tiles if t.procedure.name_vi == name_vi), None)

    def choose(self, procedure) -> None:
        if self.busy:
            return
        self.busy = True
        self.hide_error()
        self.service.choose(procedure.code).then(self._chosen, self._failed)

    def _chosen(self, _procedure) -> None:
        self.busy = False

    def _failed(self, err: CitizenError) -> None:
        self.busy = False
        self.show_error(err)

    def wipe(self) -> None:
        super().wipe()
        self.items.clear_widgets()
        self.tiles = []
        self.heading.text = self.note.text = ""
