"""Identify with the chip ID card: the key (typed ID number or the card's front QR) → place
the card → reading progress → who the chip says you are, with its authenticity → consent."""

from __future__ import annotations

from io import BytesIO

from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.uix.progressbar import ProgressBar
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.base import KioskScreen
from kiosk.text import is_id_number, mask_id
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Picture, Scroll, Text, hbox, vbox
from kiosk.widgets.keyboard import BACKSPACE, CLEAR, CodeKeyboard

# isort: split
from kiosk.samples import SAMPLE_PERSON_ID  # noqa: F401  (the demo's sample card; tests import it from here)


def group_digits(digits: str) -> str:
    """'001189012345' → '001 189 012 345' (how the number is read aloud and printed)."""
    return " ".join(digits[i:i + 3] for i in range(0, len(digits), 3))


class IdentifyKeyScreen(KioskScreen):
    title_key = "identify.title"
    subtitle_key = "identify.subtitle"

    def build(self) -> None:
        t = th.get_theme()
        self.digits = ""
        self.field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), border_role="primary")
        self.field_text = Text("", size=th.FONT_TITLE, bold=True, halign="center")
        self.field.add_widget(self.field_text)
        self.field.bind(minimum_height=lambda *_: setattr(self.field, "height",
                                                          max(self.field.minimum_height, t.px(130))))
        self.keyboard = CodeKeyboard(self.key, digits_only=True, label_for=self._key_label,
                                     key_size=100 if t.landscape else th.KEY_SIZE)
        self.go = BigButton("", action=self.confirm, size=th.FONT_TITLE)
        self.go.min_height = 170
        self.tr(self.go, "identify.continue")
        from kiosk.widgets.scan import ScanPanel

        self.scan = ScanPanel(self.app, height=360, demo_key="identify.demo_qr", demo_text=sample_front_qr())
        if t.landscape:
            self.body.remove_widget(self.title)
            self.body.remove_widget(self.subtitle)
            self.scan.size_hint_y = 1
            self.form = vbox(self.title, self.subtitle, self.field, self.scan, spacing=20)
            self.body.add_widget(hbox(self.form, vbox(Widget(), self.keyboard, self.go, spacing=20), spacing=48))
        else:
            self.form = self.body
            for w in (self.scan, self.field, self.keyboard, self.go):
                self.body.add_widget(w)
            # large text needs the room: the camera picture goes, scanning still works
            t.bind(text_scale=self._fit_scan)
            self._fit_scan()
        self._show()

    def _fit_scan(self, *_):
        large = th.get_theme().text_scale > 1
        if large and self.scan.parent:
            self.body.remove_widget(self.scan)
        elif not large and not self.scan.parent:
            self.body.add_widget(self.scan, index=len(self.body.children) - 2)

    def _key_label(self, key: str) -> str:
        return {BACKSPACE: self.app.t("keyboard.backspace"), CLEAR: self.app.t("keyboard.clear")}.get(key, key)

    def _error_index(self, target) -> int:
        return target.children.index(self.field)

    def on_relabel(self) -> None:
        self.keyboard.relabel()
        self.scan.relabel()
        self._show()

    def enter(self, **kw) -> None:
        self.scan.relabel()
        self.scan.start()
        self.core.scanning.start(self.scanned)

    def on_leave(self, *args) -> None:
        self.scan.stop()
        self.core.scanning.pause()

    def key(self, ch: str) -> None:
        self.hide_error()
        if ch == BACKSPACE:
            self.digits = self.digits[:-1]
        elif ch == CLEAR:
            self.digits = ""
        elif ch.isdigit() and len(self.digits) < 12:
            self.digits += ch
        self._show()

    def _show(self) -> None:
        if self.digits:
            self._tr.pop(id(self.field_text), None)
            self.field_text.text = group_digits(self.digits)
            self.field_text.role = "text"
        else:
            self.tr(self.field_text, "identify.placeholder")
            self.field_text.role = "muted"
        self.go.disabled = len(self.digits) != 12

    def confirm(self) -> None:
        if not is_id_number(self.digits):
            self.show_error(CitizenError("identify.bad_number", "next.check_id_number"), container=self.form)
            return
        self.app.journeys.identify.use_number(self.digits)

    def scanned(self, payload) -> None:
        from kiosk.payloads import DossierCodePayload, IdCardQr

        if isinstance(payload, IdCardQr) and is_id_number(payload.id_number):
            # the front QR also gives the date of birth: BAC works when PACE does not
            self.digits = payload.id_number
            self._show()
            self.app.journeys.identify.use_front_qr(payload)
            return
        key = "identify.scanned_dossier" if isinstance(payload, DossierCodePayload) else "identify.scanned_other"
        self.show_error(CitizenError(key, "next.show_card_qr"), container=self.form)

    def wipe(self) -> None:
        super().wipe()
        self.digits = ""
        self._show()


