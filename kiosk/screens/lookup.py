"""Look up a dossier: type (or scan) the code → the status and its timeline."""

from __future__ import annotations

from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.core import CitizenError, Task
from kiosk.journeys.lookup import CODE_PREFIX, DATE_DIGITS, TAIL_LETTERS, TAIL_MIN, CodeEntry
from kiosk.samples import SAMPLE_DOSSIER
from kiosk.screens.base import KioskScreen
from kiosk.text import DOSSIER_CODE_MAX, DOSSIER_CODE_MIN, localized
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Scroll, Text, fit_height, hbox, vbox
from kiosk.widgets.keyboard import BACKSPACE, CLEAR, CodeKeyboard

STATUS_ROLE = {
    "received": "primary",
    "in_progress": "primary",
    "supplement_requested": "warn",
    "result_ready": "ok",
    "delivered": "ok",
    "collected": "ok",
    "rejected": "error",
}


class _Inline(Label):
    """One piece of a line of pieces in different colours: as wide as its text."""

    def __init__(self, role: str):
        super().__init__(size_hint=(None, None), bold=True)
        self.role = role
        th.get_theme().follow(text_scale=self._restyle, unit=self._restyle, high_contrast=self._restyle)
        self.bind(texture_size=lambda *_: setattr(self, "size", self.texture_size))
        self._restyle()

    def _restyle(self, *_):
        t = th.get_theme()
        self.font_size = t.font(th.FONT_HEADING)
        self.color = getattr(t.palette, self.role)


