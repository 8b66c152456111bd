"""What the gateway receives: the ``DossierSubmission`` built from the draft and the chip."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kiosk.gateway.models import (
    Address,
    Applicant,
    DeliveryChoice,
    DocumentPhoto,
    DossierSubmission,
    PassiveAuthentication,
)
from kiosk.journeys.submit.draft import DocumentSlot, SubmitDraft
from kiosk.journeys.submit.form import coerce, form_fields

PA_STATUS = {"authentic": "verified", "integrity-only": "chain_not_verified", "failed": "failed"}


def passive_authentication(identity):
    pa = getattr(identity, "passive_auth", None)
    status = PA_STATUS.get(getattr(pa, "status", ""), "not_performed")
    if status == "verified":
        return PassiveAuthentication(status=status, hashes_ok=True, signature_ok=True, chain_ok=True)
    if status == "chain_not_verified":
        return PassiveAuthentication(status=status, hashes_ok=True, signature_ok=True, chain_ok=None)
    return PassiveAuthentication(status=status)


def document_kind(slot: DocumentSlot, page: int, pages: int) -> str:
    """The contract's ``kind`` of a page (at most 80 characters): the document's name."""
    suffix = f" - trang {page}/{pages}" if pages > 1 else ""
    name = slot.doc.name_vi
    room = 80 - len(suffix)
    if len(name) > room:
        name = name[:room - 1].rstrip() + "…"
    return name + suffix


def delivery_choice(delivery: dict):
    if delivery.get("method") != "post":
        return DeliveryChoice(method="pickup")
    return DeliveryChoice(
        method="post", address=Address(province=delivery.get("province_name", ""), ward=delivery.get("ward", ""),
                                       street=delivery.get("street", "")),
        recipient_name=delivery.get("recipient") or None, phone=delivery.get("phone") or None)


def build_submission(draft: SubmitDraft, identity, *, provisional_reference: str | None = None):
    """The DossierSubmission for the draft (``draft.submitted_at`` must be set)."""
    if identity is None or not getattr(identity, "id_number", ""):
        raise ValueError("no identity")
    dob = identity.date_of_birth
    if dob is None:
        raise ValueError("no date of birth")
    fields = form_fields(draft.procedure)
    data, _ = coerce(fields, draft.values)
    documents = []
    for slot in draft.documents:
        for i, page in enumerate(slot.pages, 1):
            documents.append(DocumentPhoto.from_bytes(document_kind(slot, i, len(slot.pages)), "image/jpeg",
                                                      bytes(page.data)))
    now = draft.submitted_at or datetime.now(UTC)
    delivery = delivery_choice(draft.delivery)
    return DossierSubmission(
        procedure_code=draft.procedure.code,
        applicant=Applicant(id_number=identity.id_number, full_name=identity.full_name,
                            date_of_birth=dob if isinstance(dob, date) else dob, source="chip",
                            passive_authentication=passive_authentication(identity)),
        form=data, delivery=delivery, consent_at=draft.consent_at or now, submitted_at=now,
        documents=documents, contact_phone=delivery.phone, provisional_reference=provisional_reference)
