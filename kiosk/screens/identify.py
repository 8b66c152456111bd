"""Identify with the chip ID card: the key (typed ID number or the card's front QR) → place
the card → reading progress → who the chip says you are, with its authenticity → consent.
In the pay and delivery journeys the key step also offers "Nhân viên xác nhận giúp": the staff
PIN, then the clerk's entry (the document checked, the ID number on it)."""

from __future__ import annotations

from io import BytesIO

from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.uix.progressbar import ProgressBar
from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.errors import KioskError
from kiosk.gateway.contract.payments import STAFF_CHECK_DOCUMENTS
from kiosk.journeys.identify import CAN_DIGITS
from kiosk.roles import Role
from kiosk.screens.base import KioskScreen
from kiosk.text import is_id_number, mask_id
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, InfoPanel, Panel, Picture, Scroll, Text, hbox, vbox
from kiosk.widgets.democard import DemoCardButton
from kiosk.widgets.keyboard import BACKSPACE, CLEAR, CodeKeyboard

# isort: split
from kiosk.samples import SAMPLE_PERSON_ID  # noqa: F401  (the demo's sample card; tests import it from here)


def group_digits(digits: str) -> str:
    """'001189012345' → '001 189 012 345' (how the number is read aloud and printed)."""
    return " ".join(digits[i:i + 3] for i in range(0, len(digits), 3))


