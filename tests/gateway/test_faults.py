"""Fault injection: every way the network or the gateway can fail becomes a typed error."""

import time

import pytest
from gw_faults import FaultServer, HangingPort, closed_port

from kiosk.gateway import errors as E
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.demo.samples import sample_submission


@pytest.fixture(scope="module")
def _server():
    s = FaultServer()
    yield s
    s.close()


@pytest.fixture
def server(_server):
    _server.mode, _server.hits = "ok", 0
    return _server


def make(url, **kw):
    kw.setdefault("retries", 0)
    kw.setdefault("connect_timeout", 0.5)
    kw.setdefault("read_timeout", 0.6)
    return GatewayClient(url, backoff=0.01, **kw)


def test_healthy_fault_server_answers(server):
    assert make(server.url).lookup_dossier("H26.99-241125-0001").status == "received"


def test_refused_connection_is_unavailable():
    with pytest.raises(E.GatewayUnavailable) as info:
        make(f"http://127.0.0.1:{closed_port()}").lookup_dossier("H26.99-241125-0001")
    assert info.value.message_key == "gateway.unavailable" and info.value.next_step == "next.try_again"


def test_connect_timeout():
    hang = HangingPort()
    try:
        started = time.monotonic()
        with pytest.raises(E.GatewayTimeout) as info:
            make(f"http://127.0.0.1:{hang.port}", connect_timeout=0.3).lookup_dossier("H26.99-241125-0001")
        assert info.value.message_key == "gateway.timeout"
        assert time.monotonic() - started < 10
    finally:
        hang.close()


def test_read_timeout_on_a_slow_server(server):
    server.mode = "slow:2"
    with pytest.raises(E.GatewayTimeout):
        make(server.url, read_timeout=0.5).lookup_dossier("H26.99-241125-0001")


def test_slow_but_in_time_is_fine(server):
    server.mode = "slow:0.2"
    assert make(server.url, read_timeout=2).lookup_dossier("H26.99-241125-0001").code == "H26.99-241125-0001"


def test_a_trickling_server_cannot_hold_the_kiosk(server):
    server.mode = "trickle"  # each byte arrives within the read timeout; the whole body does not
    with pytest.raises(E.GatewayTimeout):
        make(server.url, connect_timeout=0.2, read_timeout=0.5).lookup_dossier("H26.99-241125-0001")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_unavailable(server, status):
    server.mode = f"status:{status}"
    with pytest.raises(E.GatewayUnavailable) as info:
        make(server.url).lookup_dossier("H26.99-241125-0001")
    assert info.value.status == status


def test_idempotent_calls_are_retried_then_give_up(server):
    server.mode = "status:503"
    with pytest.raises(E.GatewayUnavailable):
        make(server.url, retries=3).lookup_dossier("H26.99-241125-0001")
    assert server.hits == 4


def test_retry_recovers_when_the_gateway_comes_back(server):
    server.mode = "status:503"
    client = make(server.url, retries=3)
    client._sleep = lambda s: setattr(server, "mode", "ok")  # the gateway is back after the first failure
    assert client.lookup_dossier("H26.99-241125-0001").status == "received"
    assert server.hits == 2


def test_non_idempotent_post_is_never_retried(server):
    server.mode = "status:503"
    client = make(server.url, retries=3)
    with pytest.raises(E.GatewayUnavailable):
        client.create_help_request("other")
    assert server.hits == 1


def test_post_with_idempotency_key_is_retried(server):
    server.mode = "status:503"
    client = make(server.url, retries=2)
    with pytest.raises(E.GatewayUnavailable):
        client.rate(4, idempotency_key="0123456789abcdef")
    assert server.hits == 3


def test_client_errors_are_not_retried(server):
    server.mode = "status:400"
    with pytest.raises(E.InvalidRequest):
        make(server.url, retries=3).lookup_dossier("H26.99-241125-0001")
    assert server.hits == 1


@pytest.mark.parametrize("mode", ["malformed", "not_json", "wrong_schema"])
def test_bad_answers_are_bad_response(server, mode):
    server.mode = mode
    with pytest.raises(E.GatewayBadResponse) as info:
        make(server.url).lookup_dossier("H26.99-241125-0001")
    assert info.value.message_key == "gateway.bad_response"


def test_json_nested_100000_deep_is_a_typed_bad_response(server):
    server.mode = "deep"
    with pytest.raises(E.GatewayBadResponse):
        make(server.url).lookup_dossier("H26.99-241125-0001")
    with pytest.raises(E.GatewayBadResponse):
        make(server.url).rate(4, idempotency_key="0123456789abcdef")


def test_a_500_nested_100000_deep_is_unavailable_and_a_submission_queues(server, tmp_path):

    from kiosk import config
    from kiosk.gateway.outbox import Outbox, ProvisionalReceipt, load_or_create_key
    from kiosk.gateway.service import GatewayService

    server.mode = "deep500"
    with pytest.raises(E.GatewayUnavailable) as info:
        make(server.url).lookup_dossier("H26.99-241125-0001")
    assert info.value.status == 500
    sub = sample_submission()
    with Outbox(tmp_path / "o.sqlite3", load_or_create_key(tmp_path / "o.key")) as ob:
        svc = GatewayService(config.defaults(), outbox=ob, client=make(server.url), background=False)
        assert isinstance(svc.submit(sub, "0123456789abcdef"), ProvisionalReceipt)
        assert ob.depth() == 1


def test_connection_closed_without_answer(server):
    server.mode = "close"
    with pytest.raises(E.GatewayUnavailable):
        make(server.url).lookup_dossier("H26.99-241125-0001")


def test_all_errors_carry_keys():
    for cls in (E.DossierNotFound, E.GatewayUnavailable, E.GatewayTimeout, E.GatewayBadResponse,
                E.GatewayTlsError, E.InvalidRequest, E.GatewayAuthError, E.Conflict, E.NotFound):
        err = cls("x")
        assert isinstance(err, E.GatewayError)
        assert err.message_key.startswith("gateway.") and err.next_step.startswith("next.")
