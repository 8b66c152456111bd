"""Pay a fee: the dossier's code → (the chip ID card, unless the citizen is known) → the amount
→ VietQR (polled until the bank confirms) or cash at the counter → paid, the receipt printed →
done.  The submit journey runs the same steps after sending a dossier with a fee.

Rules that live here:
- only the dossier's applicant pays for it: the gateway wants proof (``applicant_proof``), the
  claim code when the code came from scanning the dossier receipt's QR, else the ID number
  read from the chip in this session, else staff's check of the citizen's document (staff
  confirm on the citizen's behalf from the identify step, with the staff PIN); with none, the
  citizen goes through the identify steps first and comes back to the amount; a proof the
  gateway refuses is explained (a refused staff check is forgotten: staff may check again);
- a provisional dossier, or one already paid, is not paid again; a rejected one is never paid;
- one idempotency key per method for the session: the same request sent twice returns the
  first payment; a new code after expiry starts a new key;
- while a VietQR code is on screen the gateway is asked every ``POLL_SECONDS``; a code the
  gateway calls expired or cancelled, or one ``EXPIRY_LAG`` seconds past its time without an
  answer, is expired (the citizen may ask for a new one);
- cash: a cash payment at the gateway, a place in the staff queue (a "payment" help request:
  its ticket number is what staff call and match) and the ticket printed;
- the payment receipt prints once per payment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kiosk.core import CitizenError, KioskError, Task
from kiosk.core.flow import Flow, Stage
from kiosk.gateway.client import new_idempotency_key
from kiosk.gateway.errors import ApplicantProofRefused, Conflict
from kiosk.gateway.models import ApplicantProof, Dossier
from kiosk.journeys import identify
from kiosk.journeys.base import JourneyService, code_task

log = logging.getLogger("kiosk.journeys.pay")

POLL_SECONDS = 2.0
EXPIRY_LAG = 15.0  # the gateway's answer may lag the clock this long before the code is no good

# a dossier the agency refused ("Không được giải quyết") is never charged: the kiosk takes no
# fee for it, whatever the gateway would still accept
NO_FEE_STATUSES = ("rejected",)

STEPS = ("pay_amount", "pay_qr", "pay_done", "pay_cash")


def pay_transitions(after: str) -> dict[tuple[str, str], str]:
    """The pay steps' transitions inside a journey whose next step after paying is ``after``."""
    return {("pay_amount", "vietqr"): "pay_qr", ("pay_amount", "paid"): "pay_done",
            ("pay_amount", "cash"): "pay_cash", ("pay_qr", "paid"): "pay_done",
            ("pay_amount", "finish"): after, ("pay_done", "finish"): after, ("pay_cash", "finish"): after}


FLOW = Flow("pay", ("pay_code", *identify.STEPS, *STEPS, "done"),  # after consent: on to the amount
            {("pay_code", "found"): "pay_amount", ("pay_code", "identify"): "identify_key",
             ("identify_key", identify.STAFF_EVENT): "pay_amount", **pay_transitions("done")},
            stages=(Stage("stage.code", ("pay_code",)), identify.STAGE, Stage("stage.amount", ("pay_amount",)),
                    Stage("stage.payment", ("pay_qr", "pay_cash")), Stage("stage.receipt", ("pay_done",))))


def applicant_proof(session, claim_code: str | None = None) -> ApplicantProof | None:
    """What shows the gateway the citizen acts for a dossier's applicant (one kind only): the
    claim code from the scanned dossier receipt, else the ID number the chip gave in this
    session (consent given), else staff's check of the citizen's document made in this
    session, else None."""
    if claim_code:
        return ApplicantProof(claim_code=claim_code)
    identity = session.identity
    number = getattr(identity, "id_number", "") if identity is not None and session.consent_given else ""
    if number:
        return ApplicantProof(id_number=number)
    draft = session.peek(identify.IdentifyDraft)
    check = draft.staff_check if draft is not None else None
    return ApplicantProof(staff_check=check) if check is not None else None


STAFF_CHECK_REFUSED = "identify.staff_check_refused"


