"""The HID keyboard-wedge source: key map, framing, grab and unplug.

The end-to-end test types through a virtual keyboard made with uinput (evdev.UInput); where
/dev/uinput is missing (a container or VM without the uinput module) it is skipped with the
reason, and the same loop is driven through a pipe-backed stand-in for evdev.InputDevice that
yields real evdev.InputEvent objects.
"""

from __future__ import annotations

import errno
import os
import queue
import struct
import time

import evdev
import pytest
from evdev import ecodes as e

from kiosk.devices.base import DeviceState, StatusBoard
from kiosk.devices.qr import hid
from kiosk.devices.qr.hid import HidQrSource, KeyDecoder

WAIT = 10.0

_SHIFTED = {v[1]: k for k, v in hid._US_ROWS.items() if v[0] != v[1]}
_PLAIN = {v[0]: k for k, v in hid._US_ROWS.items()}


def key_events(text: str) -> list[tuple[int, int, int]]:
    """What a US-layout wedge scanner sends for text (key down/up, shift around capitals)."""
    out = []
    for ch in text:
        shift = False
        if ch.isalpha() and ch.isascii():
            code, shift = getattr(e, "KEY_" + ch.upper()), ch.isupper()
        elif ch in _PLAIN:
            code = getattr(e, _PLAIN[ch])
        elif ch in _SHIFTED:
            code, shift = getattr(e, _SHIFTED[ch]), True
        else:  # Alt + keypad decimal code point
            out.append((e.EV_KEY, e.KEY_LEFTALT, 1))
            for d in str(ord(ch)):
                kp = getattr(e, f"KEY_KP{d}")
                out += [(e.EV_KEY, kp, 1), (e.EV_KEY, kp, 0)]
            out.append((e.EV_KEY, e.KEY_LEFTALT, 0))
            continue
        if shift:
            out.append((e.EV_KEY, e.KEY_LEFTSHIFT, 1))
        out += [(e.EV_KEY, code, 1), (e.EV_SYN, e.SYN_REPORT, 0), (e.EV_KEY, code, 0)]
        if shift:
            out.append((e.EV_KEY, e.KEY_LEFTSHIFT, 0))
    return out


def typed(events) -> str:
    k = KeyDecoder()
    return "".join(k.feed(*ev) for ev in events)


def test_key_map_round_trip():
    text = "HS-2026/000123 a.b_c:d?e=f&g|h~!@#$%^*()[]{};'\",<>`\\+\r"
    assert typed(key_events(text)) == text


def test_alt_keypad_code_points_give_vietnamese():
    assert typed(key_events("Nguyễn Đức")) == "Nguyễn Đức"


def test_caps_lock_autorepeat_and_unknown_keys():
    ev = [(e.EV_KEY, e.KEY_CAPSLOCK, 1), (e.EV_KEY, e.KEY_CAPSLOCK, 0), (e.EV_KEY, e.KEY_A, 1), (e.EV_KEY, e.KEY_A, 2),
          (e.EV_KEY, e.KEY_A, 0), (e.EV_KEY, e.KEY_F5, 1), (e.EV_KEY, e.KEY_1, 1)]
    k = KeyDecoder()
    assert "".join(k.feed(*x) for x in ev) == "A1"
    assert k.unknown_keys == 1


# --- the read loop through a stand-in device ----------------------------------------------------

_EV = struct.Struct("iii")


class PipeInputDevice:
    """Stands in for evdev.InputDevice: events written to a pipe, ENODEV when it is 'unplugged'."""

    devices: dict[str, PipeInputDevice] = {}

    def __init__(self, path):
        if path not in self.devices:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        me = self.devices[path]
        self.__dict__ = me.__dict__

    @classmethod
    def plug(cls, path):
        obj = object.__new__(cls)
        obj.r, obj.w = os.pipe()
        obj.fd, obj.name, obj.grabbed = obj.r, "Virtual Scanner", False
        cls.devices[path] = obj
        return obj

    def grab(self):
        if self.grabbed:
            raise OSError(errno.EBUSY, "Device or resource busy")
        self.grabbed = True

    def ungrab(self):
        self.grabbed = False

    def close(self):
        pass

    def read(self):
        data = os.read(self.r, 4096 - 4096 % _EV.size)
        if not data:
            raise OSError(errno.ENODEV, "No such device")
        return [evdev.InputEvent(0, 0, *_EV.unpack_from(data, i)) for i in range(0, len(data), _EV.size)]

    def type(self, text):
        os.write(self.w, b"".join(_EV.pack(*ev) for ev in key_events(text)))

    def unplug(self, path):
        os.close(self.w)
        del self.devices[path]