class IdentifyKeyScreen(KioskScreen):
    """The identify journey's first step, in the order the citizen meets it: consent (who
    receives the data, under which law) → the last 6 digits of the ID number, with a picture of
    where they are on each card generation, masked once typed (the card's front QR also does)
    → and only when the chip refused PACE, the full number and the birth date BAC needs.
    Where the journey lets staff confirm the applicant (pay, delivery), "Nhân viên xác nhận
    giúp" opens the staff PIN pad, then the clerk's entry ("staff"): which document they
    checked against the person, and the 12-digit ID number on it, masked once complete.
    Which part shows comes from the session and the journey's draft."""

    title_key = "identify.title"
    subtitle_key = "identify.subtitle"

    def build(self) -> None:
        t = th.get_theme()
        self.digits = ""  # the CAN, or the full ID number (BAC)
        self.dob = ""  # ddmmyyyy (BAC)
        self.phase = ""
        self.field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), border_role="primary")
        self.field_text = Text("", size=th.FONT_TITLE, bold=True, halign="center")
        self.field.add_widget(self.field_text)
        self.field.bind(minimum_height=lambda *_: setattr(self.field, "height",
                                                          max(self.field.minimum_height, t.px(130))))
        self.dob_field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), border_role="muted")
        self.dob_text = Text("", size=th.FONT_TITLE, bold=True, halign="center")
        self.dob_field.add_widget(self.dob_text)
        self.dob_field.bind(minimum_height=lambda *_: setattr(self.dob_field, "height",
                                                              max(self.dob_field.minimum_height, t.px(130))))
        self.keyboard = CodeKeyboard(self.key, digits_only=True, label_for=self._key_label,
                                     key_size=100 if t.landscape else th.KEY_SIZE)
        self.go = BigButton("", action=self.confirm, size=th.FONT_TITLE)
        self.go.min_height = 170
        self.tr(self.go, "identify.continue")
        from kiosk.widgets.pictures import CardNumberPicture
        from kiosk.widgets.scan import ScanPanel

        self.scan = ScanPanel(self.app, height=300, demo_key="identify.demo_qr", demo_text=sample_front_qr())
        # where the last 6 digits are: the 2021 CCCD and the 2024 căn cước card
        self.cards = hbox(spacing=24, size_hint_y=None)
        for gen in ("2021", "2024"):
            pic = CardNumberPicture(gen, size_hint=(1, None), height=t.px(190))
            label = self.tr(Text("", size=th.FONT_SMALL, role="muted", halign="center"), f"identify.card_{gen}")
            col = vbox(pic, label, spacing=6)
            self.cards.add_widget(col)
        self.cards.height = t.px(190 + 6) + 2 * t.font(th.FONT_SMALL) * 1.3
        self.qr_demo = None
        if self.scan.demo is not None:
            self.qr_demo = BigButton("", action=lambda: self.scan.show_demo(sample_front_qr()), kind="quiet",
                                     size=th.FONT_SMALL)
            self.qr_demo.min_height = 100
            self.tr(self.qr_demo, "identify.demo_qr")
        self.consent = ConsentPanel(self, landscape=t.landscape)
        self.agree, self.decline = self.consent.agree, self.consent.decline
        # staff confirm on the citizen's behalf (pay, delivery): the PIN, then the clerk's entry
        self.by_staff = BigButton("", action=self.ask_staff, kind="secondary", size=th.FONT_BODY)
        self.by_staff.min_height = 100
        self.tr(self.by_staff, "identify.staff_confirm")
        self.staff_document = ""
        self.staff_docs_title = self.tr(Text("", size=th.FONT_BODY, bold=True), "identify.staff_document")
        self.staff_docs: dict[str, BigButton] = {}
        self.staff_docs_row = hbox(spacing=16, size_hint_y=None)
        for doc in STAFF_CHECK_DOCUMENTS:
            btn = BigButton("", action=lambda d=doc: self.choose_document(d), kind="secondary", size=th.FONT_SMALL)
            btn.selected, btn.min_height, btn.text_margin = False, 100, 10  # three abreast, a tick each
            self.tr(btn, f"identify.staff_doc.{doc}")
            self.staff_docs[doc] = btn
            self.staff_docs_row.add_widget(btn)
            btn.bind(height=self._fit_docs_row)
        self.staff_go = BigButton("", action=self.staff_confirm)
        self.tr(self.staff_go, "identify.staff_go")
        self.staff_cancel = BigButton("", action=self.staff_cancelled, kind="secondary")
        self.tr(self.staff_cancel, "identify.staff_cancel")
        self.staff_buttons = hbox(self.staff_cancel, self.staff_go, size_hint_y=None, spacing=16)
        for btn in (self.staff_go, self.staff_cancel):
            btn.bind(height=lambda *_: setattr(self.staff_buttons, "height",
                                               max(self.staff_go.height, self.staff_cancel.height)))
        # the demo's sample-QR button and staff's offer share a row (the pad needs the height)
        self.extras_row = hbox(spacing=16, size_hint_y=None)
        self._offer_staff = False
        self.form = self.body
        self._subscribed = False
        # large text needs the room: the camera picture goes, scanning still works
        t.bind(text_scale=lambda *_: self._render(relayout=True))
        if t.landscape:
            self.body.remove_widget(self.title)
            self.body.remove_widget(self.subtitle)
        self._render()

    # -- which part shows ------------------------------------------------------------------

    def _fit_docs_row(self, *_) -> None:
        """Three abreast; one under the other in large text and in landscape's narrower column
        (each name whole on its button)."""
        t = th.get_theme()
        row, heights = self.staff_docs_row, [b.height for b in self.staff_docs.values()]
        row.orientation = "vertical" if t.text_scale > 1 or t.landscape else "horizontal"
        row.height = sum(heights) + row.spacing * (len(heights) - 1) if row.orientation == "vertical" \
            else max(heights)

    def _fit_extras_row(self, *_) -> None:
        self.extras_row.height = max((b.height for b in self.extras_row.children), default=0)

    def _extras(self, offer_staff: bool) -> list:
        """Below the pad in the card's key: the demo's sample QR and staff's offer, side by side
        when both are there."""
        extras = ([self.qr_demo] if self.qr_demo else []) + ([self.by_staff] if offer_staff else [])
        for w in (self.qr_demo, self.by_staff):
            if w is not None and w.parent is not None:
                w.parent.remove_widget(w)
        if len(extras) < 2:
            return extras
        self.extras_row.clear_widgets()
        for w in extras:
            self.extras_row.add_widget(w)
            w.unbind(height=self._fit_extras_row)
            w.bind(height=self._fit_extras_row)
        self._fit_extras_row()
        return [self.extras_row]

    def _phase(self) -> str:
        if not self.core.session.consent_given:
            return "consent"
        identify = self.app.journeys.identify
        draft = identify.existing
        if draft is not None and draft.staff_entry and identify.staff_may_confirm:
            return "staff"
        return "bac" if draft is not None and draft.need_bac else "can"

    def _render(self, relayout: bool = False) -> None:
        phase = self._phase()
        offer_staff = self.app.journeys.identify.staff_may_confirm
        if phase == self.phase and offer_staff == self._offer_staff and not relayout:
            self._show()
            return
        if phase != self.phase:
            self.digits = self.dob = ""
            self.staff_document = ""
            self.hide_error()
        self.phase, self._offer_staff = phase, offer_staff
        t = th.get_theme()
        keep = () if t.landscape else (self.title, self.subtitle)
        for child in list(self.body.children):
            if child not in keep:
                self.body.remove_widget(child)
        self.title_key_now = {"consent": "consent.title", "staff": "identify.staff_title"}.get(phase, "identify.title")
        self.tr(self.title, self.title_key_now)
        self.tr(self.subtitle, {"consent": "consent.subtitle", "can": "identify.can_subtitle",
                                "bac": "identify.bac_subtitle", "staff": "identify.staff_subtitle"}[phase])
        for w in (self.qr_demo, self.by_staff):  # out of the row they may share
            if w is not None and w.parent is self.extras_row:
                self.extras_row.remove_widget(w)
        staff = [self.by_staff] if offer_staff else []
        self._fit_docs_row()
        if phase == "consent":
            parts = self.consent.layout()
        elif phase == "can":
            # no room for the camera picture beside the pictures and the pad: scanning the front
            # QR still works (the subtitle says so); the demo keeps its sample-QR button
            parts = [self.cards, self.field, self.keyboard] + self._extras(offer_staff)
        elif phase == "staff":  # the clerk's entry: what they checked, the number on it
            parts = [self.staff_docs_title, self.staff_docs_row, self.field, self.keyboard, self.staff_buttons]
        else:
            parts = [self.field, self.dob_field, self.keyboard, self.go] + staff
        if t.landscape:
            for w in (self.title, self.subtitle, *parts):  # out of the last phase's columns
                if w.parent is not None:
                    w.parent.remove_widget(w)
            # consent: the law beside the buttons; else the pad and what follows it on the right
            # (the clerk's entry: the number above the pad, the documents listed on the left)
            first = self.field if phase == "staff" else self.keyboard
            right = 3 if phase == "consent" else len(parts) - parts.index(first)
            self.form = vbox(self.title, self.subtitle, *parts[:-right], spacing=20)
            self.body.add_widget(hbox(self.form, vbox(Widget(), *parts[-right:], spacing=20), spacing=48))
        else:
            self.form = self.body
            for w in ([Widget()] if phase != "consent" else []) + parts:  # the room left goes above the field
                self.body.add_widget(w)
        self.show_stage()
        self._show()

    def _key_label(self, key: str) -> str:
        return {BACKSPACE: self.app.t("keyboard.backspace"), CLEAR: self.app.t("keyboard.clear")}.get(key, key)

    def _error_index(self, target) -> int:
        anchor = self.field if self.field in target.children else None
        return target.children.index(anchor) if anchor is not None else 0

    def on_relabel(self) -> None:
        self.keyboard.relabel()
        self.scan.relabel()
        self.consent.relabel()
        self._show()

    def enter(self, **kw) -> None:
        self._render()
        self.core.scanning.start(self.scanned)  # the card's front QR, shown to the camera
        if not self._subscribed:
            self._subscribed = True
            self.core.subscribe(lambda event, _v: event == "identify" and self.app.current == self.name
                                and self._render())

    def on_leave(self, *args) -> None:
        self.scan.stop()
        self.core.scanning.pause(self.scanned)
        if self.phase == "staff":  # the clerk's entry ends with the screen: the PIN is asked again
            self._close_staff_entry()

    # -- typing ----------------------------------------------------------------------------

    def key(self, ch: str) -> None:
        self.hide_error()
        bac = self.phase == "bac"
        whole = bac or self.phase == "staff"  # the full 12-digit number
        want = 12 if whole else CAN_DIGITS
        typing_dob = bac and len(self.digits) == want
        if ch == BACKSPACE:
            if typing_dob and self.dob:
                self.dob = self.dob[:-1]
            else:
                self.digits = self.digits[:-1]
        elif ch == CLEAR:
            self.digits = self.dob = ""
        elif ch.isdigit():
            if typing_dob:
                self.dob = (self.dob + ch)[:8]
            elif len(self.digits) < want:
                self.digits += ch
                if not whole and len(self.digits) == CAN_DIGITS:
                    self._show()
                    self.confirm()  # the sixth digit: on to placing the card, nothing more to tap
                    return
        self._show()

    def _show(self) -> None:
        if self.phase == "consent":
            return
        bac = self.phase == "bac"
        whole = bac or self.phase == "staff"
        want = 12 if whole else CAN_DIGITS
        if self.digits:
            self._tr.pop(id(self.field_text), None)
            # shown while typing (large, so a wrong digit is seen), masked once complete
            done = len(self.digits) == want
            self.field_text.text = (mask_id(self.digits) if whole else "• " * (CAN_DIGITS - 1) + "•") if done \
                else group_digits(self.digits)
            self.field_text.role = "text"
        else:
            self.tr(self.field_text, {"bac": "identify.placeholder", "staff": "identify.staff_placeholder"}
                    .get(self.phase, "identify.can_placeholder"))
            self.field_text.role = "muted"
        if self.phase == "staff":
            for doc, btn in self.staff_docs.items():
                btn.selected = doc == self.staff_document  # the document checked has a tick
                btn.kind = "primary" if btn.selected else "secondary"
            self.field.border_role = "primary"
            self.staff_go.disabled = len(self.digits) != 12 or not self.staff_document
            return
        if bac:
            if self.dob:
                self._tr.pop(id(self.dob_text), None)
                d = self.dob
                self.dob_text.text = "/".join(x for x in (d[:2], d[2:4], d[4:]) if x)
                self.dob_text.role = "text"
            else:
                self.tr(self.dob_text, "identify.dob_placeholder")
                self.dob_text.role = "muted"
            self.field.border_role = "primary" if len(self.digits) < 12 else "muted"
            self.dob_field.border_role = "primary" if len(self.digits) == 12 else "muted"
            self.go.disabled = len(self.digits) != 12 or len(self.dob) != 8

    def confirm(self) -> None:
        identify = self.app.journeys.identify
        if self.phase == "staff":
            self.staff_confirm()
            return
        try:
            if self.phase == "bac":
                identify.use_number(self.digits, dob=parse_dob(self.dob))
            else:
                identify.use_can(self.digits)
        except CitizenError as err:
            self.show_error(err, container=self.form)

    def scanned(self, payload) -> None:
        from kiosk.payloads import DossierCodePayload, IdCardQr

        if self.phase in ("consent", "staff"):  # the clerk types what they checked
            if isinstance(payload, IdCardQr):
                payload.wipe()  # nothing personal before consent
            return
        if isinstance(payload, IdCardQr) and is_id_number(payload.id_number):
            # the front QR also gives the date of birth: BAC works when PACE does not
            self.digits = payload.id_number[-CAN_DIGITS:] if self.phase == "can" else payload.id_number
            self._show()
            try:
                self.app.journeys.identify.use_front_qr(payload)
            except CitizenError as err:
                self.show_error(err, container=self.form)
            return
        key = "identify.scanned_dossier" if isinstance(payload, DossierCodePayload) else "identify.scanned_other"
        self.show_error(CitizenError(key, "next.show_card_qr"), container=self.form)

    # -- staff confirm on the citizen's behalf ----------------------------------------------

    def ask_staff(self) -> None:
        """"Nhân viên xác nhận giúp": the staff PIN pad; the right PIN opens the clerk's entry
        (a wrong PIN or a lock shows on the pad, as everywhere; cancel comes back here)."""
        from kiosk.screens.staff import open_pin

        def unlocked() -> None:
            self.app.journeys.identify.open_staff_entry()
            self.app.show_step(self.name)

        self.hide_error()
        open_pin(self.app, Role.STAFF, unlocked)

    def choose_document(self, document: str) -> None:
        self.hide_error()
        self.staff_document = document
        self._show()

    def staff_confirm(self) -> None:
        number, document = self.digits, self.staff_document
        try:
            self.app.staff.confirm_applicant(number, document)
        except KioskError as err:
            self.show_error(err, container=self.form)
            return
        self.digits = self.staff_document = ""  # the number does not stay on screen

    def staff_cancelled(self) -> None:
        self._close_staff_entry()

    def _close_staff_entry(self) -> None:
        self.digits = self.staff_document = ""
        if self.app.staff.active is Role.STAFF:
            self.app.staff.leave()
        self.app.journeys.identify.close_staff_entry()

    def wipe(self) -> None:
        super().wipe()
        self.digits = self.dob = ""
        self.staff_document = ""
        self.phase = ""
        self._render()


