"""Result delivery by post: the dossier code (scanned or typed) → who receives it and where
(recipient, phone, province, ward/commune, street) → the summary with the fee and the wait,
and "confirm" → booked: the tracking code on screen and on a printed slip → the end screen.

Only a finished dossier (result ready) whose delivery is not booked yet can be posted; every
other case is explained on the code screen.  The screens show the delivery journey's draft
(``app.journeys.delivery``, kiosk/journeys/delivery.py, which does the work off the UI thread,
keeps the rules and moves the citizen on) and forward touches.
"""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.core import CitizenError
from kiosk.screens.base import KioskScreen
from kiosk.screens.lookup import LookupCodeScreen
from kiosk.widgets import theme as th
from kiosk.widgets.address import AddressForm
from kiosk.widgets.common import BigButton, Text, content_panel, hbox, info_panel, keep_on_one_line, vbox
from kiosk.widgets.printstatus import PrintStatus

FINISHED_SAMPLE = "H26.99-241125-0004"  # the demo's dossier whose result is ready


class DeliveryScreen(KioskScreen):
    """A delivery step: the delivery service at hand and its draft, read without making one."""

    @property
    def delivery(self):
        return self.app.journeys.delivery

    @property
    def draft(self):
        """The delivery draft, or None when this session has none."""
        return self.delivery.existing


# -- 1. the code --------------------------------------------------------------------------------


class DeliveryCodeScreen(LookupCodeScreen):
    """The look-up code screen (keys, scanning) checking the dossier can be posted instead."""

    title_key = "delivery.title"
    fold_subtitle = True  # a message (the booking already made) takes the subtitle's height

    def build(self) -> None:
        super().build()
        if self.scan.demo is not None:  # the demo's sample receipt: a dossier whose result is ready
            self.scan.demo.action = lambda: self.scan.show_demo(FINISHED_SAMPLE)

    def find(self, code: str):
        return self.app.journeys.delivery.find(code, self.claim_code)

    def _failed(self, err: CitizenError) -> None:
        super()._failed(err)
        if err.message_key == "delivery.already_booked":  # good news, not a fault: no red box
            self.show_notice(err.message_key, err.next_step, container=self.form)
        if err.next_step == "next.delivery_tracking" and err.detail:
            self.tr(self.message_next, err.next_step, tracking=err.detail)


# -- 2. who receives it, and where --------------------------------------------------------------


class DeliveryAddressScreen(DeliveryScreen):
    title_key = "delivery.address.title"

    def build(self) -> None:
        t = th.get_theme()
        self.form = AddressForm(self.app, with_recipient=True)
        self.code_text = Text("", size=th.FONT_BODY, role="muted")
        self.cont = BigButton("", action=self.go_on, size=th.FONT_TITLE)
        self.cont.min_height = 170
        self.tr(self.cont, "delivery.address.continue")
        if t.landscape:
            # recipient, phone and province on the left, ward and street on the right: no
            # scrolling even when every field shows a note (the code is on the next screen)
            self.body.remove_widget(self.title)
            left = vbox(self.title, spacing=20)
            for name in ("recipient", "phone", "province"):
                field = self.form.fields[name]
                self.form.remove_widget(field)
                left.add_widget(field)
            left.add_widget(Widget())
            self.actions = vbox(self.form, Widget(), self.cont, spacing=20)
            self.body.add_widget(hbox(left, self.actions, spacing=48))
        else:
            for w in (self.code_text, self.form, Widget(), self.cont):
                self.body.add_widget(w)
            self.actions = self.body

    def _error_index(self, target) -> int:
        return target.children.index(self.cont) + 1 if self.cont in target.children else 0

    def enter(self, **kw) -> None:
        self.hide_error()
        self.render()
        name = self.delivery.recipient_from_card()
        if name:  # identified with the chip in this session: the name is filled in, still editable
            self.form.prefill(recipient=name)
        self.app.journeys.catalog.provinces().then(self._provinces, self._failed)

    def _provinces(self, provinces) -> None:
        self.form.set_provinces(provinces)
        # the address on the chip, in today's province and ward: offered as one tap
        self.delivery.residence([p.name for p in provinces]).then(self._residence)

    def _residence(self, residence) -> None:
        if self.manager is not None and self.manager.current == self.name and not self.form.fields["ward"].value:
            self.form.offer_residence(residence)

    def on_relabel(self) -> None:
        self.form.relabel()
        self.render()

    def render(self) -> None:
        d = self.draft.dossier if self.draft is not None else None
        quote = self.delivery.quote  # what posting costs, said before anything is typed
        # the dossier's code is on the next screen: here, what posting costs (never "25.000⏎đ")
        money = self.money(quote["fee_vnd"]).replace(" ", "\u00a0")
        self.code_text.text = self.app.t("delivery.address.fee", fee=money, days=quote["estimated_days"]) \
            if d is not None else ""

    def go_on(self) -> None:
        self.hide_error()
        problems = self.form.validate()
        if problems:  # each field says what is wrong under it; the first one is brought into view
            first = self.form.fields[problems[0][0]]
            if self.scroller.height < self.body.height:
                self.scroller.scroll_to(first, padding=th.get_theme().px(40), animate=False)
            return
        v = self.form.values()
        self.delivery.set_address(v["recipient"], v["phone"], self.form.address())  # on to the summary

    def _failed(self, err: CitizenError) -> None:
        self.show_error(err, container=self.actions)

    def wipe(self) -> None:
        super().wipe()
        self.form.wipe()
        self.code_text.text = ""


