"""Submit a procedure: find it (search without accents, or by life event) → its details →
the chip ID card (the identify steps) → a form prefilled from the chip → photographs of the
documents → pick-up here or delivery by post → review → send (a provisional receipt when the
gateway is down) → pay (the pay steps) → the dossier receipt prints.

Screens are thin: the draft and every slow step live in the core (``core.submit_*``) and in
``kiosk.submit``; here they are shown and touches forwarded.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.base import KioskScreen
from kiosk.submit import HINT_OK, localized
from kiosk.text import mask_id
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Scroll, Text, content_panel, fit_height, hbox, vbox
from kiosk.widgets.scan import ScanPanel


def _scroll(content) -> ScrollView:
    t = th.get_theme()
    scroll = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"])
    scroll.size_hint_min_y = t.px(360)  # large text: the body scrolls, this keeps some room
    scroll.add_widget(fit_height(content))
    return scroll


def _column(*children, spacing: float = 20):
    box = vbox(*children, spacing=spacing)
    box.size_hint_y = None
    box.bind(minimum_height=box.setter("height"))
    return box


def _sync(scroll: ScrollView) -> None:
    """The scroll effect follows a scroll position set here (else a stale effect value from
    content that was cleared and rebuilt moves it back, out of range)."""
    update = getattr(scroll, "_update_effect_bounds", None)
    if update is not None:
        update()


def _to_top(scroll: ScrollView) -> None:
    scroll.scroll_y = 1
    _sync(scroll)


def _reveal(scroll: ScrollView, widget) -> None:
    """Scroll ``widget`` (a field with its new message) into view once the layout has settled."""
    def go(*_):
        if widget.parent is None or not scroll.children:
            return
        scroll.scroll_to(widget, padding=th.get_theme().px(120), animate=False)
        _sync(scroll)

    Clock.schedule_once(go, 0.05)
    Clock.schedule_once(go, 0.3)


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
    """Shared helpers: money and the citizen's language."""

    @property
    def lang(self) -> str:
        return self.app.translator.lang

    def fee_text(self, amount: int) -> str:
        return self.money(amount) if amount > 0 else self.app.t("submit.fee.free")

    @property
    def draft(self):
        return self.core.submit_draft()

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


# -- 1. find it ---------------------------------------------------------------------------------