def sample_front_qr() -> str:
    """The front QR of the demo's sample card (what a visitor 'shows' in the demo)."""
    import json

    from kiosk.config import PROJECT_ROOT

    p = json.loads((PROJECT_ROOT / "assets" / "cards" / "sample-person.json").read_text(encoding="utf-8"))
    dob = p["date_of_birth"].split("-")
    issue = p.get("issue_date", "2021-01-01").split("-")
    return "|".join([p["id_number"], p.get("old_id", ""), p["full_name"], dob[2] + dob[1] + dob[0], p["sex"],
                     p["residence"], issue[2] + issue[1] + issue[0]])


class IdentifyReadScreen(KioskScreen):
    title_key = "identify.place_title"
    subtitle_key = "identify.place_subtitle"

    def build(self) -> None:
        t = th.get_theme()
        self.reading = False
        self._unsubscribe = None
        self.where = Panel(orientation="vertical", size_hint_y=None, padding=t.px(36), role="primary")
        self.where_text = Text("", size=th.FONT_HEADING, role="on_primary", halign="center", bold=True)
        self.tr(self.where_text, "identify.reader_below")
        self.where.add_widget(self.where_text)
        self.where.bind(minimum_height=self.where.setter("height"))
        self.progress = ProgressBar(max=1.0, value=0, size_hint_y=None, height=t.px(48))
        self.step = Text("", size=th.FONT_BODY, halign="center")
        self.retry = BigButton("", action=self.start_read, size=th.FONT_HEADING)
        self.tr(self.retry, "identify.retry")
        self.change = BigButton("", action=self.core.back, kind="secondary")
        self.tr(self.change, "identify.change_number")
        self.demo = None
        reader = self.core.devices.card_reader
        if hasattr(reader, "place_card"):
            self.demo = BigButton("", action=lambda: reader.place_card(), kind="quiet", size=th.FONT_SMALL)
            self.demo.min_height = 100
            self.tr(self.demo, "identify.demo_card")
        controls = [self.where, self.retry, self.change] + ([self.demo] if self.demo is not None else [])
        if t.landscape:
            # progress and messages on the left, where the card goes and what to do on the right
            self.body.remove_widget(self.title)
            self.body.remove_widget(self.subtitle)
            self.form = vbox(self.title, self.subtitle, Widget(), self.step, self.progress, spacing=20)
            self.body.add_widget(hbox(self.form, vbox(Widget(), *controls, spacing=20), spacing=48))
        else:
            self.form = self.body
            for w in (Widget(), self.step, self.progress, *controls):
                self.body.add_widget(w)
        self._set_step("identify.waiting_card")

    def show_error(self, err, container=None) -> None:
        super().show_error(err, container=container or self.form)

    def _error_index(self, target) -> int:
        return target.children.index(self.step) + 1 if self.step.parent is target else 0

    def _set_step(self, key: str, fraction: float | None = None) -> None:
        self.tr(self.step, key)
        if fraction is not None:
            self.progress.value = fraction

    def enter(self, **kw) -> None:
        self.hide_error()
        self.progress.value = 0
        self._set_step("identify.waiting_card")
        self.retry.disabled = True
        reader = self.core.card_reader
        if reader is None:
            self.show_error(CitizenError("card.no-reader", "next.ask_staff"))
            return
        self._unsubscribe = reader.add_card_listener(
            lambda event: self.app.run_on_ui(lambda: self.on_card(event.present)))
        if reader.card_present():
            self.start_read()

    def on_leave(self, *args) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        self.app.journeys.identify.cancel_read()
        self.reading = False

    def on_card(self, present: bool) -> None:
        if self.app.current != self.name:
            return
        if present and not self.reading:
            self.start_read()
        elif not present and not self.reading and self.message.parent is None:
            self._set_step("identify.waiting_card", 0)

    def start_read(self) -> None:
        draft = self.app.journeys.identify.existing
        if draft is None or draft.key is None:  # the session was reset meanwhile
            self.core.back()
            return
        self.hide_error()
        self.reading = True
        self.retry.disabled = True
        self.change.disabled = True
        self._set_step("card.step.connect", 0.01)
        self.app.journeys.identify.read(self._progress).then(self._done, self._failed)

    def _progress(self, fraction: float, step: str) -> None:
        self._set_step(step, fraction)

    def _done(self, identity) -> None:
        self.reading = False
        self.change.disabled = False

    def _failed(self, err: CitizenError) -> None:
        self.reading = False
        self.retry.disabled = False
        self.change.disabled = False
        self.progress.value = 0
        self._set_step("identify.read_failed")
        self.show_error(err)

    def wipe(self) -> None:
        super().wipe()
        self.progress.value = 0
        self._set_step("identify.waiting_card")


