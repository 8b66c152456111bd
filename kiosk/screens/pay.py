"""Pay a fee: the dossier code → the fee and how to pay → the VietQR code (asked about until
the bank confirms) → paid, receipt printed; or cash: a ticket for the counter.

The screens show the pay journey's draft (``app.journeys.pay``, kiosk/journeys/pay.py, which
does the work off the UI thread, keeps the rules and moves the citizen on) and forward touches.
They render again when the service says the payment changed (its "pay" event).
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk import vietqr
from kiosk.core import CitizenError
from kiosk.screens.base import KioskScreen
from kiosk.screens.lookup import LookupCodeScreen
from kiosk.text import localized
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, content_panel, hbox, info_panel, vbox
from kiosk.widgets.printstatus import PrintStatus
from kiosk.widgets.qrcode import QrCode

# NAPAS member banks a citizen recognises by name (BIN → short name); others show the BIN
BANKS = {
    "970436": "Vietcombank", "970418": "BIDV", "970415": "VietinBank", "970405": "Agribank",
    "970422": "MB", "970407": "Techcombank", "970432": "VPBank", "970416": "ACB",
}


class PayScreen(KioskScreen):
    """A pay step: the pay service at hand, and a render when the payment changes."""

    def __init__(self, app, **kw):
        super().__init__(app, **kw)
        app.core.subscribe(lambda event, _value: event == "pay" and self.shown and self.refresh())

    @property
    def pay(self):
        return self.app.journeys.pay

    @property
    def draft(self):
        """The pay draft, or None when this session has none (reading never makes one)."""
        return self.pay.existing

    @property
    def shown(self) -> bool:
        return self.manager is not None and self.manager.current == self.name

    def refresh(self) -> None:
        """The pay service says the payment changed."""
        self.render()

    def render(self) -> None:
        pass


# -- 1. the code --------------------------------------------------------------------------------


class PayCodeScreen(LookupCodeScreen):
    """The look-up code screen (keys, scanning) asking the gateway for the fee instead."""

    title_key = "pay.title"
    subtitle_key = "pay.subtitle"
    fold_subtitle = True  # a message (a rejection's is long) takes the subtitle's height

    def find(self, code: str):
        return self.app.journeys.pay.find(code, self.claim_code)

    def _failed(self, err: CitizenError) -> None:
        super()._failed(err)
        if err.message_key == "pay.already_paid":  # good news, not a fault: no red box
            self.show_notice(err.message_key, err.next_step, container=self.form)


# -- 2. the fee and how to pay ------------------------------------------------------------------


class PayAmountScreen(PayScreen):
    title_key = "pay.amount.title"

    def build(self) -> None:
        t = th.get_theme()
        self.busy = False
        self.summary = content_panel(spacing=12)
        self.code_text = Text("", size=th.FONT_BODY, role="muted")
        self.procedure = Text("", size=th.FONT_HEADING, bold=True)
        self.summary.add_widget(self.code_text)
        self.summary.add_widget(self.procedure)
        self.fee = info_panel(spacing=8)  # information, not a button
        self.fee_label = Text("", size=th.FONT_BODY)
        self.amount = Text("", size=th.FONT_DISPLAY, role="primary", bold=True)
        self.fee.add_widget(self.fee_label)
        self.fee.add_widget(self.amount)
        self.vietqr = BigButton("", action=self.pay_vietqr, size=th.FONT_HEADING)
        self.vietqr.min_height = 170
        self.cash = BigButton("", action=self.pay_cash, kind="secondary", size=th.FONT_HEADING)
        self.cash.min_height = 170
        self.finish = BigButton("", action=lambda: self.pay.finish(), size=th.FONT_TITLE)
        self.finish.min_height = 170
        self.tr(self.finish, "pay.no_fee.finish")
        self.actions = vbox(spacing=24)
        self.actions.size_hint_y = None
        self.actions.bind(minimum_height=self.actions.setter("height"))
        if t.landscape:
            self.body.remove_widget(self.title)
            left = vbox(self.title, self.summary, self.fee, Widget(), spacing=20)
            right = vbox(Widget(), self.actions, spacing=20)
            self.body.add_widget(hbox(left, right, spacing=48))
            self.form = right
        else:
            for w in (self.summary, self.fee, Widget(), self.actions):
                self.body.add_widget(w)
            self.form = self.body

    def _error_index(self, target) -> int:
        return target.children.index(self.actions) + 1 if self.actions in target.children else 0

    def enter(self, **kw) -> None:
        self.hide_error()
        self.set_busy(False)
        self.render()

    def on_relabel(self) -> None:
        if self.draft is not None and self.draft.dossier is not None:
            self.render()

    def render(self) -> None:
        d = self.draft.dossier if self.draft is not None else None
        self.actions.clear_widgets()
        if d is None:
            return
        lang = self.app.translator.lang
        self.code_text.text = self.app.t("status.code", code=d.code)
        self.procedure.text = localized(d.procedure, "name", lang)
        if d.fee.amount_vnd <= 0:
            self.fee_label.text = self.app.t("pay.no_fee")
            self.amount.text = self.app.t("pay.no_fee.amount")
            self.actions.add_widget(self.finish)
            return
        self.fee_label.text = self.app.t("pay.amount.label")
        self.amount.text = self.money(d.fee.amount_vnd)
        self.actions.add_widget(self.vietqr)
        self.actions.add_widget(self.cash)

    def set_busy(self, busy: bool, which: str = "") -> None:
        self.busy = busy
        self.tr(self.vietqr, "pay.working" if busy and which == "vietqr" else "pay.method.vietqr")
        self.tr(self.cash, "pay.working" if busy and which == "cash" else "pay.method.cash")
        self.vietqr.disabled = self.cash.disabled = busy

    def pay_vietqr(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.set_busy(True, "vietqr")
        self.pay.vietqr().then(self._done, self._failed)  # the service moves on to the code

    def pay_cash(self) -> None:
        if self.busy:
            return
        self.hide_error()
        self.set_busy(True, "cash")
        self.pay.cash().then(self._done, self._failed)  # the service moves on to the ticket

    def _done(self, _result) -> None:
        self.set_busy(False)

    def _failed(self, err: CitizenError) -> None:
        self.set_busy(False)
        self.show_error(err, container=self.form)

    def wipe(self) -> None:
        super().wipe()
        self.set_busy(False)
        self.actions.clear_widgets()
        self.code_text.text = self.procedure.text = self.fee_label.text = self.amount.text = ""


# -- 3. the VietQR code -------------------------------------------------------------------------


class PayQrScreen(PayScreen):
    title_key = "pay.qr.title"

    def build(self) -> None:
        t = th.get_theme()
        self._tick_event = None
        self.qr = QrCode(size_hint=(None, None))
        self.qr_box = Panel(orientation="vertical", padding=t.px(12), role="surface", size_hint_y=None)
        self.qr_box.add_widget(self.qr)
        self.amount = Text("", size=th.FONT_DISPLAY, role="primary", bold=True, halign="center")
        self.beneficiary = Text("", size=th.FONT_SMALL, role="muted", halign="center")
        self.countdown = Text("", size=th.FONT_BODY, bold=True, halign="center")
        self.demo = BigButton("", action=self.demo_confirm, kind="quiet", size=th.FONT_SMALL)
        self.demo.min_height = 100
        self.tr(self.demo, "pay.qr.demo_confirm")
        self.new_code = BigButton("", action=self.get_new_code, size=th.FONT_TITLE)
        self.new_code.min_height = 170
        self.tr(self.new_code, "pay.qr.new_code")
        self.expired_panel = content_panel(role="surface", border_role="error", spacing=12)
        self.expired_text = Text("", size=th.FONT_HEADING, role="error", bold=True, halign="center")
        self.expired_next = Text("", size=th.FONT_BODY, halign="center")
        self.tr(self.expired_text, "pay.expired")
        self.tr(self.expired_next, "next.pay_new_code")
        self.expired_panel.add_widget(self.expired_text)
        self.expired_panel.add_widget(self.expired_next)
        self.controls = vbox(spacing=20)
        self.controls.size_hint_y = None
        self.controls.bind(minimum_height=self.controls.setter("height"))
        self.qr_slot = hbox(Widget(), self.qr_box, Widget(), spacing=0, size_hint_y=None)
        self.qr_box.size_hint_x = None
        if t.landscape:
            self.body.remove_widget(self.title)
            self.title.halign = "left"
            right = vbox(self.title, self.amount, self.beneficiary, self.countdown, Widget(), self.controls, spacing=20)
            self.amount.halign = self.beneficiary.halign = self.countdown.halign = "left"
            self.stage = vbox(Widget(), self.qr_slot, Widget(), spacing=0, size_hint_x=None)
            self.body.add_widget(hbox(self.stage, right, spacing=56))
            self.form = right
        else:
            self.title.halign = "center"
            self.stage = vbox(self.qr_slot, spacing=0, size_hint_y=None)
            for w in (self.stage, self.amount, self.beneficiary, self.countdown, Widget(), self.controls):
                self.body.add_widget(w)
            self.form = self.body
        self._size_code()
        t.bind(text_scale=self._size_code, unit=self._size_code)

    def _size_code(self, *_) -> None:
        """The code as large as the layout allows: smaller in large-text mode, so the amount,
        the countdown and the buttons stay on screen with it (still about 480 px at 1.5x)."""
        t = th.get_theme()
        side = (720 if t.landscape else 740) * (0.7 if t.text_scale > 1 else 1.0)
        self.qr_box.height = self.qr_box.width = self.qr_slot.height = t.px(side)
        self.qr.size = (t.px(side - 24), t.px(side - 24))
        if t.landscape:
            self.stage.width = t.px(side)
        else:
            self.stage.height = t.px(side)

    def _error_index(self, target) -> int:
        return target.children.index(self.controls) + 1 if self.controls in target.children else 0

    # -- showing ----------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        """The gateway is being asked about the code on screen (the pay service does it)."""
        d = self.draft
        return d is not None and d.polling

    @property
    def expired(self) -> bool:
        d = self.draft
        return d is not None and d.expired

    def enter(self, **kw) -> None:
        self.hide_error()
        self.pay.start_polling()
        self.render()
        self._start_countdown()

    def on_leave(self, *args) -> None:
        self._stop_countdown()
        if self.polling:  # the service stops when its step is left; a staff screen over it too
            self.pay.stop_polling()

    def on_relabel(self) -> None:
        if self.draft is not None and self.draft.payment is not None:
            self.render()

    def refresh(self) -> None:
        """The payment changed (an answer from the gateway, a new code): the code or the expired
        message, and whether the last question to the gateway failed."""
        self.render()
        d = self.draft
        if d is not None and d.poll_error is not None:
            self.show_error(d.poll_error, container=self.form)
        else:
            self.hide_error()

    def render(self) -> None:
        d = self.draft
        payment = d.payment if d is not None else None
        if payment is None:
            return
        expired = d.expired
        self.amount.text = self.money(payment.amount_vnd)
        self.beneficiary.text = "" if expired else self._beneficiary(payment)
        self.controls.clear_widgets()
        self._show_slot(expired)
        if expired:
            self.countdown.text = ""
            self.controls.add_widget(self.new_code)
        else:
            self.qr.payload = payment.qr_payload or ""
            self._tick()
            if self.core.demo:
                self.controls.add_widget(self.demo)

    def _show_slot(self, expired: bool) -> None:
        """The code, or in its place the "expired" message."""
        slot = self.qr_slot
        if expired:
            self.qr.payload = ""
            if self.expired_panel.parent is None:
                slot.clear_widgets()
                slot.add_widget(self.expired_panel)
        elif self.qr_box.parent is None:
            slot.clear_widgets()
            for w in (Widget(), self.qr_box, Widget()):
                slot.add_widget(w)

    def _beneficiary(self, payment) -> str:
        try:
            q = vietqr.parse(payment.qr_payload or "")
        except vietqr.VietQrError:
            return ""
        d = self.draft.dossier if self.draft is not None else None
        name = q.merchant_name or (localized(d, "agency", self.app.translator.lang) if d is not None else "")
        bank = BANKS.get(q.bank_bin, q.bank_bin)
        return self.app.t("pay.qr.beneficiary", name=name or "-", account=q.account, bank=bank, purpose=q.purpose)

    # -- the countdown (the pay service asks the gateway, on the core's clock) -------------

    def _start_countdown(self) -> None:
        self._stop_countdown()
        self._tick_event = Clock.schedule_interval(self._tick, 1.0)

    def _stop_countdown(self) -> None:
        if self._tick_event is not None:
            self._tick_event.cancel()
        self._tick_event = None

    def _tick(self, *_) -> None:
        d = self.draft
        if d is None or d.expired or d.payment is None:
            return
        left = max(0, int(self.pay.remaining()))
        self.countdown.text = self.app.t("pay.qr.expires_in", time=f"{left // 60:02d}:{left % 60:02d}")

    # -- actions ----------------------------------------------------------------------------

    def demo_confirm(self) -> None:
        self.demo.disabled = True
        self.pay.demo_confirm().then(self._demo_done, self._demo_failed)  # paid: on to the receipt

    def _demo_done(self, _payment) -> None:
        self.demo.disabled = False

    def _demo_failed(self, err: CitizenError) -> None:
        self.demo.disabled = False
        self.show_error(err, container=self.form)

    def get_new_code(self) -> None:
        self.new_code.disabled = True
        self.hide_error()
        self.pay.new_code().then(self._new_code_done, self._new_code_failed)  # the service shows it

    def _new_code_done(self, _payment) -> None:
        self.new_code.disabled = False

    def _new_code_failed(self, err: CitizenError) -> None:
        self.new_code.disabled = False
        self.show_error(err, container=self.form)

    def wipe(self) -> None:
        super().wipe()
        self._stop_countdown()
        self.qr.payload = ""
        self.amount.text = self.beneficiary.text = self.countdown.text = ""
        self.controls.clear_widgets()


# -- 4. paid ------------------------------------------------------------------------------------


class PayDoneScreen(PayScreen):
    title_key = "pay.done.title"

    def build(self) -> None:
        self.paid = content_panel(role="ok", spacing=10)
        self.paid_label = Text("", size=th.FONT_BODY, role="on_primary")
        self.tr(self.paid_label, "pay.done.paid")
        self.amount = Text("", size=th.FONT_DISPLAY, role="on_primary", bold=True)
        self.code_text = Text("", size=th.FONT_BODY, role="on_primary")
        for w in (self.paid_label, self.amount, self.code_text):
            self.paid.add_widget(w)
        self.status = PrintStatus(self, printing="pay.done.printing", printed="pay.done.printed",
                                  taken="next.pay_take_receipt")
        self.cont = BigButton("", action=lambda: self.pay.finish(), size=th.FONT_TITLE)
        self.cont.min_height = 170
        self.tr(self.cont, "pay.continue")
        for w in (self.paid, *self.status.widgets, Widget(), self.cont):
            self.body.add_widget(w)

    @property
    def result(self):
        return self.status.result

    def enter(self, **kw) -> None:
        if self.payment is None:
            return
        self.render()
        self.status.follow(self.pay.print_receipt())  # once per payment

    @property
    def payment(self):
        return self.draft.payment if self.draft is not None else None

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        payment = self.payment
        if payment is not None:
            self.amount.text = self.money(payment.amount_vnd)
            self.code_text.text = self.app.t("status.code", code=payment.dossier_code)

    def wipe(self) -> None:
        super().wipe()
        self.status.clear()
        for w in (self.amount, self.code_text):
            self._tr.pop(id(w), None)
            w.text = ""


# -- cash at the counter ------------------------------------------------------------------------


class PayCashScreen(PayScreen):
    title_key = "pay.cash.title"

    def build(self) -> None:
        self.ticket = info_panel(pad=20 if th.get_theme().landscape else 28, spacing=6)  # information, not a button
        self.ticket_label = Text("", size=th.FONT_BODY, halign="center")
        self.tr(self.ticket_label, "pay.cash.ticket")
        self.number = Text("", size=th.FONT_DISPLAY, role="primary", bold=True, halign="center")
        self.ticket.add_widget(self.ticket_label)
        self.ticket.add_widget(self.number)
        self.go = Text("", size=th.FONT_HEADING, bold=True)
        self.status = PrintStatus(self, printing="pay.done.printing", printed="pay.cash.printed",
                                  taken="next.pay_take_ticket", failed_next="next.pay_tell_counter",
                                  size=th.FONT_BODY)
        self.finish = BigButton("", action=lambda: self.pay.finish(), size=th.FONT_TITLE)
        self.finish.min_height = 170
        self.tr(self.finish, "pay.continue")
        for w in (self.ticket, self.go, *self.status.widgets, Widget(), self.finish):
            self.body.add_widget(w)

    def enter(self, **kw) -> None:
        self.render()

    def on_relabel(self) -> None:
        self.render()

    def render(self) -> None:
        outcome = self.draft.cash if self.draft is not None else None
        if not outcome:
            return
        payment = outcome["payment"]
        self.number.text = outcome["ticket"]
        self.go.text = self.app.t("pay.cash.go", amount=self.money(payment.amount_vnd))
        self.status.result = None
        self.status.show(outcome["print"], ticket=outcome["ticket"])

    def wipe(self) -> None:
        super().wipe()
        self.status.clear()
        for w in (self.number, self.go):
            w.text = ""
