"""Form fields a citizen fills in without a physical keyboard.

``EntryField`` is one labelled field on a screen: its value shows in a large tappable box; a tap
opens ``EntryEditor``, a full-window editor with the field's name, the value in large type, the
right keyboard and two big buttons (Done, Cancel).  One field at a time, everything large: the
way people who rarely type manage best.  Kinds:

- ``text``: the Vietnamese keyboard (Telex/VNI composed by the app, NFC text);
- ``name``: the same, each word capitalised (names, wards, streets);
- ``digits``: the numeric pad (numbers, counts, years);
- ``phone``: the numeric pad, checked as a Vietnamese phone number (0 and 9–11 more digits);
- ``date``: the numeric pad, typed day/month/year with the slashes put in by the app;
  ``value`` is ISO (``YYYY-MM-DD``), shown as ``DD/MM/YYYY``;
- ``choice``: a grid of big buttons, one per choice (``choices=[(value, label), …]``).

A ``readonly`` field (data from the chip, which the citizen may not edit) shows its value
with a note saying where it came from, and opens nothing.

    field = EntryField(app, "Ward / commune", kind="name", required=True, max_length=60,
                       on_change=lambda v: ...)
    screen.tr(field.label, "address.ward")      # the field's name follows the language
    field.value / field.set_value("...") / field.set_error("form.required") / field.wipe()

Values live in the widget only as long as the screen shows them; ``wipe()`` forgets them (the
screens call it on every reset).  Editors close by themselves when the session is reset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Scroll, Text, hbox

KINDS = ("text", "name", "digits", "phone", "date", "choice")
PHONE_RE = re.compile(r"0\d{9,10}")


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text or "")


def date_display(iso: str) -> str:
    """``2024-03-05`` → ``05/03/2024`` (anything else unchanged)."""
    try:
        d = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def date_from_digits(digits: str) -> str | None:
    """Eight typed digits DDMMYYYY → ISO date, or None when it is no real date."""
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[4:]), int(digits[2:4]), int(digits[:2])).isoformat()
    except ValueError:
        return None


def check_value(kind: str, value: str, required: bool = False) -> str | None:
    """The message key of what is wrong with ``value`` for a field of ``kind``, or None."""
    if not value:
        return "form.required" if required else None
    if kind == "phone" and not PHONE_RE.fullmatch(value):
        return "entry.bad_phone"
    if kind == "date":
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return "form.bad_date"
        if d.year < 1900:
            return "form.bad_date"
    if kind == "digits" and not value.isdigit():
        return "form.expected_number"
    return None


class EntryEditor(ModalView):
    """The full-window editor of one field.  ``on_done(value)`` when the citizen taps Done with
    a valid value; Cancel leaves the field as it was."""

    def __init__(self, app, field: EntryField, **kw):
        t = th.get_theme()
        super().__init__(auto_dismiss=False, size_hint=(1, 1), background_color=(0, 0, 0, 0.75), **kw)
        self._anim_duration = 0
        self.app = app
        self.field = field
        self.kind = field.kind
        self.digits = ""  # date kind: the digits typed so far
        self.text = field.value
        if self.kind == "date":
            self.digits = "".join(ch for ch in date_display(field.value) if ch.isdigit())
        panel = Panel(orientation="vertical", padding=t.px(32 if t.landscape else 40), spacing=t.px(20),
                      size_hint_y=None, role="background")
        self.title = Text(field.label.text, size=th.FONT_TITLE, bold=True)
        self.hint = Text("", size=th.FONT_BODY, role="muted")
        self.shown = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), role="surface",
                           border_role="primary")
        self.shown_text = Text("", size=th.FONT_TITLE, bold=True)
        self.shown.add_widget(self.shown_text)
        self.shown.bind(minimum_height=self.shown.setter("height"))
        self.error = Text("", size=th.FONT_BODY, role="error", bold=True)
        self.cancel = BigButton(app.t("entry.cancel"), action=self.dismiss, kind="secondary")
        self.ok = BigButton(app.t("entry.done"), action=self._done, size=th.FONT_TITLE)
        for w in (self.title, self.hint, Widget()):  # the spare height goes above the value
            panel.add_widget(w)
        self.panel = panel
        self.keyboard = None
        self.choice_buttons: dict[str, BigButton] = {}
        if self.kind == "choice":
            self.hint.text = app.t("entry.choose_one")
            grid = GridLayout(cols=3 if t.landscape else 2, spacing=t.px(16), size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            for value, label in field.choices:
                b = BigButton(label, action=lambda v=value: self._choose(v),
                              kind="primary" if value == field.value else "secondary", size=th.FONT_BODY)
                b.selected = value == field.value  # the choice made has a tick, not only a colour
                b.min_height = 120
                self.choice_buttons[value] = b
                grid.add_widget(b)
            panel.add_widget(grid)
            panel.add_widget(self.cancel)
        else:
            if t.landscape:  # one row: the value, Cancel, Done; the keyboard gets the height
                self.shown.size_hint_x = 0.56
                self.cancel.size_hint_x = self.ok.size_hint_x = 0.22
                row = hbox(self.shown, self.cancel, self.ok, spacing=20, size_hint_y=None)
                row.bind(minimum_height=row.setter("height"))
                panel.add_widget(row)
            else:
                buttons = hbox(self.cancel, self.ok, spacing=20, size_hint_y=None)
                buttons.bind(minimum_height=buttons.setter("height"))
                panel.add_widget(self.shown)
                panel.add_widget(buttons)
            panel.add_widget(self._make_keyboard())
            self._show()
        if self.kind == "date":
            self.hint.text = app.t("entry.date_hint")
        elif self.kind == "phone":
            self.hint.text = app.t("entry.phone_hint")
        elif field.hint:
            self.hint.text = field.hint
        if not self.hint.text:
            panel.remove_widget(self.hint)
        # large text can make the editor taller than the window: it scrolls, nothing is cut off
        scroller = Scroll(do_scroll_x=False, bar_width=t.px(14))
        scroller.add_widget(panel)
        fill = lambda *_: setattr(panel, "height", max(panel.minimum_height, scroller.height))  # noqa: E731
        panel.bind(minimum_height=fill)
        scroller.bind(height=fill)
        self.add_widget(scroller)

    # -- keyboards ----------------------------------------------------------------------------

    def _make_keyboard(self):
        if self.kind in ("text", "name"):
            from kiosk.widgets.vnkeyboard import VietnameseKeyboard

            self.keyboard = VietnameseKeyboard(self._typed, text=self.text, capitalize_words=self.kind == "name",
                                               max_length=self.field.max_length)
        else:
            from kiosk.widgets.keyboard import BACKSPACE, CLEAR, CodeKeyboard

            names = {BACKSPACE: "keyboard.backspace", CLEAR: "keyboard.clear"}
            self.keyboard = CodeKeyboard(self._key, digits_only=True,
                                         label_for=lambda k: self.app.t(names[k]) if k in names else k)
        return self.keyboard

    def _typed(self, text: str) -> None:
        self.text = _nfc(text)
        self._say("")
        self._show()

    def _key(self, key: str) -> None:
        from kiosk.widgets.keyboard import BACKSPACE, CLEAR

        limit = self.field.max_length or 64
        if self.kind == "date":
            if key == BACKSPACE:
                self.digits = self.digits[:-1]
            elif key == CLEAR:
                self.digits = ""
            elif key.isdigit() and len(self.digits) < 8:
                self.digits += key
        else:
            if key == BACKSPACE:
                self.text = self.text[:-1]
            elif key == CLEAR:
                self.text = ""
            elif key.isdigit() and len(self.text) < limit:
                self.text += key
        self._say("")
        self._show()

    def _say(self, text: str) -> None:
        """The error line under the value: there only when it has something to say."""
        self.error.text = text
        if text and self.error.parent is None:
            # just above the keyboard, under the value and the buttons
            self.panel.add_widget(self.error, index=self.panel.children.index(self.keyboard) + 1)
        elif not text and self.error.parent is not None:
            self.error.parent.remove_widget(self.error)

    def _show(self) -> None:
        if self.kind == "date":
            d = self.digits
            shown = "/".join(p for p in (d[:2], d[2:4], d[4:]) if p)
            self.shown_text.text = shown or self.app.t("entry.date_placeholder")
        else:
            self.shown_text.text = self.text or " "

    # -- closing ------------------------------------------------------------------------------

    def type_text(self, text: str) -> None:
        """Put ``text`` in as if typed (for scripted sessions: tests, screenshots, benchmarks)."""
        if self.kind == "date":
            self.digits = "".join(ch for ch in text if ch.isdigit())[:8]
        elif self.kind in ("text", "name"):
            self.keyboard.set_text(text)
            self.text = _nfc(text)
        else:
            self.text = "".join(ch for ch in text if ch.isdigit())
        self._show()

    def _value(self) -> tuple[str, str | None]:
        if self.kind == "date":
            if not self.digits:
                return "", None
            iso = date_from_digits(self.digits)
            return (iso or ""), (None if iso else "form.bad_date")
        value = _nfc(self.text).strip()
        value = re.sub(r"\s+", " ", value)
        return value, None

    def _done(self) -> None:
        value, problem = self._value()
        problem = problem or check_value(self.kind, value, required=False)
        if problem:
            self._say(self.app.t(problem))
            return
        self.dismiss()
        self.field.set_value(value, user=True)

    def _choose(self, value: str) -> None:
        self.dismiss()
        self.field.set_value(value, user=True)

    def close_and_forget(self) -> None:
        self.text = ""
        self.digits = ""
        if self.keyboard is not None and hasattr(self.keyboard, "set_text"):
            self.keyboard.set_text("")
        self.shown_text.text = ""
        self.dismiss()


_open: list[EntryEditor] = []
_watched: set[int] = set()


def _watch_resets(app) -> None:
    """Close any open editor when the session ends (timeout, finish, staff ended it)."""
    core = getattr(app, "core", None)
    if core is None or id(core) in _watched:
        return
    _watched.add(id(core))

    def on_event(event: str, _value) -> None:
        if event in ("reset", "wiped"):
            close_editors()

    core.subscribe(on_event)


def close_editors() -> None:
    while _open:
        _open.pop().close_and_forget()


def open_editor() -> EntryEditor | None:
    """The editor on screen now, if any (for scripted sessions)."""
    return _open[-1] if _open else None


class EntryField(BoxLayout):
    """A labelled field; see the module docstring."""

    def __init__(self, app, label: str = "", *, kind: str = "text", value: str = "",
                 choices: Sequence[tuple[str, str]] = (), required: bool = False, readonly: bool = False,
                 max_length: int | None = None, hint: str = "", name: str = "",
                 on_change: Callable[[str], None] | None = None, **kw):
        if kind not in KINDS:
            raise ValueError(f"unknown field kind {kind}")
        t = th.get_theme()
        kw.setdefault("size_hint_y", None)
        super().__init__(orientation="vertical", spacing=t.px(8), **kw)
        self.bind(minimum_height=self.setter("height"))
        self.app = app
        self.kind = kind
        self.name = name
        self.choices = list(choices)
        self.required = required
        self.readonly = readonly
        self.max_length = max_length
        self.hint = hint
        self.on_change = on_change
        self.value = ""
        self.label = Text(label, size=th.FONT_BODY, bold=True)
        self.box = BigButton("", action=self.open, kind="secondary", size=th.FONT_HEADING, halign="left")
        self.box.min_height = 110
        self.note = Text("", size=th.FONT_SMALL, role="muted")
        self.error = Text("", size=th.FONT_BODY, role="error", bold=True)
        self.add_widget(self.label)
        if readonly:
            self.shown = Panel(orientation="vertical", size_hint_y=None, padding=t.px(20), role="surface")
            self.shown_text = Text("", size=th.FONT_HEADING, bold=True)
            self.shown.add_widget(self.shown_text)
            self.shown.bind(minimum_height=self.shown.setter("height"))
            self.add_widget(self.shown)
            self.note.text = app.t("entry.from_card")
            self.add_widget(self.note)
        else:
            self.add_widget(self.box)
        self._error_key = ""
        self.set_value(value)
        _watch_resets(app)

    # -- value --------------------------------------------------------------------------------

    def display(self) -> str:
        if self.kind == "date":
            return date_display(self.value)
        if self.kind == "choice":
            return dict(self.choices).get(self.value, self.value)
        return self.value

    def set_value(self, value: str, user: bool = False) -> None:
        self.value = _nfc(value or "")
        self.set_error(None)
        self._refresh()
        if user and self.on_change is not None:
            self.on_change(self.value)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        self.choices = list(choices)
        self._refresh()

    def _refresh(self) -> None:
        shown = self.display()
        if self.readonly:
            self.shown_text.text = shown or "-"
            return
        if shown:
            self.box.text = shown
            self.box.kind = "secondary"
        else:
            key = "entry.tap_to_choose" if self.kind == "choice" else "entry.tap_to_type"
            self.box.text = self.app.t(key)
            self.box.kind = "quiet"
        self.box.placeholder = not shown

    def relabel(self) -> None:
        """After a language switch: placeholders, notes and error follow it."""
        self._refresh()
        if self.readonly:
            self.note.text = self.app.t("entry.from_card")
        if self._error_key:
            self.error.text = self.app.t(self._error_key)

    def check(self) -> str | None:
        """Validate (and show) the value; the message key of the problem or None."""
        problem = check_value(self.kind, self.value, self.required)
        if problem is None and self.kind == "choice" and self.value and self.choices \
                and self.value not in dict(self.choices):
            problem = "form.not_a_choice"
        self.set_error(problem)
        return problem

    def set_error(self, key: str | None) -> None:
        self._error_key = key or ""
        self.box.problem = bool(key)  # a red border on the field itself, not only the message
        if key:
            self.error.text = self.app.t(key)
            if self.error.parent is None:
                self.add_widget(self.error)
        else:
            self.error.text = ""
            if self.error.parent is not None:
                self.remove_widget(self.error)

    # -- editing ------------------------------------------------------------------------------

    def open(self) -> EntryEditor | None:
        if self.readonly:
            return None
        close_editors()
        editor = EntryEditor(self.app, self)
        _open.append(editor)
        editor.bind(on_dismiss=lambda *_: editor in _open and _open.remove(editor))
        editor.open()
        return editor

    def wipe(self) -> None:
        self.value = ""
        self.set_error(None)
        self._refresh()
