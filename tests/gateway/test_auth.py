"""Attacks on the gateway's idea of who is asking, over real HTTP on 127.0.0.1 (issue 15,
finding 4): no credentials, a credential for one kiosk with another kiosk's header, another
kiosk's new dossier, paying for and booking delivery of someone else's dossier, the demo bank
outside demo mode, a burst of look-ups, a body too large to read, codes counted through, a
help ticket cancelled by a stranger.  Each test names what it would let through."""

import asyncio
import json
import socket
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
import requests

from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.demo.app import BodyLimit, Credential
from kiosk.gateway.embedded import EmbeddedGateway
from kiosk.text import CROCKFORD

TOKENS = {"token-of-kiosk-A-0123456789": "KIOSK-A", "token-of-kiosk-B-0123456789": "KIOSK-B",
          "token-of-staff-desk-0123456789": Credential("DESK-1", "staff")}
TOKEN_A, TOKEN_B, TOKEN_STAFF = TOKENS
APPLICANT_ID = "001099012345"
DEMO_PERSON = M.ApplicantProof(id_number="001189012345")  # the samples belong to the demo card's person
RESULT_READY = "H26.99-241125-0004"


def key() -> str:
    return str(uuid.uuid4())


def submission(post: bool = False, applicant: str = APPLICANT_ID) -> M.DossierSubmission:
    now = datetime.now(UTC)
    delivery = (M.DeliveryChoice("post", M.Address("Thành phố Hà Nội", "Phường Láng", "Số 12 ngõ 34 đường Láng"),
                                 "Trần Thị Bình", "0912345678") if post else M.DeliveryChoice("pickup"))
    return M.DossierSubmission(
        procedure_code="1.004873",
        applicant=M.Applicant(applicant, "Trần Thị Bình", date(1991, 3, 9), "chip",
                              M.PassiveAuthentication("verified", True, True, True)),
        form={"purpose": "kết hôn", "marital_status": "chưa kết hôn"},
        delivery=delivery, consent_at=now, submitted_at=now,
    )


@pytest.fixture(scope="module")
def demo_gw():
    """Demo mode (the simulated bank exists) with tokens configured: credentials required."""
    gw = EmbeddedGateway(None, app_kwargs={"tokens": TOKENS, "bank_delay": 3600})
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def prod_gw():
    """Not in demo mode: what a real deployment of the demo gateway runs."""
    gw = EmbeddedGateway(None, app_kwargs={"demo": False, "tokens": TOKENS})
    gw.start()
    yield gw
    gw.stop()


def kiosk(gw, token: str, kiosk_id: str) -> GatewayClient:
    return GatewayClient(gw.base_url, kiosk_id=kiosk_id, token=token, retries=0)


def problem(resp) -> str:
    assert resp.headers["Content-Type"].startswith("application/problem+json"), resp.headers
    return resp.json()["type"]


# -- credentials ------------------------------------------------------------------------------


def _operations():
    from kiosk.gateway.demo.app import openapi_document

    for path, item in openapi_document()["paths"].items():
        for method in item:
            if path != "/v1/health":
                yield method.upper(), path


@pytest.mark.parametrize("forged", [None, "KIOSK-A"])
def test_without_credentials_every_call_is_401_outside_demo_mode(prod_gw, forged):
    # lets through: anyone on the network acting as any kiosk (X-Kiosk-Id was enough)
    fill = {"code": RESULT_READY, "payment_id": "PAY0123456789AB", "help_id": "1", "key": key()}
    headers = {"X-Kiosk-Id": forged} if forged else {}
    seen = 0
    for method, path in _operations():
        if path.startswith("/v1/demo/"):
            continue  # not there at all outside demo mode (see below)
        url = prod_gw.base_url + path.format(**fill)
        resp = requests.request(method, url, json={}, headers={**headers, "Idempotency-Key": key()}, timeout=10)
        assert resp.status_code == 401, (method, path, resp.status_code, resp.text)
        assert problem(resp) == "unauthorized" and resp.headers["WWW-Authenticate"].startswith("Bearer")
        seen += 1
    assert seen >= 15
    assert requests.get(prod_gw.base_url + "/v1/health", timeout=10).status_code == 200  # liveness stays open
    wrong = requests.get(prod_gw.base_url + f"/v1/dossiers/{RESULT_READY}",
                         headers={"Authorization": "Bearer not-a-token-of-anyone-00000"}, timeout=10)
    assert wrong.status_code == 401