class IdentifyResultScreen(KioskScreen):
    title_key = "identify.result_title"

    def build(self) -> None:
        t = th.get_theme()
        self.card = Panel(orientation="horizontal", size_hint_y=None, padding=t.px(28), spacing=t.px(28))
        self.photo = Picture(size_hint=(None, None), size=(t.px(300), t.px(400)), fit_mode="contain")
        self.details = vbox(spacing=12, size_hint_y=None)
        self.details.bind(minimum_height=self.details.setter("height"))
        self.card.add_widget(self.photo)
        self.card.add_widget(self.details)

        def fit(*_):
            self.card.height = max(self.photo.height, self.details.height) + 2 * t.px(28)

        self.details.bind(height=fit)
        fit()
        self.mark = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), spacing=t.px(6))
        self.mark.bind(minimum_height=self.mark.setter("height"))
        self.mark_title = Text("", size=th.FONT_HEADING, bold=True, role="on_primary")
        self.mark_detail = Text("", size=th.FONT_SMALL, role="on_primary")
        self.mark.add_widget(self.mark_title)
        self.mark.add_widget(self.mark_detail)
        self.go = BigButton("", action=self.core.advance, size=th.FONT_TITLE)
        self.go.min_height = 170
        self.tr(self.go, "identify.this_is_me")
        if t.landscape:
            self.body.add_widget(hbox(vbox(self.card, Widget()), vbox(self.mark, Widget(), self.go, spacing=20),
                                      spacing=40))
        else:
            for w in (self.card, self.mark, Widget(), self.go):
                self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.render()

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        ident = self.core.session.identity
        self.details.clear_widgets()
        self.photo.texture = None
        if ident is None:
            return
        show_face = self.core.settings.privacy.show_face and ident.face.png
        self.photo.opacity = 1 if show_face else 0
        if show_face:
            self.photo.texture = self._face_texture(ident.face)
        self.details.add_widget(Text(ident.full_name, size=th.FONT_TITLE, bold=True))
        birth = self.app.format_date(ident.date_of_birth) if ident.date_of_birth else ident.date_of_birth_text
        for key, value in (("identify.dob", birth), ("identify.sex", ident.sex),
                           ("identify.id_number", mask_id(ident.id_number))):
            self.details.add_widget(Text(self.app.t(key, value=value), size=th.FONT_BODY))
        if ident.authentic and ident.chip_authenticated:
            self.mark.role = "ok"
            self.mark_title.text = self.app.t("identify.authentic")
            self.mark_detail.text = self.app.t("identify.authentic_detail")
        elif ident.authentic:  # signed by the issuer, but a copied chip would read the same
            self.mark.role = "ok"
            self.mark_title.text = self.app.t("identify.signed_no_chip_auth")
            self.mark_detail.text = self.app.t("identify.signed_no_chip_auth_detail")
        else:
            self.mark.role = "warn"
            self.mark_title.text = self.app.t("identify.integrity_only")
            self.mark_detail.text = self.app.t("identify.integrity_only_detail")

    def _face_texture(self, face):
        """The face in the one texture this screen keeps: a new texture per citizen would leave
        its GPU memory behind (about 2.5 MB each with Mesa), and overwriting it on wipe means
        the last face does not linger in video memory either."""
        if face.rgb and face.width and len(face.rgb) == face.width * face.height * 3:
            tex = getattr(self, "_face_tex", None)
            if tex is None or tex.size != (face.width, face.height):
                tex = self._face_tex = Texture.create(size=(face.width, face.height), colorfmt="rgb")
                tex.flip_vertical()  # rows come top first
            tex.blit_buffer(bytes(face.rgb), colorfmt="rgb", bufferfmt="ubyte")
            return tex
        return CoreImage(BytesIO(bytes(face.png)), ext="png").texture

    def wipe(self) -> None:
        super().wipe()
        self.details.clear_widgets()
        self.photo.texture = None
        tex = getattr(self, "_face_tex", None)
        if tex is not None:
            tex.blit_buffer(bytes(tex.width * tex.height * 3), colorfmt="rgb", bufferfmt="ubyte")
        self.mark_title.text = self.mark_detail.text = ""


