"""GatewayService: the kiosk's one facade over the client, the outbox, its worker and the monitor."""

import threading
import time
import uuid

import pytest
from gw_faults import closed_port

from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.demo.samples import sample_submission
from kiosk.gateway.outbox import Outbox, ProvisionalReceipt, load_or_create_key
from kiosk.gateway.service import GatewayNotReady, GatewayService


def key() -> str:
    return str(uuid.uuid4())


def sub() -> M.DossierSubmission:
    return sample_submission(purpose="kết hôn")


@pytest.fixture
def outbox(tmp_path):
    ob = Outbox(tmp_path / "outbox.sqlite3", load_or_create_key(tmp_path / "outbox.key"))
    yield ob
    ob.close()


def client_for(url, kiosk_id="SERVICE-1"):
    return GatewayClient(url, kiosk_id=kiosk_id, retries=1, backoff=0.01, connect_timeout=1, read_timeout=5)


def test_the_facade_has_no_proxy(settings):
    assert not hasattr(GatewayService, "__getattr__")
    svc = GatewayService(settings, start=False)
    started = time.monotonic()
    with pytest.raises(AttributeError):
        svc.submit_dossier  # noqa: B018 - the client's name is not the facade's
    assert time.monotonic() - started < 1  # refused at once, not after waiting for a client
    assert svc.outbox is None and not svc.ready
    assert svc.demo == (settings.gateway.url == "embedded")
    assert GatewayService(settings.replace(gateway={"url": "embedded"}), start=False).demo
    assert not GatewayService(settings.replace(gateway={"url": "https://gateway.example"}), start=False).demo


@pytest.fixture
def own_gateway():
    """A demo gateway of this test's own: the shared one's sample dossiers get booked elsewhere."""
    from kiosk.gateway.embedded import EmbeddedGateway

    gw = EmbeddedGateway(None)
    gw.start()
    yield gw
    gw.stop()


def test_every_call_reaches_the_gateway(own_gateway, settings, outbox):
    svc = GatewayService(settings, outbox=outbox, client=client_for(own_gateway.base_url), background=False)
    try:
        assert svc.wait(10) is not None and svc.ready and svc.outbox is outbox
        assert "residence" in {e.id for e in svc.life_events()}
        residence = svc.list_procedures(life_event="residence", limit=100).items
        assert {p.code for p in residence} == {"1.004222", "1.004194"}
        assert "1.004194" in [p.code for p in svc.search_procedures("tạm trú").items]
        assert svc.get_procedure("1.004873").code == "1.004873"
        assert len(svc.provinces()) == 34
        receipt = svc.submit(sub(), key())
        assert isinstance(receipt, M.SubmissionReceipt)
        assert svc.lookup_dossier(receipt.code).status == "received"
        mine = M.ApplicantProof(claim_code=receipt.claim_code)  # the receipt's claim code
        pay = svc.create_payment(receipt.code, "vietqr", idempotency_key=key(), proof=mine)
        assert svc.payment_status(pay.id).status == "pending"
        assert svc.demo_confirm_payment(pay.id, proof=mine).status == "paid"
        other = svc.submit(sub(), key())
        cash = svc.create_payment(other.code, "cash", idempotency_key=key(),
                                  proof=M.ApplicantProof(claim_code=other.claim_code))
        assert svc.confirm_cash(cash.id, "staff-01", cash.amount_vnd, receipt_number="BL-1",
                                idempotency_key=key()).status == "paid"
        conf = svc.book_delivery("H26.99-241125-0004", M.Address("Tỉnh Lào Cai", "Xã Bảo Thắng", "Thôn 3"),
                                 "Nguyễn Văn An", "0912345678", idempotency_key=key(),
                                 proof=M.ApplicantProof(id_number="001189012345"))  # the demo card's person
        assert conf.tracking_code.endswith("VN")
        ticket = svc.create_help_request("form_help", procedure_code="1.004873", note="xin giúp")
        assert ticket.id in [t.id for t in svc.list_help_requests("waiting", kiosk_id="SERVICE-1")]
        assert svc.update_help_request(ticket.id, "done", staff_id="staff-01").status == "done"
        assert isinstance(svc.rate(5, "submit", dossier_code=receipt.code, comment="tốt", idempotency_key=key()), int)
        assert svc.heartbeat({"printer": "online"}).api_version
    finally:
        svc.stop()
    assert outbox.depth() == 0  # the outbox given is the caller's: still open after stop()


def test_submit_behind_a_backlog_queues_and_leaves_delivery_to_the_worker(settings, outbox):
    outbox.enqueue("rating", {"score": 4, "journey": "lookup"})  # an older item the gateway has not had
    callers = []
    real_deliver = outbox.deliver

    def deliver(*args, **kwargs):
        callers.append(threading.current_thread().name)
        return real_deliver(*args, **kwargs)

    outbox.deliver = deliver
    svc = GatewayService(settings, outbox=outbox, client=client_for(f"http://127.0.0.1:{closed_port()}"))
    try:
        svc.wait(10)
        receipt = svc.submit(sub(), key())
        assert isinstance(receipt, ProvisionalReceipt) and receipt.reference.startswith("TAM-")
        assert outbox.depth() == 2
        # the worker tried once on starting; the citizen's send kicked it to try again at once,
        # long before its back-off (20 s after a failure) would have
        deadline = time.monotonic() + 5
        while callers.count("outbox-worker") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert callers.count("outbox-worker") >= 2
        assert threading.current_thread().name not in callers
        assert set(callers) == {"outbox-worker"}
    finally:
        svc.stop()


def test_rating_queues_when_the_service_never_came_up(settings, outbox, tmp_path):
    broken = settings.replace(gateway={"url": "http://127.0.0.1:9", "token_file": str(tmp_path / "missing")})
    svc = GatewayService(broken, outbox=outbox)
    with pytest.raises(GatewayNotReady) as info:
        svc.wait(10)
    assert isinstance(info.value, E.GatewayError) and info.value.message_key == "gateway.unavailable"
    queued = svc.rate(5, "lookup", dossier_code="H26.99-241125-0004", idempotency_key=key())
    assert isinstance(queued, ProvisionalReceipt) and outbox.depth() == 1
    with pytest.raises(GatewayNotReady):  # a dossier is not queued for a kiosk that never got a client
        svc.submit(sub(), key())
    svc.stop()


def test_rating_without_an_outbox_never_raises_for_an_offline_gateway(settings):
    svc = GatewayService(settings, outbox=False, client=client_for(f"http://127.0.0.1:{closed_port()}"),
                         background=False)
    svc.wait(10)
    assert svc.outbox is None
    assert svc.rate(3, "help", idempotency_key=key()) is None
    with pytest.raises(E.GatewayUnavailable):  # the dossier is the citizen's to know about
        svc.submit(sub(), key())
    svc.stop()


def test_a_provisional_reference_is_answered_without_the_gateway(settings, outbox):
    ref = outbox.enqueue("submission", sub().to_json(), idempotency_key=key()).reference
    svc = GatewayService(settings, outbox=outbox, start=False)  # never ready
    status = svc.lookup_dossier(ref.lower())
    assert status.state == "queued" and status.reference == ref