def test_a_credential_names_one_kiosk_and_a_header_never_overrides_it(demo_gw):
    # lets through: kiosk A acting as kiosk B (its idempotency keys, its tickets, its dossiers)
    url = demo_gw.base_url + f"/v1/dossiers/{RESULT_READY}"
    resp = requests.get(url, headers={"Authorization": f"Bearer {TOKEN_A}", "X-Kiosk-Id": "KIOSK-B"}, timeout=10)
    assert resp.status_code == 403 and problem(resp) == "kiosk_id_mismatch"
    # a heartbeat naming another kiosk in its body is refused too
    body = {"kiosk_id": "KIOSK-B", "sent_at": datetime.now(UTC).isoformat(), "devices": {}}
    resp = requests.post(demo_gw.base_url + "/v1/kiosks/heartbeat", json=body,
                         headers={"Authorization": f"Bearer {TOKEN_A}"}, timeout=10)
    assert resp.status_code == 403 and problem(resp) == "kiosk_id_mismatch"
    # its own id, or none at all, is fine
    for headers in ({"X-Kiosk-Id": "KIOSK-A"}, {}):
        resp = requests.get(url, headers={"Authorization": f"Bearer {TOKEN_A}", **headers}, timeout=10)
        assert resp.status_code == 200
    # what kiosk A files is kiosk A's, whatever it claims
    with kiosk(demo_gw, TOKEN_A, "KIOSK-A") as a:
        code = a.submit_dossier(submission(), key()).code
    owners = demo_gw.app.state.store.query("SELECT kiosk_id FROM dossiers WHERE code=?", (code,))
    assert [r["kiosk_id"] for r in owners] == ["KIOSK-A"]


# -- another kiosk's dossier ------------------------------------------------------------------


def test_another_kiosks_new_dossier_reveals_nothing_personal(demo_gw):
    # lets through: where someone's result is posted, and its tracking code, to any kiosk
    with kiosk(demo_gw, TOKEN_A, "KIOSK-A") as a, kiosk(demo_gw, TOKEN_B, "KIOSK-B") as b:
        code = a.submit_dossier(submission(post=True), key()).code
        own = a.lookup_dossier(code)
        assert (own.delivery.province, own.delivery.ward) == ("Thành phố Hà Nội", "Phường Láng")
        raw = requests.get(demo_gw.base_url + f"/v1/dossiers/{code}",
                           headers={"Authorization": f"Bearer {TOKEN_B}"}, timeout=10)
        assert raw.status_code == 200  # a citizen may ask at another post office …
        seen = b.lookup_dossier(code)
        assert seen.status == "received" and seen.procedure.code == "1.004873"
        # … which learns the status, never who or where
        assert seen.delivery == M.DeliveryInfo("post")
        text = raw.text
        for personal in (APPLICANT_ID, "Trần Thị Bình", "1991-03-09", "Phường Láng", "Hà Nội", "đường Láng",
                         "0912345678"):
            assert personal not in text, personal
        assert "claim" not in text


def test_dossier_codes_cannot_be_counted_through(demo_gw):
    # lets through: every dossier of the day, by counting up from 0101
    with kiosk(demo_gw, TOKEN_A, "KIOSK-A") as a:
        first, second = (a.submit_dossier(submission(), key()) for _ in range(2))
    head1, tail1 = first.code.rsplit("-", 1)
    head2, tail2 = second.code.rsplit("-", 1)
    assert head1 == head2 and head1.startswith("H26.99-")
    assert tail1 != tail2 and len(tail1) == len(tail2) == 8
    assert set(tail1 + tail2) <= set(CROCKFORD) and not (tail1.isdigit() and tail2.isdigit())
    # the claim codes are the dossiers' own, and not derived from each other either
    assert first.claim_code != second.claim_code


# -- acting for the applicant -----------------------------------------------------------------


