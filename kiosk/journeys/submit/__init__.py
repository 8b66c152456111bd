"""Submit a procedure: find it (search, or browse by life event) → details → the chip ID card
(the identify steps; skipped when already read) → form → photos → pick-up or post → review →
sent (no way back to editing) → pay (skipped without a fee, or when the receipt is
provisional) → the dossier receipt → done.

Where the rules live: ``draft.py`` (what the citizen builds, the missing-documents rule),
``form.py`` (fields, validation, what the chip fills in), ``photos.py`` (page quality),
``send.py`` (the submission the gateway receives); this module moves the citizen along.
Rules here: a "change" link from the review comes back to the review; one idempotency key
per submission content (a retry never files it twice); a gateway that is down gives a
provisional receipt (the gateway service queues the dossier); the receipt prints once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from kiosk.core import CitizenError, KioskCore, Task
from kiosk.core.flow import Flow, Stage
from kiosk.gateway.client import new_idempotency_key
from kiosk.gateway.errors import GatewayError
from kiosk.journeys import identify, pay
from kiosk.journeys.base import JourneyService
from kiosk.journeys.catalog import Catalog
from kiosk.journeys.delivery import QUOTE as POST_QUOTE
from kiosk.journeys.submit.draft import HINT_OK, MAX_PAGES, MAX_PAGES_PER_DOCUMENT, DocumentSlot, SubmitDraft
from kiosk.journeys.submit.form import FormField, form_fields, prefill, problems
from kiosk.journeys.submit.photos import capture
from kiosk.journeys.submit.send import build_submission
from kiosk.receipts import DossierInfo
from kiosk.text import fold, localized, nfc
from kiosk.units import from_residence

log = logging.getLogger("kiosk.journeys.submit")

EDITABLE = {"form": "submit_form", "photos": "submit_photos", "delivery": "submit_delivery"}

FLOW = Flow(
    "submit",
    ("submit_find", "submit_events", "submit_list", "submit_details", *identify.STEPS,
     "submit_form", "submit_photos", "submit_delivery", "submit_review", "submit_sent",
     *pay.STEPS, "submit_receipt", "done"),
    {("submit_find", "listed"): "submit_list", ("submit_find", "events"): "submit_events",
     ("submit_events", "listed"): "submit_list", ("submit_list", "events"): "submit_events",
     ("submit_list", "chosen"): "submit_details",
     ("submit_details", "identify"): "identify_key", ("submit_details", "identified"): "submit_form",
     **{(step, "review"): "submit_review" for step in EDITABLE.values()},
     **{("submit_review", f"change_{part}"): step for part, step in EDITABLE.items()},
     ("submit_review", "sent"): "submit_sent",
     ("submit_sent", "pay"): "pay_amount", ("submit_sent", "no_fee"): "submit_receipt",
     **pay.pay_transitions("submit_receipt")},
    stages=(Stage("stage.choose", ("submit_find", "submit_events", "submit_list", "submit_details")), identify.STAGE,
            Stage("stage.form", ("submit_form",)), Stage("stage.documents", ("submit_photos",)),
            Stage("stage.result", ("submit_delivery",)), Stage("stage.review", ("submit_review",)),
            Stage("stage.fee_receipt", ("submit_sent", *pay.STEPS, "submit_receipt"))))


class SubmitService(JourneyService[SubmitDraft]):
    name = "submit"
    Draft = SubmitDraft
    flow = FLOW

    def __init__(self, core: KioskCore, catalog: Catalog, identify_service: identify.IdentifyService,
                 pay_service: pay.PayService):
        super().__init__(core)
        self.catalog = catalog
        self.identify = identify_service
        self.pay = pay_service

    @property
    def dossier_code(self) -> str | None:
        d = self.existing
        return d.reference or None if d is not None else None

    # -- finding the procedure ---------------------------------------------------------------

    def search(self, query: str) -> Task:
        """Procedures whose names contain the typed words, accents or not (the gateway folds
        diacritics: "dang ky khai sinh" finds "Đăng ký khai sinh")."""
        q = nfc(query or "").strip()
        if len(fold(q)) < 2:
            return Task.failed(CitizenError("submit.find.too_short", "next.submit_type_more"))

        def found(page: Any) -> None:
            d = self.draft
            d.query, d.life_event, d.results = q, None, list(page.items)
            log.info("procedures searched", extra={"found": len(page.items)})

        return self.gateway_call(lambda gw: gw.search_procedures(q), "search").then(found).then(self.mover("listed"))

    def show_life_events(self) -> None:
        self.core.advance("events")

    def life_events(self) -> Task:
        return self.catalog.life_events()

    def browse(self, event: Any) -> Task:
        """The procedures of one life event (``LifeEvent``)."""

        def listed(page: Any) -> None:
            d = self.draft
            d.query, d.life_event, d.results = "", event, list(page.items)

        return self.gateway_call(lambda gw: gw.list_procedures(life_event=event.id, limit=100),
                                 "browse").then(listed).then(self.mover("listed"))

    def choose(self, code: str) -> Task:
        """The procedure's details (documents, fees, form schema) become the draft's."""

        return self.gateway_call(lambda gw: gw.get_procedure(code), "procedure").then(
            self.draft.choose).then(self.mover("chosen"))

    def start(self) -> None:
        """From the details to the form: through the chip ID card unless it was read (and
        consent given) already in this session."""
        self.core.advance("identified" if self.identify.identified else "identify")

    # -- the form ----------------------------------------------------------------------------

    def prepare_form(self) -> Task:
        """The form's fields, with the draft's values prefilled from the chip the first time
        (provinces are needed to read the residence on the card)."""
        d = self.draft
        if d.procedure is None:
            return Task.failed(CitizenError("submit.no_procedure", "next.ask_staff"))
        if d.consent_at is None and self.core.session.consent_given:
            d.consent_at = datetime.now(UTC).replace(microsecond=0)
        fields = form_fields(d.procedure)
        identity = self.core.session.identity

        def fill(provinces: Any) -> list[FormField]:
            if not d.values:
                d.values.update(prefill(fields, identity, provinces))
            return fields

        # without the provinces there is no address from the card; the rest still works
        return self.catalog.provinces().recover(lambda _err: ()).chain(lambda items: Task.resolved(fill(items)))

    def province_names(self) -> list[str]:
        return self.catalog.province_names()

    def name_words(self) -> list[str]:
        """Words a child's or relative's name likely shares with the names on the card (the
        family names first), offered while the citizen types a name."""
        identity = self.core.session.identity
        if identity is None:
            return []
        names = [str(getattr(identity, k, "") or "") for k in ("full_name", "father", "mother", "spouse")]
        family = [n.split()[0] for n in names if n.split()]
        given = [w for n in names for w in n.split()[1:]]
        return list(dict.fromkeys(family + given))

    def place_words(self) -> list[str]:
        """Words a place of birth or death is often written with, and the card's province."""
        identity = self.core.session.identity
        residence = str(getattr(identity, "residence", "") or "") if identity is not None else ""
        province = residence.split(",")[-1].strip() if residence else ""
        words = ["Bệnh viện", "Trạm y tế", "Nhà hộ sinh", "Phụ sản", "Đa khoa", "tại nhà"]
        return words + ([province] if province else [])

    def keep_values(self, values: dict[str, str]) -> None:
        """What is typed on the form is kept (checked only on Continue), unless it was sent.
        A session without a draft (it was reset meanwhile) gets none from this."""
        d = self.core.session.drafts.get(SubmitDraft)
        if d is not None and not d.wiped and not d.sent:
            d.values.clear()
            d.values.update({k: v for k, v in values.items() if v})

    def check_form(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """Keep the typed values; the problems found, (field, message key) per field.  None
        found: on to the next step."""
        d = self.draft
        self.keep_values(values)
        found = problems(d.procedure, form_fields(d.procedure), d.values, self.core.session.identity)
        if not found:
            self.forward()
        return found

    def forward(self) -> None:
        """Continue from a step: back to the review when the citizen came from its "change"."""
        d = self.draft
        if d.reviewing:
            d.reviewing = False
            self.core.advance("review")
        else:
            self.core.advance()

    def change(self, part: str) -> None:
        """A "change" link on the review page (``part``: form, photos or delivery)."""
        self.draft.reviewing = True
        self.core.advance(f"change_{part}")

    # -- document photos ---------------------------------------------------------------------

    @property
    def has_camera(self) -> bool:
        return self.core.scanning.has_camera

    def start_camera(self) -> None:
        """Keep the camera running for the preview; codes it happens to read are ignored."""
        self.core.scanning.start_preview()

    def stop_camera(self) -> None:
        self.core.scanning.pause()

    @property
    def slot(self) -> DocumentSlot | None:
        """The document the photo step shows."""
        d = self.existing
        docs = d.photo_documents if d is not None else []
        if not docs:
            return None
        d.doc_at = max(0, min(d.doc_at, len(docs) - 1))
        return docs[d.doc_at]

    def capture(self) -> Task:
        """Photograph a page of the shown document: the camera's latest frame, its quality hint
        and its JPEG bytes, worked out off the UI thread."""
        d, slot = self.draft, self.slot
        if slot is None:
            return Task.failed(CitizenError("submit.photo.no_frame", "next.submit_photo_again"))
        if len(slot.pages) >= MAX_PAGES_PER_DOCUMENT or d.page_count >= MAX_PAGES:
            return Task.failed(CitizenError("submit.photo.too_many", "next.submit_photo_enough"))
        scanning = self.core.scanning

        def work():
            view = scanning.preview()
            if view is None or view[0] is None:
                raise CitizenError("submit.photo.no_frame", "next.submit_photo_again")
            return capture(view[0])

        def keep(photo: Any) -> Any:
            if slot not in d.documents:  # the procedure changed meanwhile
                photo.wipe()
                return photo
            slot.drop_pending()
            if photo.hint != HINT_OK:  # too dark, blurred, no page: the citizen decides first
                slot.pending = photo
                log.info("document photo with a problem", extra={"hint": photo.hint})
                return photo
            slot.pages.append(photo)
            log.info("document page photographed", extra={"hint": photo.hint, "bytes": len(photo.data)})
            return photo

        return self.run(work, "photo").then(keep)

    def retake(self) -> None:
        """The photo with a problem goes, else the last page of the shown document (its bytes
        overwritten)."""
        slot = self.slot
        if slot is not None and slot.pending is not None:
            slot.drop_pending()
        elif slot is not None and slot.pages:
            slot.pages.pop().wipe()

    def keep_anyway(self) -> None:
        """The photo with a problem counts as a page after all (the citizen chose so)."""
        d, slot = self.draft, self.slot
        if slot is None or slot.pending is None:
            return
        if len(slot.pages) >= MAX_PAGES_PER_DOCUMENT or d.page_count >= MAX_PAGES:
            slot.drop_pending()
            raise CitizenError("submit.photo.too_many", "next.submit_photo_enough")
        slot.pages.append(slot.pending)
        slot.pending = None

    def next_document(self) -> None:
        """On from the shown document: the next one, then (every required one photographed)
        the next step; a missing one is shown with what to do."""
        d = self.draft
        docs = d.photo_documents
        slot = self.slot
        if slot is not None:
            slot.drop_pending()  # a photo with a problem not kept is not a page
        if d.doc_at < len(docs) - 1:
            d.doc_at += 1
            return
        missing = d.missing_documents()
        if missing:
            d.doc_at = docs.index(missing[0])
            raise CitizenError("submit.photo.missing", "next.submit_photo_missing")
        self.forward()

    # -- delivery of the result --------------------------------------------------------------

    @property
    def offers_post(self) -> bool:
        """Whether this procedure's result may be posted (else it is collected here)."""
        d = self.existing
        return d is not None and d.procedure is not None and "post" in d.procedure.delivery_options

    @property
    def post_quote(self) -> dict:
        """What posting the result costs and how long it takes, shown where post is chosen."""
        return dict(POST_QUOTE)

    def provinces(self) -> Task:
        """The provinces the gateway accepts, for a postal address."""
        return self.catalog.provinces()

    def residence(self, provinces: list[str]) -> Task:
        """The chip's address in today's two levels (``kiosk.units.Residence``) or None, worked
        out off the UI thread."""
        identity = self.core.session.identity
        text = str(getattr(identity, "residence", "") or "") if identity is not None else ""
        if not text:
            return Task.resolved(None)
        return self.run(lambda: from_residence(text, list(provinces)), "residence")

    def choose_delivery(self, method: str, address: dict[str, str] | None = None) -> None:
        """Pick-up at the post office, or by post to ``address`` (recipient, phone, province…)."""
        d = self.draft
        post = method == "post" and self.offers_post
        d.delivery.clear()
        d.delivery.update({**(address or {}), "method": "post"} if post else {"method": "pickup"})
        self.forward()

    # -- sending -----------------------------------------------------------------------------

    def send(self) -> Task:
        """Send the dossier off the UI thread: to the gateway, or into the offline outbox when
        the gateway is down (a ProvisionalReceipt with a TAM- reference)."""
        d = self.draft
        if d.sent:  # once only; a tap that was already under way just moves on
            return Task.resolved(d.receipt).then(lambda _r: self.core.can("sent") and self._on_to_sent())
        identity = self.core.session.identity
        if identity is None or d.procedure is None:
            return Task.failed(CitizenError("submit.no_identity", "next.ask_staff"))
        digest = d.digest()
        if d.idempotency_key is None or d.sent_digest != digest:
            d.idempotency_key = new_idempotency_key()
            d.submitted_at = datetime.now(UTC).replace(microsecond=0)
            d.sent_digest = digest
        key, code = d.idempotency_key, d.procedure.code

        def work(gateway):
            receipt = gateway.submit(build_submission(d, identity), key)
            dossier = None
            if hasattr(receipt, "code"):
                try:  # what the pay steps show; without it the receipt still prints
                    dossier = gateway.lookup_dossier(receipt.code)
                except GatewayError as exc:
                    log.warning("new dossier not found right away", extra={"kind": type(exc).__name__})
            return receipt, dossier

        def sent(result: tuple[Any, Any]) -> None:
            receipt, dossier = result
            d.receipt, d.dossier = receipt, dossier
            self.pay.take(dossier)
            log.info("dossier submitted", extra={"procedure": code, "provisional": d.provisional,
                                                 "pages": d.page_count})
            if self.core.step == step:
                self._on_to_sent()

        step = self.core.step
        return self.gateway_call(work, "send").then(sent)

    def _on_to_sent(self) -> None:
        self.core.advance("sent")
        self.core.close_way_back()  # it cannot be sent again

    @property
    def fee(self) -> int:
        """The fee of the sent dossier (the gateway's word), else the procedure's."""
        d = self.draft
        for source in (d.dossier, d.receipt):
            fee = getattr(source, "fee", None)
            if fee is not None:
                return int(fee.amount_vnd)
        return d.fee_vnd

    @property
    def to_pay(self) -> bool:
        """Whether the citizen pays now: a fee, a dossier the gateway knows, not paid yet."""
        d = self.draft
        if d.provisional or d.dossier is None or self.fee <= 0:
            return False
        return not d.dossier.fee.paid

    def after_sent(self) -> None:
        """After the sent screen: pay the fee, or straight to the dossier receipt."""
        self.core.advance("pay" if self.to_pay else "no_fee")

    def print_receipt(self) -> Task:
        """The dossier receipt ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"), printed once per
        dossier: the code (or the provisional reference), the procedure, the applicant (ID
        masked on paper), the documents, the fee and whether it was paid, the date and where
        the result goes."""
        d, identity, lang = self.draft, self.core.session.identity, self.lang
        if not d.sent:
            return Task.failed(CitizenError("submit.not_sent", "next.ask_staff"))
        fee, payment = self.fee, self.pay.draft.payment
        paid = getattr(payment, "status", "") == "paid" or getattr(getattr(d.dossier, "fee", None), "paid", False)
        delivery = d.delivery
        post = delivery.get("method") == "post"
        address = (", ".join(p for p in (delivery.get("street"), delivery.get("ward"), delivery.get("province_name"))
                             if p) if post else self.core.settings.kiosk.location_name)
        info = DossierInfo(
            code=d.reference, procedure_name=localized(d.procedure, "name", lang),
            citizen_name=getattr(identity, "full_name", "") or "-", id_number=getattr(identity, "id_number", ""),
            documents=[(slot.name(lang), len(slot.pages)) for slot in d.documents if slot.pages],
            fee_vnd=fee, payment_status="exempt" if fee <= 0 else ("paid" if paid else "unpaid"),
            expected_date=getattr(d.receipt, "expected_date", None), delivery="post" if post else "pickup",
            result_address=address, procedure_code=d.procedure.code, provisional=d.provisional,
            claim_code=getattr(d.receipt, "claim_code", None) or "")
        return self.print_once(f"dossier:{d.reference}", lambda r: r.dossier_receipt(info, lang), "receipt")

    def finish(self) -> None:
        self.core.advance()

