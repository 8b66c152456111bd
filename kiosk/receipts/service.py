"""The receipt service: one method per receipt the kiosk prints, and one "print once" rule.

The journeys hand it plain values (a gateway dossier, a payment, a ``DossierInfo``...) and the
citizen's language; it builds the ``Receipt`` with the builders of ``kiosk.receipts`` (every
label from the gettext catalogs) and prints it.  Printing blocks while the printer works: the
caller runs these methods on a worker thread, never on the UI thread.

Results:

- each method returns the printer's ``PrintResult``.  A failed print (``result.ok`` False) is
  returned as it is, never raised: the printer keeps the receipt for staff to reprint, and the
  caller decides whether the citizen must be told (``ReceiptService.check`` raises it);
- without a printer every method raises ``CitizenError("printer.no_device",
  "next.collect_at_counter")`` (a ``kiosk.errors.KioskError``).

Whose receipt: with ``session_id`` (a function giving the current session's id), every print
is a ``PrintJob`` of the session that asked for it, and the printer refuses it
(``printer.session_ended``) if that session has ended by the time the printer gets to it.  The
job is taken when a method is called; work that is queued and runs later takes
``session_job()`` when it is queued and passes it as ``job=``.

"Print once": ``print_once(key, build)`` prints at most one receipt per key until ``forget()``,
which the core calls whenever the session ends.  Only successful results are remembered (a
failed print may be tried again), and only the ``PrintResult`` is kept: no personal data.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from kiosk.devices.interfaces import Printer, usable
from kiosk.devices.printer.device import PrintJob
from kiosk.devices.printer.layout import Receipt
from kiosk.errors import CitizenError
from kiosk.receipts import builders
from kiosk.receipts.builders import DeliverySlipInfo, DossierInfo, PaymentInfo, StatusInfo, TicketInfo
from kiosk.receipts.strings import labels
from kiosk.text import localized

# gateway dossier states → the status vocabulary printed on the slip (msgids receipt.status.*)
SLIP_STATUS = {"received": "received", "in_progress": "processing", "supplement_requested": "supplement",
               "result_ready": "done", "delivered": "delivered", "collected": "delivered",
               "rejected": "rejected"}


def slip_status(gateway_status: Any) -> str:
    """The slip's word for a gateway dossier state (an unknown state reads "processing")."""
    return SLIP_STATUS.get(str(gateway_status), "processing")