# -- 3. the summary, the fee, "confirm" ---------------------------------------------------------


class DeliveryConfirmScreen(DeliveryScreen):
    title_key = "delivery.confirm.title"
    fold_subtitle = True  # the gateway-down message says what happens instead

    def build(self) -> None:
        t = th.get_theme()
        self.busy = False
        self.summary = content_panel(spacing=8)
        self.dossier_text = Text("", size=th.FONT_BODY, role="muted")
        self.to_label = Text("", size=th.FONT_SMALL, role="muted")
        self.tr(self.to_label, "delivery.confirm.to")
        self.recipient = Text("", size=th.FONT_HEADING, bold=True)
        self.phone = Text("", size=th.FONT_BODY)
        self.address = Text("", size=th.FONT_BODY)
        for w in (self.dossier_text, self.to_label, self.recipient, self.phone, self.address):
            self.summary.add_widget(w)
        self.fee = info_panel(spacing=8)  # information, not a button
        self.fee_label = self.tr(Text("", size=th.FONT_BODY), "delivery.confirm.fee")
        self.amount = Text("", size=th.FONT_DISPLAY, role="primary", bold=True)
        self.fee_note = Text("", size=th.FONT_BODY)
        for w in (self.fee_label, self.amount, self.fee_note):
            self.fee.add_widget(w)
        self.confirm = BigButton("", action=self.book, size=th.FONT_TITLE)
        self.confirm.min_height = 150
        self.edit = BigButton("", action=self.core.back, kind="secondary")
        self.edit.min_height = 120
        self.tr(self.edit, "delivery.confirm.edit")
        if t.landscape:
            self.actions = vbox(self.edit, self.confirm, spacing=20, size_hint_y=None)
            self.actions.bind(minimum_height=self.actions.setter("height"))
        else:  # side by side: a message (the gateway down) still leaves both in view
            self.edit.size_hint_x, self.confirm.size_hint_x = 0.38, 0.62
            self.actions = hbox(self.edit, self.confirm, spacing=20, size_hint_y=None)
            fit = lambda *_: setattr(self.actions, "height", max(self.edit.height, self.confirm.height))  # noqa: E731
            self.edit.bind(height=fit)
            self.confirm.bind(height=fit)
            fit()
        if t.landscape:
            # messages go under the summary: the right column is full with the fee and buttons
            self.body.remove_widget(self.title)
            self.summary.remove_widget(self.to_label)  # the height is scarce; the name says it
            self.form = vbox(self.title, self.summary, Widget(), spacing=20)
            self.body.add_widget(hbox(self.form, vbox(self.fee, Widget(), self.actions, spacing=20), spacing=48))
        else:
            for w in (self.summary, self.fee, Widget(), self.actions):
                self.body.add_widget(w)
            self.form = self.body
        self.set_busy(False)

    def _error_index(self, target) -> int:
        if self.actions in target.children:
            return target.children.index(self.actions) + 1
        return target.children.index(self.summary) if self.summary in target.children else 0

    def enter(self, **kw) -> None:
        self.hide_error()
        self.set_busy(False)
        self.render()

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        d = self.draft
        if d is None or d.dossier is None or d.address is None:
            return
        address = d.address
        self.dossier_text.text = self.app.t("status.code", code=d.dossier.code)
        self.recipient.text = d.recipient
        self.phone.text = self.app.t("delivery.confirm.phone", phone=d.phone)
        self.address.text = ", ".join(p for p in (address.street, address.ward, address.province) if p)
        quote = self.delivery.quote
        self.amount.text = self.money(quote["fee_vnd"])
        self.fee_note.text = self.app.t("delivery.confirm.fee_note", days=quote["estimated_days"])

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.tr(self.confirm, "delivery.confirm.booking" if busy else "delivery.confirm.go")
        self.confirm.disabled = self.edit.disabled = busy

    def book(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.set_busy(True)
        self.delivery.book().then(self._booked, self._failed)  # the service moves on to the slip

    def _booked(self, _confirmation) -> None:
        self.set_busy(False)

    def _failed(self, err: CitizenError) -> None:
        self.set_busy(False)
        self.show_error(err, container=self.form)
        if err.next_step == "next.delivery_tracking" and err.detail:
            self.tr(self.message_next, err.next_step, tracking=err.detail)

    def wipe(self) -> None:
        super().wipe()
        self.set_busy(False)
        for w in (self.dossier_text, self.recipient, self.phone, self.address, self.amount, self.fee_note):
            w.text = ""


# -- 4. booked: the tracking code and the slip --------------------------------------------------


class DeliveryDoneScreen(DeliveryScreen):
    title_key = "delivery.done.title"

    def build(self) -> None:
        self.booked = content_panel(role="ok", spacing=8)
        self.tracking_label = self.tr(Text("", size=th.FONT_BODY, role="on_primary"), "delivery.done.tracking")
        self.tracking = Text("", size=th.FONT_DISPLAY, role="on_primary", bold=True)
        keep_on_one_line(self.tracking)  # read character by character: never broken (large text)
        self.where = Text("", size=th.FONT_BODY, role="on_primary")
        for w in (self.tracking_label, self.tracking, self.where):
            self.booked.add_widget(w)
        self.when = Text("", size=th.FONT_BODY)
        # the booking stands whatever the printer does: staff reprint the slip
        self.status = PrintStatus(self, printing="delivery.done.printing", printed="delivery.done.printed",
                                  taken="next.delivery_keep_slip", failed_next="next.delivery_slip_at_counter")
        self.cont = BigButton("", action=lambda: self.delivery.finish(), size=th.FONT_TITLE)
        self.cont.min_height = 170
        self.tr(self.cont, "delivery.done.continue")
        if th.get_theme().landscape:
            self.body.remove_widget(self.title)
            self.body.add_widget(hbox(vbox(self.title, self.booked, Widget(), spacing=20),
                                      vbox(self.when, *self.status.widgets, Widget(), self.cont,
                                           spacing=20), spacing=48))
        else:
            for w in (self.booked, self.when, *self.status.widgets, Widget(), self.cont):
                self.body.add_widget(w)

    @property
    def result(self):
        return self.status.result

    @property
    def confirmation(self):
        return self.draft.confirmation if self.draft is not None else None

    def enter(self, **kw) -> None:
        if self.confirmation is None:
            return
        self.render()
        self.status.follow(self.delivery.print_slip())  # once per booking

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        conf = self.confirmation
        if conf is None:
            return
        self.tracking.text = conf.tracking_code
        self.where.text = self.app.t("delivery.done.where", ward=conf.ward, province=conf.province)
        self.when.text = self.app.t("delivery.done.when", fee=self.money(conf.fee_vnd), days=conf.estimated_days)

    def wipe(self) -> None:
        super().wipe()
        self.status.clear()
        for w in (self.tracking, self.where, self.when):
            self._tr.pop(id(w), None)
            w.text = ""
