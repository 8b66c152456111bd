"""The procedure's details: fee and time, the documents (and how each is given), how it works."""

from __future__ import annotations

from kiosk.screens.submit.common import SubmitScreen, column, doc_state_key, scroll_page, to_top
from kiosk.text import localized
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text, content_panel, fit_height, hbox, vbox


class SubmitDetailsScreen(SubmitScreen):
    key_content = ("documents", "start")  # in view without scrolling (the layout check)

    def build(self) -> None:
        self.heading = Text("", size=th.FONT_TITLE, bold=True)
        self.agency = Text("", size=th.FONT_SMALL, role="muted")
        self.content = column(spacing=20)
        self.scroll = scroll_page(self.content)
        self.start = BigButton("", action=lambda: self.service.start(), size=th.FONT_HEADING)
        self.start.min_height = 160
        self.tr(self.start, "submit.details.start")
        for w in (self.heading, self.agency):
            self.body.add_widget(w)
        self.place(self.scroll, self.start)  # landscape: the button beside the page, which keeps the height

        th.get_theme().follow(text_scale=self._on_text_scale)

    def _compact(self) -> bool:
        """Large text in portrait: the documents list needs every line of the screen's height."""
        t = th.get_theme()
        return t.text_scale > 1 and not t.landscape

    def _on_text_scale(self, _theme, _value) -> None:
        self.start.min_height = 130 if self._compact() else 160
        if self.draft.procedure is not None:
            self.render()
            to_top(self.scroll)

    def _place_intro(self) -> None:
        """The procedure's name and agency above the page; in compact mode they go on in the
        page, under the documents list (the step indicator above says where the citizen is)."""
        for w in (self.heading, self.agency):
            if w.parent is not None:
                w.parent.remove_widget(w)
        if self._compact():
            self.content.add_widget(self.heading, index=len(self.content.children) - 1)
            self.content.add_widget(self.agency, index=len(self.content.children) - 2)
        else:
            at = len(self.body.children)
            self.body.add_widget(self.heading, index=at)
            self.body.add_widget(self.agency, index=at)

    def enter(self, **kw) -> None:
        self.render()
        to_top(self.scroll)

    def on_relabel(self) -> None:
        self.render()

    def _section(self, title_key: str):
        # compact: less padding and spacing, lines the documents list needs
        box = content_panel(pad=16, spacing=6) if self._compact() else content_panel(spacing=12)
        box.add_widget(Text(self.app.t(title_key), size=th.FONT_BODY, bold=True, role="primary"))
        self.content.add_widget(box)
        return box

    def render(self) -> None:
        for w in (self.heading, self.agency):
            if w.parent is self.content:
                self.content.remove_widget(w)
        self.content.clear_widgets()
        draft = self.draft
        p = draft.procedure
        if p is None:
            return
        lang = self.lang
        self.heading.text = localized(p, "name", lang)
        self.agency.text = localized(p, "agency", lang)
        box = self._section("submit.details.fee_time")
        box.add_widget(Text(self.app.t("submit.details.fee", fee=self.fee_text(draft.fee_vnd)), size=th.FONT_BODY))
        for f in p.fees[:1]:
            note = localized(f, "note", lang)
            if note:
                box.add_widget(Text(note, size=th.FONT_SMALL, role="muted"))
        time_text = localized(p, "processing", lang) or self.days_text(p.processing_days)
        box.add_widget(Text(self.app.t("submit.details.time", time=time_text), size=th.FONT_BODY))
        result = localized(p, "result", lang)
        if result:
            box.add_widget(Text(self.app.t("submit.details.result", result=result), size=th.FONT_SMALL))
        docs = self._section("submit.details.documents")
        self.documents = docs
        # what to bring comes first (whole, without scrolling), fee and time after it
        self.content.remove_widget(docs)
        self.content.add_widget(docs, index=len(self.content.children))
        t = th.get_theme()
        for i, slot in enumerate(draft.documents, 1):
            name = Text(f"{i}. {slot.name(lang)}", size=th.FONT_SMALL)
            state = Text(self.app.t(doc_state_key(slot)), size=th.FONT_SMALL, bold=True,
                         role="muted" if slot.mode != "photo" or not slot.required else "warn")
            if t.landscape:  # each document on one row, how it is given beside it: the list fits
                state.size_hint_x, state.width = None, t.px(400)
                row = hbox(name, state, spacing=24, size_hint_y=None)
                for w in (name, state):
                    w.bind(height=lambda *_, r=row, a=name, b=state: setattr(r, "height", max(a.height, b.height)))
                docs.add_widget(row)
            elif self._compact():  # a document and how it is given close together
                docs.add_widget(fit_height(vbox(name, state, spacing=2)))
            else:
                docs.add_widget(name)
                docs.add_widget(state)
        how = self._section("submit.details.how")
        how.add_widget(Text(self.app.t("submit.details.how_text"), size=th.FONT_SMALL))
        ways = "submit.details.delivery_post" if self.service.offers_post else "submit.details.delivery_pickup"
        how.add_widget(Text(self.app.t(ways), size=th.FONT_SMALL))
        self._place_intro()

    def wipe(self) -> None:
        super().wipe()
        self.content.clear_widgets()
        self.heading.text = self.agency.text = ""
