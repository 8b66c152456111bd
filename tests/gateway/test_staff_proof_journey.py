"""Staff confirming the applicant on the citizen's behalf, without a window (issue 14 item 5):
the pay and delivery journeys send a citizen with no proof to the identify step; staff who just
entered the staff PIN check a document and type the ID number; the journey goes on to the
amount or the address; the payment and the booking carry the check, the gateway keeps who
attested it, the kiosk's audit log says so without the number; a number the gateway refuses
is forgotten; the check lives in the session only."""

from __future__ import annotations

import time

import pytest

from kiosk import config
from kiosk.audit import verify
from kiosk.core import CitizenError
from kiosk.journeys.identify import IdentifyDraft
from kiosk.roles import PinResult, Role
from kiosk.staff import StaffError
from tests.conftest import ROOT, kiosk_with_staff

RESULT_READY = "H26.99-241125-0004"
OWNER = "001189012345"
SOMEONE_ELSE = "001099054321"
STAFF_PIN = "246810"


@pytest.fixture
def kit(tmp_path):
    from kiosk.gateway.embedded import EmbeddedGateway

    gw = EmbeddedGateway(None, db_path=None)
    url = gw.start()
    settings = config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(tmp_path / "data")})
    core, staff, audit, _client, outbox = kiosk_with_staff(settings, url)
    yield core, staff, audit, gw.app.state.store
    outbox.close()
    core.shutdown()
    gw.stop()