def test_paying_for_someone_elses_dossier_needs_proof(demo_gw):
    # lets through: anyone paying (and, with the demo bank, settling) any dossier it can name
    with kiosk(demo_gw, TOKEN_A, "KIOSK-A") as a, kiosk(demo_gw, TOKEN_B, "KIOSK-B") as b:
        receipt = a.submit_dossier(submission(), key())
        for client in (b, a):  # the filing kiosk is no proof: the next citizen at it is someone else
            with pytest.raises(E.ApplicantProofRefused) as info:
                client.create_payment(receipt.code, "vietqr", idempotency_key=key())
            assert info.value.status == 403 and info.value.missing
            assert info.value.message_key == "gateway.proof_refused"
        for wrong in (M.ApplicantProof(id_number="001189012345"), M.ApplicantProof(claim_code="AAAA-AAAA")):
            with pytest.raises(E.ApplicantProofRefused) as info:
                b.create_payment(receipt.code, "vietqr", idempotency_key=key(), proof=wrong)
            assert not info.value.missing
        assert demo_gw.app.state.store.query("SELECT COUNT(*) AS n FROM payments WHERE dossier_code=?",
                                             (receipt.code,))[0]["n"] == 0
        # the receipt's claim code (at any kiosk) or the applicant's chip works
        by_receipt = b.create_payment(receipt.code, "vietqr", idempotency_key=key(),
                                      proof=M.ApplicantProof(claim_code=receipt.claim_code.replace("-", "")))
        assert by_receipt.status == "pending"
        by_chip = a.create_payment(receipt.code, "cash", idempotency_key=key(),
                                   proof=M.ApplicantProof(id_number=APPLICANT_ID))
        assert by_chip.status == "pending"
        # the simulated bank settles only for the applicant too
        raw = requests.post(demo_gw.base_url + f"/v1/demo/payments/{by_receipt.id}/confirm",
                            headers={"Authorization": f"Bearer {TOKEN_B}"}, timeout=10)
        assert raw.status_code == 403 and problem(raw) == "applicant_proof_required"
        with pytest.raises(E.ApplicantProofRefused):
            b.demo_confirm_payment(by_receipt.id, proof=DEMO_PERSON)
        assert b.payment_status(by_receipt.id).status == "pending"
        paid = b.demo_confirm_payment(by_receipt.id, proof=M.ApplicantProof(claim_code=receipt.claim_code))
        assert paid.status == "paid"
        # staff taking cash is a staff action: no applicant proof
        assert a.confirm_cash(by_chip.id, "staff-01", by_chip.amount_vnd, idempotency_key=key()).status == "paid"


def test_booking_delivery_of_someone_elses_result_needs_proof(demo_gw):
    # lets through: posting someone's finished result to any address
    addr = M.Address("Tỉnh Lào Cai", "Xã Bảo Thắng", "Thôn 3")
    with kiosk(demo_gw, TOKEN_B, "KIOSK-B") as b:
        raw = requests.post(demo_gw.base_url + f"/v1/dossiers/{RESULT_READY}/delivery",
                            json={"address": {"province": addr.province, "ward": addr.ward, "street": addr.street},
                                  "recipient_name": "Kẻ Lạ", "phone": "0900000000"},
                            headers={"Authorization": f"Bearer {TOKEN_B}", "Idempotency-Key": key()}, timeout=10)
        assert raw.status_code == 403 and problem(raw) == "applicant_proof_required"
        with pytest.raises(E.ApplicantProofRefused) as info:
            b.book_delivery(RESULT_READY, addr, "Kẻ Lạ", "0900000000", idempotency_key=key(),
                            proof=M.ApplicantProof(id_number=APPLICANT_ID))  # someone, not its applicant
        assert not info.value.missing
        assert demo_gw.app.state.store.query("SELECT COUNT(*) AS n FROM deliveries WHERE dossier_code=?",
                                             (RESULT_READY,))[0]["n"] == 0
        assert b.lookup_dossier(RESULT_READY).delivery.method == "pickup"
        conf = b.book_delivery(RESULT_READY, addr, "Nguyễn Thị Minh Khai", "0912345678", idempotency_key=key(),
                               proof=DEMO_PERSON)
        assert conf.tracking_code.endswith("VN")
        # the kiosk that booked it sees where it goes
        assert b.lookup_dossier(RESULT_READY).delivery.tracking_code == conf.tracking_code


