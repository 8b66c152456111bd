"""Photographs of the documents, one document at a time: the live camera picture, the pages
taken and the last one's quality hint; without a document camera the papers go to staff."""

from __future__ import annotations

from io import BytesIO

from kivy.core.image import Image as CoreImage
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.journeys.submit.draft import HINT_OK
from kiosk.screens.submit.common import SubmitScreen, column
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text, content_panel, hbox, vbox
from kiosk.widgets.scan import ScanPanel


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


class Thumbnails(BoxLayout):
    """Small pictures of the pages taken of the shown document (decoded from the draft's JPEG
    bytes when the pages change; dropped with the session)."""

    def __init__(self, **kw):
        t = th.get_theme()
        super().__init__(orientation="horizontal", spacing=t.px(12), size_hint_y=None, height=0, **kw)
        self.shown: list[str] = []  # the pages' sha256, in order

    def show(self, pages) -> None:
        keys = [p.sha256 for p in pages]
        if keys == self.shown:
            return
        self.clear()
        self.shown = keys
        t = th.get_theme()
        self.height = t.px(140) if pages else 0  # no room taken before the first page
        for page in pages:
            try:
                texture = CoreImage(BytesIO(bytes(page.data)), ext="jpg").texture
            except Exception:  # noqa: BLE001 - a picture that will not decode still counts as a page
                continue
            self.add_widget(Image(texture=texture, size_hint_x=None, width=t.px(110), fit_mode="contain"))
        self.add_widget(Widget())

    def clear(self) -> None:
        for child in list(self.children):
            if isinstance(child, Image):
                child.texture = None
        self.clear_widgets()
        self.shown = []
        self.height = 0


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
        self.go_on = BigButton("", action=lambda: self.service.forward(), size=th.FONT_TITLE)
        self.go_on.min_height = 150
        self.tr(self.go_on, "submit.continue")
        self.paper_box = vbox(self.no_camera, Widget(), self.go_on, spacing=20)
        self.thumbs = Thumbnails()
        self.status = column(self.pages, self.thumbs, spacing=12)
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
        """The document shown (kiosk.journeys.submit.draft.DocumentSlot), or None."""
        return self.service.slot

    @property
    def with_camera(self) -> bool:
        return self.service.has_camera and bool(self.draft.photo_documents)

    def enter(self, **kw) -> None:
        self.hide_error()
        self.busy = False
        self._layout_mode()
        if self.with_camera:
            self.service.start_camera()
            self.preview.relabel()
            self.preview.start()
        self.render()

    def on_leave(self, *args) -> None:
        self.preview.stop()
        self.service.stop_camera()

    def _layout_mode(self) -> None:
        camera = self.with_camera
        show, hide = (self.camera_box, self.paper_box) if camera else (self.paper_box, self.camera_box)
        if hide.parent is not None:
            hide.parent.remove_widget(hide)
        if show.parent is None:
            self.body.add_widget(show)
        if not camera:
            nothing = self.service.has_camera  # a camera, but no document to photograph
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
        at = docs.index(slot)
        self.counter.text = self.app.t("submit.photo.counter", n=at + 1, total=len(docs))
        self.doc_name.text = slot.name(self.lang)
        self.preview.document_title = slot.doc.name_vi[:28]
        self.doc_need.text = self.app.t("submit.doc.required" if slot.required else "submit.doc.optional")
        self.doc_need.role = "warn" if slot.required else "muted"
        n = len(slot.pages)
        pending = slot.pending is not None  # a photo with a problem: retake it, or keep it anyway
        self.pages.text = self.app.t("submit.photo.pages", n=n)
        self.thumbs.show(slot.pages)
        self.tr(self.take, "submit.photo.working" if self.busy else "submit.photo.take_again" if pending else
                ("submit.photo.take_more" if n else "submit.photo.take"))
        self.take.disabled = self.busy
        self.tr(self.retake, "submit.photo.keep_anyway" if pending else "submit.photo.retake")
        self.retake.disabled = self.busy or (n == 0 and not pending)
        last = at >= len(docs) - 1
        self.tr(self.next_doc, "submit.continue" if last else
                ("submit.photo.next" if n or slot.required else "submit.photo.skip"))
        self._show_quality(slot.pending.hint if pending else slot.pages[-1].hint if slot.pages else None)

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
        self.service.capture().then(self._captured, self._capture_failed)

    def _captured(self, _photo) -> None:
        self.busy = False
        self.render()

    def _capture_failed(self, err: CitizenError) -> None:
        self.busy = False
        self.render()
        self.show_error(err, container=self.form)

    def retake_last(self) -> None:
        """"Retake the last page", or, over a photo with a problem, "keep it anyway"."""
        self.hide_error()
        slot = self.slot
        try:
            if slot is not None and slot.pending is not None:
                self.service.keep_anyway()
            else:
                self.service.retake()
        except CitizenError as err:
            self.show_error(err, container=self.form)
        self.render()

    def forward(self) -> None:
        """The next document; after the last, the next step (the service says what is missing)."""
        self.hide_error()
        try:
            self.service.next_document()
        except CitizenError as err:
            self.render()
            self.show_error(err, container=self.form)
            return
        self.render()

    def wipe(self) -> None:
        super().wipe()
        self.busy = False
        self.preview.stop()
        self.preview.forget()
        self.counter.text = self.doc_name.text = self.doc_need.text = self.pages.text = ""
        self.thumbs.clear()
        self._show_quality(None)