def wait_for(check, what: str, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, what
        time.sleep(0.01)


def unpaid_dossier(core) -> str:
    """A fresh dossier with a fee to pay, the demo card's person's."""
    from datetime import date

    from kiosk.gateway import models as M
    from kiosk.gateway.client import new_idempotency_key
    from kiosk.gateway.demo.samples import sample_submission

    sub = sample_submission(id_number=OWNER, full_name="Nguyễn Thị Minh Khai", born=date(1989, 5, 17),
                            purpose="kết hôn",
                            documents=[M.DocumentPhoto.from_bytes("Tờ khai", "image/jpeg", b"\xff\xd8\xff\xe0sample")])
    return core.gateway.wait().submit_dossier(sub, new_idempotency_key()).code


def to_identify_step(core, journey: str, code: str) -> None:
    core.begin()
    core.start_journey(journey)
    getattr(core.journeys, journey).find(code)
    wait_for(lambda: core.step == "identify_key", f"{journey}: the identify step")


def test_staff_confirm_and_the_citizen_pays_with_the_attestation_kept(kit):
    core, staff, audit, store = kit
    to_identify_step(core, "pay", unpaid_dossier(core))
    identify = core.journeys.identify
    assert identify.staff_may_confirm and core.journeys.pay.proof() is None
    # without the PIN just entered, nobody confirms anything
    with pytest.raises(StaffError) as info:
        staff.confirm_applicant(OWNER, "id_card")
    assert info.value.message_key == "staff.confirm.pin_first"
    assert staff.enter(Role.STAFF, STAFF_PIN) is PinResult.OK
    identify.open_staff_entry()
    assert identify.draft.staff_entry
    for number, document in (("12345", "id_card"), (OWNER, "library_card")):
        with pytest.raises(StaffError):
            staff.confirm_applicant(number, document)
    staff.confirm_applicant(OWNER, "id_card")
    assert core.step == "pay_amount"
    assert staff.active is None  # one confirmation per PIN
    with pytest.raises(StaffError):
        staff.confirm_applicant(OWNER, "id_card")
    proof = core.journeys.pay.proof()
    assert proof.id_number is None and proof.claim_code is None
    assert (proof.staff_check.id_number, proof.staff_check.document, proof.staff_check.staff_id) == \
        (OWNER, "id_card", staff.staff_id)
    payment = core.journeys.pay.vietqr().result(15)
    assert payment.status == "pending"
    attested = store.attestation("payment", payment.id)
    assert attested is not None and (attested["staff_id"], attested["document"]) == (staff.staff_id, "id_card")
    # the audit log: who confirmed, for which journey, which document; never the number
    entry = [e for e in audit.entries() if e["action"] == "staff.applicant_confirmed"]
    assert len(entry) == 1 and entry[0]["role"] == "staff" and entry[0]["outcome"] == "ok"
    assert entry[0]["detail"] == {"journey": "pay", "document": "id_card"}
    assert OWNER not in "".join(str(e) for e in audit.entries()) and verify(audit.folder).ok
    # in the session's memory only: the end of the session forgets it
    core.reset("test")
    assert core.session.peek(IdentifyDraft) is None or core.session.peek(IdentifyDraft).staff_check is None
    assert core.journeys.identify.staff_check is None


def test_staff_confirm_books_a_delivery(kit):
    core, staff, audit, store = kit
    to_identify_step(core, "delivery", RESULT_READY)
    staff.enter(Role.STAFF, STAFF_PIN)
    core.journeys.identify.open_staff_entry()
    staff.confirm_applicant(OWNER, "passport")
    assert core.step == "delivery_address"
    delivery = core.journeys.delivery
    from kiosk.gateway.models import Address

    delivery.set_address("Nguyễn Thị Minh Khai", "0912345678", Address("Tỉnh Lào Cai", "Xã Bảo Thắng", "Thôn 3"))
    assert core.step == "delivery_confirm"
    conf = delivery.book().result(15)
    wait_for(lambda: core.step == "delivery_done", "booked")
    attested = store.attestation("delivery", conf.booking_id)
    assert attested is not None and attested["document"] == "passport"
    assert [e["detail"] for e in audit.entries() if e["action"] == "staff.applicant_confirmed"] == \
        [{"journey": "delivery", "document": "passport"}]


def test_a_number_the_gateway_refuses_is_forgotten(kit):
    core, staff, audit, store = kit
    to_identify_step(core, "pay", unpaid_dossier(core))
    staff.enter(Role.STAFF, STAFF_PIN)
    core.journeys.identify.open_staff_entry()
    staff.confirm_applicant(SOMEONE_ELSE, "id_card")  # a well-formed number, not the applicant's
    assert core.step == "pay_amount"
    task = core.journeys.pay.vietqr()
    with pytest.raises(CitizenError) as info:
        task.result(15)
    assert info.value.message_key == "identify.staff_check_refused"
    wait_for(lambda: core.journeys.identify.staff_check is None, "the refused check forgotten")
    assert core.journeys.pay.proof() is None
    assert not store.query("SELECT 1 FROM attestations")
    # back at the identify step, staff may check again
    core.back()
    assert core.step == "identify_key" and core.journeys.identify.staff_may_confirm


def test_only_pay_and_delivery_let_staff_confirm_and_the_chip_comes_first(kit):
    core, staff, audit, store = kit
    core.begin()
    core.start_journey("identify")
    assert not core.journeys.identify.staff_may_confirm
    staff.enter(Role.STAFF, STAFF_PIN)
    core.journeys.identify.open_staff_entry()
    assert core.session.peek(IdentifyDraft) is None or not core.journeys.identify.draft.staff_entry
    with pytest.raises(StaffError) as info:
        staff.confirm_applicant(OWNER, "id_card")
    assert info.value.message_key == "staff.confirm.not_here"
    assert not [e for e in audit.entries() if e["action"] == "staff.applicant_confirmed"]
    # with the chip read in this session, its number is the proof (one kind only)
    from kiosk.journeys.pay import applicant_proof
    from tests.core.test_submit import identity

    session = core.session
    session.draft(IdentifyDraft).staff_check = object()
    session.identity, session.consent_given = identity(), True
    proof = applicant_proof(session)
    assert proof.id_number == OWNER and proof.staff_check is None and proof.claim_code is None
    assert applicant_proof(session, "7KQ2-M9XD").claim_code == "7KQ2-M9XD"
