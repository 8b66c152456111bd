"""Staff mode: the discreet entry control, the "staff assisting" badge, and the staff panel
(assist with consent, help queue, cash confirmation, reprints, outbox, end the session).

``install(app)`` (in ``kiosk.screens.EXTENSIONS``) adds the badge and the staff control over ``app.staff``
(``kiosk.staff.StaffMode``), the badge strip under the status bar and the staff control in the
status bar's right corner.  Everything the panel does goes through ``app.staff``.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.core import CitizenError, citizen_error
from kiosk.roles import Role
from kiosk.screens.base import KioskScreen
from kiosk.screens.pin import hide_nav
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Scroll, Text, fit_height, hbox, vbox
from kiosk.widgets.longpress import LongPress

log = logging.getLogger("kiosk.screens.staff")

TABS = ("assist", "help", "cash", "receipts", "outbox")


# -- app-level pieces ---------------------------------------------------------------------------


class CornerControl(LongPress):
    """A small, quiet control drawn as three dots, opened by a press held for about a second;
    its touch area is larger than its drawing (120x120 design px from the corner)."""

    def __init__(self, action, hold: float = 1.0, **kw):
        t = th.get_theme()
        super().__init__(action, hold, size_hint=(None, 1), width=t.px(84), **kw)
        with self.canvas:
            self._c = Color()
            self._dots = [Ellipse() for _ in range(3)]
        self.bind(pos=self._redraw, size=self._redraw)
        t.bind(high_contrast=self._redraw)
        self._redraw()

    def _redraw(self, *_):
        t = th.get_theme()
        r, g, b, _a = t.palette.on_bar
        self._c.rgba = (r, g, b, 0.55)
        d = t.px(9)
        cx, cy = self.center_x, self.center_y
        for i, e in enumerate(self._dots):
            e.pos = (cx - d / 2, cy - d / 2 + (i - 1) * d * 1.8)
            e.size = (d, d)

    def hit(self, touch) -> bool:
        """Is the touch within reach of the corner?  Judged in window pixels from the touch's
        screen position, whatever transforms other widgets applied to its coordinates."""
        from kivy.core.window import Window

        t = th.get_theme()
        reach = t.px(120)
        x, y = touch.sx * Window.width, touch.sy * Window.height
        right, top = self.to_window(self.right, self.top)
        return right - reach <= x <= right and top - reach <= y <= top


class Badge(Panel):
    """'Staff assisting' strip under the status bar, on every screen while staff assist."""

    def __init__(self, app, **kw):
        t = th.get_theme()
        super().__init__(orientation="horizontal", size_hint_y=None, padding=(t.px(24), t.px(10)), role="warn",
                         radius=0, **kw)
        self.app = app
        self.text = Text("", size=th.FONT_SMALL, role="on_primary", bold=True, halign="center")
        self.add_widget(self.text)
        self.text.bind(height=lambda *_: setattr(self, "height", self.text.height + t.px(20)))

    def relabel(self) -> None:
        self.text.text = self.app.t("staff.badge")


def open_pin(app, role: Role, on_ok) -> None:
    """Show the PIN screen for ``role``; cancel returns to where the person was."""
    back_to = app.current if app.current not in ("pin",) else "attract"
    pin = app.screen("pin")
    pin.prepare(role, on_ok, lambda: app.show_step(back_to))
    app.show_step("pin")


def open_staff(app) -> None:
    back_to = app.current if app.current not in ("pin", "staff", "technician") else "attract"

    def ok():
        screen = app.screen("staff")
        screen.back_to = back_to
        app.show_step("staff")

    open_pin(app, Role.STAFF, ok)


def install(app) -> None:
    """EXTENSION: the staff badge and the discreet staff control (the audit log and staff mode
    come from the runtime)."""

    def on_core(event, value):
        if event == "reset":
            app.staff.active = None
            refresh_badge()

    app.core.subscribe(on_core)
    badge = Badge(app)
    app.staff_badge = badge

    def refresh_badge(*_):
        show = app.core.session.role is Role.STAFF
        if show and badge.parent is None:
            badge.relabel()
            app.frame.add_widget(badge, index=len(app.frame.children) - 1)  # right under the status bar
        elif not show and badge.parent is not None:
            app.frame.remove_widget(badge)

    app.refresh_badge = refresh_badge
    Clock.schedule_interval(refresh_badge, 0.5)
    app.translator.subscribe(lambda _lang: badge.relabel())
    app.staff_control = CornerControl(lambda: open_staff(app))
    app.status_bar.add_widget(app.staff_control)  # far right, after the clock


# -- the staff panel ----------------------------------------------------------------------------


def section_title(text: str) -> Text:
    return Text(text, size=th.FONT_HEADING, bold=True)


def line(text: str, role: str = "text", size: float = th.FONT_BODY) -> Text:
    return Text(text, size=size, role=role)


class TabbedPanelScreen(KioskScreen):
    """Title on top, the current tab's content in a scroll area, tab buttons and the exit row
    at the bottom (within reach)."""

    tabs: tuple[str, ...] = ()
    tab_prefix = ""

    def build(self) -> None:
        t = th.get_theme()
        self.current_tab = self.tabs[0]
        self.back_to = "attract"
        self.content = fit_height(vbox(spacing=20))
        self.scroll = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"])
        self.scroll.add_widget(self.content)
        self.tab_grid = GridLayout(cols=2 if t.landscape else 3, spacing=t.px(12), size_hint_y=None)
        self.tab_grid.bind(minimum_height=self.tab_grid.setter("height"))
        self.tab_buttons: dict[str, BigButton] = {}
        for name in self.tabs:
            b = BigButton("", action=lambda n=name: self.show_tab(n), kind="secondary", size=th.FONT_SMALL)
            b.min_height = 110
            self.tr(b, f"{self.tab_prefix}.tab.{name}")
            self.tab_buttons[name] = b
            self.tab_grid.add_widget(b)
        self.exit_row = hbox(size_hint_y=None)
        self.build_exit_row()
        for b in self.exit_row.children:
            b.bind(height=self._fit_exit_row)
        self._fit_exit_row()
        if t.landscape:
            # landscape: title, tabs and the exit row on the left; the tab's content fills the right
            self.body.remove_widget(self.title)
            self.exit_row.orientation = "vertical"
            self.exit_row.spacing = t.px(12)
            self.exit_row.unbind(height=self._fit_exit_row)
            self.exit_row.bind(minimum_height=self.exit_row.setter("height"))
            left = vbox(self.title, Widget(), self.tab_grid, self.exit_row, spacing=20, size_hint_x=0.4)
            self.body.add_widget(hbox(left, self.scroll, spacing=40))
        else:
            self.body.add_widget(self.scroll)
            self.body.add_widget(self.tab_grid)
            self.body.add_widget(self.exit_row)

    def _fit_exit_row(self, *_):
        if self.exit_row.orientation == "horizontal":
            self.exit_row.height = max([b.height for b in self.exit_row.children] or [0])

    def reveal(self, widget) -> None:
        """Scroll the content so ``widget`` is in view (before a tap)."""
        if widget is not None and widget.parent is not None:
            self.scroll.scroll_to(widget, padding=10, animate=False)

    def build_exit_row(self) -> None:
        pass

    def enter(self, **kw) -> None:
        hide_nav(self.app)
        self.show_tab(self.tabs[0])  # every entry starts on the first tab

    def show_tab(self, name: str) -> None:
        self.current_tab = name
        for n, b in self.tab_buttons.items():
            b.kind = "primary" if n == name else "secondary"
        self.hide_error()
        self.content.clear_widgets()
        getattr(self, f"tab_{name}")()
        self.to_top()
        # once the new content has its real height (text wraps after the first layout), top again
        Clock.schedule_once(self.to_top, 0)

    def to_top(self, *_) -> None:
        """The content from its top, with no movement left over: a spring-back still running
        from a long tab (a help queue scrolled to its end) would otherwise carry a short tab's
        content out of the window, its buttons out of reach."""
        scroll, effect = self.scroll, self.scroll.effect_y
        if effect is not None:
            effect.is_manual = False
            effect.velocity = 0
            effect.history = []
        scroll.scroll_y = 1
        if effect is not None:
            effect.reset(effect.max)  # the top (Kivy's bounds run from min = bottom to max = top)

    def on_relabel(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.show_tab(self.current_tab)

    def panel(self, *children) -> Panel:
        t = th.get_theme()
        p = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), spacing=t.px(12))
        p.bind(minimum_height=p.setter("height"))
        for c in children:
            p.add_widget(c)
        self.content.add_widget(p)
        return p

    def button(self, key: str, action, kind: str = "primary", **fmt) -> BigButton:
        b = BigButton(self.app.t(key, **fmt), action=action, kind=kind, size=th.FONT_BODY)
        b.min_height = 120
        return b

    def busy(self, key: str = "staff.working") -> None:
        self.content.clear_widgets()
        self.content.add_widget(line(self.app.t(key), role="muted"))

    def run(self, work, done, what: str) -> None:
        """Run ``work`` off the UI thread; ``done(result)`` on the UI thread; errors shown."""
        self.busy()

        def failed(err: CitizenError) -> None:
            self.show_tab(self.current_tab)
            self.show_error(err, container=self.content)

        self.core.run(work, what).then(done, failed)

    def _error_index(self, target) -> int:
        return len(target.children)  # at the top of the content


class StaffScreen(TabbedPanelScreen):
    title_key = "staff.title"
    tabs = TABS
    tab_prefix = "staff"

    def build(self) -> None:
        super().build()
        self.help_tickets: list | None = None
        self.last_action = ""

    def build_exit_row(self) -> None:
        self.back_button = BigButton("", action=self.back_to_citizen, kind="secondary", size=th.FONT_BODY)
        self.tr(self.back_button, "staff.back_to_citizen")
        self.end_button = BigButton("", action=self.end_session, kind="danger", size=th.FONT_BODY)
        self.tr(self.end_button, "staff.end_session")
        self.exit_row.add_widget(self.back_button)
        self.exit_row.add_widget(self.end_button)

    def enter(self, **kw) -> None:
        self.help_tickets = None
        self.last_action = ""
        super().enter()

    # -- tabs -------------------------------------------------------------------------------------

    def tab_assist(self) -> None:
        staff = self.app.staff
        journey = self.core.session.journey
        where = self.app.t("staff.in_journey", journey=self.app.t(f"menu.{journey}")) if journey \
            else self.app.t("staff.no_journey")
        self.panel(section_title(self.app.t("staff.assist_title")), line(where, "muted"))
        if staff.assisting:
            self.consent_button = None
            self.panel(line(self.app.t("staff.assisting_now"), "ok"))
        else:
            self.consent_button = self.button("staff.consent", self.consent)
            self.panel(line(self.app.t("staff.consent_ask")), self.consent_button)

    def consent(self) -> None:
        self.app.staff.record_consent()
        self.app.refresh_badge()
        self.show_tab("assist")

    def tab_help(self) -> None:
        self.refresh_help_button = self.button("staff.help_refresh", self.load_help, kind="secondary")
        self.panel(section_title(self.app.t("staff.help_title")), self.refresh_help_button)
        self.help_buttons: dict[tuple[int, str], BigButton] = {}
        if self.help_tickets is None:
            self.load_help()
            return
        if not self.help_tickets:
            self.panel(line(self.app.t("staff.help_empty"), "muted"))
        for ticket in self.help_tickets:
            text = self.app.t("staff.help_ticket", ticket=ticket.ticket,
                              reason=self.app.t(f"staff.help.reason.{ticket.reason}"),
                              status=self.app.t(f"staff.help.status.{ticket.status}"))
            if ticket.status == "waiting":
                b = self.button("staff.help_serve", lambda i=ticket.id: self.set_help(i, "in_service"))
            else:
                b = self.button("staff.help_done", lambda i=ticket.id: self.set_help(i, "done"), kind="secondary")
            self.help_buttons[(ticket.id, ticket.status)] = b
            self.panel(line(text), b)

    def load_help(self) -> None:
        def done(tickets):
            self.help_tickets = tickets
            self.show_tab("help")

        self.run(self.app.staff.help_requests, done, "help-queue")

    def set_help(self, help_id: int, status: str) -> None:
        self.run(lambda: (self.app.staff.update_help(help_id, status), self.app.staff.help_requests())[1],
                 lambda tickets: (setattr(self, "help_tickets", tickets), self.show_tab("help")), "help-update")

    def tab_cash(self) -> None:
        self.panel(section_title(self.app.t("staff.cash_title")))
        payment = self.app.staff.pending_cash()
        self.cash_button = None
        if self.last_action:
            self.panel(line(self.app.t(self.last_action), "ok"))
        if payment is None:
            self.panel(line(self.app.t("staff.cash_none"), "muted"))
            return
        amount = f"{payment.amount_vnd:,}".replace(",", ".")
        self.cash_button = self.button("staff.cash_confirm", self.confirm_cash, amount=amount)
        self.panel(line(self.app.t("staff.cash_pending", amount=amount, code=payment.dossier_code)), self.cash_button)

    def confirm_cash(self) -> None:
        def done(result):
            self.last_action = "staff.cash_queued" if getattr(result, "provisional", False) else "staff.cash_done"
            self.show_tab("cash")

        self.run(self.app.staff.confirm_cash, done, "cash-confirm")

    def tab_receipts(self) -> None:
        self.panel(section_title(self.app.t("staff.receipts_title")))
        self.reprint_buttons: dict[str, BigButton] = {}
        if self.last_action.startswith("staff.reprint"):
            role = "ok" if self.last_action == "staff.reprint_done" else "error"
            self.panel(line(self.app.t(self.last_action), role))
        items = self.app.staff.receipts()
        if not items:
            self.panel(line(self.app.t("staff.receipts_empty"), "muted"))
        for item in items:
            text = self.app.t("staff.receipt_line", id=item["id"],
                              kind=self.app.t(f"staff.receipt.kind.{item['kind']}"),
                              reference=item["reference"] or "-",
                              state=self.app.t(f"staff.receipt.state.{item['state']}"))
            b = self.button("staff.reprint", lambda rid=item["id"]: self.reprint(rid),
                            kind="primary" if item["state"] == "failed" else "secondary")
            self.reprint_buttons[item["id"]] = b
            self.panel(line(text), b)

    def reprint(self, rid: str) -> None:
        def done(result):
            self.last_action = "staff.reprint_done" if result.ok else "staff.reprint_failed"
            self.show_tab("receipts")

        self.run(lambda: self.app.staff.reprint(rid), done, "reprint")

    def tab_outbox(self) -> None:
        state = self.app.staff.outbox_state()
        self.panel(section_title(self.app.t("staff.outbox_title")))
        self.set_aside_buttons: dict[tuple[int, str], BigButton] = {}
        if not state.get("available"):
            self.retry_button = None
            self.panel(line(self.app.t("staff.outbox_unavailable"), "error"))
            if state.get("problem"):
                self.panel(line(state["problem"], "error", size=th.FONT_SMALL))
            return
        rows = [line(self.app.t("staff.outbox_depth", count=state["depth"])),
                line(self.app.t("staff.outbox_failed", count=state["failed"]), "error" if state["failed"] else "text"),
                line(self.app.t("staff.outbox_last_error", error=state["last_error"] or "-"), "muted",
                     size=th.FONT_SMALL)]
        if state.get("problem"):
            rows.append(line(state["problem"], "error", size=th.FONT_SMALL))
        if self.last_action.startswith("staff.outbox"):
            rows.insert(0, line(self.app.t(self.last_action, file=getattr(self, "exported_name", "")), "ok"))
        self.retry_button = self.button("staff.outbox_retry", self.retry_outbox)
        self.panel(*rows, self.retry_button)
        # what was set aside: its reason, and a way on (retry with the same key, or export)
        for item in self.app.staff.set_aside_items():
            text = self.app.t("staff.outbox_item", reference=item["reference"] or item["seq"],
                              kind=self.app.t(f"staff.outbox_kind.{item['kind']}"), reason=item["last_error"] or "-")
            retry = self.button("staff.outbox_item_retry", lambda n=item["seq"]: self.retry_item(n))
            export = self.button("staff.outbox_item_export", lambda n=item["seq"]: self.export_item(n),
                                 kind="secondary")
            self.set_aside_buttons[(item["seq"], "retry")] = retry
            self.set_aside_buttons[(item["seq"], "export")] = export
            self.panel(line(text, "error", size=th.FONT_SMALL), retry, export)

    def retry_outbox(self) -> None:
        def done(sent):
            self.last_action = "staff.outbox_sent"
            self.show_tab("outbox")

        self.run(self.app.staff.retry_outbox, done, "outbox-retry")

    def retry_item(self, seq: int) -> None:
        def done(sent):
            self.last_action = "staff.outbox_sent"
            self.show_tab("outbox")

        self.run(lambda: self.app.staff.retry_set_aside(seq), done, "outbox-requeue")

    def export_item(self, seq: int) -> None:
        def done(path):
            self.exported_name = path.name
            self.last_action = "staff.outbox_exported"
            self.show_tab("outbox")

        self.run(lambda: self.app.staff.export_set_aside(seq), done, "outbox-export")

    # -- leaving ----------------------------------------------------------------------------------

    def back_to_citizen(self) -> None:
        self.app.staff.leave()
        self.app.show_step(self.back_to if self.back_to not in ("pin", "staff") else "attract")

    def end_session(self) -> None:
        self.app.staff.end_session()  # wipes; the app shows the attract screen

    def show_error(self, err, container=None) -> None:
        super().show_error(citizen_error(err) if not isinstance(err, CitizenError) else err, container)