def test_guessing_claim_codes_runs_into_the_rate_limit(demo_gw):
    # lets through: trying claim codes until one fits
    with kiosk(demo_gw, TOKEN_A, "KIOSK-A") as a:
        code = a.submit_dossier(submission(), key()).code
    guesser = GatewayClient(demo_gw.base_url, kiosk_id="KIOSK-B", token=TOKEN_B, retries=0)
    refused = limited = 0
    for n in range(20):
        try:
            guesser.create_payment(code, "vietqr", idempotency_key=key(),
                                   proof=M.ApplicantProof(claim_code=f"{n:04d}-0000"))
        except E.ApplicantProofRefused:
            refused += 1
        except E.GatewayUnavailable as exc:
            assert exc.status == 429 and exc.retry_after >= 1
            limited += 1
    assert limited and refused <= 8  # a wrong guess costs ten look-ups


def test_a_proof_never_shows_in_a_log_line():
    proof = M.ApplicantProof(id_number=APPLICANT_ID)
    assert APPLICANT_ID not in repr(proof) and APPLICANT_ID not in repr(M.PaymentRequest("X-000001", "cash", proof))
    claim = M.ApplicantProof(claim_code="7KQ2-M9XD")
    assert "7KQ2" not in repr(claim) and "7KQ2" not in repr(M.DemoBankConfirmation(claim))


def test_an_id_number_never_travels_in_clear_text_off_this_machine():
    # a gateway URL on another host over plain http: refused before any connection
    client = GatewayClient("http://192.0.2.10:8765", kiosk_id="KIOSK-A", retries=0, connect_timeout=0.5)
    with pytest.raises(E.InvalidRequest) as info:
        client.create_payment("H26.99-241125-0004", "cash", idempotency_key=key(),
                              proof=M.ApplicantProof(id_number=APPLICANT_ID))
    assert info.value.reason == "insecure-transport"


def test_a_number_a_clerk_typed_never_travels_in_clear_text_off_this_machine():
    # lets through: the staff-confirmed applicant's ID number sent over plain http to another host
    client = GatewayClient("http://192.0.2.10:8765", kiosk_id="KIOSK-A", retries=0, connect_timeout=0.5)
    proof = M.ApplicantProof(staff_check=M.StaffCheck(id_number=APPLICANT_ID, document="id_card", staff_id="staff.K"))
    for call in (lambda: client.create_payment("H26.99-241125-0004", "cash", idempotency_key=key(), proof=proof),
                 lambda: client.book_delivery("H26.99-241125-0004", M.Address(province="Thành phố Hà Nội",
                                                                              ward="Phường Hai Bà Trưng",
                                                                              street="1 Phố Huế"),
                                              "Nguyễn Văn A", "0912345678", idempotency_key=key(), proof=proof)):
        with pytest.raises(E.InvalidRequest) as info:
            call()
        assert info.value.reason == "insecure-transport"


# -- demo only --------------------------------------------------------------------------------


def test_the_demo_bank_does_not_exist_outside_demo_mode(prod_gw):
    # lets through: a payment marked paid with no money moved, on a real deployment
    from kiosk.gateway.demo.app import _vietqr_builder

    store = prod_gw.app.state.store
    with kiosk(prod_gw, TOKEN_A, "KIOSK-A") as a:
        code = a.submit_dossier(submission(), key()).code
        pay = store.new_payment("KIOSK-A", code, "vietqr", 3000, 3600, 900, _vietqr_builder)  # as a kiosk made it
        claim = store.claim_code(code) if hasattr(store, "claim_code") else "AAAA-AAAA"
        resp = requests.post(prod_gw.base_url + f"/v1/demo/payments/{pay['id']}/confirm",
                             json={"applicant_proof": {"claim_code": claim}},
                             headers={"Authorization": f"Bearer {TOKEN_A}"}, timeout=10)
        assert resp.status_code == 404 and problem(resp) == "not_found"
        assert a.payment_status(pay["id"]).status == "pending"
    served = requests.get(prod_gw.base_url + "/openapi.json", timeout=10).json()
    assert not [p for p in served["paths"] if p.startswith("/v1/demo/")]


# -- limits -----------------------------------------------------------------------------------


