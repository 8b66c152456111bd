"""The kiosk's core: settings, devices, gateway, the session and where the citizen is.

Plain Python, no Kivy.  The app gives the core a ``dispatch`` function that runs a callable on
the UI thread; everything slow (card reads, decoding, printing, HTTP) runs on the core's
worker threads and reports back through ``dispatch``, so the UI never blocks.  Tests and the
command line use the core directly with ``dispatch`` running callbacks in place.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from kiosk import journey as journeys
from kiosk.config import Settings
from kiosk.devices.base import StatusBoard
from kiosk.idle import IdlePhase, IdlePolicy
from kiosk.roles import PinGate, Role
from kiosk.session import Session
from kiosk.text import InvalidDossierCode, normalize_dossier_code

log = logging.getLogger("kiosk.core")

Dispatch = Callable[[Callable[[], None]], None]


def _direct(fn: Callable[[], None]) -> None:
    fn()


class CitizenError(Exception):
    """An error a citizen can meet: a message key and a next-step key, nothing technical."""

    def __init__(self, message_key: str, next_step: str = "next.try_again", detail: str = ""):
        super().__init__(message_key)
        self.message_key = message_key
        self.next_step = next_step
        self.detail = detail  # for staff and logs; never personal data


def citizen_error(exc: BaseException) -> CitizenError:
    """Map any failure to what the citizen is told; unknown failures say 'ask staff'."""
    if isinstance(exc, CitizenError):
        return exc
    key = getattr(exc, "message_key", None)
    if key:
        return CitizenError(key, getattr(exc, "next_step", None) or "next.try_again", type(exc).__name__)
    return CitizenError("error.unexpected", "next.ask_staff", type(exc).__name__)


class KioskCore:
    def __init__(
        self,
        settings: Settings,
        *,
        devices=None,
        gateway=None,
        dispatch: Dispatch = _direct,
        idle_clock: Callable[[], float] | None = None,
        board: StatusBoard | None = None,
    ):
        self.settings = settings
        self.board = board or (devices.board if devices is not None else StatusBoard())
        self.devices = devices
        self.gateway = gateway
        self.dispatch = dispatch
        self.session = Session(language=settings.kiosk.language)
        self.journey: journeys.Journey | None = None
        kw = {"clock": idle_clock} if idle_clock else {}
        self.idle = IdlePolicy(settings.kiosk.idle_warning_seconds, settings.kiosk.idle_reset_seconds, **kw)
        self.staff_gate = PinGate(
            settings.staff.pin_hash, settings.staff.max_attempts, settings.staff.lockout_seconds
        )
        self.technician_gate = PinGate(
            settings.technician.pin_hash, settings.technician.max_attempts, settings.technician.lockout_seconds
        )
        # slow device and gateway jobs (a card read, a print, retries) must never keep staff waiting
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kiosk-worker")
        self._listeners: list[Callable[[str, Any], None]] = []
        self._lock = threading.Lock()
        self._generation = 0  # bumps on every reset: late results of an old session are dropped
        self._scan_listener: Callable[[Any], None] | None = None
        self._catalog_cache: dict[str, list] = {}  # not personal: kept across citizens

    # -- events to the UI ---------------------------------------------------------------------

    def subscribe(self, listener: Callable[[str, Any], None]) -> None:
        """listener(event, value) on the UI thread: 'step' (a screen to show), 'wiped' (the
        journey's data is gone: screens forget it too), 'reset' (back to attract)."""
        self._listeners.append(listener)

    def _emit(self, event: str, value: Any = None) -> None:
        for listener in list(self._listeners):
            listener(event, value)

    # -- background work ----------------------------------------------------------------------

    def run_async(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[CitizenError], None],
        what: str = "task",
    ) -> Future:
        """Run ``work`` off the UI thread; its outcome comes back through ``dispatch``.

        A result that arrives after the session was reset belongs to a citizen who has gone:
        it is dropped, never shown to the next person.
        """
        generation = self._generation

        def job() -> None:
            try:
                result = work()
            except BaseException as exc:  # noqa: BLE001 - every failure becomes a value
                err = citizen_error(exc)
                log.warning("task failed", extra={"task": what, "kind": type(exc).__name__, "key": err.message_key})
                self.dispatch(lambda: generation == self._generation and on_error(err))
                return
            self.dispatch(lambda: generation == self._generation and on_done(result))

        return self._executor.submit(job)

    def _gateway_call(self, what: str, work: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[CitizenError], None]) -> Future | None:
        """``run_async`` for work that needs the gateway; a kiosk set up without one tells the
        citizen at once."""
        if self.gateway is None:
            on_error(CitizenError("gateway.unavailable", "next.ask_staff"))
            return None
        return self.run_async(work, on_done, on_error, what=what)

    @staticmethod
    def _dossier_code(raw_code: str, on_error: Callable[[CitizenError], None]) -> str | None:
        """The typed or scanned dossier code in its normal form, or None after telling why not."""
        try:
            return normalize_dossier_code(raw_code)
        except InvalidDossierCode as exc:
            on_error(CitizenError(f"lookup.invalid.{exc.reason}", "next.check_code"))
            return None

    # -- journeys -----------------------------------------------------------------------------

    @property
    def step(self) -> str:
        return self.journey.current if self.journey else "attract"

    def begin(self) -> None:
        """The citizen touched the attract screen."""
        self.idle.arm()
        self._goto("menu")

    def start_journey(self, name: str) -> str:
        if not journeys.is_available(name):
            raise journeys.JourneyError(f"journey {name} is not available")
        self.journey = journeys.Journey(name)
        self.session.journey = name
        log.info("journey started", extra={"journey": name, "session": self.session.session_id})
        self._goto(self.journey.current)
        return self.journey.current

    def next(self) -> str:
        assert self.journey is not None
        return self._goto(self.journey.next())

    def goto(self, step: str) -> str:
        assert self.journey is not None
        return self._goto(self.journey.goto(step))

    def back(self) -> str:
        if self.journey is None:
            return self._goto("menu" if self.step != "attract" else "attract")
        previous = self.journey.back()
        if previous is None:
            self.home()  # leaving the journey: what was given for it goes too
            return "menu"
        return self._goto(previous)

    def home(self) -> None:
        """Leave the journey for the menu; what was given for it is wiped."""
        self._rating_flush()  # a face given without a reason still counts
        lang = self.session.language
        self.session.wipe(language=lang)
        self._generation += 1
        self.journey = None
        self._forget_scans()
        self._emit("wiped", "home")
        self._goto("menu")

    def _goto(self, step: str) -> str:
        self.idle.touch()
        self._emit("step", step)
        return step

    def finish(self, outcome: str = "done") -> None:
        """The journey ended; log the outcome (no personal data) and return to attract."""
        log.info("journey finished", extra={"journey": self.session.journey, "outcome": outcome})
        self.reset("finished")

    def reset(self, reason: str) -> None:
        """Wipe the session and return to attract (finished, timeout, staff ended it)."""
        self._rating_flush()  # a face given without a reason still counts
        with self._lock:
            self._generation += 1
            journey = self.session.journey
            self.session.wipe(language=self.settings.kiosk.language)
            self.journey = None
            self.idle.disarm()
            self._scan_listener = None
        self.cancel_card_read()
        self._stop_source()  # the camera rests while nobody is at the kiosk
        self._forget_scans()
        log.info("session reset", extra={"reason": reason, "journey": journey})
        self._emit("reset", reason)

    def idle_tick(self) -> IdlePhase:
        status = self.idle.status()
        if status.phase is IdlePhase.EXPIRED:
            self.reset("timeout")
        return status.phase

    # -- language -----------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        self.session.language = lang

    # -- look up a dossier --------------------------------------------------------------------

    def lookup_dossier(self, raw_code: str, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Validate the typed or scanned code, then ask the gateway off the UI thread."""
        code = self._dossier_code(raw_code, on_error)
        if code is None:
            return None

        self.session.dossier_code = code

        def done(dossier: Any) -> None:
            self.session.dossier = dossier
            on_done(dossier)

        return self._gateway_call("lookup", lambda: self.gateway.lookup_dossier(code), done, on_error)

    # -- receipts -----------------------------------------------------------------------------

    # gateway dossier states → the receipt's status vocabulary (kiosk/receipts/strings.py)
    SLIP_STATUS = {"received": "received", "in_progress": "processing", "supplement_requested": "supplement",
                   "result_ready": "done", "delivered": "delivered", "collected": "delivered",
                   "rejected": "rejected"}

    def print_receipt(self, receipt, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None],
                      what: str = "print") -> Future | None:
        """Print off the UI thread.  A failed print is kept by the printer for staff to reprint;
        the citizen is told where to collect it (the result's message and next step)."""
        printer = self.devices.printer if self.devices is not None else None
        if printer is None or not hasattr(printer, "print_receipt"):
            on_error(CitizenError("printer.no_device", "next.collect_at_counter"))
            return None

        def work():
            result = printer.print_receipt(receipt)
            if not result.ok:
                raise CitizenError(result.message_key, result.next_step or "next.collect_at_counter", result.detail)
            return result

        return self.run_async(work, on_done, on_error, what=what)

    def print_status_slip(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The dossier status slip for the dossier the citizen looked up."""
        from kiosk.receipts import status_slip
        from kiosk.receipts.strings import table

        d = self.session.dossier
        if d is None or not hasattr(d, "timeline"):
            on_error(CitizenError("lookup.nothing_to_print", "next.try_again"))
            return None
        lang = self.session.language
        labels = table(lang)
        state = lambda raw: self.SLIP_STATUS.get(str(raw), "processing")  # noqa: E731
        history = [(e.at, labels.get(f"status.{state(e.status)}", str(e.status))) for e in d.timeline]
        name = getattr(d.procedure, f"name_{lang}", None) or d.procedure.name_vi
        receipt = status_slip(
            {"dossier_code": d.code, "procedure_name": name, "status": state(d.status),
             "updated_at": d.timeline[-1].at if d.timeline else None, "expected_date": d.expected_date,
             "history": history},
            office=self.settings.kiosk.location_name, kiosk_id=self.settings.kiosk.kiosk_id, lang=lang)
        return self.print_receipt(receipt, on_done, on_error, what="status-slip")

    # -- call staff ---------------------------------------------------------------------------

    def request_help(self, reason: str, label: str, on_done: Callable[[Any], None],
                     on_error: Callable[[CitizenError], None]):
        """Ask staff to come: a ticket from the gateway's help queue, printed for the citizen
        (a failed print does not stop the call: the number is on screen too)."""

        def work():
            ticket = self.gateway.create_help_request(reason)
            printed = None
            printer = self.devices.printer if self.devices is not None else None
            if printer is not None and hasattr(printer, "print_receipt"):
                from kiosk.receipts import help_ticket

                lang = self.session.language
                receipt = help_ticket({"number": ticket.ticket, "service": label,
                                       "waiting_ahead": max(0, (ticket.position or 1) - 1)},
                                      office=self.settings.kiosk.location_name,
                                      kiosk_id=self.settings.kiosk.kiosk_id, lang=lang)
                printed = printer.print_receipt(receipt).ok
            return ticket, printed

        def done(result) -> None:
            ticket, printed = result
            self.session.notes["help_ticket"] = ticket
            self.session.notes["help_printed"] = printed
            log.info("help requested", extra={"reason": reason, "ticket": ticket.ticket})
            on_done(ticket)

        return self._gateway_call("help", work, done, on_error)

    # -- the chip ID card ---------------------------------------------------------------------

    def read_identity(self, key, progress: Callable[[float, str], None], on_done: Callable[[Any], None],
                      on_error: Callable[[CitizenError], None]) -> Future | None:
        """Read the chip off the UI thread; progress and the outcome come back on the UI thread.

        Only an identity whose passive authentication did not fail is ever returned (the reader
        raises instead); it goes into the session, and is wiped with it.
        """
        reader = self.devices.card_reader if self.devices is not None else None
        if reader is None or not hasattr(reader, "read_identity"):
            on_error(CitizenError("card.no-reader", "next.ask_staff"))
            return None
        self.cancel_card_read()
        cancel = threading.Event()
        self._card_cancel = cancel
        generation = self._generation

        def report(fraction: float, step: str) -> None:
            self.dispatch(lambda: generation == self._generation and not cancel.is_set() and progress(fraction, step))

        def work():
            return reader.read_identity(key, progress=report, cancel=cancel)

        def done(identity) -> None:
            if cancel.is_set():
                identity.wipe()
                return
            if self.session.identity is not None and self.session.identity is not identity:
                self.session.identity.wipe()
            self.session.identity = identity
            log.info("identity read", extra={"access": identity.access_method, "pa": identity.pa_status})
            on_done(identity)

        return self.run_async(work, done, on_error, what="card-read")

    def cancel_card_read(self) -> None:
        cancel = getattr(self, "_card_cancel", None)
        if cancel is not None:
            cancel.set()
        self._card_cancel = None

    # -- scanning -----------------------------------------------------------------------------

    @property
    def _qr_source(self):
        return self.devices.qr_source if self.devices is not None else None

    def start_scanning(self, listener: Callable[[Any], None]) -> None:
        """Scans from now on reach ``listener(payload)`` on the UI thread, parsed and validated
        (kiosk.payloads: a dossier code, an ID-card QR, a VietQR, or unknown).  The source keeps
        running for the session (a camera takes time to open), paused between scan screens."""
        self._scan_listener = listener
        source = self._qr_source
        if source is None:
            return
        if getattr(source, "running", False):
            if hasattr(source, "resume"):
                source.resume()
            return
        from kiosk.payloads import parse_payload

        hosts = self.settings.devices.qr_lookup_hosts

        def on_scan(scan) -> None:
            generation = self._generation
            payload = parse_payload(scan.payload, hosts)
            log.info("code scanned", extra={"kind": type(payload).__name__, "decoder": scan.decoder})

            def deliver() -> None:
                listener_now = self._scan_listener
                if generation == self._generation and listener_now is not None:
                    listener_now(payload)
                elif hasattr(payload, "wipe"):
                    payload.wipe()

            self.dispatch(deliver)

        try:
            source.start(on_scan)
        except Exception:  # noqa: BLE001 - a broken scanner leaves typing available
            log.exception("QR source could not start")

    def stop_scanning(self) -> None:
        """Scans are ignored until the next ``start_scanning``; a camera stays open but stops
        decoding (no CPU spent, and nothing looked for while no screen asks)."""
        self._scan_listener = None
        source = self._qr_source
        if source is not None and hasattr(source, "pause"):
            source.pause()

    def _forget_scans(self) -> None:
        """The scanner's memory of recent codes (it reports a code held in view once) goes with
        the session: an ID card's QR is personal data, and the next citizen (or a new journey)
        showing the same receipt at once must be heard."""
        deduper = getattr(self._qr_source, "deduper", None)
        if deduper is not None:
            deduper.reset()

    def _stop_source(self) -> None:
        source = self._qr_source
        if source is not None and getattr(source, "running", False):
            try:
                source.stop()
            except Exception:  # noqa: BLE001
                log.exception("QR source did not stop cleanly")

    # -- roles --------------------------------------------------------------------------------

    @property
    def role(self) -> Role:
        return self.session.role

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.devices is not None:
            self.devices.close_all()

    # -- the gateway's catalog ----------------------------------------------------------------
    # Life events and provinces are not personal and change rarely: fetched once, kept for the
    # kiosk's life (across citizens), shared by every journey that needs them.

    def _catalog(self, name: str, fetch: Callable[[], Any], on_done: Callable[[Any], None],
                 on_error: Callable[[CitizenError], None]) -> Future | None:
        cached = self._catalog_cache.get(name)
        if cached:
            on_done(cached)
            return None

        def done(items: Any) -> None:
            self._catalog_cache[name] = list(items)
            on_done(self._catalog_cache[name])

        return self._gateway_call(f"catalog-{name}", fetch, done, on_error)

    def provinces(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The provinces the gateway accepts (submit's form and address, result delivery)."""
        return self._catalog("provinces", lambda: self.gateway.provinces(), on_done, on_error)

    # -- pay a fee ----------------------------------------------------------------------------
    # The payment journey's state lives in the session: the dossier (session.dossier), the
    # payment (session.payment) and, in session.notes, the idempotency key of each payment the
    # citizen asked for ("pay.key.<method>") so a retry never creates a second payment.

    @property
    def pay_demo(self) -> bool:
        """The embedded demo gateway: a visitor may simulate the bank's confirmation."""
        return self.settings.gateway.url == "embedded"

    def pay_lookup(self, raw_code: str, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The dossier and its fee.  Already paid → CitizenError; no fee → the dossier (the
        screen says there is nothing to pay)."""
        code = self._dossier_code(raw_code, on_error)
        if code is None:
            return None

        def work():
            dossier = self.gateway.lookup_dossier(code)
            fee = getattr(dossier, "fee", None)
            if fee is None or getattr(dossier, "provisional", False):
                raise CitizenError("pay.provisional", "next.ask_staff")
            if fee.paid and fee.amount_vnd > 0:
                raise CitizenError("pay.already_paid", "next.pay_nothing_to_pay")
            return dossier

        def done(dossier: Any) -> None:
            self.session.dossier_code = dossier.code
            self.session.dossier = dossier
            self.session.payment = None
            on_done(dossier)

        return self._gateway_call("pay-lookup", work, done, on_error)

    def pay_create(self, method: str, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None],
                   *, fresh: bool = False):
        """Create (or, on a retry, get back) the payment for the session's dossier.

        The idempotency key is kept per method for the session: the same request sent twice
        returns the first payment.  ``fresh`` (the citizen asked for a new code after the old
        one expired) starts a new key."""
        dossier = self.session.dossier
        if dossier is None:
            on_error(CitizenError("pay.no_dossier", "next.check_code"))
            return None
        from kiosk.gateway.client import new_idempotency_key

        slot = f"pay.key.{method}"
        if fresh:
            self.session.notes.pop(slot, None)
        key = self.session.notes.setdefault(slot, new_idempotency_key())
        code = dossier.code

        def work():
            from kiosk.gateway.errors import Conflict

            try:
                payment = self.gateway.create_payment(code, method, idempotency_key=key)
            except Conflict as exc:  # the gateway says there is nothing (left) to pay
                raise CitizenError("pay.already_paid", "next.pay_nothing_to_pay", type(exc).__name__) from exc
            if payment.status == "paid":
                return payment
            if payment.status != "pending":  # a replay of an expired/cancelled payment
                self.session.notes.pop(slot, None)
                raise CitizenError("pay.expired", "next.pay_new_code")
            return payment

        def done(payment: Any) -> None:
            self.session.payment = payment
            on_done(payment)

        return self.run_async(work, done, on_error, what="pay-create")

    def pay_poll(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Ask the gateway where the session's payment stands (off the UI thread)."""
        payment = self.session.payment
        if payment is None:
            return None
        pid = payment.id

        def done(p: Any) -> None:
            current = self.session.payment
            if current is not None and current.id == p.id:
                self.session.payment = p
                on_done(p)

        return self.run_async(lambda: self.gateway.payment_status(pid), done, on_error, what="pay-poll")

    def pay_demo_confirm(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Demo gateway only: the simulated bank confirms the session's payment now."""
        payment = self.session.payment
        if payment is None or not self.pay_demo:
            on_error(CitizenError("pay.no_payment", "next.ask_staff"))
            return None
        pid = payment.id

        def done(p: Any) -> None:
            self.session.payment = p
            on_done(p)

        return self.run_async(lambda: self.gateway.demo_confirm_payment(pid), done, on_error, what="pay-demo")

    def _pay_printer(self):
        printer = getattr(self.devices, "printer", None) if self.devices is not None else None
        if printer is None:
            raise CitizenError("printer.no_device", "next.collect_at_counter")
        return printer

    def pay_print_receipt(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None],
                          item_label: str = ""):
        """Print the payment receipt of the session's (paid) payment; ``on_done(PrintResult)``.
        ``item_label``: the fee line in the citizen's language (the procedure's name is added).
        Printed once per payment: coming back to the screen does not print it again."""
        from kiosk import receipts

        payment, dossier = self.session.payment, self.session.dossier
        if payment is None or dossier is None:
            on_error(CitizenError("pay.no_payment", "next.ask_staff"))
            return None
        done_key = f"pay.printed.{payment.id}"
        if done_key in self.session.notes:
            on_done(self.session.notes[done_key])
            return None
        lang = self.session.language
        identity = self.session.identity
        payer = getattr(identity, "full_name", "") or "-"
        info = receipts.PaymentInfo(
            dossier_code=dossier.code, payer_name=payer,
            items=((_pay_item_label(dossier, lang, item_label), payment.amount_vnd),),
            method=payment.method, transaction_ref=payment.id, paid_at=_local(payment.paid_at),
        )
        page = receipts.payment_receipt(info, office=self.settings.kiosk.location_name,
                                        kiosk_id=self.settings.kiosk.kiosk_id, lang=lang)

        def done(result: Any) -> None:
            self.session.notes[done_key] = result
            on_done(result)

        return self.run_async(lambda: self._pay_printer().print_receipt(page), done, on_error, what="pay-print")

    def pay_cash(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None],
                 service_label: str = "cash"):
        """Cash at the counter: a cash payment at the gateway, a place in the staff queue (a
        'payment' help request: its ticket number is what staff call and match), and the
        ticket printed.  ``service_label``: what the ticket says the visit is for, in the
        citizen's language.  ``on_done({"payment", "ticket", "ahead", "print"})``."""
        from kiosk import receipts

        lang = self.session.language

        def created(payment: Any) -> None:
            dossier = self.session.dossier

            def work():
                ticket_no, ahead = payment.id, 0
                try:
                    ticket = self.gateway.create_help_request(
                        "payment", procedure_code=dossier.procedure.code,
                        note=f"cash {payment.id} {dossier.code} {payment.amount_vnd}")
                    ticket_no, ahead = ticket.ticket, max(0, (ticket.position or 1) - 1)
                except Exception as exc:  # noqa: BLE001 - the payment id still lets staff match it
                    log.warning("help ticket for cash payment failed", extra={"kind": type(exc).__name__})
                amount = receipts.builders.money(payment.amount_vnd, lang)
                page = receipts.help_ticket(
                    receipts.TicketInfo(number=ticket_no, service=f"{service_label} · "
                                        f"{dossier.code} · {amount} · {payment.id}", waiting_ahead=ahead),
                    office=self.settings.kiosk.location_name, kiosk_id=self.settings.kiosk.kiosk_id, lang=lang)
                try:
                    result = self._pay_printer().print_receipt(page)
                except CitizenError as err:
                    result = err
                return {"payment": payment, "ticket": ticket_no, "ahead": ahead, "print": result}

            def done(outcome: dict) -> None:
                self.session.notes["pay.cash"] = outcome
                on_done(outcome)

            self.run_async(work, done, on_error, what="pay-cash")

        return self.pay_create("cash", created, on_error)

    # -- rating -------------------------------------------------------------------------------
    # Five faces at the end of a journey.  The first face tapped is final; it waits in
    # session.notes["rating"] (score, the gateway's journey name, the dossier code, one
    # idempotency key per session-journey) until the citizen picks a reason or "skip", or
    # leaves (finish, another service, timeout, staff end): then it is sent once, off the UI
    # thread, queued in the outbox when the gateway is down.  No personal data is in it.

    # kiosk journeys → the journey names the gateway's ratings accept (others: "other")
    RATING_JOURNEYS = {"lookup": "lookup", "pay": "payment", "submit": "submit", "help": "help"}

    def rating(self) -> dict | None:
        """This journey's rating so far: None, or {"score", "sent", …}."""
        return self.session.notes.get("rating")

    def rate(self, score: int) -> bool:
        """The citizen tapped a face.  False when this journey was already rated."""
        if self.rating() is not None:
            return False
        if score not in (1, 2, 3, 4, 5):
            raise ValueError(f"score {score!r} out of 1..5")
        from kiosk.gateway.client import new_idempotency_key

        journey = self.session.journey or "other"
        self.session.notes["rating"] = {
            "score": int(score), "journey": self.RATING_JOURNEYS.get(journey, "other"),
            "dossier_code": self.session.dossier_code or None, "key": new_idempotency_key(),
            "reason": None, "sent": False,
        }
        log.info("rating given", extra={"journey": journey, "score": score})
        return True

    def rate_reason(self, reason: str | None) -> Future | None:
        """A reason chip (a short key such as "too_slow"), or None for "skip": the rating goes."""
        r = self.rating()
        if r is None or r["sent"]:
            return None
        r["reason"] = reason
        return self._rating_send()

    def _rating_send(self) -> Future | None:
        r = self.rating()
        if r is None or r["sent"] or self.gateway is None:
            return None
        r["sent"] = True
        # plain values only: the session may be wiped before the worker runs
        score, journey, code, reason, key = r["score"], r["journey"], r["dossier_code"], r["reason"], r["key"]
        gateway = self.gateway

        def work():
            from kiosk.gateway.outbox import rate_or_queue

            outbox = getattr(gateway, "outbox", None)
            wait = getattr(gateway, "wait", None)
            try:
                client = wait() if wait is not None else gateway
            except Exception:  # noqa: BLE001 - the gateway service never came up: keep it for later
                if outbox is None:
                    raise
                payload = {"score": score, "journey": journey, "dossier_code": code, "comment": reason}
                return outbox.enqueue("rating", payload, idempotency_key=key)
            outbox = getattr(gateway, "outbox", None)
            if outbox is None:
                return client.rate(score, journey, dossier_code=code, comment=reason, idempotency_key=key)
            return rate_or_queue(client, outbox, score, journey, dossier_code=code, comment=reason,
                                 idempotency_key=key)

        def done(result) -> None:
            log.info("rating sent", extra={"journey": journey, "queued": not isinstance(result, int)})

        # never through run_async's generation check: a rating given just before leaving still goes
        def job():
            try:
                done(work())
            except Exception as exc:  # noqa: BLE001 - a lost rating must never reach the citizen
                log.warning("rating not sent", extra={"kind": type(exc).__name__})

        self.rating_future = self._executor.submit(job)
        return self.rating_future

    def _rating_flush(self) -> None:
        """The citizen leaves: a face without a reason is sent as it is."""
        try:
            self._rating_send()
        except Exception:  # noqa: BLE001 - leaving must never fail because of a rating
            log.exception("rating flush failed")

    # -- submit a procedure -------------------------------------------------------------------
    # The submission being built (kiosk/submit.py SubmitDraft) lives in session.notes["submit"]:
    # the procedure, form values, document photos (JPEG in bytearrays), the delivery choice,
    # one idempotency key per submission content and the gateway's answer.  session.wipe()
    # wipes it (photo bytes overwritten).  The catalog (life events, provinces) is not personal:
    # it is kept between citizens.

    def submit_draft(self):
        from kiosk.submit import SubmitDraft

        draft = self.session.notes.get("submit")
        if draft is None or draft.wiped:
            draft = self.session.notes["submit"] = SubmitDraft()
        return draft

    def submit_life_events(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        return self._catalog("life_events", lambda: self.gateway.life_events(), on_done, on_error)

    def submit_search(self, query: str, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Procedures whose names contain the typed words, accents or not (the gateway folds
        diacritics: "dang ky khai sinh" finds "Đăng ký khai sinh")."""
        from kiosk.text import fold, nfc

        q = nfc(query or "").strip()
        if len(fold(q)) < 2:
            on_error(CitizenError("submit.find.too_short", "next.submit_type_more"))
            return None
        draft = self.submit_draft()

        def done(page) -> None:
            draft.query, draft.life_event, draft.results = q, None, list(page.items)
            log.info("procedures searched", extra={"found": len(page.items)})
            on_done(draft.results)

        return self._gateway_call("submit-search", lambda: self.gateway.search_procedures(q), done, on_error)

    def submit_browse(self, event, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The procedures of one life event (``LifeEvent``)."""
        draft = self.submit_draft()

        def done(page) -> None:
            draft.query, draft.life_event, draft.results = "", event, list(page.items)
            on_done(draft.results)

        return self._gateway_call("submit-browse", lambda: self.gateway.list_procedures(life_event=event.id, limit=100),
                                  done, on_error)

    def submit_choose(self, code: str, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The procedure's details (documents, fees, form schema) become the draft's."""
        def done(procedure) -> None:
            self.submit_draft().choose(procedure)
            self.session.procedure = procedure
            on_done(procedure)

        return self._gateway_call("submit-procedure", lambda: self.gateway.get_procedure(code), done, on_error)

    def submit_province_names(self) -> list[str]:
        """The provinces' names as the gateway lists them (once fetched), for form fields
        that ask for a province."""
        return [p.name for p in self._catalog_cache.get("provinces") or ()]

    def submit_identify(self) -> str:
        """From the details to the form: through the chip ID card unless it was read (and
        consent given) already in this session."""
        if self.session.identity is not None and self.session.consent_given:
            return self.goto("submit_form")
        return self.goto("identify_key")

    def submit_prepare_form(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The form's fields, with the draft's values prefilled from the chip the first time
        (provinces are needed to read the residence on the card)."""
        from datetime import datetime, timezone

        from kiosk import submit

        draft = self.submit_draft()
        if draft.procedure is None:
            on_error(CitizenError("submit.no_procedure", "next.ask_staff"))
            return None
        if draft.consent_at is None and self.session.consent_given:
            draft.consent_at = datetime.now(timezone.utc).replace(microsecond=0)
        fields = submit.form_fields(draft.procedure)

        def fill(provinces) -> None:
            if not draft.values:
                draft.values.update(submit.prefill(fields, self.session.identity, provinces))
            on_done(fields)

        def no_provinces(err: CitizenError) -> None:
            fill(())  # no address from the card then; the rest still works

        return self.provinces(fill, no_provinces)

    def submit_check_form(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """Keep the typed values; the problems found, (field, message key) per field."""
        from kiosk import submit

        draft = self.submit_draft()
        draft.values.clear()
        draft.values.update({k: v for k, v in values.items() if v})
        return submit.problems(draft.procedure, submit.form_fields(draft.procedure), draft.values)

    def submit_forward(self) -> str:
        """Continue from a step: back to the review when the citizen came from its "change"."""
        draft = self.submit_draft()
        if draft.reviewing:
            draft.reviewing = False
            return self.goto("submit_review")
        return self.next()

    def submit_change(self, step: str) -> str:
        """A "change" link on the review page."""
        self.submit_draft().reviewing = True
        return self.goto(step)

    @property
    def submit_has_camera(self) -> bool:
        """A document camera (a real or simulated camera; not a HID or serial scanner)."""
        source = self._qr_source
        return getattr(source, "source_name", "") in ("camera", "simulated")

    def submit_start_camera(self) -> None:
        """Keep the camera running for the preview; codes it happens to read are ignored."""
        def ignore(payload) -> None:
            if hasattr(payload, "wipe"):
                payload.wipe()

        self.start_scanning(ignore)

    def submit_capture(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Photograph a page of the document the photo step shows: the camera's latest frame,
        its quality hint (OpenCV) and its JPEG bytes, worked out off the UI thread."""
        from kiosk import submit

        draft = self.submit_draft()
        docs = draft.photo_documents
        if not docs:
            on_error(CitizenError("submit.photo.no_frame", "next.submit_photo_again"))
            return None
        slot = docs[min(draft.doc_at, len(docs) - 1)]
        if len(slot.pages) >= submit.MAX_PAGES_PER_DOCUMENT or draft.page_count >= submit.MAX_PAGES:
            on_error(CitizenError("submit.photo.too_many", "next.submit_photo_enough"))
            return None
        source = self._qr_source

        def work():
            view = source.preview() if source is not None else None
            if view is None or view[0] is None:
                raise CitizenError("submit.photo.no_frame", "next.submit_photo_again")
            return submit.capture(view[0])

        def done(photo) -> None:
            if slot not in draft.documents:  # the procedure changed meanwhile
                photo.wipe()
                return
            slot.pages.append(photo)
            log.info("document page photographed", extra={"hint": photo.hint, "bytes": len(photo.data)})
            on_done(photo)

        return self.run_async(work, done, on_error, what="submit-photo")

    def submit_retake(self) -> None:
        """The last page of the shown document goes (its bytes overwritten)."""
        draft = self.submit_draft()
        docs = draft.photo_documents
        if docs:
            slot = docs[min(draft.doc_at, len(docs) - 1)]
            if slot.pages:
                slot.pages.pop().wipe()

    def submit_send(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Send the dossier off the UI thread: to the gateway, or into the offline outbox when
        the gateway is down (a ProvisionalReceipt with a TAM- reference).  One idempotency
        key per submission content, kept in the draft: a retry never files it twice."""
        from datetime import datetime, timezone

        from kiosk import submit
        from kiosk.gateway.client import new_idempotency_key

        draft = self.submit_draft()
        if draft.sent:
            on_done(draft.receipt)
            return None
        identity = self.session.identity
        if identity is None or draft.procedure is None:
            on_error(CitizenError("submit.no_identity", "next.ask_staff"))
            return None
        digest = draft.digest()
        if draft.idempotency_key is None or draft.sent_digest != digest:
            draft.idempotency_key = new_idempotency_key()
            draft.submitted_at = datetime.now(timezone.utc).replace(microsecond=0)
            draft.sent_digest = digest
        key, gateway, code = draft.idempotency_key, self.gateway, draft.procedure.code

        def work():
            from kiosk.gateway.errors import GatewayError
            from kiosk.gateway.outbox import submit_or_queue

            submission = submit.build_submission(draft, identity)
            client = gateway.wait() if hasattr(gateway, "wait") else gateway
            outbox = getattr(gateway, "outbox", None)
            if outbox is not None:
                receipt = submit_or_queue(client, outbox, submission, key)
            else:
                receipt = client.submit_dossier(submission, key)
            dossier = None
            if hasattr(receipt, "code"):
                try:  # what the pay steps show; without it the receipt still prints
                    dossier = gateway.lookup_dossier(receipt.code)
                except GatewayError as exc:
                    log.warning("new dossier not found right away", extra={"kind": type(exc).__name__})
            return receipt, dossier

        def done(result) -> None:
            receipt, dossier = result
            draft.receipt = receipt
            self.session.dossier_code = draft.reference
            self.session.dossier = dossier
            self.session.payment = None
            log.info("dossier submitted", extra={"procedure": code, "provisional": draft.provisional,
                                                 "pages": draft.page_count})
            on_done(receipt)

        return self._gateway_call("submit-send", work, done, on_error)

    def submit_fee(self) -> int:
        """The fee of the sent dossier (the gateway's word), else the procedure's."""
        draft = self.submit_draft()
        for source in (self.session.dossier, draft.receipt):
            fee = getattr(source, "fee", None)
            if fee is not None:
                return int(fee.amount_vnd)
        return draft.fee_vnd

    def submit_to_pay(self) -> bool:
        """Whether the citizen pays now: a fee, a dossier the gateway knows, not paid yet."""
        draft = self.submit_draft()
        dossier = self.session.dossier
        if draft.provisional or dossier is None or self.submit_fee() <= 0:
            return False
        return not dossier.fee.paid

    def submit_sent(self) -> str:
        """The dossier was sent: the way back to editing closes (it cannot be sent again)."""
        step = self.goto("submit_sent")
        self.journey.history.clear()
        return step

    def submit_continue(self) -> str:
        """After the sent screen: pay the fee, or straight to the dossier receipt."""
        return self.goto("pay_amount" if self.submit_to_pay() else "submit_receipt")

    def submit_print_receipt(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None], *,
                             pages_text: Callable[[int], str] = lambda n: f"{n}", provisional_note: str = ""):
        """Print the dossier receipt (once per dossier): the code (or the provisional
        reference), the procedure, the applicant (ID number masked by the builder), the
        documents, the fee and whether it was paid, the date and where the result goes.
        ``pages_text(n)``: "n pages" in the citizen's language; ``provisional_note``: the line
        a provisional receipt adds under its reference."""
        import dataclasses

        from kiosk import receipts
        from kiosk.receipts.layout import Text as PaperText
        from kiosk.submit import localized

        draft, identity = self.submit_draft(), self.session.identity
        if not draft.sent:
            on_error(CitizenError("submit.not_sent", "next.ask_staff"))
            return None
        done_key = f"submit.printed.{draft.reference}"
        if done_key in self.session.notes:
            on_done(self.session.notes[done_key])
            return None
        lang = self.session.language
        fee = self.submit_fee()
        payment = self.session.payment
        status = "exempt" if fee <= 0 else ("paid" if getattr(payment, "status", "") == "paid" or
                                            getattr(getattr(self.session.dossier, "fee", None), "paid", False)
                                            else "unpaid")
        documents = [f"{slot.name(lang)} ({pages_text(len(slot.pages))})" for slot in draft.documents if slot.pages]
        delivery = draft.delivery
        if delivery.get("method") == "post":
            address = ", ".join(p for p in (delivery.get("street"), delivery.get("ward"),
                                            delivery.get("province_name")) if p)
        else:
            address = self.settings.kiosk.location_name
        info = receipts.DossierInfo(
            code=draft.reference, procedure_name=localized(draft.procedure, "name", lang),
            citizen_name=getattr(identity, "full_name", "") or "-", id_number=getattr(identity, "id_number", ""),
            documents=documents, fee_vnd=fee, payment_status=status,
            expected_date=getattr(draft.receipt, "expected_date", None),
            delivery="post" if delivery.get("method") == "post" else "pickup", result_address=address,
            procedure_code=draft.procedure.code)
        page = receipts.dossier_receipt(info, office=self.settings.kiosk.location_name,
                                        kiosk_id=self.settings.kiosk.kiosk_id, lang=lang)
        if draft.provisional and provisional_note:
            elements = list(page.elements)
            at = next((i for i, e in enumerate(elements) if getattr(e, "value", None) == draft.reference), 0) + 1
            elements.insert(at, PaperText(provisional_note, "bold"))
            page = dataclasses.replace(page, elements=tuple(elements))

        def done(result: Any) -> None:
            if getattr(result, "ok", False):
                self.session.notes[done_key] = result
            on_done(result)

        return self.run_async(lambda: self._pay_printer().print_receipt(page), done, on_error, what="submit-print")

    # -- result delivery by post --------------------------------------------------------------
    # A finished dossier's result posted to an address.  session.dossier is the dossier;
    # session.delivery holds what the citizen gave (recipient, phone, Address) and the booking:
    # "code" (the dossier it is for), "key" (the booking's idempotency key, kept for the
    # session: a retry never books twice) and "confirmation".  Wiped with the session.

    # Shown before booking (the contract has no quote call): the demo gateway's flat tariff
    # for posting a result, which its booking answer confirms.  The confirmation's figures are
    # the ones shown and printed afterwards.
    DELIVERY_QUOTE = {"fee_vnd": 25000, "estimated_days": 2}

    def delivery_check(self, dossier: Any) -> CitizenError | None:
        """Why this dossier's result cannot be posted from here, or None when it can."""
        if not hasattr(dossier, "timeline"):  # a provisional reference: not even sent yet
            return CitizenError("delivery.not_ready", "next.delivery_when_ready")
        status = str(getattr(dossier.status, "value", dossier.status))
        if status == "rejected":
            return CitizenError("delivery.rejected", "next.ask_staff")
        if status in ("delivered", "collected"):
            return CitizenError("delivery.handed_over", "next.delivery_ask_if_missing")
        if status != "result_ready":
            return CitizenError("delivery.not_ready", "next.delivery_when_ready")
        info = getattr(dossier, "delivery", None)
        if info is not None and getattr(info, "method", "") == "post":
            tracking = getattr(info, "tracking_code", None)
            if tracking:
                return CitizenError("delivery.already_booked", "next.delivery_tracking", tracking)
            return CitizenError("delivery.already_booked", "next.delivery_chosen_at_submission")
        return None

    def delivery_lookup(self, raw_code: str, on_done: Callable[[Any], None],
                        on_error: Callable[[CitizenError], None]):
        """The dossier for the code, if its result can be posted (off the UI thread)."""
        code = self._dossier_code(raw_code, on_error)
        if code is None:
            return None

        def work():
            dossier = self.gateway.lookup_dossier(code)
            refusal = self.delivery_check(dossier)
            if refusal is not None:
                raise refusal
            return dossier

        def done(dossier: Any) -> None:
            self.session.dossier_code = dossier.code
            self.session.dossier = dossier
            d = self.session.delivery
            if d.get("code") != dossier.code:  # another dossier: a new booking, a new key
                for slot in ("code", "key", "confirmation", "booked_with", "printed"):
                    d.pop(slot, None)
                d["code"] = dossier.code
            log.info("delivery dossier found", extra={"status": str(dossier.status)})
            on_done(dossier)

        return self._gateway_call("delivery-lookup", work, done, on_error)

    def delivery_recipient_from_card(self) -> str:
        """The name on the chip when the citizen identified in this session, else ""."""
        identity = self.session.identity
        return str(getattr(identity, "full_name", "") or "") if identity is not None else ""

    def delivery_set_address(self, recipient: str, phone: str, address: Any) -> None:
        """What the citizen typed on the address screen (an Address: province, ward, street)."""
        d = self.session.delivery
        d["recipient"], d["phone"], d["address"] = recipient.strip(), phone.strip(), address

    def delivery_book(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Book the posting of the session's dossier's result (off the UI thread).

        The idempotency key stays in the session: tapping confirm again, or after a time-out,
        gets the first booking back.  A booking is never queued offline: with the gateway
        down the citizen is told to try again later or ask staff."""
        dossier, d = self.session.dossier, self.session.delivery
        if dossier is None or not d.get("address"):
            on_error(CitizenError("delivery.nothing_to_book", "next.ask_staff"))
            return None
        address, name, phone = d["address"], d["recipient"], d["phone"]
        body = (address.province, address.ward, address.street, name, phone)
        confirmation = d.get("confirmation")
        if confirmation is not None:
            if d.get("booked_with") == body:
                on_done(confirmation)
            else:  # booked already, to the address first given: not a second time
                on_error(CitizenError("delivery.already_booked", "next.delivery_tracking",
                                      confirmation.tracking_code))
            return None
        from kiosk.gateway.client import new_idempotency_key

        key = d.setdefault("key", new_idempotency_key())
        code = dossier.code

        def work():
            from kiosk.gateway import errors as E
            from kiosk.gateway.service import GatewayNotReady

            try:
                return self.gateway.book_delivery(code, address, name, phone, idempotency_key=key)
            except (E.GatewayUnavailable, E.GatewayTimeout, GatewayNotReady) as exc:
                raise CitizenError("delivery.not_booked", "next.delivery_try_later", type(exc).__name__) from exc
            except E.Conflict as exc:
                raise CitizenError("delivery.conflict", "next.ask_staff", type(exc).__name__) from exc
            except E.InvalidRequest as exc:
                raise CitizenError("delivery.invalid_address", "next.check_input", type(exc).__name__) from exc

        def done(conf: Any) -> None:
            d["confirmation"], d["booked_with"] = conf, body
            log.info("delivery booked", extra={"booking": conf.booking_id, "tracking": conf.tracking_code})
            on_done(conf)

        return self.run_async(work, done, on_error, what="delivery-book")

    def delivery_print_slip(self, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """The delivery slip of the session's booking, printed once (``on_done(PrintResult)``).
        A failed print stays with the printer for staff to reprint: the booking stands."""
        from kiosk import receipts

        dossier, d = self.session.dossier, self.session.delivery
        conf = d.get("confirmation")
        if conf is None or dossier is None:
            on_error(CitizenError("delivery.nothing_to_book", "next.ask_staff"))
            return None
        if d.get("printed") is not None:
            on_done(d["printed"])
            return None
        lang = self.session.language
        proc = getattr(dossier, "procedure", None)
        name = (getattr(proc, f"name_{lang}", None) or getattr(proc, "name_vi", "")) if proc else ""
        page = receipts.delivery_slip(
            receipts.DeliverySlipInfo(
                dossier_code=conf.dossier_code, tracking_code=conf.tracking_code, procedure_name=name,
                recipient_name=d.get("recipient", ""), phone=d.get("phone", ""), ward=conf.ward,
                province=conf.province, fee_vnd=conf.fee_vnd, estimated_days=conf.estimated_days),
            office=self.settings.kiosk.location_name, kiosk_id=self.settings.kiosk.kiosk_id, lang=lang)

        def done(result: Any) -> None:
            d["printed"] = result
            on_done(result)

        return self.run_async(lambda: self._pay_printer().print_receipt(page), done, on_error,
                              what="delivery-print")


def _local(when):
    """A gateway time (UTC) as the kiosk's local wall time, for paper."""
    if when is None:
        return None
    if getattr(when, "tzinfo", None) is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when.replace(microsecond=0)


def _pay_item_label(dossier, lang: str, label: str) -> str:
    proc = getattr(dossier, "procedure", None)
    name = (getattr(proc, f"name_{lang}", None) or getattr(proc, "name_vi", None) or "") if proc else ""
    if label and name:
        return f"{label}: {name}"
    return label or name or "-"