class LookupCodeScreen(KioskScreen):
    """Scan the receipt's QR (the default where there is a camera) or type the code.  Typing
    takes only what the citizen must: the fixed part of the code is shown and skipped, the
    hyphens are put in, letters are offered only in the last part (``CodeEntry``); a code of
    another shape is typed on the full pad ("other code")."""

    title_key = "lookup.title"
    fold_subtitle = True  # an error's next step takes the instruction's place (and its height)
    subtitle_key = "lookup.subtitle"
    claim_code: str | None = None  # the claim code a scanned dossier receipt carried with the code

    def build(self) -> None:
        t = th.get_theme()
        self.entry = CodeEntry()
        self.free = ""  # a code of another shape, typed on the full pad
        self.typing = "parts"  # parts: the code's format guides the typing; free: the full pad
        self.busy = False
        self.mode = ""
        self.field = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), spacing=t.px(8),
                           border_role="primary")
        # a typical dossier code (about 20 characters) stays on one line even in large-text mode;
        # the fixed part and the places still to fill are muted, what was typed is in full colour
        self.field_text = Text("", size=th.FONT_HEADING, bold=True, halign="center")  # a code of another shape
        self.code_fixed = _Inline(role="muted")
        self.code_typed = _Inline(role="text")
        self.code_left = _Inline(role="muted")
        self.code_row = hbox(Widget(), self.code_fixed, self.code_typed, self.code_left, Widget(), spacing=0)
        self.code_row.size_hint_y = None
        self.code_typed.bind(height=lambda *_: setattr(self.code_row, "height", self.code_typed.height))
        self.part_hint = Text("", size=th.FONT_SMALL, role="muted", halign="center")
        self.field.add_widget(self.code_row)
        self.field.add_widget(self.part_hint)
        self.field.bind(minimum_height=lambda *_: setattr(self.field, "height",
                                                          max(self.field.minimum_height, t.px(130))))
        self.keyboard = CodeKeyboard(self.key, mode="part-digits-only", label_for=self._key_label,
                                     key_size=100 if t.landscape else th.KEY_SIZE, part_letters=TAIL_LETTERS)
        self.submit = BigButton("", action=self.lookup, size=th.FONT_TITLE)
        self.submit.min_height = 170
        self.tr(self.submit, "lookup.submit")
        from kiosk.widgets.pictures import ReceiptQrPicture
        from kiosk.widgets.scan import ScanPanel

        self.scan = ScanPanel(self.app, demo_key="lookup.demo_receipt", demo_text=SAMPLE_DOSSIER,
                              guide=ReceiptQrPicture(), guide_key="lookup.qr_where")
        self.scan.size_hint_y = 1
        self.to_typing = BigButton("", action=lambda: self.set_mode("type"), kind="secondary")
        self.tr(self.to_typing, "lookup.type_instead")
        self.to_scanning = BigButton("", action=lambda: self.set_mode("scan"), kind="secondary", size=th.FONT_SMALL)
        self.tr(self.to_scanning, "lookup.scan_instead")
        self.to_free = BigButton("", action=lambda: self.set_typing("free"), kind="secondary", size=th.FONT_SMALL)
        self.tr(self.to_free, "lookup.other_code")
        self.to_parts = BigButton("", action=lambda: self.set_typing("parts"), kind="secondary", size=th.FONT_SMALL)
        self.tr(self.to_parts, "lookup.usual_code", prefix=CODE_PREFIX)
        self.switches = hbox(self.to_scanning, self.to_free, spacing=20)
        self.switches.size_hint_y = None
        self.switches.bind(minimum_height=self.switches.setter("height"))
        for b in (self.to_scanning, self.to_free, self.to_parts):
            b.bind(height=lambda *_: setattr(self.switches, "height",
                                             max(c.height for c in self.switches.children)))
        self.body.remove_widget(self.title)
        self.body.remove_widget(self.subtitle)
        if t.landscape:
            self.form = vbox(self.title, self.subtitle, spacing=20)
            self.side = vbox(spacing=20)
            self.body.add_widget(hbox(self.form, self.side, spacing=48))
        else:
            self.form = self.body
            self.side = self.body
            self.form.add_widget(self.title)
            self.form.add_widget(self.subtitle)
        self.set_mode("scan" if self.scan.has_camera else "type")

    # -- the code as typed ------------------------------------------------------------------

    @property
    def code(self) -> str:
        """What is in the field: the code as far as typed (fixed parts included), or ""."""
        if self.typing == "free":
            return self.free
        return "" if self.entry.empty else self.entry.code

    def set_mode(self, mode: str) -> None:
        """scan: the camera picture large; type: the code field and keyboard.  A code shown to
        the camera is taken in either mode."""
        if mode == self.mode:
            return
        self.mode = mode
        self.hide_error()
        keep = {self.title, self.subtitle, self.stage_bar}  # the step indicator stays
        for box in {id(self.form): self.form, id(self.side): self.side}.values():
            for child in list(box.children):
                if child not in keep:
                    box.remove_widget(child)
        landscape = th.get_theme().landscape
        if mode == "scan":
            if landscape:
                for w in (Widget(), self.to_typing):
                    self.form.add_widget(w)
                self.side.add_widget(self.scan)
            else:
                for w in (self.scan, self.to_typing):
                    self.form.add_widget(w)
            self.tr(self.subtitle, "lookup.subtitle_scan")
        else:
            if landscape:
                for w in (self.field, Widget(), self.switches):
                    self.form.add_widget(w)
                for w in (Widget(), self.keyboard, self.submit):
                    self.side.add_widget(w)
            else:
                for w in (Widget(), self.field, self.keyboard, self.submit, self.switches):
                    self.form.add_widget(w)
            self.tr(self.subtitle, "lookup.subtitle")
        self._show_code()

    def set_typing(self, typing: str) -> None:
        """parts: the usual code's format guides the typing; free: any code on the full pad.
        What was typed comes along as far as it fits."""
        if typing == self.typing:
            return
        code = self.code
        self.typing = typing
        self.switches.remove_widget(self.to_free if typing == "free" else self.to_parts)
        self.switches.add_widget(self.to_parts if typing == "free" else self.to_free)
        self.entry.clear()
        self.free = ""
        if typing == "free":
            self.free = code
            self.keyboard.set_mode("digits")
        else:
            parts = CodeEntry.split(code)
            if parts is not None:
                self.entry.date, self.entry.tail = parts
        self.hide_error()
        self._show_code()

    def keys_for(self, code: str):
        """The keys a person taps to type ``code`` here, one at a time (the journey scripts'
        ``type_code``): to the keyboard, to the full pad for a code of another shape, the
        letter and digit pads as the code needs them; fixed parts and hyphens are skipped."""
        if self.mode == "scan":
            yield self.to_typing
        parts = CodeEntry.split(code)
        if parts is None and self.typing != "free":
            yield self.to_free
        elif parts is not None and self.typing == "free":
            yield self.to_parts
        kb = self.keyboard
        for ch in (parts[0] + parts[1] if parts is not None else code.upper()):
            if parts is None:
                if ch.isalpha() and kb.mode != "letters":
                    yield kb.keys["ABC"]
                elif (ch.isdigit() and kb.mode != "digits") or (not ch.isalnum() and ch not in kb.keys):
                    # a separator the letter pad lacks ("/", and "-" in landscape) is on the digit pad
                    yield kb.keys["123"]
            elif ch.isalpha() and kb.mode != "part-letters":
                yield kb.keys["ABC"]
            elif ch.isdigit() and kb.mode == "part-letters":
                yield kb.keys["123"]
            yield kb.keys[ch]

    def _error_index(self, target) -> int:
        # errors appear just under the code field (or the camera picture), where the eye is
        anchor = self.field if self.field.parent is target else (self.scan if self.scan.parent is target else None)
        return target.children.index(anchor) if anchor is not None else 0

    def _key_label(self, key: str) -> str:
        if key == BACKSPACE:
            return self.app.t("keyboard.backspace")
        if key == CLEAR:
            return self.app.t("keyboard.clear")
        if key == "ABC":
            return self.app.t("keyboard.letters")
        if key == "123":
            return self.app.t("keyboard.digits")
        return key

    def on_relabel(self) -> None:
        self.keyboard.relabel()
        self.scan.relabel()
        self._show_code()

    def enter(self, **kw) -> None:
        self.set_busy(False)
        self.scan.relabel()
        self.scan.start()
        self.core.scanning.start(self.scanned)

    def on_leave(self, *args) -> None:
        self.scan.stop()
        self.core.scanning.pause(self.scanned)

    def scanned(self, payload) -> None:
        from kiosk.payloads import DossierCodePayload, IdCardQr, VietQrPayload

        if self.busy:
            return
        if isinstance(payload, DossierCodePayload):
            self.set_code(payload.code)
            self.claim_code = payload.claim_code  # the receipt's proof, for the journeys that need one
            self.lookup()
            return
        if isinstance(payload, IdCardQr):
            payload.wipe()  # an ID card's QR is personal data this journey does not need
            err = CitizenError("lookup.scanned_id_card", "next.show_receipt_qr")
        elif isinstance(payload, VietQrPayload):
            err = CitizenError("qr.payment_qr", "next.show_receipt_qr")
        else:
            err = CitizenError(getattr(payload, "message_key", "qr.not_dossier_or_id"), "next.show_receipt_qr")
        self.show_error(err, container=self.form)

    def key(self, ch: str) -> None:
        if self.busy:
            return
        self.hide_error()
        if self.typing == "free":
            if ch == BACKSPACE:
                self.free = self.free[:-1]
            elif ch == CLEAR:
                self.free = ""
            elif len(self.free) < DOSSIER_CODE_MAX:
                self.free += ch
        elif ch == BACKSPACE:
            self.entry.backspace()
        elif ch == CLEAR:
            self.entry.clear()
        else:
            self.entry.type(ch)
        self.claim_code = None  # a typed code comes with no receipt
        self._show_code()

    def set_code(self, code: str) -> None:
        """A scanned receipt QR fills the field (the QR module validated it first)."""
        code = code[:DOSSIER_CODE_MAX]
        parts = CodeEntry.split(code)
        self.set_typing("free" if parts is None else "parts")
        if parts is None:
            self.free = code
        else:
            self.entry.date, self.entry.tail = parts
        self.claim_code = None
        self.hide_error()
        self._show_code()

    def _show_code(self) -> None:
        self._tr.pop(id(self.field_text), None)
        self.field_text.role = "text"
        free = self.typing == "free"
        if free != (self.field_text.parent is not None):
            self.field.remove_widget(self.code_row if free else self.field_text)
            self.field.add_widget(self.field_text if free else self.code_row, index=1)
        if free:
            if self.free:
                self.field_text.text = self.free
            else:
                self.tr(self.field_text, "lookup.placeholder")
                self.field_text.role = "muted"
            self.tr(self.part_hint, "lookup.part.free")
            ready = len(self.free) >= DOSSIER_CODE_MIN
        else:
            # the citizen sees the whole code take shape: the fixed part, what was typed, and
            # the places still to fill (the hyphens put in)
            e = self.entry
            self.code_fixed.text = f"{CODE_PREFIX}-"
            if len(e.date) < DATE_DIGITS:
                self.code_typed.text = e.date
                self.code_left.text = "_" * (DATE_DIGITS - len(e.date)) + "-" + "_" * TAIL_MIN
            else:
                self.code_typed.text = f"{e.date}-{e.tail}"
                self.code_left.text = "_" * max(0, TAIL_MIN - len(e.tail))
            self.tr(self.part_hint, f"lookup.part.{e.part}", prefix=CODE_PREFIX)
            ready = e.complete
            # the letter key only where the format has letters
            if not e.letters_allowed:
                want = "part-digits-only"
            elif self.keyboard.mode in ("part-digits", "part-letters"):
                want = self.keyboard.mode
            else:
                want = "part-digits"
            if want != self.keyboard.mode:
                self.keyboard.set_mode(want)
        self.submit.disabled = self.busy or not ready

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.tr(self.submit, "lookup.searching" if busy else "lookup.submit")
        self.keyboard.disabled = busy
        self._show_code()

    def lookup(self) -> None:
        if self.busy:
            return
        self.set_busy(True)
        self.find(self.code).then(self._found, self._failed)

    def find(self, code: str) -> Task:
        """Ask the journey for the dossier; on success it moves to the next step itself."""
        return self.app.journeys.lookup.find(code)

    def _found(self, dossier) -> None:
        self.set_busy(False)

    def _failed(self, err: CitizenError) -> None:
        self.set_busy(False)
        self.show_error(err, container=self.form)

    def wipe(self) -> None:
        super().wipe()
        self.claim_code = None
        self.set_typing("parts")
        self.entry.clear()
        self.free = ""
        self.keyboard.set_mode("part-digits-only")
        self.set_busy(False)
        self.set_mode("scan" if self.scan.has_camera else "type")