def test_a_burst_of_300_lookups_hits_429_with_retry_after(demo_gw):
    # lets through: enumerating codes as fast as the network allows
    statuses, retry_after = [], set()
    for n in range(300):  # a connection each (quicker here than keep-alive's delayed acknowledgements)
        resp = requests.get(demo_gw.base_url + f"/v1/dossiers/H26.99-241125-{n:04d}",
                            headers={"Authorization": f"Bearer {TOKEN_STAFF}"}, timeout=10)
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            assert problem(resp) == "rate_limited"
            retry_after.add(resp.headers["Retry-After"])
    assert statuses.count(429) >= 100, statuses.count(429)  # 60 at once, then one a second
    assert retry_after and all(v.isdigit() and int(v) >= 1 for v in retry_after)
    # another kiosk is not held up by this one
    assert requests.get(demo_gw.base_url + f"/v1/dossiers/{RESULT_READY}",
                        headers={"Authorization": f"Bearer {TOKEN_A}"}, timeout=10).status_code == 200
    # and the client waits as long as Retry-After says before it asks again (the bucket, one a
    # second again by now on a loaded machine, is emptied a whole burst deep first: its three
    # tries meet 429 however long the burst above took)
    demo_gw.app.state.limiter.charge("DESK-1", demo_gw.app.state.limiter.burst)
    waited = []
    slowed = GatewayClient(demo_gw.base_url, kiosk_id="DESK-1", token=TOKEN_STAFF, retries=2, sleep=waited.append)
    with pytest.raises(E.GatewayUnavailable) as info:
        slowed.lookup_dossier(RESULT_READY)
    assert info.value.status == 429 and waited and all(w >= 1 for w in waited)


def _headers_only(url: str, path: str, length: int, extra: str = "") -> bytes:
    """Send a POST's headers announcing ``length`` bytes, none of the body, and read the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {length}\r\nAuthorization: Bearer {TOKEN_A}\r\nIdempotency-Key: {key()}\r\n"
                      f"{extra}\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_30_mib_body_gets_413_before_it_is_sent(demo_gw):
    # lets through: a body read whole into memory before it is refused
    thirty_mib = 30 * 1024 * 1024
    answer = _headers_only(demo_gw.base_url, "/v1/dossiers", thirty_mib, "Expect: 100-continue\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:60]  # never "100 Continue": send nothing
    assert b"application/problem+json" in answer
    # without Expect, the headers alone get the answer (nothing of the body was sent)
    assert _headers_only(demo_gw.base_url, "/v1/dossiers", thirty_mib).startswith(b"HTTP/1.1 413")
    # small calls have a small limit
    assert _headers_only(demo_gw.base_url, "/v1/ratings", M.MAX_REQUEST_BYTES + 1).startswith(b"HTTP/1.1 413")
    # at the limit it is read (and judged on its content)
    assert _headers_only(demo_gw.base_url, "/v1/ratings", 2, "Expect: 100-continue\r\n").startswith(
        b"HTTP/1.1 100")


def test_a_body_without_a_length_is_cut_off_at_the_limit():
    # lets through: a chunked upload streamed without end into memory
    pulled, sent, reached = [], [], []

    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        reached.append(True)

    async def receive():
        pulled.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/ratings", "headers": []}
    asyncio.run(BodyLimit(app, lambda m, p: 10 * 1024)(scope, receive, send))
    assert len(pulled) == 11 and not reached  # stopped just past 10 KiB
    assert sent[0]["status"] == 413 and json.loads(sent[1]["body"])["type"] == "too_large"


# -- help tickets -----------------------------------------------------------------------------


def test_only_the_kiosk_that_opened_a_ticket_or_staff_may_change_it(demo_gw):
    # lets through: anyone cancelling anyone's place in the staff queue
    with (kiosk(demo_gw, TOKEN_A, "KIOSK-A") as a, kiosk(demo_gw, TOKEN_B, "KIOSK-B") as b,
          kiosk(demo_gw, TOKEN_STAFF, "DESK-1") as desk):
        ticket = a.create_help_request("card_problem")
        with pytest.raises(E.GatewayAuthError) as info:
            b.update_help_request(ticket.id, "cancelled")
        assert info.value.status == 403
        assert a.list_help_requests(None, kiosk_id="KIOSK-A")[-1].status == "waiting"
        assert desk.update_help_request(ticket.id, "in_service", staff_id="staff-01").status == "in_service"
        assert a.update_help_request(ticket.id, "done").status == "done"
