"""Every client method against the demo gateway over real HTTP on 127.0.0.1."""

import uuid
from datetime import UTC, date, datetime

import pytest

from kiosk import vietqr
from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.embedded import EmbeddedGateway
from kiosk.gateway.formschema import validate
from kiosk.text import normalize_claim_code


def key() -> str:
    return str(uuid.uuid4())


APPLICANT = M.ApplicantProof(id_number="001099012345")  # the applicant of submission(), as the chip says
DEMO_PERSON = M.ApplicantProof(id_number="001189012345")  # the demo card's person: the samples are theirs


def submission(procedure_code="1.004873", form=None, delivery=None, ref=None) -> M.DossierSubmission:
    now = datetime.now(UTC)
    return M.DossierSubmission(
        procedure_code=procedure_code,
        applicant=M.Applicant("001099012345", "Nguyễn Văn An", date(1990, 5, 17), "chip",
                              M.PassiveAuthentication("chain_not_verified", True, True, None)),
        form=form if form is not None else {"purpose": "kết hôn", "marital_status": "chưa kết hôn"},
        delivery=delivery or M.DeliveryChoice("pickup"),
        consent_at=now, submitted_at=now,
        documents=[M.DocumentPhoto.from_bytes("Tờ khai", "image/jpeg", b"\xff\xd8\xff\xe0fake-jpeg")],
        provisional_reference=ref,
    )


# -- catalog ----------------------------------------------------------------------------------


def test_catalog_has_at_least_12_real_procedures_grouped_by_life_event(client):
    page = client.list_procedures(limit=200)
    assert page.total >= 12 and len(page.items) == page.total
    codes = {p.code for p in page.items}
    assert {"1.001193", "1.004873", "1.004222", "1.004194", "2.000815", "1.001612"} <= codes
    events = {e.id for e in client.life_events()}
    assert {p.life_event for p in page.items} <= events
    assert {p.level for p in page.items} <= {"province", "commune"}


def test_every_procedure_detail_parses_and_its_form_schema_works(client):
    for summary in client.list_procedures(limit=200).items:
        p = client.get_procedure(summary.code)
        assert isinstance(p, M.Procedure)
        assert p.documents and p.fees and p.legal_basis and p.delivery_options
        assert p.name_vi and p.name_en and p.processing_vi and p.processing_en
        assert p.form["type"] == "object"
        # an empty form is refused for every required field, and nothing else
        missing = {f for f, k in validate(p.form, {}) if k == "form.required"}
        assert missing == set(p.form.get("required", []))


def test_search_is_diacritic_insensitive(client):
    hits = client.search_procedures("dang ky khai sinh")
    assert "1.001193" in [p.code for p in hits.items]
    hits = client.search_procedures("TẠM TRÚ")
    assert [p.code for p in hits.items] == ["1.004194"]
    assert client.search_procedures("xyzzy-nothing").total == 0


def test_filters_by_life_event(client):
    page = client.list_procedures(life_event="residence")
    assert {p.code for p in page.items} == {"1.004222", "1.004194"}


def test_unknown_procedure_is_not_found(client):
    with pytest.raises(E.NotFound):
        client.get_procedure("9.999999")
    with pytest.raises(E.InvalidRequest):
        client.get_procedure("../etc/passwd")


def test_provinces_are_the_34_units_in_force(client):
    provinces = client.provinces()
    assert len(provinces) == 34
    assert "Thành phố Hà Nội" in {p.name for p in provinces}
    assert sum(p.kind == "city" for p in provinces) == 6


# -- submission and idempotency ---------------------------------------------------------------


def test_submit_then_lookup(client):
    receipt = client.submit_dossier(submission(), key())
    assert receipt.status == "received" and receipt.procedure.code == "1.004873"
    assert receipt.fee.amount_vnd == 3000 and not receipt.fee.paid
    assert receipt.code.startswith("H26.99-") and len(receipt.code.rsplit("-", 1)[1]) == 8
    assert normalize_claim_code(receipt.claim_code) == receipt.claim_code  # XXXX-XXXX, Crockford digits
    assert "claim_code" not in repr(receipt) and receipt.claim_code not in repr(receipt)
    d = client.lookup_dossier(receipt.code)
    assert d.status == "received" and d.procedure.code == "1.004873"
    assert d.expected_date is not None and d.expected_date >= receipt.received_at.date()


def test_same_idempotency_key_files_once(client, gateway):
    k = key()
    sub = submission()
    before = gateway.app.state.store.counts()["dossiers"]
    first = client.submit_dossier(sub, k)
    again = client.submit_dossier(sub, k)
    assert first == again
    assert gateway.app.state.store.counts()["dossiers"] == before + 1


def test_same_key_other_body_is_a_conflict(client):
    k = key()
    client.submit_dossier(submission(), k)
    other = submission(form={"purpose": "mục đích khác", "marital_status": "đã ly hôn"})
    with pytest.raises(E.Conflict) as info:
        client.submit_dossier(other, k)
    assert info.value.message_key == "gateway.conflict"


