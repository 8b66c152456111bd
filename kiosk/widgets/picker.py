"""Choosing one name from a long list (a province, a ward or commune) without typing it whole.

``PickerField`` is an ``EntryField`` of kind ``choice`` whose tap opens ``PickerEditor``: a
full-window list of big buttons, the citizen's suggestions first (say the wards an old address
was split into), with a search line typed on the Vietnamese keyboard: a few letters, with or
without accents, narrow the list ("ba dinh" finds "Phường Ba Đình").  Never free text: the
value is always one of the choices.

    field = PickerField(app, "Tỉnh / thành phố", choices=[(code, name), …], required=True,
                        on_change=lambda value: …)
    field.set_choices(pairs); field.suggest([value, …])
"""

from __future__ import annotations

from collections.abc import Sequence

from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView

from kiosk import units
from kiosk.widgets import entry
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Scroll, Text, hbox, vbox

SHOWN = 24  # buttons on the list at once: type a few letters to find one further down


class PickerEditor(ModalView):
    """The list of one ``PickerField``: tap a name to choose it; type to narrow the list."""

    def __init__(self, app, field: PickerField, **kw):
        t = th.get_theme()
        super().__init__(auto_dismiss=False, size_hint=(1, 1), background_color=(0, 0, 0, 0.75), **kw)
        self._anim_duration = 0
        self.app = app
        self.field = field
        self.field_kind = "picker"
        self.query = ""
        self.buttons: dict[str, BigButton] = {}
        pad = t.px(32 if t.landscape else 40)
        # the keyboard's keys keep 100 px: the sides get a narrow margin
        panel = Panel(orientation="vertical", padding=[t.px(16), pad, t.px(16), pad], spacing=t.px(16),
                      role="background")
        self.title = Text(field.label.text, size=th.FONT_TITLE, bold=True)
        self.hint = Text(app.t("picker.hint"), size=th.FONT_BODY, role="muted")
        self.search_box = Panel(orientation="vertical", size_hint_y=None, padding=t.px(20), role="surface",
                                border_role="primary")
        self.search_text = Text("", size=th.FONT_HEADING, bold=True)
        self.search_box.add_widget(self.search_text)
        self.search_box.bind(minimum_height=self.search_box.setter("height"))
        self.count = Text("", size=th.FONT_SMALL, role="muted")
        self.grid = GridLayout(cols=2, spacing=t.px(16), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.scroll = Scroll(do_scroll_x=False, bar_width=t.px(14))
        self.scroll.add_widget(self.grid)
        self.cancel = BigButton(app.t("entry.cancel"), action=self.dismiss, kind="secondary", size=th.FONT_BODY)
        self.cancel.min_height = 110
        self.cancel.size_hint_x = 0.3
        self.search_box.size_hint_x = 0.7
        from kiosk.widgets.vnkeyboard import VietnameseKeyboard

        # the search ignores accents: no tone or letter keys, more room for the list
        self.keyboard = VietnameseKeyboard(self._typed, method="off", max_length=40, helpers=False)
        for w in (self.title, self.hint, hbox(self.search_box, self.cancel, spacing=16, size_hint_y=None,
                                                height=t.px(120)),
                  self.count, self.scroll, self.keyboard):
            panel.add_widget(w)
        self.panel = panel
        self.add_widget(vbox(panel))
        self._fill()

    def _typed(self, text: str) -> None:
        self.query = text
        self._fill()

    def matches(self) -> list[tuple[str, str]]:
        """The choices the list shows now: the suggestions first, then the rest, narrowed by
        what was typed."""
        pairs = self.field.choices
        labels = {label: value for value, label in pairs}
        found = units.search([label for _, label in pairs], self.query)
        first = [v for v in self.field.suggested if v in dict(pairs)]
        ordered = [(v, dict(pairs)[v]) for v in first if dict(pairs)[v] in found]
        ordered += [(labels[label], label) for label in found if labels[label] not in first]
        return ordered

    def _fill(self) -> None:
        self.search_text.text = self.query or self.app.t("picker.search_placeholder")
        self.search_text.role = "text" if self.query else "muted"
        self.grid.clear_widgets()
        self.buttons.clear()
        found = self.matches()
        for value, label in found[:SHOWN]:
            suggested = value in self.field.suggested
            b = BigButton(("✓ " if value == self.field.value else "") + label, action=lambda v=value: self._choose(v),
                          kind="primary" if value == self.field.value or suggested else "secondary", size=th.FONT_BODY)
            b.min_height = 110
            self.buttons[value] = b
            self.grid.add_widget(b)
        if not found:
            key = "picker.none"
        elif len(found) > SHOWN:
            key = "picker.more"
        else:
            key = "picker.count"
        self.count.text = self.app.t(key, n=len(found), shown=min(SHOWN, len(found)))
        self.scroll.scroll_y = 1

    @property
    def choice_buttons(self) -> dict[str, BigButton]:
        """value → its button on the list now (as ``EntryEditor`` names a choice's buttons)."""
        return self.buttons

    @property
    def ok(self) -> BigButton | None:
        """The best match's button (the first on the list): after typing a name, the one to tap."""
        return next(iter(self.buttons.values()), None)

    def type_text(self, text: str) -> None:
        """Put ``text`` in the search line as if typed (scripted sessions)."""
        self.keyboard.set_text(text)
        self._typed(text)

    def _choose(self, value: str) -> None:
        self.dismiss()
        self.field.set_value(value, user=True)

    def close_and_forget(self) -> None:
        self.query = ""
        self.keyboard.set_text("")
        self.dismiss()


class PickerField(entry.EntryField):
    """A ``choice`` field whose list is long: a tap opens ``PickerEditor``."""

    def __init__(self, app, label: str = "", *, choices: Sequence[tuple[str, str]] = (), **kw):
        kw.pop("kind", None)
        self.suggested: list[str] = []
        super().__init__(app, label, kind="choice", choices=choices, **kw)

    def suggest(self, values: Sequence[str]) -> None:
        """Choices shown first and highlighted (say, the wards an old address became)."""
        self.suggested = list(values)

    def open(self):
        if self.readonly:
            return None
        entry.close_editors()
        editor = PickerEditor(self.app, self)
        entry._open.append(editor)
        editor.bind(on_dismiss=lambda *_: editor in entry._open and entry._open.remove(editor))
        editor.open()
        return editor

    def wipe(self) -> None:
        super().wipe()
        self.suggested = []


class SuggestingField(entry.EntryField):
    """A typed field whose keyboard offers ``words`` above its keys (say, the family name on the
    card for a child's name): one tap puts a whole word in."""

    def __init__(self, app, label: str = "", *, words: Sequence[str] = (), **kw):
        self.words = list(words)
        super().__init__(app, label, **kw)

    def open(self):
        editor = super().open()
        keyboard = getattr(editor, "keyboard", None)
        if editor is not None and hasattr(keyboard, "set_suggestions"):
            keyboard.set_suggestions(self.words)
            # the keyboard's keys keep 100 px: the editor's sides get a narrow margin
            t = th.get_theme()
            _, top, _, bottom = editor.panel.padding
            editor.panel.padding = [t.px(16), top, t.px(16), bottom]
        return editor