def parse_dob(ddmmyyyy: str):
    """The birth date typed as ddmmyyyy, or a CitizenError."""
    from datetime import date

    try:
        return date(int(ddmmyyyy[4:]), int(ddmmyyyy[2:4]), int(ddmmyyyy[:2]))
    except ValueError:
        raise CitizenError("identify.bad_dob", "next.check_dob") from None


class ConsentPanel:
    """What the citizen agrees to, before the card is read: what is used, who receives it, why,
    for how long, under which law; agree or decline."""

    POINTS = (("consent.what", "consent.what_text"), ("consent.who", "consent.who_text"),
              ("consent.why", "consent.why_text"), ("consent.how_long", "consent.how_long_text"))

    def __init__(self, screen: KioskScreen, landscape: bool):
        t = th.get_theme()
        self.screen = screen
        self.points = vbox(spacing=16, size_hint_y=None)
        self.points.bind(minimum_height=self.points.setter("height"))
        for head, body in self.POINTS:
            box = Panel(orientation="vertical", size_hint_y=None, padding=t.px(20), spacing=t.px(4))
            box.bind(minimum_height=box.setter("height"))
            box.add_widget(screen.tr(Text("", size=th.FONT_BODY, bold=True), head))
            box.add_widget(screen.tr(Text("", size=th.FONT_SMALL), body))
            self.points.add_widget(box)
        self.law = screen.tr(Text("", size=th.FONT_SMALL, role="muted"), "consent.law")
        self.agree = BigButton("", action=self.agreed, size=th.FONT_TITLE)
        self.agree.min_height = 170
        screen.tr(self.agree, "consent.agree")
        self.decline = BigButton("", action=self.declined, kind="secondary")
        screen.tr(self.decline, "consent.decline")
        self.landscape = landscape
        self.scroll = Scroll(do_scroll_x=False, bar_width=t.px(14))
        from kiosk.widgets.common import fit_height

        # landscape: the law goes beside the buttons, in sight without scrolling
        self.scroll.add_widget(fit_height(vbox(self.points, spacing=16) if landscape
                                          else vbox(self.points, self.law, spacing=16)))

    def layout(self) -> list:
        """The consent's widgets top to bottom; the last two are the buttons (landscape: the
        last three, the law first)."""
        if self.landscape:
            return [self.scroll, self.law, self.agree, self.decline]
        return [self.scroll, self.agree, self.decline]

    def relabel(self) -> None:
        pass  # every text is translated through the screen

    def agreed(self) -> None:
        self.screen.app.journeys.identify.agree()

    def declined(self) -> None:
        self.screen.app.journeys.identify.decline()


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
        # information, not a button: no button fill (it looked exactly like the primary button)
        self.where = InfoPanel(orientation="vertical", size_hint_y=None, padding=t.px(36))
        self.where_text = Text("", size=th.FONT_HEADING, role="primary", halign="center", bold=True)
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
        if DemoCardButton.simulated(reader):  # the demo: put the sample card on, or take it off
            self.demo = DemoCardButton(self.app, reader)
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
        if self.demo is not None:
            self.demo.start()
        if reader.card_present():
            self.start_read()

    def on_leave(self, *args) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self.demo is not None:
            self.demo.stop()
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
        reader = self.core.devices.card_reader
        # the demo: the sample card can be taken off the simulated reader (a real one is taken by hand)
        self.demo = DemoCardButton(self.app, reader) if DemoCardButton.simulated(reader) else None
        extra = [self.demo] if self.demo is not None else []
        if t.landscape:
            self.body.add_widget(hbox(vbox(self.card, Widget()),
                                      vbox(self.mark, Widget(), self.go, *extra, spacing=20), spacing=40))
        else:
            for w in (self.card, self.mark, Widget(), self.go, *extra):
                self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.render()
        if self.demo is not None:
            self.demo.start()

    def on_leave(self, *args) -> None:
        if self.demo is not None:
            self.demo.stop()

    def on_relabel(self) -> None:
        self.render()
        if self.demo is not None:
            self.demo.relabel()

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

