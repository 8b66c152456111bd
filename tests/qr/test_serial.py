"""The serial (USB CDC) scanner source against a pseudo-terminal, with unplug and replug."""

from __future__ import annotations

import os
import queue
import time

import pytest

from kiosk.devices.base import DeviceState, StatusBoard
from kiosk.devices.qr import serial_scanner
from kiosk.devices.qr.scan import Framer
from kiosk.devices.qr.serial_scanner import SerialQrSource

WAIT = 10.0


class Pty:
    """A pseudo-terminal whose slave is reached through a stable symlink (like /dev/serial/by-id)."""

    def __init__(self, link):
        self.link = link
        self.plug()

    def plug(self):
        self.master, slave = os.openpty()
        self.slave_path = os.ttyname(slave)
        os.close(slave)  # pyserial opens the slave by name
        tmp = str(self.link) + ".new"
        os.symlink(self.slave_path, tmp)
        os.replace(tmp, self.link)

    def unplug(self):
        os.close(self.master)
        os.unlink(self.link)

    def write(self, data: bytes):
        os.write(self.master, data)


def _wait_state(source, state):
    deadline = time.monotonic() + WAIT
    while source.status.state != state:
        assert time.monotonic() < deadline, f"still {source.status.state}, expected {state}"
        time.sleep(0.02)


@pytest.fixture
def scanner(tmp_path, monkeypatch):
    monkeypatch.setattr(serial_scanner, "REOPEN_SECONDS", 0.1)
    pty = Pty(tmp_path / "ttyACM-scanner")
    got: queue.Queue = queue.Queue()
    source = SerialQrSource(str(pty.link), 115200, board=StatusBoard(),
                            framer=Framer(prefix=b"\x02", suffix=b"\x03", gap=0.05))
    source.open()
    source.start(got.put)
    yield pty, source, got
    source.close()
    try:
        os.close(pty.master)
    except OSError:
        pass


def test_scans_with_terminators_prefix_suffix_and_duplicates(scanner):
    pty, source, got = scanner
    assert source.status.state == DeviceState.ONLINE
    pty.write(b"HS-2026-000123\r\n")
    scan = got.get(timeout=WAIT)
    assert scan.payload == "HS-2026-000123" and scan.source == "serial" and scan.points is None
    pty.write(b"\x02HS-2026-000456\x03\r")  # STX … ETX, CR
    assert got.get(timeout=WAIT).payload == "HS-2026-000456"
    pty.write(b"HS-2026-000456\r")  # the scanner read the same receipt twice
    time.sleep(0.3)
    pty.write("001234567889||Nguyễn Văn An|01011990|Nam|Hà Nội|15062021\n".encode())
    scan = got.get(timeout=WAIT)
    assert scan.payload.startswith("001234567889||Nguyễn")
    assert got.empty() and source.duplicates == 1


def test_multiline_payload_keeps_its_crlf_and_junk_is_dropped(scanner):
    pty, source, got = scanner
    pty.write(b"BEGIN:VCARD\r\nN:An\r\nEND:VCARD\r\n")
    assert got.get(timeout=WAIT).payload == "BEGIN:VCARD\r\nN:An\r\nEND:VCARD"
    pty.write(b"A" * 3000)
    pty.write(b"B" * 3000 + b"\r")  # 6000 bytes without a pause: junk
    time.sleep(0.3)
    pty.write(b"HS-2026-000789\r")
    assert got.get(timeout=WAIT).payload == "HS-2026-000789"
    assert source.framer.discarded == 1


def test_unplug_and_replug(scanner):
    pty, source, got = scanner
    pty.write(b"HS-2026-000001\r")
    assert got.get(timeout=WAIT).payload == "HS-2026-000001"
    pty.unplug()
    _wait_state(source, DeviceState.NO_DEVICE)
    assert "unplugged" in source.status.last_error or "cannot open" in source.status.last_error
    pty.plug()
    _wait_state(source, DeviceState.ONLINE)
    pty.write(b"HS-2026-000002\r\n")
    assert got.get(timeout=WAIT).payload == "HS-2026-000002"


def test_missing_port_is_no_device_until_it_appears(tmp_path, monkeypatch):
    monkeypatch.setattr(serial_scanner, "REOPEN_SECONDS", 0.1)
    link = tmp_path / "ttyACM9"
    source = SerialQrSource(str(link), 9600, board=StatusBoard())
    got: queue.Queue = queue.Queue()
    source.open()
    assert source.status.state == DeviceState.NO_DEVICE
    source.start(got.put)
    pty = Pty(link)
    try:
        _wait_state(source, DeviceState.ONLINE)
        pty.write(b"HS-2026-000003\r")
        assert got.get(timeout=WAIT).payload == "HS-2026-000003"
    finally:
        source.close()
        os.close(pty.master)