def test_idempotency_keys_are_per_kiosk(gateway, settings):
    a = GatewayClient.from_settings(settings.replace(kiosk={"kiosk_id": "KIOSK-A"}), base_url=gateway.base_url)
    b = GatewayClient.from_settings(settings.replace(kiosk={"kiosk_id": "KIOSK-B"}), base_url=gateway.base_url)
    k = key()
    assert a.submit_dossier(submission(), k).code != b.submit_dossier(submission(), k).code


def test_invalid_form_is_refused(client):
    with pytest.raises(E.InvalidRequest) as info:
        client.submit_dossier(submission(form={"purpose": "không có trong danh sách"}), key())
    assert info.value.status == 422


def test_submission_without_key_is_refused_before_sending(client):
    with pytest.raises(ValueError):
        client.submit_dossier(submission(), "")


def test_post_delivery_needs_a_known_province(client):
    bad = M.DeliveryChoice("post", M.Address("Tỉnh Hà Tây", "Phường Quang Trung", "1 Đường A"),
                           "Nguyễn Văn An", "0912345678")
    with pytest.raises(E.InvalidRequest):
        client.submit_dossier(submission(delivery=bad), key())
    good = M.DeliveryChoice("post", M.Address("Thành phố Hà Nội", "Phường Hoàn Kiếm", "1 Đinh Tiên Hoàng"),
                            "Nguyễn Văn An", "0912345678")
    receipt = client.submit_dossier(submission(delivery=good), key())
    d = client.lookup_dossier(receipt.code)
    assert d.delivery.method == "post" and d.delivery.province == "Thành phố Hà Nội"


def test_personal_data_is_not_in_repr():
    text = repr(submission())
    assert "001099012345" not in text and "Nguyễn Văn An" not in text


# -- payments ---------------------------------------------------------------------------------


def test_vietqr_payment_and_demo_confirmation(client):
    receipt = client.submit_dossier(submission(), key())
    pay = client.create_payment(receipt.code, "vietqr", idempotency_key=key(), proof=APPLICANT)
    assert pay.status == "pending" and pay.amount_vnd == 3000 and pay.expires_at > pay.created_at
    qr = vietqr.parse(pay.qr_payload)  # checks the CRC too
    assert qr.amount == 3000 and qr.is_napas and qr.reference == pay.id
    assert client.payment_status(pay.id).status == "pending"
    # the receipt's claim code proves it as well as the chip does
    done = client.demo_confirm_payment(pay.id, proof=M.ApplicantProof(claim_code=receipt.claim_code.lower()))
    assert done.status == "paid" and done.confirmed_by == "bank"
    assert client.lookup_dossier(receipt.code).fee.paid
    with pytest.raises(E.Conflict):  # nothing left to pay
        client.create_payment(receipt.code, "vietqr", idempotency_key=key(), proof=APPLICANT)


def test_simulated_bank_confirms_after_its_delay(tmp_path, settings):
    now = [1_800_000_000.0]
    gw = EmbeddedGateway(None, app_kwargs={"clock": lambda: now[0], "bank_delay": 30})
    gw.start()
    try:
        c = GatewayClient.from_settings(settings, base_url=gw.base_url)
        code = c.submit_dossier(submission(), key()).code
        pay = c.create_payment(code, idempotency_key=key(), proof=APPLICANT)
        now[0] += 29
        assert c.payment_status(pay.id).status == "pending"
        now[0] += 2
        paid = c.payment_status(pay.id)
        assert paid.status == "paid" and paid.confirmed_by == "bank"
        # and an unpaid QR expires after 15 minutes
        code2 = c.submit_dossier(submission(), key()).code
        cash = c.create_payment(code2, "cash", idempotency_key=key(), proof=APPLICANT)
        now[0] += 16 * 60
        assert c.payment_status(cash.id).status == "expired"
    finally:
        gw.stop()


def test_cash_confirmed_by_staff(client):
    code = client.submit_dossier(submission(), key()).code
    pay = client.create_payment(code, "cash", idempotency_key=key(), proof=APPLICANT)
    assert pay.qr_payload is None
    with pytest.raises(E.InvalidRequest):
        client.confirm_cash(pay.id, "staff-01", 2000, idempotency_key=key())
    k = key()
    done = client.confirm_cash(pay.id, "staff-01", 3000, receipt_number="BL-0001", idempotency_key=k)
    assert done.status == "paid" and done.confirmed_by == "staff:staff-01"
    assert client.confirm_cash(pay.id, "staff-01", 3000, receipt_number="BL-0001", idempotency_key=k) == done


def test_unknown_payment(client):
    with pytest.raises(E.NotFound):
        client.payment_status("PAYNOPE")


# -- delivery, help, ratings, heartbeat -------------------------------------------------------


