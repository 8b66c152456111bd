"""The procedure's form: who applies (read-only, from the chip) and the fields of the
procedure's schema, prefilled where the chip says; a message under each field to fix."""

from __future__ import annotations

from kiosk.core import CitizenError
from kiosk.screens.submit.common import SubmitScreen, column, reveal, scroll_page, to_top
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
        from kiosk.widgets.entry import EntryField

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
            choices = [(v, self.app.t("submit.form.yes") if v == "yes" else self.app.t("submit.form.no"))
                       for v, _ in f.choices] if f.json_type == "boolean" else list(f.choices)
            kind = f.kind
            if f.name.endswith("_province") and f.kind in ("text", "name") and provinces:
                # a province is chosen from the gateway's list, never typed
                from kiosk.widgets.address import _sort_key

                kind, choices = "choice", [(n, n) for n in sorted(provinces, key=_sort_key)]
            entry = EntryField(self.app, self._label(f), kind=kind, value=values.get(f.name, ""), choices=choices,
                               required=f.required, max_length=f.max_length, name=f.name)
            self.entries[f.name] = entry
            box.add_widget(entry)
        # landscape has little height: the fields to fill come first, the applicant (from the
        # chip, read only) under them
        self.content.add_widget(box, index=len(self.content.children) if th.get_theme().landscape else 0)
        self.go.disabled = False
        to_top(self.scroll)

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
                if f.json_type == "boolean":
                    entry.set_choices([("yes", self.app.t("submit.form.yes")), ("no", self.app.t("submit.form.no"))])
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
            reveal(self.scroll, first)
            self.offer_goto(lambda: reveal(self.scroll, first))  # the message takes you back to it

    def wipe(self) -> None:
        super().wipe()
        for field in self.entries.values():
            field.wipe()
        for shown in self.applicant.values():
            shown.text = ""
        self.content.clear_widgets()
        self.entries, self.applicant, self.fields, self.labels = {}, {}, [], []