class ConsentScreen(KioskScreen):
    title_key = "consent.title"

    def build(self) -> None:
        t = th.get_theme()
        self.points = vbox(spacing=20, size_hint_y=None)
        self.points.bind(minimum_height=self.points.setter("height"))
        for head, body in (("consent.what", "consent.what_text"), ("consent.why", "consent.why_text"),
                           ("consent.how_long", "consent.how_long_text")):
            box = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), spacing=t.px(6))
            box.bind(minimum_height=box.setter("height"))
            box.add_widget(self.tr(Text("", size=th.FONT_BODY, bold=True), head))
            box.add_widget(self.tr(Text("", size=th.FONT_SMALL), body))
            self.points.add_widget(box)
        self.law = self.tr(Text("", size=th.FONT_SMALL, role="muted"), "consent.law")
        self.agree = BigButton("", action=self.agreed, size=th.FONT_TITLE)
        self.agree.min_height = 170
        self.tr(self.agree, "consent.agree")
        self.decline = BigButton("", action=self.declined, kind="secondary")
        self.tr(self.decline, "consent.decline")
        if t.landscape:
            from kiosk.widgets.common import fit_height

            left = Scroll(do_scroll_x=False, bar_width=t.px(14))
            left.add_widget(fit_height(vbox(self.points, self.law, spacing=16)))
            self.body.add_widget(hbox(left, vbox(Widget(), self.agree, self.decline, spacing=20), spacing=40))
        else:
            for w in (self.points, self.law, Widget(), self.agree, self.decline):
                self.body.add_widget(w)

    def agreed(self) -> None:
        self.app.journeys.identify.agree()

    def declined(self) -> None:
        self.app.journeys.identify.decline()