def proof_refused(journey: str, exc: ApplicantProofRefused, proof: ApplicantProof | None = None) -> CitizenError:
    """The gateway's 403 as the citizen hears it: identify first, or not your dossier (staff's
    check refused: the number staff typed is not the applicant's; see ``forget_refused``)."""
    if not exc.missing and proof is not None and proof.staff_check is not None:
        return CitizenError(STAFF_CHECK_REFUSED, "next.staff_check_again", type(exc).__name__)
    key = f"{journey}.identify_first" if exc.missing else f"{journey}.not_applicant"
    return CitizenError(key, "next.identify_or_receipt", type(exc).__name__)


def forget_refused(core) -> Callable[[KioskError], None]:
    """An error callback: a staff check the gateway refused is forgotten (on the UI thread), so
    the identify step offers the card and staff's confirmation again."""

    def forget(err: KioskError) -> None:
        if getattr(err, "message_key", "") == STAFF_CHECK_REFUSED:
            core.journeys.identify.drop_staff_check()

    return forget


@dataclass(repr=False, eq=False)
class PayDraft:
    dossier: Any = None  # the gateway's Dossier being paid for
    payment: Any = None  # the gateway's Payment
    keys: dict[str, str] = field(default_factory=dict)  # method → idempotency key
    claim_code: str | None = None  # from the scanned dossier receipt: proof for this dossier
    cash: dict | None = None  # {"payment", "ticket", "ahead", "print"} once cash was chosen
    polling: bool = False
    expired: bool = False
    poll_error: KioskError | None = None

    def wipe(self) -> None:
        self.dossier = self.payment = self.cash = self.poll_error = self.claim_code = None
        self.keys.clear()
        self.polling = self.expired = False