class ReceiptService:
    """Builds and prints the kiosk's receipts.  ``printer``: the printer device (anything with
    ``print_receipt(receipt) -> PrintResult``), None when the kiosk has none, or a function
    without arguments giving either (asked at each print: the device may be rebuilt).
    ``office`` and ``kiosk_id`` head every receipt; ``clock`` gives the printed-at time."""

    def __init__(self, printer: Any, *, office: str, kiosk_id: str,
                 clock: Callable[[], dt.datetime] | None = None, session_id: Callable[[], str] | None = None):
        self.printer = printer
        self.session_id = session_id
        self.office = office
        self.kiosk_id = kiosk_id
        self.clock = clock
        self._lock = threading.Lock()
        self._printed: dict[str, Any] = {}  # key → the PrintResult of its successful print
        self._printing: dict[str, threading.Lock] = {}  # key → held while that key prints
        self._generation = 0  # bumped by forget(): a print still running then is not remembered

    # -- printing ------------------------------------------------------------------------------

    def session_job(self) -> PrintJob | None:
        """The print job of the session at the kiosk now (None without ``session_id``)."""
        if self.session_id is None:
            return None
        return PrintJob(self.session_id(), self.session_id)

    def print(self, receipt: Receipt, job: PrintJob | None = None) -> Any:
        """Print ``receipt`` (blocking) as ``job`` (default: the current session's); the
        PrintResult, failed or not.  No printer: CitizenError."""
        job = job or self.session_job()
        printer = self.printer
        if printer is not None and not isinstance(printer, Printer) and callable(printer):
            printer = printer()  # the current one: a technician may have switched it
        printer = usable(printer, Printer)
        if printer is None:
            raise CitizenError("printer.no_device", "next.collect_at_counter")
        if job is not None and getattr(printer, "accepts_jobs", False):
            return printer.print_receipt(receipt, job=job)
        return printer.print_receipt(receipt)

    def print_once(self, key: str, build: Callable[[], Any]) -> Any:
        """Print what ``build()`` gives, unless a print under ``key`` already succeeded since the
        last ``forget()``: then that first PrintResult is returned and nothing is printed.

        ``build()`` returns the ``Receipt`` to print, or the PrintResult of one of this
        service's methods (``lambda: service.payment_receipt(...)``), which it printed.  Two
        calls with one key at the same time print once: the second waits for the first."""
        with self._lock:
            if key in self._printed:
                return self._printed[key]
            gate = self._printing.setdefault(key, threading.Lock())
            generation = self._generation
        with gate:
            with self._lock:
                if key in self._printed:
                    return self._printed[key]
            made = build()
            result = self.print(made) if isinstance(made, Receipt) else made
            if getattr(result, "ok", False):
                with self._lock:
                    if generation == self._generation:
                        self._printed[key] = result
            return result

    def printed(self, key: str) -> Any:
        """The remembered PrintResult of ``key``, or None."""
        with self._lock:
            return self._printed.get(key)

    def forget(self) -> None:
        """Forget every print remembered by ``print_once`` (the session ended)."""
        with self._lock:
            self._printed.clear()
            self._printing.clear()
            self._generation += 1

    @staticmethod
    def check(result: Any) -> Any:
        """``result`` if it printed; else the CitizenError to show (the printer's message, and
        collect the receipt at the counter)."""
        if not result.ok:
            raise CitizenError(result.message_key, result.next_step or "next.collect_at_counter", result.detail)
        return result

    # -- one method per receipt ----------------------------------------------------------------

    def _where(self, lang: str) -> dict:
        return dict(office=self.office, kiosk_id=self.kiosk_id, lang=lang,
                    printed_at=self.clock() if self.clock is not None else None)

    def status_slip(self, dossier: Any, lang: str, job: PrintJob | None = None) -> Any:
        """The status slip of a looked-up dossier (a gateway ``Dossier``): its state, the
        expected date and the history, each step in the slip's words."""
        return self.print(self.build_status_slip(dossier, lang), job)

    def build_status_slip(self, dossier: Any, lang: str) -> Receipt:
        words = labels(lang)
        timeline = list(dossier.timeline or ())
        history = [(e.at, words.get(f"status.{slip_status(e.status)}", str(e.status))) for e in timeline]
        info = StatusInfo(
            dossier_code=dossier.code, procedure_name=localized(dossier.procedure, "name", lang),
            status=slip_status(dossier.status), updated_at=timeline[-1].at if timeline else None,
            expected_date=dossier.expected_date, history=history)
        return builders.status_slip(info, **self._where(lang))

    def help_ticket(self, number: str, service: str, waiting_ahead: int, lang: str,
                    job: PrintJob | None = None) -> Any:
        """A queue ticket: the number staff will call, what the visit is for, who is ahead."""
        info = TicketInfo(number=number, service=service, waiting_ahead=max(0, int(waiting_ahead)))
        return self.print(builders.help_ticket(info, **self._where(lang)), job)

    def payment_receipt(self, dossier: Any, payment: Any, payer_name: str, lang: str,
                        job: PrintJob | None = None) -> Any:
        """The receipt of a paid fee: one line "Lệ phí: <procedure>" with the amount, the
        method, the transaction (the payment's id) and when it was paid."""
        return self.print(self.build_payment_receipt(dossier, payment, payer_name, lang), job)

    def build_payment_receipt(self, dossier: Any, payment: Any, payer_name: str, lang: str) -> Receipt:
        fee = labels(lang)["fee"]
        name = localized(getattr(dossier, "procedure", None), "name", lang)
        info = PaymentInfo(
            dossier_code=dossier.code, payer_name=payer_name or "-",
            items=((f"{fee}: {name}" if name else fee, payment.amount_vnd),),
            method=payment.method, transaction_ref=payment.id, paid_at=payment.paid_at)
        return builders.payment_receipt(info, **self._where(lang))

    def cash_ticket(self, number: str, dossier: Any, payment: Any, ahead: int, lang: str,
                    job: PrintJob | None = None) -> Any:
        """The queue ticket of a fee paid in cash at the counter: what staff match it by (the
        dossier code, the amount and the payment's id) on the service line."""
        words = labels(lang)
        service = " · ".join((words["ticket.cash"], dossier.code,
                              builders.money(payment.amount_vnd, lang), payment.id))
        return self.help_ticket(number, service, ahead, lang, job)

    def dossier_receipt(self, info: DossierInfo, lang: str, job: PrintJob | None = None) -> Any:
        """The receipt of a sent (or provisional) dossier; see ``builders.dossier_receipt``."""
        return self.print(builders.dossier_receipt(info, **self._where(lang)), job)

    def delivery_slip(self, info: DeliverySlipInfo, lang: str, job: PrintJob | None = None) -> Any:
        """The slip of a result's delivery by post; see ``builders.delivery_slip``."""
        return self.print(builders.delivery_slip(info, **self._where(lang)), job)
