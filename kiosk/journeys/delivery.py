"""Result delivery by post: a finished dossier's code → (the chip ID card, unless the citizen is
known) → recipient, phone and address → summary, fee, confirm → booked: the tracking code and
the slip → done.

Rules that live here:
- only a dossier whose result is ready, and not booked or handed over already, goes on;
- only the dossier's applicant has its result posted: the booking carries proof (the claim code
  of the scanned dossier receipt, else the ID number the chip gave in this session, else
  staff's check of the citizen's document, made with the staff PIN from the identify step);
  with none, the identify steps come first and then the address; a refused proof is explained
  (a refused staff check is forgotten: staff may check again);
- the booking's idempotency key stays in the draft: tapping confirm again, or after a time-out,
  gets the first booking back; another dossier means a new booking and a new key; a second
  booking to a different address is refused;
- a booking is never queued offline: with the gateway down the citizen is told to try later;
- the slip prints once per booking; a failed print stays with the printer for staff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.core import CitizenError, Task
from kiosk.core.flow import Flow, Stage
from kiosk.gateway import errors as E
from kiosk.gateway.client import new_idempotency_key
from kiosk.gateway.models import Dossier
from kiosk.gateway.service import GatewayNotReady
from kiosk.journeys import identify
from kiosk.journeys.base import JourneyService, code_task
from kiosk.journeys.pay import applicant_proof, forget_refused, proof_refused
from kiosk.receipts import DeliverySlipInfo
from kiosk.text import localized
from kiosk.units import from_residence

log = logging.getLogger("kiosk.journeys.delivery")

FLOW = Flow("delivery", ("delivery_code", *identify.STEPS,  # after consent: on to the address
                         "delivery_address", "delivery_confirm", "delivery_done", "done"),
            {("delivery_code", "found"): "delivery_address", ("delivery_code", "identify"): "identify_key",
             ("identify_key", identify.STAFF_EVENT): "delivery_address",
             ("delivery_confirm", "booked"): "delivery_done"},
            stages=(Stage("stage.code", ("delivery_code",)), identify.STAGE,
                    Stage("stage.address", ("delivery_address",)), Stage("stage.confirm", ("delivery_confirm",)),
                    Stage("stage.booked", ("delivery_done",))))

# Shown before booking (the contract has no quote call): the demo gateway's flat tariff for
# posting a result, which its booking answer confirms.  The confirmation's figures are the
# ones shown and printed afterwards.
QUOTE = {"fee_vnd": 25000, "estimated_days": 2}


@dataclass(repr=False, eq=False)
class DeliveryDraft:
    dossier: Any = None
    recipient: str = ""
    phone: str = ""
    address: Any = None  # kiosk.gateway.models.Address: province, ward, street
    key: str | None = None  # the booking's idempotency key
    confirmation: Any = None  # the gateway's DeliveryConfirmation
    booked_with: tuple | None = None
    claim_code: str | None = None  # from the scanned dossier receipt: proof for this dossier

    def wipe(self) -> None:
        self.dossier = self.address = self.confirmation = self.booked_with = self.key = self.claim_code = None
        self.recipient = self.phone = ""


def refusal(dossier: Any) -> CitizenError | None:
    """Why this dossier's result cannot be posted from here, or None when it can."""
    if not isinstance(dossier, Dossier):  # a provisional reference: not even sent yet
        return CitizenError("delivery.not_ready", "next.delivery_when_ready")
    status = dossier.status
    if status == "rejected":
        return CitizenError("delivery.rejected", "next.ask_staff")
    if status in ("delivered", "collected"):
        return CitizenError("delivery.handed_over", "next.delivery_ask_if_missing")
    if status != "result_ready":
        return CitizenError("delivery.not_ready", "next.delivery_when_ready")
    info = dossier.delivery
    if info.method == "post":
        if info.tracking_code:
            return CitizenError("delivery.already_booked", "next.delivery_tracking", info.tracking_code)
        return CitizenError("delivery.already_booked", "next.delivery_chosen_at_submission")
    return None


