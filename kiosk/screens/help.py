"""Call staff: the citizen says what it is about, gets a ticket number (on screen and on paper)
that the staff screen's help queue shows, and waits where they are."""

from __future__ import annotations

from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, hbox, vbox
from kiosk.widgets.faces import RatingPanel

REASONS = ("card_problem", "form_help", "payment", "documents", "accessibility", "other")


class HelpReasonScreen(KioskScreen):
    title_key = "help.title"
    subtitle_key = "help.subtitle"

    def build(self) -> None:
        t = th.get_theme()
        self.busy = False
        self.grid = GridLayout(cols=3 if t.landscape else 2, spacing=t.px(20), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.buttons = {}
        for reason in REASONS:
            b = BigButton("", action=lambda r=reason: self.ask(r), kind="secondary")
            b.min_height = 180
            self.tr(b, f"help.reason.{reason}")
            self.buttons[reason] = b
            self.grid.add_widget(b)
        self.body.add_widget(Widget())
        self.body.add_widget(self.grid)

    def _error_index(self, target) -> int:
        return target.children.index(self.grid) + 1

    def ask(self, reason: str) -> None:
        if self.busy:
            return
        self.busy = True
        self.hide_error()
        for b in self.buttons.values():
            b.disabled = True
        self.app.journeys.help.ask(reason, self.app.t(f"help.reason.{reason}")).then(self._done, self._failed)

    def _done(self, ticket) -> None:
        self._ready()

    def _failed(self, err: CitizenError) -> None:
        self._ready()
        self.show_error(err)

    def _ready(self) -> None:
        self.busy = False
        for b in self.buttons.values():
            b.disabled = False

    def wipe(self) -> None:
        super().wipe()
        self._ready()


class HelpTicketScreen(KioskScreen):
    title_key = "help.ticket_title"

    def build(self) -> None:
        t = th.get_theme()
        self.number_panel = Panel(orientation="vertical", size_hint_y=None, padding=t.px(36), spacing=t.px(8),
                                  role="primary")
        self.number_panel.bind(minimum_height=self.number_panel.setter("height"))
        self.number_label = self.tr(Text("", size=th.FONT_BODY, role="on_primary", halign="center"), "help.your_number")
        self.number = Text("", size=th.FONT_DISPLAY * 1.6, role="on_primary", halign="center", bold=True)
        self.number_panel.add_widget(self.number_label)
        self.number_panel.add_widget(self.number)
        self.wait = Text("", size=th.FONT_HEADING, halign="center")
        self.paper = Text("", size=th.FONT_BODY, halign="center", role="muted")
        self.finish = BigButton("", action=lambda: self.core.finish("help-requested"), size=th.FONT_TITLE)
        self.finish.min_height = 170
        self.tr(self.finish, "help.ok")
        # the rating while the citizen waits (journey 7): the same faces as the end screen
        self.rating = RatingPanel(self.app, cols=2)
        if t.landscape:
            self.body.remove_widget(self.title)  # the right column needs the full height for the faces
            self.body.add_widget(hbox(vbox(self.title, self.number_panel, self.wait, self.paper, Widget(), spacing=20),
                                      vbox(self.rating, Widget(), self.finish, spacing=20), spacing=40))
        else:
            for w in (self.number_panel, self.wait, self.paper, Widget(), self.rating, self.finish):
                self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.rating.sync()
        self.render()

    def on_relabel(self) -> None:
        self.rating.relabel()
        self.render()

    def render(self) -> None:
        draft = self.app.journeys.help.existing
        ticket = draft.ticket if draft is not None else None
        if ticket is None:
            return
        self.number.text = ticket.ticket
        ahead = max(0, (ticket.position or 1) - 1)
        self.wait.text = self.app.t("help.coming" if ahead == 0 else "help.ahead", count=ahead)
        printed = draft.printed
        self.paper.text = "" if printed is None else self.app.t("help.printed" if printed else "help.not_printed")

    def wipe(self) -> None:
        super().wipe()
        self.number.text = self.wait.text = self.paper.text = ""
        self.rating.reset()
