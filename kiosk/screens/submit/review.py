"""Everything on one page before sending: the procedure, who applies, the form, the documents
and where the result goes, each part with a "change" link; then send."""

from __future__ import annotations

from kiosk.core import CitizenError
from kiosk.journeys.submit.form import form_fields
from kiosk.screens.submit.common import SubmitScreen, column, doc_state_key, scroll_page, to_top
from kiosk.text import localized, mask_id
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text, content_panel, hbox


class SubmitReviewScreen(SubmitScreen):
    title_key = "submit.review.title"
    key_content = ("form_head", "send")  # in view without scrolling (the layout check)

    def build(self) -> None:
        self.busy = False
        self.content = column(spacing=20)
        self.scroll = scroll_page(self.content)
        self.changes: dict[str, BigButton] = {}  # part (form, photos, delivery) → its "change" link
        self.send = BigButton("", action=self.do_send, size=th.FONT_TITLE)
        self.send.min_height = 150
        self.place(self.scroll, self.send)
        self._show_busy()
        th.get_theme().follow(text_scale=self._on_text_scale)

    def _on_text_scale(self, _theme, _value) -> None:
        if self.draft.procedure is not None and self.content.children:
            self.render()  # the parts' order depends on the text size
            to_top(self.scroll)

    def enter(self, **kw) -> None:
        self.hide_error()
        self.busy = False
        self._show_busy()
        self.render()
        to_top(self.scroll)

    def on_relabel(self) -> None:
        self.render()

    def _show_busy(self) -> None:
        self.tr(self.send, "submit.review.sending" if self.busy else "submit.review.send")
        self.send.disabled = self.busy

    def _section(self, title_key: str, part: str | None = None):
        t = th.get_theme()
        box = content_panel(spacing=10)
        head = Text(self.app.t(title_key), size=th.FONT_BODY, bold=True, role="primary")
        if part:
            button = BigButton(self.app.t("submit.review.change"), action=lambda: self.change(part),
                               kind="secondary", size=th.FONT_SMALL, size_hint_x=None, width=t.px(260))
            button.min_height = 100
            self.changes[part] = button
            row = hbox(head, button, spacing=16, size_hint_y=None)
            row.bind(minimum_height=row.setter("height"))
            box.add_widget(row)
            if part == "form":
                self.form_head = row
        else:
            box.add_widget(head)
        self.content.add_widget(box)
        return box

    def _line(self, box, label: str, value: str) -> None:
        box.add_widget(Text(label, size=th.FONT_SMALL, role="muted"))
        box.add_widget(Text(value or "-", size=th.FONT_BODY))

    def render(self) -> None:
        from kiosk.widgets.entry import date_display

        self.content.clear_widgets()
        self.changes.clear()
        draft, ident = self.draft, self.core.session.identity
        p = draft.procedure
        if p is None:
            return
        lang = self.lang
        box = self._section("submit.review.procedure")
        box.add_widget(Text(localized(p, "name", lang), size=th.FONT_BODY, bold=True))
        box.add_widget(Text(self.app.t("submit.details.fee", fee=self.fee_text(draft.fee_vnd)), size=th.FONT_SMALL))
        if ident is not None:
            box = self._section("submit.form.applicant")
            birth = self.app.format_date(ident.date_of_birth) if ident.date_of_birth else ident.date_of_birth_text
            self._line(box, self.app.t("submit.form.name"), ident.full_name)
            self._line(box, self.app.t("submit.form.id_number"), mask_id(ident.id_number))
            self._line(box, self.app.t("submit.form.dob"), birth)
        known = len(self.content.children)  # the procedure and the applicant: known already
        box = self._section("submit.form.details", "form")
        for f in form_fields(p):
            value = draft.values.get(f.name, "")
            if f.kind == "date":
                value = date_display(value)
            elif f.json_type == "boolean" and value:
                value = self.app.t("submit.form.yes" if value == "yes" else "submit.form.no")
            self._line(box, f.title(lang), value)
        box = self._section("submit.review.documents", "photos")
        for slot in draft.documents:
            if slot.mode == "photo" and not slot.pages:
                state = self.app.t("submit.review.no_pages")
            elif slot.mode == "photo":
                state = self.app.t("submit.photo.pages", n=len(slot.pages))
            else:
                state = self.app.t(doc_state_key(slot))
            self._line(box, slot.name(lang), state)
        box = self._section("submit.review.delivery", "delivery")
        d = draft.delivery
        if d.get("method") == "post":
            box.add_widget(Text(self.app.t("submit.review.by_post"), size=th.FONT_BODY, bold=True))
            address = ", ".join(x for x in (d.get("street"), d.get("ward"), d.get("province_name")) if x)
            self._line(box, self.app.t("submit.review.address"), address)
            self._line(box, self.app.t("address.recipient"), d.get("recipient", ""))
            self._line(box, self.app.t("address.phone"), d.get("phone", ""))
        else:
            box.add_widget(Text(self.app.t("submit.delivery.pickup", office=self.core.settings.kiosk.location_name),
                                size=th.FONT_BODY))
        t = th.get_theme()
        if t.landscape or t.text_scale > 1:  # little height: what the citizen gave comes first
            for done in reversed(self.content.children[-known:]) if known else []:
                self.content.remove_widget(done)
                self.content.add_widget(done)

    def change(self, part: str) -> None:
        if self.busy:
            return
        self.service.change(part)

    def do_send(self) -> None:
        """The service sends (or queues) the dossier and moves on to the sent step."""
        if self.busy:
            return
        self.hide_error()
        self.busy = True
        self._show_busy()
        self.service.send().then(self._sent, self._failed)

    def _sent(self, _result) -> None:
        self.busy = False
        self._show_busy()

    def _failed(self, err: CitizenError) -> None:
        self.busy = False
        self._show_busy()
        self.show_error(err)

    def wipe(self) -> None:
        super().wipe()
        self.busy = False
        self._show_busy()
        self.content.clear_widgets()
        self.changes.clear()
