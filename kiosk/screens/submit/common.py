"""What the submit screens share: the base screen (the journey's service and draft, the
citizen's language, fees as text, a scrolling page beside or above its button) and the
scrolling helpers."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.journeys.submit.draft import SubmitDraft
from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import Scroll, fit_height, hbox, vbox


def scroll_page(content) -> ScrollView:
    t = th.get_theme()
    scroll = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"])
    scroll.size_hint_min_y = t.px(360)  # large text: the body scrolls, this keeps some room
    scroll.add_widget(fit_height(content))
    return scroll


def column(*children, spacing: float = 20):
    box = vbox(*children, spacing=spacing)
    box.size_hint_y = None
    box.bind(minimum_height=box.setter("height"))
    return box


def sync(scroll: ScrollView) -> None:
    """The scroll effect follows a scroll position set here (else a stale effect value from
    content that was cleared and rebuilt moves it back, out of range)."""
    update = getattr(scroll, "_update_effect_bounds", None)
    if update is not None:
        update()


def to_top(scroll: ScrollView) -> None:
    scroll.scroll_y = 1
    sync(scroll)


def reveal(scroll: ScrollView, widget) -> None:
    """Scroll ``widget`` (a field with its new message) into view once the layout has settled."""
    def go(*_):
        if widget.parent is None or not scroll.children:
            return
        scroll.scroll_to(widget, padding=th.get_theme().px(120), animate=False)
        sync(scroll)

    Clock.schedule_once(go, 0.05)
    Clock.schedule_once(go, 0.3)


def reveal_soon(scroll: ScrollView, widget, frames: int = 6) -> None:
    """``reveal`` frame by frame while a new layout settles (the text size just changed), then
    once more when it has (``reveal``'s own later passes)."""
    def go(_dt, left=frames):
        if widget.parent is None or not scroll.children:
            return
        scroll.scroll_to(widget, padding=th.get_theme().px(120), animate=False)
        sync(scroll)
        if left > 1:
            Clock.schedule_once(lambda dt: go(dt, left - 1), 0)

    Clock.schedule_once(go, 0)
    reveal(scroll, widget)


OPEN_AFTER_REVEAL = 0.35  # seconds: the editor opens once ``reveal`` has scrolled (0.05 s, 0.3 s)


def take_to_field(app, scroll: ScrollView, field) -> None:
    """The error summary's "take me to the field": ``field`` (an EntryField with a problem)
    scrolled into view and focused the way the citizen is using the kiosk: with the tactile
    keypad the focus ring lands on it and its name and problem are said (OK then opens its
    editor); by touch its editor opens on it once the page has scrolled to it (the citizen
    sees where the field is, and finds it there when the editor closes)."""
    reveal(scroll, field)
    keypad = getattr(app, "keypad", None)
    if keypad is not None and keypad.active:
        keypad.focus(field.box, lead=(field.label, field.error))
        return

    def open_editor(*_):
        if field.get_root_window() is not None and getattr(field, "_error_key", ""):  # still shown, still to fix
            field.open()

    Clock.schedule_once(open_editor, OPEN_AFTER_REVEAL)


def offer_fixes(screen, scroll: ScrollView, field) -> None:
    """Fields need fixing (the summary is shown): ``field``, the first of them, is scrolled
    into view, and the summary takes the citizen to it when touched or activated by keypad.
    With the keypad in use the ring moves to the summary, so that OK is all it takes."""
    reveal(scroll, field)
    screen.offer_goto(lambda: take_to_field(screen.app, scroll, field))
    keypad = getattr(screen.app, "keypad", None)
    if keypad is not None and keypad.active:
        keypad.focus(screen.message)


def doc_state_key(slot) -> str:
    """How a required document is given: read from the chip, filled in here, or photographed."""
    if slot.mode == "chip":
        return "submit.doc.from_chip"
    if slot.mode == "form":
        return "submit.doc.on_kiosk"
    return "submit.doc.required" if slot.required else "submit.doc.optional"


class FullWidth(Widget):
    """Lets a keyboard use the whole window width in portrait, past the body's padding, so
    its keys stay at least 100 px wide."""

    def __init__(self, child, bleed: float, **kw):
        super().__init__(size_hint_y=None, **kw)
        self.child = child
        self.bleed = bleed
        self.add_widget(child)
        child.bind(height=self._place)
        self.bind(pos=self._place, size=self._place)
        self._place()

    def _place(self, *_):
        self.height = self.child.height
        self.child.width = self.width + 2 * self.bleed
        self.child.pos = (self.x - self.bleed, self.y)


class SubmitScreen(KioskScreen):
    """A step of the submit journey: its service does the work, the draft is read to render."""

    @property
    def service(self):
        """kiosk.journeys.submit.SubmitService"""
        return self.app.journeys.submit

    @property
    def draft(self):
        """kiosk.journeys.submit.draft.SubmitDraft, read only here (an empty one when the
        session has none: rendering never makes one)"""
        return self.service.existing or SubmitDraft()

    @property
    def lang(self) -> str:
        return self.app.translator.lang

    def fee_text(self, amount: int) -> str:
        return self.money(amount) if amount > 0 else self.app.t("submit.fee.free")

    def days_text(self, days: int) -> str:
        return self.app.t("submit.days.same_day") if days <= 0 else self.app.t("submit.days.n", n=days)

    def place(self, scroll, button) -> None:
        """A scrolling page and its button: one above the other in portrait; side by side in
        landscape, where the button (and any message) gets a column of its own."""
        t = th.get_theme()
        self.action = button
        if t.landscape:
            self.form = vbox(Widget(), button, spacing=20, size_hint_x=None, width=t.px(620))
            self.body.add_widget(hbox(scroll, self.form, spacing=40))
        else:
            self.form = self.body
            self.body.add_widget(scroll)
            self.body.add_widget(button)

    def show_error(self, err: CitizenError, container=None) -> None:
        super().show_error(err, container=container or getattr(self, "form", None))

    def _error_index(self, target) -> int:
        """A message goes just above the screen's action button (``self.action``)."""
        action = getattr(self, "action", None)
        return target.children.index(action) + 1 if action in target.children else 0