class LookupStatusScreen(KioskScreen):
    title_key = "status.title"
    # in view without scrolling (the layout check): where the dossier stands (a request for more
    # documents then goes on under it) and the button
    key_content = ("status_now", "done_button")

    def build(self) -> None:
        t = th.get_theme()
        self.summary = fit_height(vbox(spacing=22))
        self.content = fit_height(vbox(spacing=22))
        scroll = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"])
        scroll.add_widget(self.content)
        self.scroll = scroll
        if t.landscape:
            # what the dossier is and where it stands on the left, its history on the right
            left = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"])
            left.add_widget(self.summary)
            self.summary_scroll = left
            self.left_column = vbox(left, spacing=20)
            # the buttons (and what printing says) under the history: the left column's whole
            # height shows where the dossier stands
            self.right_column = vbox(scroll, spacing=20)
            self.body.add_widget(hbox(self.left_column, self.right_column, spacing=40))
        else:
            self.content.add_widget(self.summary)
            self.body.add_widget(scroll)
        self.done_button = BigButton("", action=self.core.advance, size=th.FONT_TITLE)
        self.done_button.min_height = 170
        self.tr(self.done_button, "status.done")
        self.print_button = BigButton("", action=self.print_slip, kind="secondary")
        self.tr(self.print_button, "status.print")
        self.printed = Panel(orientation="vertical", size_hint_y=None, padding=t.px(24), role="ok")
        self.printed.add_widget(self.tr(Text("", size=th.FONT_BODY, bold=True, role="on_primary"), "status.printed"))
        self.printed.bind(minimum_height=self.printed.setter("height"))
        # the two buttons one above the other; side by side in portrait large text, where the
        # status above them needs the height (the page scrolls for the rest, the buttons stay)
        self.buttons = vbox(self.print_button, self.done_button, spacing=20, size_hint_y=None)
        self.buttons.bind(minimum_height=self._fit_buttons)
        self.actions = vbox(self.buttons, spacing=20, size_hint_y=None)
        self.actions.bind(minimum_height=self.actions.setter("height"))
        (self.right_column if t.landscape else self.body).add_widget(self.actions)
        t.follow(text_scale=self._on_text_scale)
        self._arrange_buttons()

    def _large(self) -> bool:
        return th.get_theme().text_scale > 1

    def _fit_buttons(self, *_) -> None:
        box = self.buttons
        if box.orientation == "horizontal":
            box.height = max(b.height for b in box.children)
        else:
            box.height = box.minimum_height

    def _arrange_buttons(self) -> None:
        side_by_side = self._large() and not th.get_theme().landscape
        self.buttons.orientation = "horizontal" if side_by_side else "vertical"
        for b in (self.print_button, self.done_button):
            if side_by_side:
                b.bind(height=self._fit_buttons)
            else:
                b.unbind(height=self._fit_buttons)
        self._fit_buttons()

    def _on_text_scale(self, _theme, _value) -> None:
        self._arrange_buttons()
        draft = self.app.journeys.lookup.existing
        if draft is not None and draft.dossier is not None:
            self.render()  # where the status goes depends on the text size
            self.scroll.scroll_y = 1

    def _error_index(self, target) -> int:
        return len(target.children)  # above the buttons

    def print_slip(self) -> None:
        self.hide_error()
        if self.printed.parent:
            self.actions.remove_widget(self.printed)
        self.print_button.disabled = True
        self.tr(self.print_button, "status.printing")
        self.app.journeys.lookup.print_slip().then(self._printed, self._print_failed)

    def _printed(self, result) -> None:
        self.tr(self.print_button, "status.print_again")
        self.print_button.disabled = False
        self.actions.add_widget(self.printed, index=len(self.actions.children))

    def _print_failed(self, err: CitizenError) -> None:
        self.tr(self.print_button, "status.print")
        self.print_button.disabled = False
        self.show_error(err, container=self.actions)

    def enter(self, **kw) -> None:
        self.render()
        self.scroll.scroll_y = 1
        if hasattr(self, "summary_scroll"):
            self.summary_scroll.scroll_y = 1

    def on_relabel(self) -> None:
        draft = self.app.journeys.lookup.existing
        if draft is not None and draft.dossier is not None:
            self.render()

    def render(self) -> None:
        self._clear()
        draft = self.app.journeys.lookup.existing
        d = draft.dossier if draft is not None else None
        if d is None:
            return
        lang = self.app.translator.lang
        t = th.get_theme()
        if not hasattr(d, "timeline"):
            self._render_provisional(d)
            return
        status = str(getattr(d.status, "value", d.status))
        head = Panel(orientation="vertical", size_hint_y=None, padding=t.px(28), spacing=t.px(12))
        head.bind(minimum_height=head.setter("height"))
        head.add_widget(Text(self.app.t("status.code", code=d.code), size=th.FONT_BODY, role="muted"))
        head.add_widget(Text(localized(d.procedure, "name", lang), size=th.FONT_HEADING, bold=True))
        agency = localized(d, "agency", lang)
        if agency:
            head.add_widget(Text(agency, size=th.FONT_SMALL, role="muted"))
        self.summary.add_widget(head)

        now = Panel(orientation="vertical", size_hint_y=None, padding=t.px(28), spacing=t.px(8),
                    role=STATUS_ROLE.get(status, "primary"))
        now.bind(minimum_height=now.setter("height"))
        # the status itself (and the date), in view on arrival; what the agency asks for goes on
        # under it in the same panel, and may need the page scrolled in large text
        head_now = fit_height(vbox(spacing=8))
        head_now.add_widget(Text(self.app.t("status.now"), size=th.FONT_SMALL, role="on_primary"))
        head_now.add_widget(Text(self.app.t(f"dossier.status.{status}"), size=th.FONT_TITLE, role="on_primary",
                                 bold=True))
        expected = getattr(d, "expected_date", None)
        if expected:
            head_now.add_widget(Text(self.app.t("status.expected", date=self.app.format_date(expected)),
                                     size=th.FONT_BODY, role="on_primary"))
        now.add_widget(head_now)
        self.status_now = head_now
        if status == "supplement_requested" and d.latest is not None and localized(d.latest, "note", lang):
            # what to bring, where and by when, from the agency's request: with the status
            now.add_widget(Text(localized(d.latest, "note", lang), size=th.FONT_BODY, role="on_primary"))
        # landscape gives the left column little height under its buttons, and large text the
        # page: where the dossier stands comes first there, the dossier's name and code below it
        first = t.landscape or self._large()
        self.summary.add_widget(now, index=len(self.summary.children) if first else 0)
        self.status_panel = now

        self.content.add_widget(Text(self.app.t("status.timeline"), size=th.FONT_HEADING, bold=True))
        for event in reversed(list(d.timeline)):
            ev_status = str(getattr(event.status, "value", event.status))
            row = Panel(orientation="vertical", size_hint_y=None, padding=t.px(22), spacing=t.px(6))
            row.bind(minimum_height=row.setter("height"))
            row.add_widget(Text(self.app.format_datetime(event.at), size=th.FONT_SMALL, role="muted"))
            row.add_widget(Text(self.app.t(f"dossier.status.{ev_status}"), size=th.FONT_BODY, bold=True))
            note = localized(event, "note", lang)
            if note:
                row.add_widget(Text(note, size=th.FONT_SMALL))
            self.content.add_widget(row)

    def _render_provisional(self, p) -> None:
        """A provisional reference (TAM-…) from a receipt printed while the gateway was down:
        the dossier waits in this kiosk's outbox, or has been sent and got its real code."""
        t = th.get_theme()
        box = Panel(orientation="vertical", size_hint_y=None, padding=t.px(28), spacing=t.px(12),
                    role="warn" if p.state != "delivered" else "ok")
        box.bind(minimum_height=box.setter("height"))
        box.add_widget(Text(self.app.t("status.code", code=p.reference), size=th.FONT_BODY, role="on_primary"))
        box.add_widget(Text(self.app.t(f"status.provisional.{p.state}"), size=th.FONT_HEADING, bold=True,
                            role="on_primary"))
        box.add_widget(Text(self.app.t("status.provisional.queued_at", date=self.app.format_datetime(p.queued_at)),
                            size=th.FONT_SMALL, role="on_primary"))
        self.summary.add_widget(box)
        self.status_panel = self.status_now = box
        self.print_button.disabled = True  # a status slip needs the gateway's dossier

    def _clear(self) -> None:
        self.summary.clear_widgets()
        for child in list(self.content.children):
            if child is not self.summary:
                self.content.remove_widget(child)

    def wipe(self) -> None:
        super().wipe()
        self._clear()
        if self.printed.parent:
            self.actions.remove_widget(self.printed)
        self.tr(self.print_button, "status.print")
        self.print_button.disabled = False

