"""PIN entry for staff and technicians: a digit pad, dots for what was typed, and clear words
for a wrong PIN (tries left) or a lock (minutes to wait).  The check itself is
``kiosk.staff.StaffMode.enter`` (salted scrypt hash, lockout, audit entries)."""

from __future__ import annotations

import math
from collections.abc import Callable

from kivy.uix.widget import Widget

from kiosk.roles import PinResult, Role
from kiosk.screens.base import KioskScreen
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, hbox, vbox
from kiosk.widgets.keyboard import BACKSPACE, CLEAR, CodeKeyboard

MAX_PIN = 12
# one dot per digit typed: a bullet Roboto has (its "●" drew as a missing-glyph box)
MASK = "•"


def hide_nav(app) -> None:
    """Staff, technician and PIN screens have their own controls: no citizen navigation bar."""
    if app.nav.parent:
        app.frame.remove_widget(app.nav)


class PinScreen(KioskScreen):
    def build(self) -> None:
        t = th.get_theme()
        self.role = Role.STAFF
        self.pin = ""
        self.on_ok: Callable[[], None] | None = None
        self.on_cancel: Callable[[], None] | None = None
        self.body.remove_widget(self.title)
        self.heading = Text("", size=th.FONT_TITLE, bold=True)
        self.hint = Text("", size=th.FONT_BODY, role="muted")
        self.tr(self.hint, "pin.hint")
        self.field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), border_role="primary")
        self.dots = Text("", size=th.FONT_TITLE, bold=True, halign="center")
        self.field.add_widget(self.dots)
        self.field.bind(minimum_height=lambda *_: setattr(self.field, "height",
                                                          max(self.field.minimum_height, t.px(120))))
        self.keyboard = CodeKeyboard(self.key, digits_only=True, label_for=self._key_label,
                                     key_size=100 if t.landscape else th.KEY_SIZE)
        self.submit = BigButton("", action=self.check)
        self.tr(self.submit, "pin.submit")
        self.cancel = BigButton("", action=self.cancelled, kind="secondary")
        self.tr(self.cancel, "pin.cancel")
        buttons = hbox(self.cancel, self.submit, size_hint_y=None)
        self.submit.bind(height=lambda *_: setattr(buttons, "height", max(self.submit.height, self.cancel.height)))
        self.cancel.bind(height=lambda *_: setattr(buttons, "height", max(self.submit.height, self.cancel.height)))
        if t.landscape:
            self.form = vbox(self.heading, self.hint, self.field, Widget(), spacing=20)
            self.body.add_widget(hbox(self.form, vbox(Widget(), self.keyboard, buttons, spacing=20), spacing=48))
        else:
            self.form = self.body
            for w in (self.heading, self.hint, Widget(), self.field, self.keyboard, buttons):
                self.body.add_widget(w)
        self._show()

    def prepare(self, role: Role, on_ok: Callable[[], None], on_cancel: Callable[[], None]) -> None:
        self.role = role
        self.on_ok, self.on_cancel = on_ok, on_cancel
        self.pin = ""
        self.hide_error()
        self.tr(self.heading, "pin.title_staff" if role is Role.STAFF else "pin.title_technician")
        self.tr(self.hint, "pin.hint" if role is Role.STAFF else "pin.hint_technician")
        self._show()

    def enter(self, **kw) -> None:
        hide_nav(self.app)
        locked = self.app.staff.locked_for(self.role)
        if locked > 0:
            self._error("pin.locked", "pin.locked_wait", minutes=max(1, math.ceil(locked / 60)))

    def _key_label(self, key: str) -> str:
        if key == BACKSPACE:
            return self.app.t("keyboard.backspace")
        if key == CLEAR:
            return self.app.t("keyboard.clear")
        return key

    def on_relabel(self) -> None:
        self.keyboard.relabel()
        self._show()

    def key(self, ch: str) -> None:
        self.hide_error()
        if ch == BACKSPACE:
            self.pin = self.pin[:-1]
        elif ch == CLEAR:
            self.pin = ""
        elif len(self.pin) < MAX_PIN:
            self.pin += ch
        self._show()

    def _show(self) -> None:
        if self.pin:
            self._tr.pop(id(self.dots), None)
            self.dots.text = "  ".join(MASK * len(self.pin))
            self.dots.role = "text"
        else:
            self.tr(self.dots, "pin.placeholder")
            self.dots.role = "muted"
        self.submit.disabled = len(self.pin) < 4

    def _error(self, key: str, next_key: str, **fmt) -> None:
        self.tr(self.message_text, key, **fmt)
        self.tr(self.message_next, next_key, **fmt)
        target = self.form
        if self.message.parent is not target:
            if self.message.parent:
                self.message.parent.remove_widget(self.message)
            index = target.children.index(self.field) if self.field in target.children else 0
            target.add_widget(self.message, index=index)

    def check(self) -> None:
        pin, self.pin = self.pin, ""  # the PIN never stays on screen or in memory longer than needed
        self._show()
        result = self.app.staff.enter(self.role, pin)
        if result is PinResult.OK:
            self.hide_error()
            if self.on_ok:
                self.on_ok()
        elif result is PinResult.WRONG:
            left = self.app.staff.gate(self.role).attempts_left()
            self._error("pin.wrong", "pin.attempts_left", count=left)
        elif result is PinResult.LOCKED:
            minutes = max(1, math.ceil(self.app.staff.locked_for(self.role) / 60))
            self._error("pin.locked", "pin.locked_wait", minutes=minutes)
        else:
            self._error("pin.disabled", "next.call_technician")

    def cancelled(self) -> None:
        self.pin = ""
        self.hide_error()
        if self.on_cancel:
            self.on_cancel()

    def wipe(self) -> None:
        super().wipe()
        self.pin = ""
        self._show()