def test_book_delivery(client):
    code = "H26.99-241125-0004"  # the sample dossier whose result is ready (for pick-up)
    addr = M.Address("Tỉnh Lào Cai", "Xã Bảo Thắng", "Thôn 3")
    k = key()
    conf = client.book_delivery(code, addr, "Nguyễn Văn An", "0912345678", idempotency_key=k, proof=DEMO_PERSON)
    assert conf.dossier_code == code and conf.tracking_code.endswith("VN")
    d = client.lookup_dossier(code)
    assert d.delivery.method == "post" and d.delivery.tracking_code == conf.tracking_code
    # the same request again (a retry) gets the same booking; a new one is refused: booked once
    assert client.book_delivery(code, addr, "Nguyễn Văn An", "0912345678", idempotency_key=k,
                                proof=DEMO_PERSON) == conf
    with pytest.raises(E.Conflict):
        client.book_delivery(code, addr, "Nguyễn Văn An", "0912345678", idempotency_key=key(), proof=DEMO_PERSON)
    # a result that is not ready has nothing to post
    fresh = client.submit_dossier(submission(), key()).code
    with pytest.raises(E.Conflict):
        client.book_delivery(fresh, addr, "Nguyễn Văn An", "0912345678", idempotency_key=key(), proof=APPLICANT)
    with pytest.raises(E.DossierNotFound):
        client.book_delivery("H26.99-000000-0000", addr, "A", "0912345678", idempotency_key=key(),
                             proof=APPLICANT)


def test_help_queue(gateway, settings):
    k1 = GatewayClient.from_settings(settings.replace(kiosk={"kiosk_id": "HELP-1"}), base_url=gateway.base_url)
    k2 = GatewayClient.from_settings(settings.replace(kiosk={"kiosk_id": "HELP-2"}), base_url=gateway.base_url)
    t1 = k1.create_help_request("card_problem")
    t2 = k2.create_help_request("form_help", procedure_code="1.001193")
    assert t1.ticket.startswith("H-") and t1.ticket != t2.ticket
    queue = [t for t in k1.list_help_requests("waiting") if t.kiosk_id in ("HELP-1", "HELP-2")]
    assert [t.id for t in queue] == [t1.id, t2.id]
    assert queue[0].position < queue[1].position
    taken = k1.update_help_request(t1.id, "in_service", staff_id="staff-01")
    assert taken.status == "in_service" and taken.position is None
    assert t1.id not in [t.id for t in k1.list_help_requests("waiting")]
    assert [t.id for t in k2.list_help_requests(None, kiosk_id="HELP-2")] == [t2.id]


def test_rating(client):
    k = key()
    rid = client.rate(5, "lookup", dossier_code="H26.99-241125-0004", comment="Nhanh, dễ dùng", idempotency_key=k)
    assert isinstance(rid, int)
    again = client.rate(5, "lookup", dossier_code="H26.99-241125-0004", comment="Nhanh, dễ dùng", idempotency_key=k)
    assert again == rid
    with pytest.raises(E.InvalidRequest):
        client.rate(9, "lookup", idempotency_key=key())


def test_bearer_tokens_per_kiosk(tmp_path, settings):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token-A\n")
    gw = EmbeddedGateway(None, app_kwargs={"tokens": {"s3cret-token-A": "KIOSK-A"}})
    gw.start()
    try:
        anonymous = GatewayClient.from_settings(settings, base_url=gw.base_url)
        with pytest.raises(E.GatewayAuthError) as info:
            anonymous.lookup_dossier("H26.99-241125-0001")
        assert info.value.message_key == "gateway.unauthorized"
        authed = GatewayClient.from_settings(settings.replace(kiosk={"kiosk_id": "KIOSK-A"},
                                                              gateway={"token_file": str(token_file)}),
                                             base_url=gw.base_url)
        assert authed.lookup_dossier("H26.99-241125-0001").status == "received"
        authed.heartbeat({"printer": "online"})
        assert "KIOSK-A" in {r["kiosk_id"] for r in gw.app.state.store.query("SELECT kiosk_id FROM heartbeats")}
    finally:
        gw.stop()


def test_embedded_url_in_settings_starts_the_embedded_gateway(settings):
    c = GatewayClient.from_settings(settings.replace(gateway={"url": "embedded"}))
    try:
        assert c.base_url.startswith("http://127.0.0.1:")
        assert c.lookup_dossier("H26.99-241125-0005").status == "delivered"
    finally:
        from kiosk.gateway.embedded import shared

        shared(settings).stop()


def test_many_kiosks_at_once(gateway, settings):
    from concurrent.futures import ThreadPoolExecutor

    def journey(n):
        c = GatewayClient.from_settings(settings.replace(kiosk={"kiosk_id": f"MANY-{n:02d}"}),
                                        base_url=gateway.base_url)
        k, sub = key(), submission()
        receipt = c.submit_dossier(sub, k)
        again = c.submit_dossier(sub, k)  # a retry from the same kiosk
        assert again.code == receipt.code
        assert c.lookup_dossier(receipt.code).status == "received"
        pay = c.create_payment(receipt.code, idempotency_key=key(), proof=APPLICANT)
        c.heartbeat()
        c.close()
        return receipt.code, pay.id

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(journey, range(16)))
    assert len({code for code, _ in results}) == 16
    assert len({pid for _, pid in results}) == 16