class SubmitFindScreen(SubmitScreen):
    title_key = "submit.find.title"
    subtitle_key = "submit.find.subtitle"

    def build(self) -> None:
        from kiosk.widgets.vnkeyboard import VietnameseKeyboard

        t = th.get_theme()
        self.busy = False
        self.query = ""
        self.field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), border_role="primary")
        self.field_text = Text("", size=th.FONT_HEADING, bold=True)
        self.field.add_widget(self.field_text)
        self.field.bind(minimum_height=lambda *_: setattr(self.field, "height",
                                                          max(self.field.minimum_height, t.px(110))))
        self.keyboard = VietnameseKeyboard(self.typed, max_length=60)
        self.search = BigButton("", action=self.do_search, size=th.FONT_TITLE)
        self.search.min_height = 150
        self.browse = BigButton("", action=self.do_browse, kind="secondary")
        self.browse.min_height = 120
        self.tr(self.browse, "submit.find.browse")
        if t.landscape:
            self.body.remove_widget(self.title)
            self.body.remove_widget(self.subtitle)
            self.form = vbox(self.title, self.subtitle, self.field, Widget(), self.search, self.browse, spacing=20,
                             size_hint_x=None, width=t.px(760))
            self.body.add_widget(hbox(self.form, vbox(Widget(), self.keyboard, spacing=0), spacing=40))
        else:
            self.form = self.body
            for w in (self.field, Widget(), FullWidth(self.keyboard, t.px(40)), self.search, self.browse):
                self.body.add_widget(w)
        self._show()

    def _error_index(self, target) -> int:
        return target.children.index(self.field) if self.field in target.children else 0

    def typed(self, text: str) -> None:
        self.hide_error()
        self.query = text
        self._show()

    def set_query(self, text: str) -> None:
        """Put words in the field as if typed (scripted sessions)."""
        self.keyboard.set_text(text)
        self.typed(self.keyboard.text)

    def _show(self) -> None:
        if self.query:
            self._tr.pop(id(self.field_text), None)
            self.field_text.text = self.query
            self.field_text.role = "text"
        else:
            self.tr(self.field_text, "submit.find.placeholder")
            self.field_text.role = "muted"
        self.tr(self.search, "submit.find.searching" if self.busy else "submit.find.search")
        self.search.disabled = self.busy or not self.query.strip()

    def on_relabel(self) -> None:
        self.keyboard.relabel()

    def do_search(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.busy = True
        self._show()
        self.core.submit_search(self.query, self._found, self._failed)

    def _found(self, items) -> None:
        self.busy = False
        self._show()
        self.core.goto("submit_list")

    def _failed(self, err: CitizenError) -> None:
        self.busy = False
        self._show()
        self.show_error(err, container=self.form)

    def do_browse(self) -> None:
        self.hide_error()
        self.core.goto("submit_events")

    def wipe(self) -> None:
        super().wipe()
        self.busy = False
        self.query = ""
        self.keyboard.set_text("")
        self._show()


class EventTile(ButtonBehavior, Panel):
    def __init__(self, action, **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", padding=t.px(28), spacing=t.px(8), role="primary", **kw)
        self.action = action
        self.heading = Text("", size=th.FONT_HEADING, role="on_primary", bold=True)
        self.add_widget(self.heading)
        self.size_hint_y = None
        self.bind(minimum_height=lambda *_: setattr(self, "height", max(self.minimum_height, t.px(150))))

    def on_release(self):
        self.action()


class SubmitEventsScreen(SubmitScreen):
    """Browse by life event: what is happening in the citizen's life."""

    title_key = "submit.events.title"
    subtitle_key = "submit.events.subtitle"

    def build(self) -> None:
        from kivy.uix.gridlayout import GridLayout

        t = th.get_theme()
        self.events = []
        self.tiles: dict[str, EventTile] = {}
        self.grid = GridLayout(cols=3 if t.landscape else 2, spacing=t.px(20), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.loading = Text("", size=th.FONT_BODY, role="muted")
        scroll = Scroll(do_scroll_x=False, bar_width=t.px(14))
        scroll.add_widget(self.grid)
        self.body.add_widget(self.loading)
        if not t.landscape:  # the choices sit in the lower part of a portrait screen
            self.body.add_widget(Widget(size_hint_y=0.3))
        self.body.add_widget(scroll)

    def enter(self, **kw) -> None:
        self.hide_error()
        if not self.events:
            self.tr(self.loading, "submit.loading")
            self.core.submit_life_events(self._events, self._failed)

    def _events(self, events) -> None:
        self.loading.text = ""
        self._tr.pop(id(self.loading), None)
        self.events = list(events)
        self.grid.clear_widgets()
        self.tiles.clear()
        for event in self.events:
            tile = EventTile(lambda e=event: self.choose(e))
            self.tiles[event.id] = tile
            self.grid.add_widget(tile)
        self.on_relabel()

    def on_relabel(self) -> None:
        for event in self.events:
            self.tiles[event.id].heading.text = localized(event, "name", self.lang)

    def choose(self, event) -> None:
        self.hide_error()
        self.core.submit_browse(event, lambda items: self.core.goto("submit_list"), self._failed)

    def _failed(self, err: CitizenError) -> None:
        self.loading.text = ""
        self._tr.pop(id(self.loading), None)
        self.show_error(err)


class ProcedureTile(ButtonBehavior, Panel):
    def __init__(self, procedure, action, **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", padding=t.px(28), spacing=t.px(8), role="surface",
                         border_role="primary", **kw)
        self.procedure = procedure
        self.action = action
        self.name = Text("", size=th.FONT_HEADING, bold=True, role="primary")
        self.sub = Text("", size=th.FONT_SMALL, role="muted")
        self.add_widget(self.name)
        self.add_widget(self.sub)
        self.size_hint_y = None
        self.bind(minimum_height=lambda *_: setattr(self, "height", max(self.minimum_height, t.px(130))))

    def on_release(self):
        self.action(self.procedure)


def _days(screen, days: int) -> str:
    return screen.app.t("submit.days.same_day") if days <= 0 else screen.app.t("submit.days.n", n=days)


class SubmitListScreen(SubmitScreen):
    """The procedures found by a search, or those of a life event."""

    def build(self) -> None:
        self.busy = False
        self.heading = Text("", size=th.FONT_TITLE, bold=True)
        self.note = Text("", size=th.FONT_BODY, role="muted")
        self.items = _column(spacing=20)
        self.scroll = _scroll(self.items)
        self.tiles: list[ProcedureTile] = []
        self.browse = BigButton("", action=lambda: self.core.goto("submit_events"), kind="secondary")
        self.browse.min_height = 120
        self.tr(self.browse, "submit.find.browse")
        for w in (self.heading, self.note, self.scroll, self.browse):
            self.body.add_widget(w)
        if not th.get_theme().landscape:  # the choices sit in the lower part of a portrait screen
            self.body.add_widget(Widget(size_hint_y=0.3), index=2)

    def enter(self, **kw) -> None:
        self.hide_error()
        self.busy = False
        self.render()
        _to_top(self.scroll)

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        draft = self.draft
        self.items.clear_widgets()
        self.tiles = []
        if draft.life_event is not None:
            self.heading.text = localized(draft.life_event, "name", self.lang)
            self.note.text = self.app.t("submit.list.event_note")
        else:
            self.heading.text = self.app.t("submit.list.found", query=draft.query)
            self.note.text = self.app.t("submit.list.search_note" if draft.results else "submit.list.none")
        for p in draft.results:
            tile = ProcedureTile(p, self.choose)
            tile.name.text = localized(p, "name", self.lang)
            tile.sub.text = self.app.t("submit.list.sub", fee=self.fee_text(p.fee_vnd), days=_days(self, p.processing_days))
            self.tiles.append(tile)
            self.items.add_widget(tile)
        self.browse.opacity = 1 if draft.life_event is None else 0
        self.browse.disabled = draft.life_event is not None

    def tile_for(self, name_vi: str):
        return next((t for t in self.tiles if t.procedure.name_vi == name_vi), None)

    def choose(self, procedure) -> None:
        if self.busy:
            return
        self.busy = True
        self.hide_error()

        def done(p) -> None:
            self.busy = False
            self.core.goto("submit_details")

        self.core.submit_choose(procedure.code, done, self._failed)

    def _failed(self, err: CitizenError) -> None:
        self.busy = False
        self.show_error(err)

    def wipe(self) -> None:
        super().wipe()
        self.items.clear_widgets()
        self.tiles = []
        self.heading.text = self.note.text = ""


# -- 2. the details -----------------------------------------------------------------------------


def _doc_state_key(slot) -> str:
    if slot.mode == "chip":
        return "submit.doc.from_chip"
    if slot.mode == "form":
        return "submit.doc.on_kiosk"
    return "submit.doc.required" if slot.required else "submit.doc.optional"


class SubmitDetailsScreen(SubmitScreen):
    def build(self) -> None:
        self.heading = Text("", size=th.FONT_TITLE, bold=True)
        self.agency = Text("", size=th.FONT_SMALL, role="muted")
        self.content = _column(spacing=20)
        self.scroll = _scroll(self.content)
        self.start = BigButton("", action=self.core.submit_identify, size=th.FONT_HEADING)
        self.start.min_height = 160
        self.tr(self.start, "submit.details.start")
        for w in (self.heading, self.agency, self.scroll, self.start):
            self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.render()
        _to_top(self.scroll)

    def on_relabel(self) -> None:
        self.render()

    def _section(self, title_key: str):
        box = content_panel(spacing=12)
        box.add_widget(Text(self.app.t(title_key), size=th.FONT_BODY, bold=True, role="primary"))
        self.content.add_widget(box)
        return box

    def render(self) -> None:
        self.content.clear_widgets()
        p = self.draft.procedure
        if p is None:
            return
        lang = self.lang
        self.heading.text = localized(p, "name", lang)
        self.agency.text = localized(p, "agency", lang)
        box = self._section("submit.details.fee_time")
        fee = self.draft.fee_vnd
        box.add_widget(Text(self.app.t("submit.details.fee", fee=self.fee_text(fee)), size=th.FONT_BODY))
        for f in p.fees[:1]:
            note = localized(f, "note", lang)
            if note:
                box.add_widget(Text(note, size=th.FONT_SMALL, role="muted"))
        time_text = localized(p, "processing", lang) or _days(self, p.processing_days)
        box.add_widget(Text(self.app.t("submit.details.time", time=time_text), size=th.FONT_BODY))
        result = localized(p, "result", lang)
        if result:
            box.add_widget(Text(self.app.t("submit.details.result", result=result), size=th.FONT_SMALL))
        docs = self._section("submit.details.documents")
        for i, slot in enumerate(self.draft.documents, 1):
            docs.add_widget(Text(f"{i}. {slot.name(lang)}", size=th.FONT_SMALL))
            docs.add_widget(Text(self.app.t(_doc_state_key(slot)), size=th.FONT_SMALL, bold=True,
                                 role="muted" if slot.mode != "photo" or not slot.required else "warn"))
        how = self._section("submit.details.how")
        how.add_widget(Text(self.app.t("submit.details.how_text"), size=th.FONT_SMALL))
        ways = "submit.details.delivery_post" if "post" in p.delivery_options else "submit.details.delivery_pickup"
        how.add_widget(Text(self.app.t(ways), size=th.FONT_SMALL))

    def wipe(self) -> None:
        super().wipe()
        self.content.clear_widgets()
        self.heading.text = self.agency.text = ""


# -- 3. the form --------------------------------------------------------------------------------


class SubmitFormScreen(SubmitScreen):
    title_key = "submit.form.title"

    def build(self) -> None:
        self.fields = []  # kiosk.submit.FormField
        self.entries = {}  # name → EntryField
        self.applicant = {}  # label key → readonly EntryField
        self.content = _column(spacing=24)
        self.scroll = _scroll(self.content)
        self.go = BigButton("", action=self.confirm, size=th.FONT_TITLE)
        self.go.min_height = 150
        self.tr(self.go, "submit.continue")
        self.place(self.scroll, self.go)

    def enter(self, **kw) -> None:
        self.hide_error()
        self.go.disabled = True
        self.core.submit_prepare_form(self._ready, self._failed)

    def _failed(self, err: CitizenError) -> None:
        self.show_error(err)

    def on_leave(self, *args) -> None:
        """Leaving by "back" keeps what was typed (checked only on Continue).  After a reset
        the fields are already wiped, and a fresh session's draft is never created here."""
        draft = self.core.session.notes.get("submit")
        if self.entries and draft is not None and not draft.wiped and not draft.sent:
            draft.values.clear()
            draft.values.update({k: v for k, v in self.values().items() if v})

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
            for key, value in (("submit.form.name", ident.full_name), ("submit.form.id_number", mask_id(ident.id_number)),
                               ("submit.form.dob", birth), ("submit.form.residence", ident.residence)):
                shown = Text(value or "-", size=th.FONT_BODY, bold=True)
                self.applicant[key] = shown
                who.add_widget(label(key, size=th.FONT_SMALL, role="muted"))
                who.add_widget(shown)
        self.content.add_widget(who)
        box = content_panel(spacing=24)
        box.add_widget(label("submit.form.details", size=th.FONT_HEADING, bold=True, role="primary"))
        values = self.draft.values
        provinces = self.core.submit_province_names()
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
        self.content.add_widget(box)
        self.go.disabled = False
        _to_top(self.scroll)

    def _fresh_scroll(self) -> None:
        """A new scroll view for each visit: the form's fields differ by procedure, and a
        scroll view whose content was cleared and rebuilt keeps a stale position."""
        old = self.scroll
        self.content = _column(spacing=24)
        self.scroll = _scroll(self.content)
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
        for widget, key in getattr(self, "labels", []):
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
        self.hide_error()
        for entry in self.entries.values():
            entry.set_error(None)
        problems = self.core.submit_check_form(self.values())
        if problems:
            first = None
            for name, key in problems:
                entry = self.entries.get(name)
                if entry is not None:
                    entry.set_error(key)
                    first = first or entry
            self.show_error(CitizenError("submit.form.check", "next.submit_fix_fields"))
            if first is not None:
                _reveal(self.scroll, first)
            return
        self.core.submit_forward()

    def wipe(self) -> None:
        super().wipe()
        for field in self.entries.values():
            field.wipe()
        for shown in self.applicant.values():
            shown.text = ""
        self.content.clear_widgets()
        self.entries, self.applicant, self.fields, self.labels = {}, {}, [], []


# -- 4. photographs of the documents ------------------------------------------------------------


class DocumentPreview(ScanPanel):
    """The live camera picture for photographing a page: no code outline, one steady prompt;
    the demo's button puts a generated page of the document on the simulated desk."""

    def __init__(self, app, **kw):
        super().__init__(app, demo_key="submit.photo.demo", **kw)
        self.document_title = ""
        self._hint_key = "submit.photo.aim"
        if self.demo is not None and not hasattr(self.source, "show_document"):
            self.remove_widget(self.demo)
            self.demo = None

    def show_demo(self, text: str = "") -> None:
        self.source.show_document(self.document_title or "GIAY TO")

    def _set_hint(self, key: str) -> None:
        if self._hint_key != "submit.photo.aim" or not self.hint.text:
            self._hint_key = "submit.photo.aim"
            self.hint.text = self.app.t(self._hint_key)

    def _draw_outline(self, points, w: int, h: int) -> None:
        self._outline.points = []

    def forget(self) -> None:
        """The last camera picture (a citizen's document) leaves the screen."""
        self.image.texture = None
        self._tex = None


class SubmitPhotosScreen(SubmitScreen):
    title_key = "submit.photo.title"

    def build(self) -> None:
        t = th.get_theme()
        self.busy = False
        self.counter = Text("", size=th.FONT_SMALL, role="muted")
        self.doc_name = Text("", size=th.FONT_BODY, bold=True)
        self.doc_need = Text("", size=th.FONT_SMALL, bold=True)
        self.preview = DocumentPreview(self.app, height=600 if not t.landscape else 560)
        self.pages = Text("", size=th.FONT_BODY, bold=True)
        self.quality = content_panel(role="ok", pad=20, spacing=4)
        self.quality_text = Text("", size=th.FONT_BODY, role="on_primary", bold=True)
        self.quality.add_widget(self.quality_text)
        self.take = BigButton("", action=self.capture, size=th.FONT_TITLE)
        self.take.min_height = 150
        self.action = self.take  # a message goes just above it
        self.retake = BigButton("", action=self.retake_last, kind="secondary", size=th.FONT_BODY)
        self.retake.min_height = 120
        self.tr(self.retake, "submit.photo.retake")
        self.next_doc = BigButton("", action=self.forward, kind="secondary", size=th.FONT_BODY)
        self.next_doc.min_height = 120
        self.row = hbox(self.retake, self.next_doc, spacing=20, size_hint_y=None)
        self.row.bind(minimum_height=self.row.setter("height"))
        # without a camera (or nothing to photograph): the paper documents go to staff
        self.no_camera = content_panel(role="warn", spacing=12)
        self.no_camera_text = Text("", size=th.FONT_HEADING, bold=True, role="on_primary")
        self.no_camera.add_widget(self.no_camera_text)
        self.no_camera_next = Text("", size=th.FONT_BODY, role="on_primary")
        self.no_camera.add_widget(self.no_camera_next)
        self.go_on = BigButton("", action=self.core.submit_forward, size=th.FONT_TITLE)
        self.go_on.min_height = 150
        self.tr(self.go_on, "submit.continue")
        self.paper_box = vbox(self.no_camera, Widget(), self.go_on, spacing=20)
        self.status = _column(self.pages, spacing=12)
        if t.landscape:
            self.body.remove_widget(self.title)
            self.preview.size_hint_y = 1
            left = vbox(self.title, self.counter, self.doc_name, self.doc_need, self.preview, spacing=12)
            self.form = vbox(Widget(), self.status, self.take, self.row, spacing=20, size_hint_x=None,
                             width=t.px(720))
            self.camera_box = hbox(left, self.form, spacing=40)
        else:
            self.form = self.camera_box = vbox(self.counter, self.doc_name, self.doc_need, self.preview, self.status,
                                               Widget(), self.take, self.row, spacing=20)
        self.body.add_widget(self.camera_box)

    @property
    def slot(self):
        docs = self.draft.photo_documents
        if not docs:
            return None
        self.draft.doc_at = max(0, min(self.draft.doc_at, len(docs) - 1))
        return docs[self.draft.doc_at]

    def enter(self, **kw) -> None:
        self.hide_error()
        self.busy = False
        self._layout_mode()
        if self.core.submit_has_camera and self.draft.photo_documents:
            self.core.submit_start_camera()
            self.preview.relabel()
            self.preview.start()
        self.render()

    def on_leave(self, *args) -> None:
        self.preview.stop()
        self.core.stop_scanning()

    def _layout_mode(self) -> None:
        camera = self.core.submit_has_camera and bool(self.draft.photo_documents)
        show, hide = (self.camera_box, self.paper_box) if camera else (self.paper_box, self.camera_box)
        if hide.parent is not None:
            hide.parent.remove_widget(hide)
        if show.parent is None:
            self.body.add_widget(show)
        if not camera:
            nothing = self.core.submit_has_camera  # a camera, but no document to photograph
            self.tr(self.no_camera_text, "submit.photo.nothing" if nothing else "submit.photo.no_camera")
            self.tr(self.no_camera_next, "submit.photo.nothing_next" if nothing else "submit.photo.no_camera_next")

    def on_relabel(self) -> None:
        self.preview.relabel()
        self.render()

    def render(self) -> None:
        slot = self.slot
        if slot is None:
            return
        docs = self.draft.photo_documents
        at = self.draft.doc_at
        self.counter.text = self.app.t("submit.photo.counter", n=at + 1, total=len(docs))
        self.doc_name.text = slot.name(self.lang)
        self.preview.document_title = slot.doc.name_vi[:28]
        self.doc_need.text = self.app.t("submit.doc.required" if slot.required else "submit.doc.optional")
        self.doc_need.role = "warn" if slot.required else "muted"
        n = len(slot.pages)
        self.pages.text = self.app.t("submit.photo.pages", n=n)
        self.tr(self.take, "submit.photo.working" if self.busy else
                ("submit.photo.take_more" if n else "submit.photo.take"))
        self.take.disabled = self.busy
        self.retake.disabled = self.busy or n == 0
        last = at >= len(docs) - 1
        self.tr(self.next_doc, "submit.continue" if last else
                ("submit.photo.next" if n or slot.required else "submit.photo.skip"))
        self._show_quality(slot.pages[-1].hint if slot.pages else None)

    def _show_quality(self, hint: str | None) -> None:
        if hint is None:
            if self.quality.parent is not None:
                self.status.remove_widget(self.quality)
            return
        self.quality.role = "ok" if hint == HINT_OK else "warn"
        self.quality_text.text = self.app.t(hint)
        if self.quality.parent is None:
            self.status.add_widget(self.quality)

    def capture(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.busy = True
        self.render()

        def done(photo) -> None:
            self.busy = False
            self.render()

        def failed(err: CitizenError) -> None:
            self.busy = False
            self.render()
            self.show_error(err, container=self.form)

        self.core.submit_capture(done, failed)

    def retake_last(self) -> None:
        self.hide_error()
        self.core.submit_retake()
        self.render()

    def forward(self) -> None:
        self.hide_error()
        docs = self.draft.photo_documents
        if self.draft.doc_at < len(docs) - 1:
            self.draft.doc_at += 1
            self.render()
            return
        missing = self.draft.missing_documents()
        if missing:
            self.draft.doc_at = docs.index(missing[0])
            self.render()
            self.show_error(CitizenError("submit.photo.missing", "next.submit_photo_missing"), container=self.form)
            return
        self.core.submit_forward()

    def wipe(self) -> None:
        super().wipe()
        self.busy = False
        self.preview.stop()
        self.preview.forget()
        self.counter.text = self.doc_name.text = self.doc_need.text = self.pages.text = ""
        self._show_quality(None)


# -- 5. pick-up or delivery ---------------------------------------------------------------------


class SubmitDeliveryScreen(SubmitScreen):
    title_key = "submit.delivery.title"

    def build(self) -> None:
        from kiosk.widgets.address import AddressForm

        self.method = "pickup"
        self.pickup = BigButton("", action=lambda: self.choose("pickup"), size=th.FONT_BODY)
        self.pickup.min_height = 130
        self.post = BigButton("", action=lambda: self.choose("post"), kind="secondary", size=th.FONT_BODY)
        self.post.min_height = 130
        self.tr(self.post, "submit.delivery.post")
        self.only_pickup = Text("", size=th.FONT_SMALL, role="muted")
        self.address = AddressForm(self.app, with_recipient=True)
        self.address_title = self.tr(Text("", size=th.FONT_HEADING, bold=True, role="primary"),
                                     "submit.delivery.address")
        self.content = _column(spacing=20)
        self.scroll = _scroll(self.content)
        self.go = BigButton("", action=self.confirm, size=th.FONT_TITLE)
        self.go.min_height = 150
        self.tr(self.go, "submit.continue")
        self.place(self.scroll, self.go)

    @property
    def offers_post(self) -> bool:
        p = self.draft.procedure
        return p is not None and "post" in p.delivery_options

    def enter(self, **kw) -> None:
        self.hide_error()
        d = self.draft.delivery
        self.method = d.get("method", "pickup") if self.offers_post else "pickup"
        self.tr(self.pickup, "submit.delivery.pickup", office=self.core.settings.kiosk.location_name)
        if self.offers_post:
            self.core.provinces(self._provinces, lambda err: None)
            ident = self.core.session.identity
            if d.get("method") == "post":
                self.address.prefill(**{k: d.get(k) for k in ("recipient", "phone", "ward", "street")})
                if d.get("province"):
                    self.address.fields["province"].set_value(d["province"])
            elif ident is not None:
                self.address.prefill(recipient=ident.full_name)
        self.render()
        _to_top(self.scroll)

    def _provinces(self, provinces) -> None:
        chosen = self.address.fields["province"].value
        self.address.set_provinces(provinces)
        if chosen:
            self.address.fields["province"].set_value(chosen)

    def choose(self, method: str) -> None:
        self.hide_error()
        self.method = method
        self.render()

    def render(self) -> None:
        self.content.clear_widgets()
        self.content.add_widget(self.pickup)
        self.pickup.kind = "primary" if self.method == "pickup" else "secondary"
        if self.offers_post:
            self.post.kind = "primary" if self.method == "post" else "secondary"
            self.content.add_widget(self.post)
            if self.method == "post":
                self.content.add_widget(self.address_title)
                self.content.add_widget(self.address)
        else:
            self.tr(self.only_pickup, "submit.delivery.only_pickup")
            self.content.add_widget(self.only_pickup)

    def on_relabel(self) -> None:
        self.address.relabel()

    def confirm(self) -> None:
        self.hide_error()
        draft = self.draft
        if self.method == "post":
            problems = self.address.validate()
            if problems:
                self.show_error(CitizenError("submit.form.check", "next.submit_fix_fields"))
                first = self.address.fields.get(problems[0][0])
                if first is not None:
                    _reveal(self.scroll, first)
                return
            draft.delivery.clear()
            draft.delivery.update({"method": "post", **self.address.values()})
        else:
            draft.delivery.clear()
            draft.delivery["method"] = "pickup"
        self.core.submit_forward()

    def wipe(self) -> None:
        super().wipe()
        self.address.wipe()
        self.method = "pickup"
        self.content.clear_widgets()


# -- 6. review and send -------------------------------------------------------------------------


class SubmitReviewScreen(SubmitScreen):
    title_key = "submit.review.title"

    def build(self) -> None:
        self.busy = False
        self.content = _column(spacing=20)
        self.scroll = _scroll(self.content)
        self.changes: dict[str, BigButton] = {}
        self.send = BigButton("", action=self.do_send, size=th.FONT_TITLE)
        self.send.min_height = 150
        self.place(self.scroll, self.send)
        self._show_busy()

    def enter(self, **kw) -> None:
        self.hide_error()
        self.busy = False
        self._show_busy()
        self.render()
        _to_top(self.scroll)

    def on_relabel(self) -> None:
        self.render()

    def _show_busy(self) -> None:
        self.tr(self.send, "submit.review.sending" if self.busy else "submit.review.send")
        self.send.disabled = self.busy

    def _section(self, title_key: str, change_step: str | None = None):
        t = th.get_theme()
        box = content_panel(spacing=10)
        head = Text(self.app.t(title_key), size=th.FONT_BODY, bold=True, role="primary")
        if change_step:
            button = BigButton(self.app.t("submit.review.change"), action=lambda: self.change(change_step),
                               kind="secondary", size=th.FONT_SMALL, size_hint_x=None, width=t.px(260))
            button.min_height = 100
            self.changes[change_step] = button
            row = hbox(head, button, spacing=16, size_hint_y=None)
            row.bind(minimum_height=row.setter("height"))
            box.add_widget(row)
        else:
            box.add_widget(head)
        self.content.add_widget(box)
        return box

    def _line(self, box, label: str, value: str) -> None:
        box.add_widget(Text(label, size=th.FONT_SMALL, role="muted"))
        box.add_widget(Text(value or "-", size=th.FONT_BODY))

    def render(self) -> None:
        from kiosk import submit
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
        box = self._section("submit.form.details", "submit_form")
        for f in submit.form_fields(p):
            value = draft.values.get(f.name, "")
            if f.kind == "date":
                value = date_display(value)
            elif f.json_type == "boolean" and value:
                value = self.app.t("submit.form.yes" if value == "yes" else "submit.form.no")
            self._line(box, f.title(lang), value)
        box = self._section("submit.review.documents", "submit_photos")
        for slot in draft.documents:
            if slot.mode == "photo" and not slot.pages:
                state = self.app.t("submit.review.no_pages")
            elif slot.mode == "photo":
                state = self.app.t("submit.photo.pages", n=len(slot.pages))
            else:
                state = self.app.t(_doc_state_key(slot))
            self._line(box, slot.name(lang), state)
        box = self._section("submit.review.delivery", "submit_delivery")
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

    def change(self, step: str) -> None:
        if self.busy:
            return
        self.core.submit_change(step)

    def do_send(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.busy = True
        self._show_busy()
        self.core.submit_send(self._sent, self._failed)

    def _sent(self, receipt) -> None:
        self.busy = False
        self._show_busy()
        self.core.submit_sent()

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


# -- 7. sent (or kept for later) ----------------------------------------------------------------


class SubmitSentScreen(SubmitScreen):
    title_key = "submit.sent.title"

    def build(self) -> None:
        self.result = content_panel(role="ok", spacing=10)
        self.state = Text("", size=th.FONT_HEADING, role="on_primary", bold=True)
        self.code_label = Text("", size=th.FONT_BODY, role="on_primary")
        self.code = Text("", size=th.FONT_DISPLAY, role="on_primary", bold=True)
        # large text: a code must stay on one line
        th.get_theme().bind(text_scale=lambda _t, scale: setattr(
            self.code, "design_size", th.FONT_HEADING if scale > 1 else th.FONT_DISPLAY))
        self.expected = Text("", size=th.FONT_BODY, role="on_primary")
        for w in (self.state, self.code_label, self.code, self.expected):
            self.result.add_widget(w)
        self.explain = Text("", size=th.FONT_BODY)
        self.pay_note = Text("", size=th.FONT_BODY, bold=True)
        self.go = BigButton("", action=self.core.submit_continue, size=th.FONT_TITLE)
        self.go.min_height = 160
        t = th.get_theme()
        if t.landscape:
            right = vbox(Widget(), self.pay_note, self.go, spacing=24, size_hint_x=None, width=t.px(700))
            self.body.add_widget(hbox(vbox(self.result, self.explain, Widget(), spacing=24), right, spacing=40))
        else:
            for w in (self.result, self.explain, self.pay_note, Widget(), self.go):
                self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.app.nav.back.disabled = True  # a sent dossier cannot be edited and sent again
        self.render()

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        draft = self.draft
        if not draft.sent:
            return
        fee = self.core.submit_fee()
        self.tr(self.title, "submit.sent.title_provisional" if draft.provisional else "submit.sent.title")
        if draft.provisional:
            self.result.role = "warn"
            self.state.text = self.app.t("submit.sent.provisional")
            self.code_label.text = self.app.t("submit.sent.reference")
            self.expected.text = ""
            self.explain.text = self.app.t("gateway.provisional_receipt")
            self.pay_note.text = self.app.t("submit.sent.pay_later") if fee > 0 else ""
        else:
            self.result.role = "ok"
            self.state.text = self.app.t("submit.sent.received")
            self.code_label.text = self.app.t("submit.sent.code")
            expected = getattr(draft.receipt, "expected_date", None)
            self.expected.text = self.app.t("submit.sent.expected", date=self.app.format_date(expected)) \
                if expected else ""
            self.explain.text = self.app.t("submit.sent.explain")
            if self.core.submit_to_pay():
                self.pay_note.text = self.app.t("submit.sent.fee", fee=self.money(fee))
            elif fee <= 0:
                self.pay_note.text = self.app.t("submit.sent.no_fee")
            else:
                self.pay_note.text = ""
        self.code.text = draft.reference
        self.tr(self.go, "submit.sent.pay" if self.core.submit_to_pay() else "submit.sent.print")

    def wipe(self) -> None:
        super().wipe()
        for w in (self.state, self.code_label, self.code, self.expected, self.explain, self.pay_note):
            w.text = ""


# -- 8. the dossier receipt ---------------------------------------------------------------------


class SubmitReceiptScreen(SubmitScreen):
    title_key = "submit.receipt.title"

    def build(self) -> None:
        self.code = Text("", size=th.FONT_HEADING, bold=True)
        self.printing = Text("", size=th.FONT_HEADING, bold=True)
        self.print_next = Text("", size=th.FONT_BODY)
        self.again = BigButton("", action=self.print_receipt, kind="secondary")
        self.again.min_height = 120
        self.tr(self.again, "submit.receipt.again")
        self.finish = BigButton("", action=self.core.next, size=th.FONT_TITLE)
        self.finish.min_height = 160
        self.tr(self.finish, "pay.continue")
        self.result = None
        for w in (self.code, self.printing, self.print_next, Widget(), self.again, self.finish):
            self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.app.nav.back.disabled = True
        draft = self.draft
        self.code.text = self.app.t("status.code", code=draft.reference) if draft.sent else ""
        self.print_receipt()

    def on_relabel(self) -> None:
        if self.draft.sent:
            self.code.text = self.app.t("status.code", code=self.draft.reference)

    def _show_again(self, show: bool) -> None:
        self.again.disabled = not show
        self.again.opacity = 1 if show else 0

    def print_receipt(self) -> None:
        self.result = None
        self._show_again(False)
        self.printing.role = "text"
        self.tr(self.printing, "submit.receipt.printing")
        self.print_next.text = ""
        self._tr.pop(id(self.print_next), None)
        self.core.submit_print_receipt(
            self._printed, self._failed,
            pages_text=lambda n: self.app.t("submit.receipt.pages", n=n),
            provisional_note=self.app.t("submit.receipt.provisional"))

    def _printed(self, result) -> None:
        self.result = result
        if getattr(result, "ok", False):
            self.printing.role = "ok"
            self.tr(self.printing, "submit.receipt.printed")
            self.tr(self.print_next, "next.submit_take_receipt")
        else:
            self._failed(CitizenError(result.message_key, result.next_step or "next.collect_at_counter"))

    def _failed(self, err: CitizenError) -> None:
        self.result = self.result or err
        self._show_again(True)
        self.printing.role = "error"
        self.tr(self.printing, err.message_key)
        self.tr(self.print_next, err.next_step)

    def wipe(self) -> None:
        super().wipe()
        self.result = None
        self.printing.role = "text"
        for w in (self.code, self.printing, self.print_next):
            self._tr.pop(id(w), None)
            w.text = ""
