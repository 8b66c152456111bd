"""The status bar (top), the navigation bar (bottom) and the idle-timeout dialog."""

from __future__ import annotations

import time

from kivy.graphics import Color, Ellipse
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk.devices.base import DeviceKind, DeviceState, DeviceStatus, MediaState
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text

DEVICE_KEYS = {
    DeviceKind.CARD_READER: "device.card_reader",
    DeviceKind.QR_SOURCE: "device.qr_source",
    DeviceKind.PRINTER: "device.printer",
    DeviceKind.GATEWAY: "device.gateway",
}


def health(status: DeviceStatus | None) -> str:
    """ok | warn | error for a status dot."""
    if status is None:
        return "warn"
    if status.needs_technician or status.state in (DeviceState.HARDWARE_ERROR, DeviceState.USER_ERROR):
        return "error"
    if status.state is DeviceState.BUSY or status.media in (MediaState.PAPER_NEAR_END, MediaState.UNKNOWN):
        return "warn"
    return "ok"


class Dot(Widget):
    def __init__(self, **kw):
        super().__init__(size_hint=(None, None), **kw)
        t = th.get_theme()
        self.size = (t.px(26), t.px(26))
        with self.canvas:
            self._c = Color()
            self._e = Ellipse()
        self.level = "warn"
        self.bind(pos=self._redraw, size=self._redraw)

    def set_level(self, level: str) -> None:
        self.level = level
        self._redraw()

    def _redraw(self, *_):
        p = th.get_theme().palette
        self._c.rgba = {"ok": p.ok, "warn": p.warn, "error": p.error}[self.level]
        self._e.pos, self._e.size = self.pos, self.size


# screens where the device dots show: staff and technicians read them, a citizen is told only
# to call staff, and only when something is broken
STAFF_SCREENS = ("pin", "staff", "technician")


class StatusBar(Panel):
    """Location, device health (staff and technicians only) and the clock; on every screen."""

    def __init__(self, app, **kw):
        t = th.get_theme()
        super().__init__(orientation="horizontal", size_hint_y=None, height=t.px(84), padding=(t.px(24), 0),
                         spacing=t.px(18), role="bar", radius=0, **kw)
        self.app = app
        self.location = Text(app.core.settings.kiosk.location_name, size=th.FONT_SMALL, role="on_bar",
                             shorten=True, shorten_from="right", fixed_height=True, size_hint_y=1)
        self.location.fixed_height = True
        self.add_widget(self.location)
        self.devices: dict[DeviceKind, tuple[Dot, Text]] = {}
        self.device_boxes: list[BoxLayout] = []
        for kind in DEVICE_KEYS:
            dot = Dot()
            label = Label(text="", font_size=t.font(th.FONT_SMALL * 0.8), color=th.get_theme().palette.on_bar,
                          size_hint=(None, 1))
            label.bind(texture_size=lambda w, s: setattr(w, "width", s[0]))
            holder = BoxLayout(orientation="vertical", size_hint_x=None, width=dot.width)
            holder.add_widget(Widget())
            holder.add_widget(dot)
            holder.add_widget(Widget())
            box = BoxLayout(orientation="horizontal", spacing=t.px(8), size_hint_x=None)
            box.add_widget(holder)
            box.add_widget(label)
            label.bind(width=lambda w, v, b=box, d=dot: setattr(b, "width", v + d.width + th.get_theme().px(8)))
            self.devices[kind] = (dot, label)
            self.device_boxes.append(box)
        # what a citizen sees when a device is broken: no dot, no device name, just who helps
        self.trouble = Label(text="", font_size=t.font(th.FONT_SMALL * 0.9), color=t.palette.on_bar, bold=True,
                             size_hint=(None, 1))
        self.trouble.bind(texture_size=lambda w, s: setattr(w, "width", s[0]))
        self.clock = Label(text="", font_size=t.font(th.FONT_SMALL), color=t.palette.on_bar, size_hint=(None, 1))
        self.clock.bind(texture_size=lambda w, s: setattr(w, "width", s[0]))
        self.add_widget(self.clock)
        self.staff_view = None
        self.tick()
        from kivy.clock import Clock

        Clock.schedule_once(self._watch, 0)  # the screen manager is made after the bar

    def _watch(self, *_):
        manager = getattr(self.app, "manager", None)
        if manager is not None:
            manager.bind(current=self.update_view)
        self.update_view()

    def for_staff(self) -> bool:
        """Staff or a technician at the screen: the PIN, staff and technician screens, or staff
        assisting a citizen."""
        manager = getattr(self.app, "manager", None)
        staff = getattr(self.app, "staff", None)
        return (manager is not None and manager.current in STAFF_SCREENS) or bool(staff and staff.assisting)

    def update_view(self, *_):
        staff = self.for_staff()
        if staff != self.staff_view:
            self.staff_view = staff
            for box in self.device_boxes:
                if box.parent is not None:
                    self.remove_widget(box)
                if staff:
                    self.add_widget(box, index=1)  # before the clock, in order
        broken = not staff and any(dot.level == "error" for dot, _ in self.devices.values())
        if broken and self.trouble.parent is None:
            self.add_widget(self.trouble, index=1)
        elif not broken and self.trouble.parent is not None:
            self.remove_widget(self.trouble)

    def tick(self, *_):
        self.clock.text = time.strftime("%H:%M")
        if self.staff_view is not None:
            self.update_view()  # staff may have started or stopped assisting

    def relabel(self) -> None:
        for kind, (_, label) in self.devices.items():
            label.text = self.app.t(DEVICE_KEYS[kind])
        self.trouble.text = self.app.t("status_bar.call_staff")

    def show(self, status: DeviceStatus) -> None:
        if status.kind in self.devices:
            self.devices[status.kind][0].set_level(health(status))
            if self.staff_view is not None:
                self.update_view()


