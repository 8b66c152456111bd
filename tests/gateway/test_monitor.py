"""GatewayMonitor publishes the gateway's reachability as a DeviceStatus."""

import socket

from kiosk.devices.base import DeviceKind, DeviceState, StatusBoard
from kiosk.gateway.client import GatewayClient, GatewayMonitor


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_online_with_latency(gateway, settings):
    board = StatusBoard()
    heard = []
    board.subscribe(heard.append)
    client = GatewayClient.from_settings(settings, base_url=gateway.base_url)
    mon = GatewayMonitor(client, board)
    st = mon.check()
    assert st.kind == DeviceKind.GATEWAY and st.state == DeviceState.ONLINE
    assert "latency" in st.detail and st.last_error is None
    assert board.get(DeviceKind.GATEWAY) == st
    assert heard[-1].state == DeviceState.ONLINE


def test_offline_when_refused_and_back(settings):
    board = StatusBoard()
    client = GatewayClient.from_settings(settings, base_url=f"http://127.0.0.1:{_closed_port()}", retries=0)
    mon = GatewayMonitor(client, board)
    st = mon.check()
    assert st.state == DeviceState.OFFLINE
    assert st.last_error.startswith("gateway.unavailable")
    assert st.needs_technician
    since = st.since
    assert mon.check().since == since  # still offline: the state's start time is kept


def test_monitor_thread_publishes(gateway, settings):
    import time

    board = StatusBoard()
    client = GatewayClient.from_settings(settings, base_url=gateway.base_url)
    mon = GatewayMonitor(client, board, interval=0.05)
    mon.start()
    try:
        deadline = time.monotonic() + 10
        while board.get(DeviceKind.GATEWAY).state != DeviceState.ONLINE and time.monotonic() < deadline:
            time.sleep(0.02)
        assert board.get(DeviceKind.GATEWAY).state == DeviceState.ONLINE
    finally:
        mon.stop()


def test_a_heartbeat_that_gets_through_sends_the_waiting_outbox_at_once(gateway, settings, tmp_path):
    """The outbox worker backs off while the gateway is away; the monitor's first successful
    heartbeat with items waiting kicks it, so they go now, not minutes later."""
    from kiosk.gateway.outbox import Outbox, load_or_create_key

    outbox = Outbox(str(tmp_path / "outbox.db"), load_or_create_key(str(tmp_path / "key")))
    kicks = []
    down = GatewayClient.from_settings(settings, base_url=f"http://127.0.0.1:{_closed_port()}", retries=0)
    up = GatewayClient.from_settings(settings, base_url=gateway.base_url)
    try:
        GatewayMonitor(up, StatusBoard(), outbox=outbox, on_reachable=lambda: kicks.append(1)).check()
        assert kicks == []  # nothing waits: nothing to send
        outbox.enqueue("rating", {"score": 5, "journey": "lookup", "dossier_code": None, "comment": None,
                                  "rated_at": "2026-11-30T00:00:00Z"}, idempotency_key="k-1")
        GatewayMonitor(down, StatusBoard(), outbox=outbox, on_reachable=lambda: kicks.append(1)).check()
        assert kicks == []  # still away: the worker keeps its back-off
        st = GatewayMonitor(up, StatusBoard(), outbox=outbox, on_reachable=lambda: kicks.append(1)).check()
        assert st.state == DeviceState.ONLINE and kicks == [1]
    finally:
        outbox.close()