class DeliveryService(JourneyService[DeliveryDraft]):
    name = "delivery"
    Draft = DeliveryDraft
    flow = FLOW
    quote = QUOTE

    @property
    def dossier_code(self) -> str | None:
        d = self.existing
        return d.dossier.code if d is not None and d.dossier is not None else None

    def find(self, raw_code: str, claim_code: str | None = None) -> Task:
        """The dossier for the code, if its result can be posted (off the UI thread);
        ``claim_code``: the one the scanned dossier receipt carried.  Without it, and without
        the chip read in this session, the identify steps come first."""

        def work(gateway, code: str):
            dossier = gateway.lookup_dossier(code)
            refused = refusal(dossier)
            if refused is not None:
                raise refused
            return dossier

        return code_task(raw_code, lambda code: self.gateway_call(lambda gw: work(gw, code), "find")
                         .then(lambda dossier: self._found(dossier, claim_code)))

    def _found(self, dossier: Any, claim_code: str | None = None) -> None:
        d = self.draft
        if self.dossier_code != dossier.code:  # another dossier: a new booking, a new key
            d.key = d.confirmation = d.booked_with = None
        d.dossier, d.claim_code = dossier, claim_code
        log.info("delivery dossier found", extra={"status": str(dossier.status)})
        self.move("found" if self.proof() is not None else "identify")

    def proof(self):
        """What the gateway is shown to book this citizen's delivery (``pay.applicant_proof``)."""
        d = self.existing
        return applicant_proof(self.core.session, d.claim_code if d is not None else None)

    def recipient_from_card(self) -> str:
        """The name on the chip when the citizen identified in this session, else ""."""
        identity = self.core.session.identity
        return str(getattr(identity, "full_name", "") or "") if identity is not None else ""

    def residence(self, provinces: list[str]) -> Task:
        """The address on the chip ID card read in this session in today's two levels
        (``kiosk.units.Residence``, the province as ``provinces`` names it), or None: worked out
        off the UI thread (the units' tables take a moment to load the first time)."""
        identity = self.core.session.identity
        text = str(getattr(identity, "residence", "") or "") if identity is not None else ""
        if not text or not self.core.session.consent_given:
            return Task.resolved(None)
        return self.run(lambda: from_residence(text, list(provinces)), "residence")

    def set_address(self, recipient: str, phone: str, address: Any) -> None:
        """What the citizen gave on the address screen: on to the summary."""
        d = self.draft
        d.recipient, d.phone, d.address = recipient.strip(), phone.strip(), address
        self.core.advance()

    def book(self) -> Task:
        """Book the posting of the dossier's result (off the UI thread)."""
        d = self.draft
        if d.dossier is None or not d.address:
            return Task.failed(CitizenError("delivery.nothing_to_book", "next.ask_staff"))
        address, name, phone = d.address, d.recipient, d.phone
        body = (address.province, address.ward, address.street, name, phone)
        if d.confirmation is not None:
            if d.booked_with == body:
                return Task.resolved(d.confirmation).then(lambda _c: self.move("booked"))
            # booked already, to the address first given: not a second time
            return Task.failed(CitizenError("delivery.already_booked", "next.delivery_tracking",
                                            d.confirmation.tracking_code))
        key = d.key = d.key or new_idempotency_key()
        code, proof = d.dossier.code, self.proof()

        def work(gateway):
            try:
                return gateway.book_delivery(code, address, name, phone, idempotency_key=key, proof=proof)
            except E.ApplicantProofRefused as exc:
                raise proof_refused("delivery", exc, proof) from exc
            except (E.GatewayUnavailable, E.GatewayTimeout, GatewayNotReady) as exc:
                raise CitizenError("delivery.not_booked", "next.delivery_try_later", type(exc).__name__) from exc
            except E.Conflict as exc:
                raise CitizenError("delivery.conflict", "next.ask_staff", type(exc).__name__) from exc
            except E.InvalidRequest as exc:
                raise CitizenError("delivery.invalid_address", "next.check_input", type(exc).__name__) from exc

        def booked(conf: Any) -> None:
            d.confirmation, d.booked_with = conf, body
            log.info("delivery booked", extra={"booking": conf.booking_id, "tracking": conf.tracking_code})
            self.core.close_way_back()
            self.move("booked")

        return self.gateway_call(work, "book").then(booked, forget_refused(self.core))

    def print_slip(self) -> Task:
        """The delivery slip of the booking, printed once (the result is a PrintResult)."""
        d, lang = self.draft, self.lang
        conf, dossier = d.confirmation, d.dossier
        if conf is None or dossier is None:
            return Task.failed(CitizenError("delivery.nothing_to_book", "next.ask_staff"))
        info = DeliverySlipInfo(
            dossier_code=conf.dossier_code, tracking_code=conf.tracking_code,
            procedure_name=localized(dossier.procedure, "name", lang),
            recipient_name=d.recipient, phone=d.phone, ward=conf.ward, province=conf.province,
            fee_vnd=conf.fee_vnd, estimated_days=conf.estimated_days)
        return self.print_once(f"delivery:{conf.booking_id}", lambda r: r.delivery_slip(info, lang), "slip")

    def finish(self) -> None:
        self.core.advance()
