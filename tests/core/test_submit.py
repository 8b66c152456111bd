"""Submitting a procedure without a window: the draft, the form from the gateway's JSON schema,
what the chip prefills, photo quality hints, the submission the gateway gets, one
idempotency key per submission, the offline outbox, and the wipe."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from types import SimpleNamespace

from kiosk.core import KioskCore
from kiosk.core.session import Session
from kiosk.devices.qr.simulated import desk_frame, make_document_page
from kiosk.gateway import models as M
from kiosk.gateway.demo.store import load_json
from kiosk.gateway.service import GatewayService
from kiosk.journeys import Journeys
from kiosk.journeys.submit import draft as D
from kiosk.journeys.submit import form as F
from kiosk.journeys.submit import photos as P
from kiosk.journeys.submit import send as S

PROVINCES = [M.Province("ha-noi", "Thành phố Hà Nội", "city"), M.Province("hue", "Thành phố Huế", "city"),
             M.Province("lao-cai", "Tỉnh Lào Cai", "province")]


def procedure(code: str = "1.001193") -> M.Procedure:
    for p in load_json("procedures.json")["procedures"]:
        if p["code"] == code:
            fee = p["fees"][0]["amount_vnd"] if p["fees"] else 0
            return M.Procedure.from_dict({**p, "fee_vnd": fee})
    raise KeyError(code)


def identity(**kw):
    from kiosk.devices.cardreader.sod import PassiveAuthResult
    from kiosk.identity import Identity

    values = dict(id_number="001189012345", full_name="Nguyễn Thị Minh Khai", date_of_birth=date(1989, 5, 17),
                  nationality="Việt Nam", ethnicity="Kinh",
                  residence="Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội",
                  passive_auth=PassiveAuthResult("authentic"))
    values.update(kw)
    return Identity(**values)


def test_documents_read_from_the_chip_or_filled_in_here_are_not_photographed():
    draft = D.SubmitDraft()
    draft.choose(procedure("1.001193"))
    modes = [d.mode for d in draft.documents]
    assert modes == ["form", "photo", "photo", "chip"]
    assert [d.required for d in draft.photo_documents] == [True, False]
    # every procedure of the catalog with a "(theo mẫu)" form: it is filled in on the kiosk
    for p in load_json("procedures.json")["procedures"]:
        if p["code"] == "2.000815":  # certifying copies: the original itself, no form
            continue
        docs = [D.document_mode(M.RequiredDocument.from_dict(d)) for d in p["documents"]]
        assert docs[0] == "form", p["code"]


def test_form_fields_follow_the_schema():
    fields = {f.name: f for f in F.form_fields(procedure("1.001193"))}
    assert fields["child_full_name"].kind == "name" and fields["child_full_name"].required
    assert fields["child_date_of_birth"].kind == "date"
    assert fields["child_sex"].kind == "choice" and fields["child_sex"].choices == (("Nam", "Nam"), ("Nữ", "Nữ"))
    assert fields["nationality"].default == "Việt Nam" and not fields["nationality"].required
    assert fields["child_full_name"].title("en") == "Child's full name"
    assert fields["child_full_name"].title("vi") == "Họ, chữ đệm và tên của trẻ"
    marriage = {f.name: f for f in F.form_fields(procedure("1.000894"))}
    assert marriage["previously_married"].kind == "choice" and marriage["previously_married"].json_type == "boolean"
    stay = {f.name: f for f in F.form_fields(procedure("1.004194"))}
    assert stay["months"].kind == "digits" and stay["months"].maximum == 24


def test_typed_values_become_json_and_are_checked_per_field():
    p = procedure("1.004194")  # temporary residence: an integer field with a range
    fields = F.form_fields(p)
    values = {"address_province": "Thành phố Hà Nội", "address_ward": "Phường Ba Đình", "address_street": "Số 1",
              "months": "6"}
    data, found = F.coerce(fields, values)
    assert data["months"] == 6 and not found
    assert F.problems(p, fields, values) == []
    assert F.problems(p, fields, {**values, "months": "36"}) == [("months", "form.out_of_range")]
    assert F.problems(p, fields, {**values, "address_ward": ""}) == [("address_ward", "form.required.address_ward")]
    marriage = procedure("1.000894")
    data, _ = F.coerce(F.form_fields(marriage), {"previously_married": "no"})
    assert data == {"previously_married": False}


def test_the_chip_prefills_what_it_can_and_nothing_it_cannot():
    fields = F.form_fields(procedure("1.001193"))
    values = F.prefill(fields, identity(), PROVINCES)
    assert values == {"nationality": "Việt Nam", "ethnicity": "Kinh"}
    # a residence that names a district (printed before July 2025) is not an address we can split
    assert F.parse_residence(identity().residence, PROVINCES) is None
    clean = "Số 5 phố Hoàng Hoa Thám, Phường Ba Đình, Hà Nội"
    assert F.parse_residence(clean, PROVINCES) == ("Thành phố Hà Nội", "Phường Ba Đình", "Số 5 phố Hoàng Hoa Thám")
    assert F.parse_residence("Thôn 3, Xã Bát Xát, Lào Cai", PROVINCES) == ("Tỉnh Lào Cai", "Xã Bát Xát", "Thôn 3")
    assert F.parse_residence("Số 5, Phường Ba Đình, Atlantis", PROVINCES) is None
    stay = F.form_fields(procedure("1.004194"))
    values = F.prefill(stay, identity(residence=clean), PROVINCES)
    assert values["address_province"] == "Thành phố Hà Nội" and values["address_ward"] == "Phường Ba Đình"
    # a *new* permanent address is by definition not the one on the card
    moving = F.form_fields(procedure("1.004222"))
    assert F.prefill(moving, identity(residence=clean), PROVINCES) == {}


def test_photo_quality_hints():
    assert P.photo_quality(make_document_page("Giấy chứng sinh")) == D.HINT_OK
    assert P.photo_quality(make_document_page("Giấy chứng sinh", dark=True)) == D.HINT_DARK
    assert P.photo_quality(make_document_page("Giấy chứng sinh", blur=15)) == D.HINT_BLURRED
    import numpy as np

    assert P.photo_quality(desk_frame((1280, 720), np.random.default_rng(1))) == D.HINT_NO_PAGE
    photo = P.capture(make_document_page())
    assert isinstance(photo.data, bytearray) and photo.data[:2] == b"\xff\xd8"
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()


def filled_draft() -> D.SubmitDraft:
    draft = D.SubmitDraft()
    draft.choose(procedure("1.001193"))
    draft.values.update({"child_full_name": "Nguyễn Minh An", "child_date_of_birth": "2026-11-20",
                         "child_sex": "Nam", "place_of_birth": "Bệnh viện Phụ sản Hà Nội",
                         "requester_relation": "mẹ", "nationality": "Việt Nam"})
    draft.photo_documents[0].pages.append(P.capture(make_document_page()))
    draft.delivery.update({"method": "post", "recipient": "Nguyễn Thị Minh Khai", "phone": "0912345678",
                           "province": "ha-noi", "province_name": "Thành phố Hà Nội", "ward": "Phường Ba Đình",
                           "street": "Số 5 phố Hoàng Hoa Thám"})
    return draft


def test_the_submission_the_gateway_gets():
    draft = filled_draft()
    page = draft.photo_documents[0].pages[0]
    body = S.build_submission(draft, identity()).to_json()
    assert body["procedure_code"] == "1.001193"
    assert body["applicant"]["id_number"] == "001189012345"
    assert body["applicant"]["passive_authentication"]["status"] == "verified"
    assert body["form"]["child_full_name"] == "Nguyễn Minh An" and body["form"]["child_date_of_birth"] == "2026-11-20"
    [doc] = body["documents"]
    assert doc["sha256"] == page.sha256 and base64.b64decode(doc["data_base64"]) == bytes(page.data)
    assert len(doc["kind"]) <= 80 and doc["kind"].startswith("Bản chính Giấy chứng sinh")
    assert body["delivery"] == {"method": "post", "recipient_name": "Nguyễn Thị Minh Khai", "phone": "0912345678",
                                "address": {"province": "Thành phố Hà Nội", "ward": "Phường Ba Đình",
                                            "street": "Số 5 phố Hoàng Hoa Thám"}}
    # the demo gateway's own checks accept it
    from kiosk.gateway.formschema import validate

    M.DossierSubmission.model_validate(body)
    assert validate(procedure("1.001193").form, body["form"]) == []
    assert "Nguyễn" not in repr(draft) and "Nguyễn" not in repr(S.build_submission(draft, identity()))


def test_wipe_overwrites_the_photos(settings):
    draft = filled_draft()
    buffer = draft.photo_documents[0].pages[0].data
    assert any(buffer)
    session = Session()
    session.drafts[D.SubmitDraft] = draft
    assert session.holds_data()
    session.wipe()
    assert not buffer and not session.holds_data()  # overwritten, then emptied
    assert draft.procedure is None and not draft.values and not draft.delivery and draft.wiped


class FakeGateway:
    """A gateway client: records what was submitted, or is down."""

    def __init__(self, down: bool = False):
        self.down = down
        self.sent: list[tuple[dict, str]] = []

    def submit_dossier(self, submission, key):
        from kiosk.gateway.errors import GatewayUnavailable

        if self.down:
            raise GatewayUnavailable("connection refused")
        body = submission.to_json() if hasattr(submission, "to_json") else submission
        self.sent.append((body, key))
        first = next(b for b, k in self.sent if k == key)
        assert first == body, "the same key with another body"
        code = f"H26.99-261130-{len({k for _, k in self.sent}):04d}"
        return M.SubmissionReceipt(code, "received", M.ProcedureRef("1.001193", "Đăng ký khai sinh", "Birth"),
                                   M.parse_datetime("2026-11-30T02:00:00Z"), date(2026, 11, 30), M.DossierFee(0, True))

    def lookup_dossier(self, code):
        return SimpleNamespace(code=code, fee=M.DossierFee(0, True), procedure=None)


def journey_at_review(settings, client, outbox=None):
    """The submit service over a gateway service around ``client``, at the review step with the
    filled draft (the steps before it are the UI tests' business)."""
    gateway = GatewayService(settings, outbox=outbox, client=client, background=False)
    core = KioskCore(settings, gateway=gateway)
    service = Journeys(core).submit
    core.session.identity = identity()
    core.session.consent_given = True
    core.start_journey("submit")
    core.journey.current = "submit_review"
    draft = service.draft
    filled = filled_draft()
    draft.choose(filled.procedure)
    draft.values.update(filled.values)
    draft.documents = filled.documents
    draft.delivery.update(filled.delivery)
    return core, service, draft


def send(service) -> None:
    service.send().result(10)


def test_one_idempotency_key_per_submission(settings):
    gateway = FakeGateway()
    core, service, draft = journey_at_review(settings, gateway)
    send(service)
    receipt = draft.receipt
    assert receipt.code.startswith("H26.99-") and service.dossier_code == receipt.code
    assert core.step == "submit_sent" and not core.journey.history  # no way back to editing
    assert core.journeys.pay.draft.dossier.code == receipt.code  # what the pay steps show
    key = draft.idempotency_key
    # sent: tapping again answers the same receipt, nothing is sent twice
    send(service)
    assert draft.receipt is receipt and len(gateway.sent) == 1
    # a retry of the same content (e.g. after a timeout) carries the same key and body
    draft.receipt = None
    core.journey.current = "submit_review"
    send(service)
    assert draft.idempotency_key == key and gateway.sent[1][1] == key
    # changed content is another submission: another key
    draft.receipt = None
    core.journey.current = "submit_review"
    draft.values["place_of_birth"] = "Tại nhà"
    send(service)
    assert draft.idempotency_key != key
    core.shutdown()


def test_gateway_down_queues_in_the_outbox_with_a_provisional_reference(settings, tmp_path):
    import json

    from kiosk.gateway.outbox import Outbox

    client = FakeGateway(down=True)
    outbox = Outbox(tmp_path / "outbox.sqlite3", b"k" * 32)
    core, service, draft = journey_at_review(settings, client, outbox)
    draft.delivery.clear()
    send(service)
    receipt = draft.receipt
    assert receipt.provisional and receipt.reference.startswith("TAM-")
    assert draft.provisional and draft.reference == receipt.reference
    assert not service.to_pay  # no payment on a provisional receipt
    service.after_sent()
    assert core.step == "submit_receipt"
    status = outbox.provisional_status(receipt.reference)
    assert status.state == "queued" and outbox.depth() == 1
    [item] = outbox.items()
    assert item["kind"] == "submission"
    # encrypted at rest: no name on disk
    raw = (tmp_path / "outbox.sqlite3").read_bytes()
    assert "Nguyễn".encode() not in raw and b"001189012345" not in raw
    # back online: the queued dossier goes with the key it was queued with
    client.down = False
    assert outbox.deliver(client) == 1
    assert client.sent[0][1] == draft.idempotency_key
    sent = json.loads(client.sent[0][0])  # the bytes first tried: the reference travels beside them
    assert "provisional_reference" not in sent and sent["procedure_code"]
    assert outbox.provisional_status(receipt.reference).dossier_code == "H26.99-261130-0001"
    outbox.close()
    core.shutdown()


def test_after_payment_goes_on_with_the_journey(settings):
    core = KioskCore(settings)
    journeys = Journeys(core)
    core.start_journey("pay")
    core.journey.current = "pay_done"
    journeys.pay.finish()
    assert core.step == "done"
    core.start_journey("submit")
    core.journey.current = "pay_done"
    journeys.pay.finish()
    assert core.step == "submit_receipt"
    journeys.submit.finish()
    assert core.step == "done"
    assert json.dumps(core.journey.steps)  # plain data
