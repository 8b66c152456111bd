"""The dossier-lookup journey: the client against the demo gateway over real HTTP."""

from datetime import datetime

import pytest

from kiosk.gateway import errors as E
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.embedded import EmbeddedGateway
from kiosk.gateway.models import DOSSIER_STATUSES, Dossier, TimelineEvent

SAMPLES = {
    "H26.99-241125-0001": "received",
    "H26.99-241125-0002": "in_progress",
    "H26.99-241125-0003": "supplement_requested",
    "H26.99-241125-0004": "result_ready",
    "H26.99-241125-0005": "delivered",
    "H26.99-241125-0006": "rejected",
    "H26.99-241125-0007": "collected",
}


@pytest.mark.parametrize("code,status", sorted(SAMPLES.items()))
def test_sample_dossiers_have_their_documented_state(client, code, status):
    d = client.lookup_dossier(code)
    assert isinstance(d, Dossier)
    assert d.code == code
    assert d.status == status
    assert d.timeline and all(isinstance(e, TimelineEvent) for e in d.timeline)
    assert all(isinstance(e.at, datetime) and e.at.tzinfo is not None for e in d.timeline)
    assert d.timeline[-1].status == status
    assert [e.at for e in d.timeline] == sorted(e.at for e in d.timeline)
    assert d.procedure.code and d.procedure.name_vi and d.procedure.name_en
    assert d.submitted_at <= d.timeline[-1].at


def test_lookup_accepts_lower_case_and_spaces(client):
    d = client.lookup_dossier("  h26.99-241125-0002 ")
    assert d.code == "H26.99-241125-0002"
    assert d.delivery.method == "post" and d.delivery.ward


def test_unknown_code_is_dossier_not_found(client):
    with pytest.raises(E.DossierNotFound) as info:
        client.lookup_dossier("H26.99-241125-9999")
    assert info.value.message_key == "gateway.not_found"
    assert isinstance(info.value, E.GatewayError)


@pytest.mark.parametrize("raw,reason", [
    ("", "empty"),
    ("ab", "too-short"),
    ("../../v1/kiosks/heartbeat", "bad-characters"),
    ("H26.99?x=1#frag", "bad-characters"),
    ("H26\u200b99-0001", "control-characters"),
    ("X" * 41, "too-long"),
])
def test_malformed_codes_never_reach_the_network(raw, reason, settings):
    # a base URL nothing listens on: any network call would raise GatewayUnavailable instead
    c = GatewayClient.from_settings(settings, base_url="http://127.0.0.1:9", retries=0)
    with pytest.raises(E.InvalidRequest) as info:
        c.lookup_dossier(raw)
    assert info.value.reason == reason
    assert info.value.message_key == "gateway.invalid_request"


def test_slash_in_a_code_stays_one_path_segment(client):
    # a '/' is a legal dossier-code character: it must be quoted, not become a new path segment
    with pytest.raises(E.DossierNotFound):
        client.lookup_dossier("H26/99-241125-0001")


def test_sample_dossier_moves_on_over_time(tmp_path):
    now = [1_800_000_000.0]
    gw = EmbeddedGateway(None, db_path=tmp_path / "gw.sqlite3", app_kwargs={"clock": lambda: now[0]})
    gw.start()
    try:
        c = GatewayClient(gw.base_url, retries=0)
        assert c.lookup_dossier("H26.99-241125-0002").status == "in_progress"
        now[0] += 15 * 60
        assert c.lookup_dossier("H26.99-241125-0002").status == "result_ready"
        now[0] += 30 * 60
        d = c.lookup_dossier("H26.99-241125-0002")
        assert d.status == "delivered"
        assert [e.status for e in d.timeline] == ["received", "in_progress", "result_ready", "delivered"]
    finally:
        gw.stop()


def test_embedded_gateway_keeps_state_in_data_dir(settings):
    gw = EmbeddedGateway(settings)
    url = gw.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert (settings.data_dir / "demo-gateway.sqlite3").exists()
        c = GatewayClient.from_settings(settings, base_url=url)
        assert c.lookup_dossier("H26.99-241125-0004").status == "result_ready"
        assert c.heartbeat().latency_ms > 0
        help_ticket = c.create_help_request("other")
    finally:
        gw.stop()
    # a restart keeps what kiosks did and shows the samples afresh
    gw = EmbeddedGateway(settings)
    url = gw.start()
    try:
        c = GatewayClient.from_settings(settings, base_url=url)
        assert help_ticket.id in [t.id for t in c.list_help_requests("waiting")]
        assert c.lookup_dossier("H26.99-241125-0002").status == "in_progress"
    finally:
        gw.stop()


def test_statuses_are_the_contracts():
    assert set(SAMPLES.values()) <= set(DOSSIER_STATUSES)