class TimeoutDialog(ModalView):
    """'Do you need more time?' with a countdown and one big button."""

    def __init__(self, app, **kw):
        super().__init__(auto_dismiss=False, size_hint=(0.86, None), background_color=(0, 0, 0, 0.6), **kw)
        self._anim_duration = 0  # appears and goes at once: no half-faded dialog to misread
        self.app = app
        t = th.get_theme()
        self.title = Text("", size=th.FONT_TITLE, halign="center", bold=True)
        self.countdown = Text("", size=th.FONT_HEADING, halign="center", role="accent")
        self.more = BigButton("", action=self._more, kind="primary", size=th.FONT_TITLE)
        self.more.min_height = 190
        self.end = BigButton("", action=self._end, kind="secondary")
        panel = Panel(orientation="vertical", padding=t.px(48), spacing=t.px(36))
        for w in (self.title, self.countdown, self.more, self.end):
            panel.add_widget(w)
        panel.size_hint_y = None
        panel.bind(minimum_height=panel.setter("height"))
        panel.bind(height=lambda *_: setattr(self, "height", panel.height))
        self.add_widget(panel)
        self.remaining = 0

    def relabel(self) -> None:
        self.title.text = self.app.t("timeout.title")
        self.countdown.text = self.app.t("timeout.countdown", seconds=int(self.remaining + 0.999))
        self.more.text = self.app.t("timeout.more_time")
        self.end.text = self.app.t("timeout.end_now")

    def update(self, remaining: float) -> None:
        self.remaining = remaining
        self.relabel()

    def _more(self):
        self.app.core.idle.extend()
        self.dismiss()

    def _end(self):
        self.dismiss()
        self.app.core.reset("ended-by-citizen")


class NavButton(BigButton):
    """A navigation bar button: body-size text on one line, with a narrower inner margin than
    other buttons so that six of them share a landscape row."""

    text_pad = 12  # design px either side of the label

    def _wrap(self, *_):
        pad = th.get_theme().px(self.text_pad)
        self.text_size = (max(1, self.width - 2 * pad), None)


def one_line_width(button) -> float:
    """How wide ``button``'s label is on one line, at its font size."""
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=button.text or " ", font_size=button.font_size, bold=True)
    return label.get_extents(button.text or " ")[0]


class NavBar(GridLayout):
    """Back, home, call staff, language and "easier to see" (and the speech extension's
    "Listen"): on every screen but attract.  Every label is body-size text on one line: one row
    when all fit side by side (landscape), else as few rows as keep every label whole (two rows
    in portrait, more in large-text mode)."""

    def __init__(self, app, **kw):
        t = th.get_theme()
        # tight margins, targets of the minimum size: two rows in portrait cost the screens little
        super().__init__(cols=5, size_hint_y=None, spacing=(t.px(10), t.px(6)), padding=(t.px(16), t.px(4)), **kw)
        self.app = app
        self.back = NavButton("", action=app.go_back, kind="secondary", size=th.FONT_BODY)
        self.home = NavButton("", action=app.go_home, kind="secondary", size=th.FONT_BODY)
        # help from every screen, without leaving it (the help panel over the screen)
        self.help = NavButton("", action=app.call_staff, kind="primary", size=th.FONT_BODY)
        self.lang = NavButton("", action=app.toggle_language, kind="quiet", size=th.FONT_BODY)
        self.access = NavButton("", action=app.open_access_panel, kind="quiet", size=th.FONT_BODY)
        for b in (self.back, self.home, self.help, self.lang, self.access):
            b.min_height = 100
            b.size_hint_y = None
            self.add_widget(b)
        self.bind(minimum_height=self.setter("height"), width=self._arrange)
        t.bind(text_scale=self._arrange)

    @property
    def buttons(self) -> list:
        return list(reversed(self.children))

    def add_extra(self, button) -> None:
        """One more control in the bar (the speech extension's "Listen")."""
        button.size_hint = (1, None)
        button.design_size = th.FONT_BODY
        button.min_height = self.back.min_height
        self.add_widget(button)
        self._arrange()

    def columns_for(self, width: float) -> int:
        """The most buttons side by side (fewest rows) with every label on one line."""
        t = th.get_theme()
        n = len(self.children)
        pad_x, spacing = self.padding[0] + self.padding[2], self.spacing[0]
        for cols in sorted({n, -(-n // 2), -(-n // 3), 2, 1}, reverse=True):
            cell = (width - pad_x - spacing * (cols - 1)) / cols
            if all(one_line_width(b) + 2 * t.px(getattr(b, "text_pad", 28)) + t.px(4) <= cell for b in self.buttons):
                return cols
        return 1

    def _arrange(self, *_):
        for b in self.children:
            b.design_size = th.FONT_BODY
        from kivy.core.window import Window

        self.cols = self.columns_for(self.width if self.width > 100 else Window.width)

    def relabel(self) -> None:
        self.back.text = self.app.t("nav.back")
        self.home.text = self.app.t("nav.home")
        self.lang.text = self.app.t("nav.other_language")
        self.access.text = self.app.t("nav.access")
        self.relabel_help()

    def relabel_help(self) -> None:
        """"Gọi nhân viên", or the open ticket's number (tapping it shows that ticket again)."""
        help_ = self.app.journeys.help
        ticket = help_.ticket if help_.open else None
        self.help.text = self.app.t("nav.help_ticket", ticket=ticket.ticket) if ticket else self.app.t("nav.help")
        self._arrange()
