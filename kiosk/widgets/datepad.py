"""A date chosen on a calendar page instead of typed: the month shown with large arrows (a month
or a year back or on), its days as big buttons; one tap on a day chooses it.  A child born last
week is three taps away (open, the month if needed, the day), nobody types slashes.

Days outside ``earliest`` … ``latest`` are not offered (a birth is never in the future, a
child is not born before the parent registering it): the pad refuses them before the form does.

    field = DateField(app, "Ngày sinh", required=True, latest=date.today(), earliest=None)
    field.value  # ISO "YYYY-MM-DD", shown as DD/MM/YYYY
"""

from __future__ import annotations

import calendar
from datetime import date

from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk.widgets import entry
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Scroll, Text, hbox


def _shift(d: date, months: int) -> date:
    """The first day of the month ``months`` away from ``d``'s."""
    m = d.year * 12 + (d.month - 1) + months
    return date(m // 12, m % 12 + 1, 1)


class DatePadEditor(ModalView):
    """The calendar page of one ``DateField``."""

    def __init__(self, app, field: DateField, **kw):
        t = th.get_theme()
        super().__init__(auto_dismiss=False, size_hint=(1, 1), background_color=(0, 0, 0, 0.75), **kw)
        self._anim_duration = 0
        self.app = app
        self.field = field
        self.field_kind = "datepad"
        try:
            chosen = date.fromisoformat(field.value) if field.value else None
        except ValueError:
            chosen = None
        start = chosen or min(field.latest or date.today(), date.today())
        self.month = date(start.year, start.month, 1)
        self.days: dict[int, BigButton] = {}
        panel = Panel(orientation="vertical", padding=t.px(32 if t.landscape else 40), spacing=t.px(20),
                      size_hint_y=None, role="background")
        panel.bind(minimum_height=panel.setter("height"))
        self.title = Text(field.label.text, size=th.FONT_TITLE, bold=True)
        self.hint = Text(app.t("datepad.hint"), size=th.FONT_BODY, role="muted")
        self.shown = Text("", size=th.FONT_TITLE, bold=True, halign="center")
        self.prev = self._button("◀", lambda: self.turn(-1))
        self.next = self._button("▶", lambda: self.turn(1))
        self.year_back = self._button(app.t("datepad.year_back"), lambda: self.turn(-12), size=th.FONT_BODY)
        self.year_on = self._button(app.t("datepad.year_on"), lambda: self.turn(12), size=th.FONT_BODY)
        self.prev.size_hint_x = self.next.size_hint_x = 0.22
        self.shown.size_hint_x = 0.56
        months = hbox(self.prev, self.shown, self.next, spacing=16, size_hint_y=None, height=t.px(120))
        years = hbox(self.year_back, self.year_on, spacing=16, size_hint_y=None, height=t.px(110))
        # each row as tall as its tallest part: in large text the month's name may take two
        # lines, and a row of fixed height let it run up over the hint
        for row, least in ((months, 120), (years, 110)):
            def fit(*_, row=row, least=least):
                row.height = max([th.get_theme().px(least), *(c.height for c in row.children)])

            for child in row.children:
                child.bind(height=fit)
            fit()
        self.grid = GridLayout(cols=7, spacing=t.px(10), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.cancel = BigButton(app.t("entry.cancel"), action=self.dismiss, kind="secondary", size=th.FONT_BODY)
        self.cancel.min_height = 110
        for w in (self.title, self.hint, Widget(size_hint_y=None, height=1), months, years, self.grid, self.cancel):
            panel.add_widget(w)
        scroller = Scroll(do_scroll_x=False, bar_width=t.px(14))
        scroller.add_widget(panel)
        self.add_widget(scroller)
        self._fill()

    def _button(self, text: str, action, size: float = th.FONT_TITLE) -> BigButton:
        b = BigButton(text, action=action, kind="secondary", size=size)
        if text in ("◀", "▶"):
            b.font_name = "DejaVuSans"  # Roboto has no arrows
        b.min_height = 110
        return b

    def allowed(self, d: date) -> bool:
        f = self.field
        return (f.latest is None or d <= f.latest) and (f.earliest is None or d >= f.earliest)

    def turn(self, months: int) -> None:
        """Another month (12: a year) on or back, never wholly outside the allowed days."""
        target = _shift(self.month, months)
        last = date(target.year, target.month, calendar.monthrange(target.year, target.month)[1])
        f = self.field
        if (f.latest is not None and target > f.latest) or (f.earliest is not None and last < f.earliest):
            if abs(months) == 12:  # a year too far: as far as allowed
                bound = f.latest if months > 0 else f.earliest
                target = date(bound.year, bound.month, 1)
            else:
                return
        self.month = target
        self._fill()

    def _fill(self) -> None:
        m = self.month
        self.shown.text = self.app.t("datepad.month", month=m.month, year=m.year)
        self.grid.clear_widgets()
        self.days.clear()
        chosen = self.field.value
        for day in range(1, calendar.monthrange(m.year, m.month)[1] + 1):
            d = date(m.year, m.month, day)
            b = BigButton(str(day), action=lambda d=d: self.choose(d),
                          kind="primary" if d.isoformat() == chosen else "secondary", size=th.FONT_HEADING)
            b.min_height = 100
            b.text_margin = 6  # a day's two digits in its narrow cell, large text too
            b.disabled = not self.allowed(d)
            if b.disabled:
                b.kind = "quiet"
            self.days[day] = b
            self.grid.add_widget(b)
        self.prev.disabled = self.field.earliest is not None and _shift(m, 0) <= self.field.earliest
        self.next.disabled = self.field.latest is not None and _shift(m, 1) > self.field.latest

    def choose(self, d: date) -> None:
        if not self.allowed(d):
            return
        self.dismiss()
        self.field.set_value(d.isoformat(), user=True)

    def close_and_forget(self) -> None:
        self.dismiss()


class DateField(entry.EntryField):
    """A ``date`` field chosen on ``DatePadEditor``; ``earliest``/``latest`` bound the days."""

    def __init__(self, app, label: str = "", *, earliest: date | None = None, latest: date | None = None, **kw):
        kw.pop("kind", None)
        self.earliest, self.latest = earliest, latest
        super().__init__(app, label, kind="date", **kw)

    def _refresh(self) -> None:
        super()._refresh()
        if not self.readonly and not self.value:
            self.box.text = self.app.t("entry.tap_to_choose")  # a day is chosen, not typed

    def open(self):
        if self.readonly:
            return None
        entry.close_editors()
        editor = DatePadEditor(self.app, self)
        entry._open.append(editor)
        editor.bind(on_dismiss=lambda *_: editor in entry._open and entry._open.remove(editor))
        editor.open()
        return editor