@pytest.fixture
def pipe_scanner(tmp_path, monkeypatch):
    monkeypatch.setattr(evdev, "InputDevice", PipeInputDevice)
    monkeypatch.setattr(hid, "REOPEN_SECONDS", 0.1)
    path = str(tmp_path / "usb-Scanner-event-kbd")
    dev = PipeInputDevice.plug(path)
    source = HidQrSource(path, board=StatusBoard())
    got: queue.Queue = queue.Queue()
    source.open()
    source.start(got.put)
    yield path, dev, source, got
    source.close()


def _wait_state(source, state):
    deadline = time.monotonic() + WAIT
    while source.status.state != state:
        assert time.monotonic() < deadline, f"still {source.status.state}"
        time.sleep(0.02)


def test_loop_frames_scans_and_drops_duplicates(pipe_scanner):
    path, dev, source, got = pipe_scanner
    assert source.status.state == DeviceState.ONLINE and dev.grabbed
    dev.type("HS-2026-000123\r")
    scan = got.get(timeout=WAIT)
    assert scan.payload == "HS-2026-000123" and scan.source == "hid" and scan.decoder == "hid"
    dev.type("HS-2026-000123\r")
    time.sleep(0.3)
    dev.type("https://dichvucong.gov.vn/tra-cuu?maHoSo=H01.22-261129-0042\t")
    assert got.get(timeout=WAIT).payload == "https://dichvucong.gov.vn/tra-cuu?maHoSo=H01.22-261129-0042"
    assert got.empty() and source.duplicates == 1


def test_unplug_and_replug(pipe_scanner):
    path, dev, source, got = pipe_scanner
    dev.unplug(path)
    _wait_state(source, DeviceState.NO_DEVICE)
    dev2 = PipeInputDevice.plug(path)
    _wait_state(source, DeviceState.ONLINE)
    assert dev2.grabbed
    dev2.type("HS-2026-000555\r")
    assert got.get(timeout=WAIT).payload == "HS-2026-000555"


def test_device_held_by_another_program_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(evdev, "InputDevice", PipeInputDevice)
    path = str(tmp_path / "kbd")
    PipeInputDevice.plug(path).grab()
    source = HidQrSource(path, board=StatusBoard())
    source.open()
    assert source.status.state == DeviceState.HARDWARE_ERROR and "another program" in source.status.last_error


def test_unset_device_is_no_device():
    source = HidQrSource("", board=StatusBoard())
    source.open()
    assert source.status.state == DeviceState.NO_DEVICE and "qr_hid_device" in source.status.last_error


# --- the real thing: a virtual keyboard through uinput ---------------------------------------------


def _kernel_has_no_uinput() -> bool:
    import gzip

    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            return "# CONFIG_INPUT_UINPUT is not set" in f.read()
    except OSError:
        return False


def _uinput_or_skip():
    if not os.path.exists("/dev/uinput") and _kernel_has_no_uinput():
        pytest.skip("this kernel is built without uinput (CONFIG_INPUT_UINPUT is not set): no virtual "
                    "keyboard possible; the pipe-backed tests above cover the loop")
    if not os.path.exists("/dev/uinput"):
        pytest.skip("/dev/uinput does not exist: this kernel/container has no uinput module "
                    "(modprobe uinput, or run with --device /dev/uinput); the pipe-backed tests above cover the loop")
    codes = set(c for _, c, _ in key_events("HS-2026-000777 abcdefghijklmnopqrstuvwxyz\r"))
    caps = {e.EV_KEY: sorted(codes | {e.KEY_LEFTSHIFT})}
    try:
        return evdev.UInput(caps, name="kiosk-test-scanner")
    except (OSError, evdev.UInputError) as exc:
        pytest.skip(f"cannot create a uinput device: {exc}")


def test_virtual_keyboard_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setattr(hid, "REOPEN_SECONDS", 0.1)
    ui = _uinput_or_skip()
    link = tmp_path / "usb-Virtual_Scanner-event-kbd"
    try:
        time.sleep(0.3)  # udev creates the node
        os.symlink(ui.device.path, link)
        source = HidQrSource(str(link), board=StatusBoard())
        got: queue.Queue = queue.Queue()
        source.open()
        assert source.status.state == DeviceState.ONLINE
        with pytest.raises(OSError):
            evdev.InputDevice(str(link)).grab()  # exclusive: nobody else gets the keys
        source.start(got.put)
        for ev in key_events("HS-2026-000777\r"):
            ui.write(*ev)
            ui.syn()
        assert got.get(timeout=WAIT).payload == "HS-2026-000777"
        source.close()
    finally:
        ui.close()
