"""The procedure's form: who applies (read-only, from the chip) and the fields of the
procedure's schema, prefilled where the chip says; a message under each field to fix."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.core import CitizenError
from kiosk.screens.submit.common import SubmitScreen, column, offer_fixes, reveal_soon, scroll_page, to_top
from kiosk.text import mask_id
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text, content_panel


class SubmitFormScreen(SubmitScreen):
    title_key = "submit.form.title"
    key_content = ("first_field", "go")  # in view without scrolling (the layout check)

    def first_field(self):
        """The first field with a problem, else the first field (None before the form is ready)."""
        entries = list(self.entries.values())
        return next((e for e in entries if getattr(e, "_error_key", "")), entries[0] if entries else None)

    def build(self) -> None:
        self.fields = []  # kiosk.journeys.submit.form.FormField
        self.entries = {}  # name → EntryField
        self.applicant = {}  # label key → readonly EntryField
        self.labels = []
        self.content = column(spacing=24)
        self.scroll = scroll_page(self.content)
        self.go = BigButton("", action=self.confirm, size=th.FONT_TITLE)
        self.go.min_height = 150
        self.tr(self.go, "submit.continue")
        self.place(self.scroll, self.go)
        th.get_theme().follow(text_scale=self._on_text_scale)

    def enter(self, **kw) -> None:
        self.hide_error()
        self.go.disabled = True
        self.service.prepare_form().then(self._ready, self._failed)

    def _failed(self, err: CitizenError) -> None:
        self.show_error(err)

    def on_leave(self, *args) -> None:
        """Leaving by "back" keeps what was typed (checked only on Continue).  After a reset
        the fields are already wiped."""
        if self.entries:
            self.service.keep_values(self.values())

    def _ready(self, fields) -> None:
        self.fields = list(fields)
        self._fresh_scroll()
        self.entries, self.applicant, self.labels = {}, {}, []

        def label(key: str, **kw) -> Text:
            widget = Text(self.app.t(key), **kw)
            self.labels.append((widget, key))
            return widget

        ident = self.core.session.identity
        who = content_panel(spacing=8)
        who.add_widget(label("submit.form.applicant", size=th.FONT_HEADING, bold=True, role="primary"))
        who.add_widget(label("submit.form.applicant_note", size=th.FONT_SMALL, role="muted"))
        if ident is not None:  # read-only: the law does not let the citizen edit chip data
            birth = self.app.format_date(ident.date_of_birth) if ident.date_of_birth else ident.date_of_birth_text
            for key, value in (("submit.form.name", ident.full_name),
                               ("submit.form.id_number", mask_id(ident.id_number)),
                               ("submit.form.dob", birth), ("submit.form.residence", ident.residence)):
                shown = Text(value or "-", size=th.FONT_BODY, bold=True)
                self.applicant[key] = shown
                who.add_widget(label(key, size=th.FONT_SMALL, role="muted"))
                who.add_widget(shown)
        self.content.add_widget(who)
        box = content_panel(spacing=24)
        box.add_widget(label("submit.form.details", size=th.FONT_HEADING, bold=True, role="primary"))
        values = self.draft.values
        provinces = self.service.province_names()
        for f in self.fields:
            entry = self._entry(f, values.get(f.name, ""), provinces)
            self.entries[f.name] = entry
            box.add_widget(entry)
        self.who_panel, self.fields_panel = who, box
        self.content.add_widget(box)
        self._order_parts()
        self.go.disabled = False
        to_top(self.scroll)

    def _order_parts(self) -> None:
        """Landscape and large text have little height: the fields to fill come first, the
        applicant (from the chip, read only) under them."""
        who, box = getattr(self, "who_panel", None), getattr(self, "fields_panel", None)
        if who is None or who.parent is not self.content or box.parent is not self.content:
            return
        t = th.get_theme()
        first, second = (box, who) if t.landscape or t.text_scale > 1 else (who, box)
        if self.content.children[-1] is not first:
            for w in (first, second):
                self.content.remove_widget(w)
            for w in (first, second):
                self.content.add_widget(w)

    def _on_text_scale(self, _theme, _value) -> None:
        """Text size changed on this page: its parts in that size's order, the top of the page
        (or the field the message is about) in view."""
        self._order_parts()
        first = self.first_field() if self.message_kind == "error" else None
        if first is not None and getattr(first, "_error_key", ""):
            reveal_soon(self.scroll, first)
        else:
            to_top(self.scroll)

    def _choices(self, f) -> list[tuple[str, str]]:
        """A field's choices in the citizen's language (the values stay the gateway's)."""
        if f.json_type == "boolean":
            return [(v, self.app.t("submit.form.yes") if v == "yes" else self.app.t("submit.form.no"))
                    for v, _ in f.choices]
        return f.labelled_choices(self.lang)

    def _entry(self, f, value: str, provinces):
        """The field's widget: a date on the calendar pad, a province or ward on a searchable
        list, a name with the card's names offered as words, choices as buttons."""
        from kiosk.units import sort_key
        from kiosk.widgets.datepad import DateField
        from kiosk.widgets.entry import EntryField
        from kiosk.widgets.picker import PickerField, SuggestingField

        common = dict(value=value, required=f.required, name=f.name)
        if f.kind == "date":
            ident = self.core.session.identity
            born = getattr(ident, "date_of_birth", None) if f.name.startswith("child_") else None
            earliest = born + timedelta(days=1) if isinstance(born, date) else None
            return DateField(self.app, self._label(f), latest=date.today() if f.past_only else None,
                             earliest=earliest, **common)
        if f.name.endswith("_province") and f.kind in ("text", "name") and provinces:
            # a province is chosen from the gateway's list, never typed
            return PickerField(self.app, self._label(f), choices=[(n, n) for n in sorted(provinces, key=sort_key)],
                               **common)
        if f.kind == "name":
            return SuggestingField(self.app, self._label(f), kind="name", words=self.service.name_words(),
                                   max_length=f.max_length, **common)
        if f.kind == "text" and f.name.startswith("place_of"):
            return SuggestingField(self.app, self._label(f), kind="text", words=self.service.place_words(),
                                   max_length=f.max_length, **common)
        return EntryField(self.app, self._label(f), kind=f.kind, choices=self._choices(f),
                          max_length=f.max_length, **common)

    def _fresh_scroll(self) -> None:
        """A new scroll view for each visit: the form's fields differ by procedure, and a
        scroll view whose content was cleared and rebuilt keeps a stale position."""
        old = self.scroll
        self.content = column(spacing=24)
        self.scroll = scroll_page(self.content)
        parent = old.parent
        if parent is not None:
            at = parent.children.index(old)
            parent.remove_widget(old)
            parent.add_widget(self.scroll, index=at)
        old.clear_widgets()

    def _label(self, f) -> str:
        title = f.title(self.lang)
        return title if f.required else self.app.t("submit.form.optional", title=title)

    def on_relabel(self) -> None:
        for widget, key in self.labels:
            widget.text = self.app.t(key)
        for f in self.fields:
            entry = self.entries.get(f.name)
            if entry is not None:
                if f.kind == "choice" and f.choices:
                    entry.set_choices(self._choices(f))
                entry.label.text = self._label(f)
                entry.relabel()

    def values(self) -> dict[str, str]:
        return {name: entry.value for name, entry in self.entries.items()}

    def confirm(self) -> None:
        """The service keeps the values and moves on when nothing needs fixing."""
        self.hide_error()
        for entry in self.entries.values():
            entry.set_error(None)
        problems = self.service.check_form(self.values())
        if not problems:
            return
        first = None
        for name, key in problems:
            entry = self.entries.get(name)
            if entry is not None:
                entry.set_error(key)
                first = first or entry
        self.show_error(CitizenError("submit.form.check", "next.submit_fix_fields"))
        if first is not None:
            offer_fixes(self, self.scroll, first)  # the message takes you to it, and focuses it

    def wipe(self) -> None:
        super().wipe()
        for field in self.entries.values():
            field.wipe()
        for shown in self.applicant.values():
            shown.text = ""
        self.content.clear_widgets()
        self.entries, self.applicant, self.fields, self.labels = {}, {}, [], []
        self.who_panel = self.fields_panel = None