class PayService(JourneyService[PayDraft]):
    name = "pay"
    Draft = PayDraft
    flow = FLOW

    def __init__(self, core):
        super().__init__(core)
        self._polled_at = 0.0
        self._asking = False
        core.on_tick(self._tick)
        core.on_wipe(lambda _reason: self._stopped())
        # the code is asked about only while it is on screen: leaving its step stops the polling
        core.subscribe(lambda event, step: event == "step" and step != "pay_qr" and self._left_code())

    @property
    def dossier_code(self) -> str | None:
        d = self.existing
        return d.dossier.code if d is not None and d.dossier is not None else None

    # -- the dossier ----------------------------------------------------------------------------

    def find(self, raw_code: str, claim_code: str | None = None) -> Task:
        """The dossier and its fee (a dossier with nothing to pay shows so on the next step);
        ``claim_code``: the one the scanned dossier receipt carried with the code.  Without
        it, and without the chip read in this session, the identify steps come first."""

        def work(gateway, code: str):
            dossier = gateway.lookup_dossier(code)
            if not isinstance(dossier, Dossier):  # a provisional reference: not filed yet
                raise CitizenError("pay.provisional", "next.ask_staff")
            if dossier.status in NO_FEE_STATUSES:  # nothing will be done for it: nothing is taken
                raise CitizenError("pay.rejected", "next.ask_staff")
            if dossier.fee.paid and dossier.fee.amount_vnd > 0:
                raise CitizenError("pay.already_paid", "next.pay_nothing_to_pay")
            return dossier

        return code_task(raw_code, lambda code: self.gateway_call(lambda gw: work(gw, code), "find")
                         .then(lambda dossier: self._found(dossier, claim_code)))

    def _found(self, dossier: Any, claim_code: str | None = None) -> None:
        self.take(dossier)
        self.draft.claim_code = claim_code
        nothing_to_pay = dossier.fee.amount_vnd == 0  # shown as such: no payment, no proof needed
        self.move("found" if nothing_to_pay or self.proof() is not None else "identify")

    def proof(self) -> ApplicantProof | None:
        """What the gateway is shown to let this citizen pay (see ``applicant_proof``)."""
        d = self.existing
        return applicant_proof(self.core.session, d.claim_code if d is not None else None)

    def take(self, dossier: Any) -> None:
        """The dossier to pay for (the submit journey hands over the one it just sent)."""
        d = self.draft
        d.dossier, d.payment, d.cash, d.expired, d.claim_code = dossier, None, None, False, None

    @property
    def fee(self) -> int:
        d = self.existing
        return int(d.dossier.fee.amount_vnd) if d is not None and d.dossier is not None else 0

    # -- VietQR ---------------------------------------------------------------------------------

    def _create(self, method: str, fresh: bool = False) -> Task:
        d = self.draft
        if d.dossier is None:
            return Task.failed(CitizenError("pay.no_dossier", "next.check_code"))
        if getattr(d.dossier, "status", "") in NO_FEE_STATUSES:
            return Task.failed(CitizenError("pay.rejected", "next.ask_staff"))
        if fresh:
            d.keys.pop(method, None)
        key = d.keys.setdefault(method, new_idempotency_key())
        code, proof = d.dossier.code, self.proof()

        def work(gateway):
            try:
                payment = gateway.create_payment(code, method, idempotency_key=key, proof=proof)
            except Conflict as exc:  # the gateway says there is nothing (left) to pay
                raise CitizenError("pay.already_paid", "next.pay_nothing_to_pay", type(exc).__name__) from exc
            except ApplicantProofRefused as exc:
                raise proof_refused("pay", exc, proof) from exc
            if payment.status not in ("paid", "pending"):  # a replay of an expired/cancelled payment
                d.keys.pop(method, None)
                raise CitizenError("pay.expired", "next.pay_new_code")
            return payment

        def keep(payment: Any) -> Any:
            d.payment, d.expired, d.poll_error = payment, False, None
            return payment

        return self.gateway_call(work, f"create-{method}").then(keep, forget_refused(self.core))

    def vietqr(self) -> Task:
        """A VietQR code for the fee (or, on a retry, the same one): on to the code, or straight
        to "paid" when the gateway says it is paid already."""
        return self._create("vietqr").then(lambda p: self.move("paid" if p.status == "paid" else "vietqr"))

    def new_code(self) -> Task:
        """The old code expired: a new payment, a new code (asked about from now on)."""
        return self._create("vietqr", fresh=True).then(lambda _p: (self.start_polling(), self.changed()))

    def remaining(self) -> float:
        """Seconds the code on screen is still good for."""
        d = self.existing
        if d is None or d.payment is None:
            return 0.0
        return (d.payment.expires_at - datetime.now(UTC)).total_seconds()

    def start_polling(self) -> None:
        """The code is on screen: ask the gateway where it stands until it is paid or expired;
        no "more time?" question over a valid code (paying on a phone takes a while).  A code
        the gateway already calls expired or cancelled is expired: nothing to ask."""
        d = self.draft
        d.expired = d.payment is None or d.payment.status in ("expired", "cancelled")
        if d.expired:
            self._stopped()
            return
        d.polling = True
        self._polled_at = time.monotonic()
        self.core.idle.hold(self.remaining())

    def stop_polling(self) -> None:
        self._stopped()
        self.core.idle.release()

    def _stopped(self) -> None:
        d = self.existing
        if d is not None and d.polling:
            self.core.idle.release()  # the code is no longer live: idle timing resumes
            d.polling = False
        self._asking = False

    def _left_code(self) -> None:
        d = self.existing
        if d is not None and d.polling:
            self.stop_polling()

    def _tick(self) -> None:
        d = self.existing
        if d is None or not d.polling or self._asking:
            return
        since = time.monotonic() - self._polled_at
        # every POLL_SECONDS; once the code's time is up, every second until the gateway says
        if since >= POLL_SECONDS or (since >= 1.0 and self.remaining() <= 0):
            self.poll()

    def poll(self) -> Task | None:
        """Ask the gateway where the payment stands (off the UI thread)."""
        d = self.existing
        if d is None or d.payment is None or self._asking:
            return None
        self._asking, self._polled_at = True, time.monotonic()
        pid = d.payment.id

        def answered(payment: Any) -> None:
            self._asking = False
            self._status(payment)

        return self.gateway_call(lambda gw: gw.payment_status(pid), "poll").then(answered, self._poll_failed)

    def _status(self, payment: Any) -> None:
        """Where the payment on screen stands, as the gateway says."""
        d = self.existing
        if d is None or d.payment is None or d.payment.id != payment.id or not d.polling:
            return
        d.payment, d.poll_error = payment, None
        if payment.status == "paid":
            self._paid()
            return
        if payment.status in ("expired", "cancelled") or self.remaining() < -EXPIRY_LAG:
            self.stop_polling()
            d.expired = True
        self.changed()

    def _poll_failed(self, err: KioskError) -> None:
        # the code stays on screen (the bank may still confirm); the citizen sees we are retrying
        self._asking = False
        d = self.existing
        if d is not None and d.polling:
            d.poll_error = CitizenError(err.message_key, "next.pay_still_checking")
            self.changed()

    def _paid(self) -> None:
        self.stop_polling()
        if self.core.step != "pay_qr":  # told twice (a poll and the demo bank at once)
            return
        self.core.close_way_back()
        self.core.advance("paid")

    def demo_confirm(self) -> Task:
        """Demo gateway only: the simulated bank confirms the payment now."""
        d = self.existing
        payment = d.payment if d is not None else None
        if payment is None or not self.core.demo:
            return Task.failed(CitizenError("pay.no_payment", "next.ask_staff"))
        pid, proof = payment.id, self.proof()

        def done(p: Any) -> None:
            self.draft.payment = p
            if p.status == "paid":
                self._paid()
            else:
                self._status(p)

        def work(gateway):
            try:
                return gateway.demo_confirm_payment(pid, proof=proof)
            except ApplicantProofRefused as exc:
                raise proof_refused("pay", exc, proof) from exc

        return self.gateway_call(work, "demo").then(done, forget_refused(self.core))

    # -- cash at the counter -------------------------------------------------------------------

    def cash(self) -> Task:
        """A cash payment, a place in the staff queue, the ticket printed."""
        receipts, lang = self.core.receipts, self.lang

        def queue(payment: Any) -> Task:
            dossier = self.draft.dossier

            def work(gateway) -> dict:
                number, ahead = payment.id, 0
                try:
                    ticket = gateway.create_help_request(
                        "payment", procedure_code=dossier.procedure.code,
                        note=f"cash {payment.id} {dossier.code} {payment.amount_vnd}")
                    number, ahead = ticket.ticket, max(0, (ticket.position or 1) - 1)
                except Exception as exc:  # noqa: BLE001 - the payment id still lets staff match it
                    log.warning("help ticket for cash payment failed", extra={"kind": type(exc).__name__})
                if receipts is None:
                    result: Any = CitizenError("printer.no_device", "next.collect_at_counter")
                else:
                    try:
                        result = receipts.cash_ticket(number, dossier, payment, ahead, lang)
                    except KioskError as err:
                        result = err
                return {"payment": payment, "ticket": number, "ahead": ahead, "print": result}

            def done(outcome: dict) -> None:
                self.draft.cash = outcome
                self.move("cash")

            return self.gateway_call(work, "cash").then(done)

        return self._create("cash").chain(queue)

    def settled(self, payment: Any) -> None:
        """Staff confirmed the cash: the payment as the gateway now has it."""
        d = self.existing
        if d is not None and d.payment is not None and d.payment.id == payment.id:
            d.payment = payment
            self.changed()

    # -- paid ----------------------------------------------------------------------------------

    def print_receipt(self) -> Task:
        """The payment receipt ("Biên lai thu phí, lệ phí"), printed once per payment."""
        d, lang = self.draft, self.lang
        payment, dossier = d.payment, d.dossier
        if payment is None or dossier is None:
            return Task.failed(CitizenError("pay.no_payment", "next.ask_staff"))
        identity = self.core.session.identity
        payer = getattr(identity, "full_name", "") or "-"
        return self.print_once(f"payment:{payment.id}",
                               lambda r: r.payment_receipt(dossier, payment, payer, lang), "receipt")

    def finish(self) -> None:
        """On from the pay steps (the next step of the journey they are part of)."""
        self.core.advance("finish")
