"""Staff confirming the applicant on the citizen's behalf (issue 14 item 5), at the gateway over
real HTTP on 127.0.0.1: a ``staff_check`` proof (the ID number a clerk typed from the document
they checked, which document, who) pays and books like the chip's number, and the gateway keeps
who attested it with the payment or the booking, never the number; a wrong number is refused
and costs the rate limit like any wrong proof; two kinds of proof at once are refused."""

import json
import uuid
from datetime import UTC, date, datetime

import pytest
import requests

from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.contract.payments import StaffCheck
from kiosk.gateway.demo.shared import PROOF_FAILURE_COST
from kiosk.gateway.embedded import EmbeddedGateway

APPLICANT_ID = "001099012345"
OTHER_ID = "001099054321"
SAMPLE_OWNER = "001189012345"  # the samples belong to the demo card's person
RESULT_READY = "H26.99-241125-0004"
STAFF = "staff.KIOSK-S"


def key() -> str:
    return str(uuid.uuid4())


def staff_proof(number: str, document: str = "id_card") -> M.ApplicantProof:
    return M.ApplicantProof(staff_check=StaffCheck(number, document, STAFF))


def submission(applicant: str = APPLICANT_ID) -> M.DossierSubmission:
    now = datetime.now(UTC)
    return M.DossierSubmission(
        procedure_code="1.004873",
        applicant=M.Applicant(applicant, "Trần Thị Bình", date(1991, 3, 9), "chip",
                              M.PassiveAuthentication("verified", True, True, True)),
        form={"purpose": "kết hôn", "marital_status": "chưa kết hôn"},
        delivery=M.DeliveryChoice("pickup"), consent_at=now, submitted_at=now,
    )


@pytest.fixture(scope="module")
def gw():
    gw = EmbeddedGateway(None, app_kwargs={"bank_delay": 3600})
    gw.start()
    yield gw
    gw.stop()


def client(gw, kiosk_id: str) -> GatewayClient:
    return GatewayClient(gw.base_url, kiosk_id=kiosk_id, retries=0)


def everything_stored(store) -> str:
    tables = [r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")]
    return json.dumps({t: [dict(r) for r in store.query(f"SELECT * FROM {t}")] for t in tables}, default=str)


def test_a_staff_check_pays_and_books_and_the_gateway_keeps_who_attested_it(gw):
    store = gw.app.state.store
    with client(gw, "KIOSK-S") as k:
        code = k.submit_dossier(submission(), key()).code
        pay = k.create_payment(code, "cash", idempotency_key=key(), proof=staff_proof(APPLICANT_ID, "vneid"))
        assert pay.status == "pending"
        attested = store.attestation("payment", pay.id)
        assert attested is not None
        assert (attested["staff_id"], attested["document"], attested["dossier_code"], attested["kiosk_id"]) == \
            (STAFF, "vneid", code, "KIOSK-S")
        # the same request again (same key): the first payment, one attestation
        again_key = key()
        first = k.create_payment(code, "vietqr", idempotency_key=again_key, proof=staff_proof(APPLICANT_ID))
        assert k.create_payment(code, "vietqr", idempotency_key=again_key,
                                proof=staff_proof(APPLICANT_ID, "passport")) == first
        assert store.attestation("payment", first.id)["document"] == "id_card"
        # a result posted on the applicant's behalf
        addr = M.Address("Tỉnh Lào Cai", "Xã Bảo Thắng", "Thôn 3")
        conf = k.book_delivery(RESULT_READY, addr, "Nguyễn Thị Minh Khai", "0912345678", idempotency_key=key(),
                               proof=staff_proof(SAMPLE_OWNER, "passport"))
        booked = store.attestation("delivery", conf.booking_id)
        assert booked is not None and (booked["staff_id"], booked["document"]) == (STAFF, "passport")
        # a payment proved by the chip has no attestation
        chip = k.create_payment(code, "cash", idempotency_key=key(), proof=M.ApplicantProof(id_number=APPLICANT_ID))
        assert store.attestation("payment", chip.id) is None
    # the number is nowhere in what the gateway keeps
    stored = everything_stored(store)
    assert APPLICANT_ID not in stored and SAMPLE_OWNER not in stored


def test_a_wrong_number_from_staff_is_refused_and_costs_the_rate_limit(gw):
    store, limiter = gw.app.state.store, gw.app.state.limiter
    with client(gw, "KIOSK-T") as k:
        code = k.submit_dossier(submission(), key()).code
        before = limiter._level("KIOSK-T", limiter.clock())
        with pytest.raises(E.ApplicantProofRefused) as info:
            k.create_payment(code, "vietqr", idempotency_key=key(), proof=staff_proof(OTHER_ID))
        assert info.value.status == 403 and not info.value.missing
        after = limiter._level("KIOSK-T", limiter.clock())
        assert before - after >= PROOF_FAILURE_COST  # the look-up and the penalty
        with pytest.raises(E.ApplicantProofRefused):
            k.book_delivery(RESULT_READY, M.Address("Tỉnh Lào Cai", "Xã Bảo Thắng", "Thôn 3"), "Kẻ Lạ",
                            "0900000000", idempotency_key=key(), proof=staff_proof(APPLICANT_ID))
        assert store.query("SELECT COUNT(*) AS n FROM payments WHERE dossier_code=?", (code,))[0]["n"] == 0
        assert not store.query("SELECT 1 FROM attestations WHERE dossier_code=?", (code,))
    # guessing numbers through staff checks runs into 429 as guessing claim codes does
    guesser = client(gw, "KIOSK-G")
    refused = limited = 0
    for n in range(20):
        try:
            guesser.create_payment(code, "vietqr", idempotency_key=key(), proof=staff_proof(f"0010990{n:05d}"))
        except E.ApplicantProofRefused:
            refused += 1
        except E.GatewayUnavailable as exc:
            assert exc.status == 429
            limited += 1
    guesser.close()
    assert limited and refused <= 8


def test_two_kinds_of_proof_at_once_are_a_mismatch(gw):
    with client(gw, "KIOSK-U") as k:
        receipt = k.submit_dossier(submission(), key())
        check = StaffCheck(APPLICANT_ID, "id_card", STAFF)
        for both in (M.ApplicantProof(id_number=APPLICANT_ID, staff_check=check),
                     M.ApplicantProof(claim_code=receipt.claim_code, staff_check=check)):
            with pytest.raises(E.ApplicantProofRefused) as info:
                k.create_payment(receipt.code, "cash", idempotency_key=key(), proof=both)
            assert not info.value.missing


def test_a_staff_check_must_say_which_document_and_who(gw):
    url = gw.base_url + "/v1/payments"
    for check in ({"id_number": APPLICANT_ID, "staff_id": STAFF},  # which document?
                  {"id_number": APPLICANT_ID, "document": "id_card"},  # who?
                  {"id_number": APPLICANT_ID, "document": "library_card", "staff_id": STAFF},
                  {"id_number": "12345", "document": "id_card", "staff_id": STAFF}):
        resp = requests.post(url, json={"dossier_code": RESULT_READY, "method": "cash",
                                        "applicant_proof": {"staff_check": check}},
                             headers={"X-Kiosk-Id": "KIOSK-V", "Idempotency-Key": key()}, timeout=10)
        assert resp.status_code == 422, (check, resp.status_code)


def test_a_staff_check_never_shows_its_number():
    proof = staff_proof(APPLICANT_ID)
    said = repr(proof) + repr(proof.staff_check) + repr(M.PaymentRequest("X-000001", "cash", proof))
    assert APPLICANT_ID not in said and "staff_check" in repr(proof)
