"""sd_notify over a real datagram Unix socket (path and abstract namespace)."""

from __future__ import annotations

import os
import socket

import pytest

from kiosk import watchdog


@pytest.fixture
def listener(tmp_path, monkeypatch):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    yield sock
    sock.close()


def test_ready_ping_status_stopping(listener):
    assert watchdog.enabled()
    assert watchdog.ready() and listener.recv(256) == b"READY=1"
    assert watchdog.ping() and listener.recv(256) == b"WATCHDOG=1"
    assert watchdog.status("3 devices ok\nprinter near end")
    assert listener.recv(256) == b"STATUS=3 devices ok printer near end"
    assert watchdog.stopping() and listener.recv(256) == b"STOPPING=1"


def test_abstract_namespace(monkeypatch):
    name = f"kiosk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    try:
        assert watchdog.ping() and sock.recv(64) == b"WATCHDOG=1"
    finally:
        sock.close()


def test_no_systemd_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert watchdog.ready() is False and watchdog.interval() is None


def test_interval_is_half_the_watchdog(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert watchdog.interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getppid()))  # run under a compositor started by systemd
    assert watchdog.interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", "999999999")  # some other process
    assert watchdog.interval() is None
