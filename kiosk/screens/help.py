"""Call staff: the citizen says what it is about, gets a ticket number (on screen and on paper)
that the staff screen's help queue shows, and waits where they are.

Two ways in: the help journey (the menu's tile: the reasons, then the ticket) and the help panel
over any screen (the navigation bar's "Gọi nhân viên"): the reasons, the ticket, and once staff
marked it done a word of thanks, without leaving the screen the citizen was on."""

from __future__ import annotations

from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, content_panel, hbox, vbox
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


class TicketView(Panel):
    """The ticket as the citizen sees it, on the ticket screen and in the help panel: the number
    (an information panel, not a button: a coloured frame, no fill), where to wait, how long they
    have waited (and that the screen does not time out meanwhile), the paper."""

    def __init__(self, app, number_size: float = th.FONT_DISPLAY * 1.6, role: str = "background", **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", size_hint_y=None, spacing=t.px(16), role=role, **kw)
        self.bind(minimum_height=self.setter("height"))
        self.app = app
        self.number_panel = content_panel(pad=28, spacing=4, border_role="primary")
        self.number_label = Text("", size=th.FONT_BODY, halign="center")
        self.number = Text("", size=number_size, role="primary", halign="center", bold=True)
        self.number_panel.add_widget(self.number_label)
        self.number_panel.add_widget(self.number)
        self.wait = Text("", size=th.FONT_HEADING, halign="center")
        self.waited = Text("", size=th.FONT_BODY, halign="center")
        self.paper = Text("", size=th.FONT_BODY, halign="center", role="muted")
        for w in (self.number_panel, self.wait, self.waited, self.paper):
            self.add_widget(w)

    def render(self) -> None:
        help_ = self.app.journeys.help
        draft, ticket = help_.existing, help_.ticket
        self.number_label.text = self.app.t("help.your_number")
        if ticket is None:
            self.number.text = self.wait.text = self.waited.text = self.paper.text = ""
            return
        self.number.text = ticket.ticket
        if ticket.status not in ("waiting", "in_service"):  # done or cancelled: nobody to wait for
            self.wait.text = self.app.t("help.helped_title" if ticket.status == "done" else "help.cancelled")
            self.waited.text = self.paper.text = ""
            return
        self.waited.text = self.waited_text()
        if ticket.status == "in_service":
            self.wait.text = self.app.t("help.serving")
        else:
            ahead = max(0, (ticket.position or 1) - 1)
            self.wait.text = self.app.t("help.coming" if ahead == 0 else "help.ahead", count=ahead)
        printed = draft.printed if draft is not None else None
        self.paper.text = "" if printed is None else self.app.t("help.printed" if printed else "help.not_printed")

    def waited_text(self) -> str:
        """How long the citizen has waited, in whole minutes; while the idle timeout is held for
        the wait, that the screen stays as it is."""
        help_ = self.app.journeys.help
        waited = help_.waited()
        if waited is None:
            return ""
        minutes = int(waited // 60)
        if minutes < 1:
            return self.app.t("help.waited_now")
        return self.app.t("help.waited" if help_.wait_held() else "help.waited_long", minutes=minutes)


class HelpTicketScreen(KioskScreen):
    """The help journey's ticket.  The way back to the reasons is closed (no second ticket one
    tap away); the rating appears only once staff marked the help done."""

    title_key = "help.ticket_title"

    def build(self) -> None:
        t = th.get_theme()
        self.ticket = TicketView(self.app)
        self.rate_later = self.tr(Text("", size=th.FONT_BODY, role="muted", halign="center"), "help.rate_later")
        self.finish = BigButton("", action=lambda: self.core.finish("help-requested"), size=th.FONT_TITLE)
        self.finish.min_height = 170
        self.tr(self.finish, "help.ok")
        self.cancel = BigButton("", action=self.cancel_help, kind="secondary", size=th.FONT_BODY)
        self.cancel.min_height = 120
        self.tr(self.cancel, "help.cancel")
        # the rating once the help happened (journey 7): the same faces as the end screen
        self.rating = RatingPanel(self.app, cols=2)
        # below the ticket: the rating once helped; until then when it will come, and cancel
        self.rating_box = vbox(size_hint_y=None, spacing=20)
        self.rating_box.bind(minimum_height=self.rating_box.setter("height"))
        if t.landscape:
            self.body.remove_widget(self.title)  # the right column needs the full height for the faces
            right = vbox(self.rating_box, Widget(), self.finish, spacing=20)
            self.body.add_widget(hbox(vbox(self.title, self.ticket, Widget(), spacing=20), right, spacing=40))
        else:
            for w in (self.ticket, Widget(), self.rating_box, self.finish):
                self.body.add_widget(w)
        self.shown = False
        self.app.core.subscribe(lambda event, _v: event == "help" and self.shown and self.render())

    def enter(self, **kw) -> None:
        self.shown = True
        self.rating.sync()
        self.render()

    def on_leave(self, *args) -> None:
        self.shown = False

    def on_relabel(self) -> None:
        self.rating.relabel()
        self.render()

    def cancel_help(self) -> None:
        self.app.journeys.help.cancel().then(on_error=self.show_error)

    def render(self) -> None:
        help_ = self.app.journeys.help
        self.ticket.render()
        helped, is_open = help_.helped, help_.open
        self.rating_box.clear_widgets()
        if helped:
            self.rating_box.add_widget(self.rating)
        elif is_open:
            self.rating_box.add_widget(self.rate_later)
            self.rating_box.add_widget(self.cancel)

    def wipe(self) -> None:
        super().wipe()
        self.shown = False
        self.ticket.render()
        self.rating.reset()


class HelpPanel(ModalView):
    """Help over whatever screen the citizen is on: the reasons → the ticket (carry on, or
    cancel it) → once staff marked it done, thanks.  The session and the screen below stay as
    they were; "Tiếp tục việc đang làm" closes the panel, the navigation bar's button (showing the
    ticket's number meanwhile) opens it again on the same ticket."""

    def __init__(self, app, **kw):
        t = th.get_theme()
        super().__init__(auto_dismiss=False, size_hint=(0.7 if t.landscape else 0.9, None),
                         background_color=(0, 0, 0, 0.6), **kw)
        self._anim_duration = 0
        self.app = app
        self.state = ""
        self.busy = False
        self.panel = Panel(orientation="vertical", padding=t.px(40), spacing=t.px(24), size_hint_y=None)
        self.panel.bind(minimum_height=self.panel.setter("height"))
        self.panel.bind(height=lambda *_: setattr(self, "height", self.panel.height))
        self.add_widget(self.panel)
        self.title = Text("", size=th.FONT_TITLE, bold=True)
        self.lead = Text("", size=th.FONT_BODY)
        self.error = Text("", size=th.FONT_BODY, role="error", bold=True)
        self.grid = GridLayout(cols=3 if t.landscape else 2, spacing=t.px(16), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.buttons: dict[str, BigButton] = {}
        for reason in REASONS:
            b = BigButton("", action=lambda r=reason: self.ask(r), kind="secondary", size=th.FONT_BODY)
            b.min_height = 130
            self.buttons[reason] = b
            self.grid.add_widget(b)
        self.ticket = TicketView(app, number_size=th.FONT_DISPLAY * 1.3, role="surface")
        self.carry_on = BigButton("", action=self.close, kind="primary", size=th.FONT_HEADING)
        self.carry_on.min_height = 150
        self.cancel = BigButton("", action=self.cancel_help, kind="secondary", size=th.FONT_BODY)
        self.cancel.min_height = 120
        self.never_mind = BigButton("", action=self.close, kind="secondary", size=th.FONT_BODY)
        self.never_mind.min_height = 120
        app.core.subscribe(lambda event, _v: event == "help" and self.parent is not None and self.render())

    # -- showing --------------------------------------------------------------------------------

    def show(self) -> None:
        self.hide_error()
        if not self.parent:
            self.state = ""  # opened afresh: a ticket already done leaves room for a new call
        self.render()
        if not self.parent:
            self.open(animation=False)

    def render(self) -> None:
        help_ = self.app.journeys.help
        if help_.open:
            state = "ticket"
        elif help_.helped and self.state in ("ticket", "helped"):
            state = "helped"  # staff marked it done while the panel showed the ticket
        elif self.state == "ticket":
            self.close()  # cancelled: the citizen is back on their screen
            return
        else:
            state = "ask"
        if state != self.state:
            self.state = state
            self.panel.clear_widgets()
            parts = {"ask": (self.title, self.lead, self.grid, self.never_mind),
                     "ticket": (self.title, self.ticket, self.lead, self.carry_on, self.cancel),
                     "helped": (self.title, self.lead, self.carry_on)}[state]
            for w in parts:
                self.panel.add_widget(w)
        self.relabel()

    def relabel(self) -> None:
        t = self.app.t
        self.title.text = t({"ask": "help.panel_title", "ticket": "help.ticket_title",
                             "helped": "help.helped_title"}.get(self.state, "help.panel_title"))
        self.lead.text = t({"ask": "help.panel_keeps", "ticket": "help.panel_carry_on_note",
                            "helped": "help.helped_note"}.get(self.state, "help.panel_keeps"))
        for reason, b in self.buttons.items():
            b.text = t(f"help.reason.{reason}")
            b.disabled = self.busy
        self.carry_on.text = t("help.carry_on")
        self.cancel.text = t("help.cancel")
        self.never_mind.text = t("help.never_mind")
        self.ticket.render()

    # -- touches --------------------------------------------------------------------------------

    def ask(self, reason: str) -> None:
        if self.busy:
            return
        self.busy = True
        self.hide_error()
        self.relabel()
        self.app.journeys.help.ask(reason, self.app.t(f"help.reason.{reason}")).then(self._asked, self._failed)

    def _asked(self, _ticket) -> None:
        self.busy = False
        self.render()

    def _failed(self, err: CitizenError) -> None:
        self.busy = False
        self.relabel()
        self.error.text = f"{self.app.t(err.message_key)} {self.app.t(err.next_step)}"
        if self.error.parent is None:
            self.panel.add_widget(self.error, index=1)  # above the last button

    def hide_error(self) -> None:
        self.error.text = ""
        if self.error.parent is not None:
            self.error.parent.remove_widget(self.error)

    def cancel_help(self) -> None:
        self.app.journeys.help.cancel().then(lambda _t: self.close(), self._failed)

    def close(self) -> None:
        if self.parent:
            self.dismiss(animation=False)

    def wipe(self) -> None:
        self.busy = False
        self.state = ""
        self.hide_error()
        self.close()
