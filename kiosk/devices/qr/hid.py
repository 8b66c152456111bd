"""USB HID keyboard-wedge scanner, read exclusively through evdev.

The scanner is opened by its stable path (``/dev/input/by-id/usb-…-event-kbd``) and grabbed
(EVIOCGRAB), so its keystrokes never reach the desktop or the focused window, and the
keyboard layout of the session does not matter: key codes are mapped here with our own US
map (shift, caps lock, keypad, and Alt+keypad decimal code points for characters the US
layout lacks).  Scans are framed by ``Framer`` (terminator + silence gap).  An unplugged
scanner (ENODEV) is released and reopened every ``REOPEN_SECONDS``.

Vietnamese letters cannot be typed reliably by wedge scanners: configure them for serial
(USB CDC) where possible; payloads are parsed defensively either way.
"""

from __future__ import annotations

import logging
import os
import select
import time

from kiosk.devices.base import DeviceState
from kiosk.devices.qr.scan import Framer
from kiosk.devices.qr.source import QrSourceDevice

log = logging.getLogger(__name__)

REOPEN_SECONDS = 1.0

_US_ROWS = {
    # key name: (plain, shifted)
    "KEY_1": ("1", "!"), "KEY_2": ("2", "@"), "KEY_3": ("3", "#"), "KEY_4": ("4", "$"),
    "KEY_5": ("5", "%"), "KEY_6": ("6", "^"), "KEY_7": ("7", "&"), "KEY_8": ("8", "*"),
    "KEY_9": ("9", "("), "KEY_0": ("0", ")"), "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"),
    "KEY_LEFTBRACE": ("[", "{"), "KEY_RIGHTBRACE": ("]", "}"), "KEY_BACKSLASH": ("\\", "|"),
    "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'), "KEY_GRAVE": ("`", "~"),
    "KEY_COMMA": (",", "<"), "KEY_DOT": (".", ">"), "KEY_SLASH": ("/", "?"), "KEY_SPACE": (" ", " "),
    "KEY_TAB": ("\t", "\t"), "KEY_ENTER": ("\r", "\r"), "KEY_KPENTER": ("\r", "\r"),
    "KEY_KPDOT": (".", "."), "KEY_KPMINUS": ("-", "-"), "KEY_KPPLUS": ("+", "+"),
    "KEY_KPASTERISK": ("*", "*"), "KEY_KPSLASH": ("/", "/"), "KEY_102ND": ("\\", "|"),
}


def _build_map() -> tuple[dict[int, tuple[str, str]], dict[int, str], set[int], set[int]]:
    from evdev import ecodes as e

    keymap: dict[int, tuple[str, str]] = {}
    for ch in "abcdefghijklmnopqrstuvwxyz":
        keymap[getattr(e, "KEY_" + ch.upper())] = (ch, ch.upper())
    for name, pair in _US_ROWS.items():
        keymap[getattr(e, name)] = pair
    keypad = {getattr(e, f"KEY_KP{d}"): str(d) for d in range(10)}
    for code, digit in keypad.items():
        keymap[code] = (digit, digit)
    shifts = {e.KEY_LEFTSHIFT, e.KEY_RIGHTSHIFT}
    alts = {e.KEY_LEFTALT, e.KEY_RIGHTALT}
    return keymap, keypad, shifts, alts


class KeyDecoder:
    """evdev key events → characters, with our own map (independent of the desktop layout)."""

    def __init__(self) -> None:
        from evdev import ecodes as e

        self._e = e
        self.keymap, self.keypad, self.shifts, self.alts = _build_map()
        self.shift = set()
        self.alt = set()
        self.caps = False
        self._alt_digits = ""
        self.unknown_keys = 0

    def feed(self, type_: int, code: int, value: int) -> str:
        """One input event (type, code, value); returns the characters it produced ("" if none)."""
        e = self._e
        if type_ != e.EV_KEY:
            return ""
        if code in self.shifts:
            (self.shift.add if value else self.shift.discard)(code)
            return ""
        if code in self.alts:
            if value:
                self.alt.add(code)
                return ""
            self.alt.discard(code)
            digits, self._alt_digits = self._alt_digits, ""
            if not self.alt and digits:
                cp = int(digits)
                if 0 < cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF:
                    return chr(cp)
            return ""
        if value != 1:  # key up (0) and autorepeat (2) type nothing
            return ""
        if code == e.KEY_CAPSLOCK:
            self.caps = not self.caps
            return ""
        if self.alt:
            if code in self.keypad:
                self._alt_digits = (self._alt_digits + self.keypad[code])[-7:]
            return ""
        pair = self.keymap.get(code)
        if pair is None:
            self.unknown_keys += 1
            return ""
        plain, shifted = pair
        upper = bool(self.shift)
        if plain.isalpha() and self.caps:
            upper = not upper
        return shifted if upper else plain


class HidQrSource(QrSourceDevice):
    source_name = "hid"

    def __init__(self, path: str, board=None, framer: Framer | None = None, **kw):
        super().__init__(f"HID scanner {os.path.basename(path) or '(not set)'}", board, **kw)
        self.path = path
        self.framer = framer or Framer()
        self.dev = None

    def open(self) -> None:
        if self.dev is None:
            self._open()

    def _open(self) -> bool:
        if not self.path:
            self.set_status(state=DeviceState.NO_DEVICE, last_error="qr_hid_device is not set in kiosk.ini")
            return False
        try:
            import evdev

            dev = evdev.InputDevice(self.path)
        except (OSError, FileNotFoundError) as exc:
            self.set_status(state=DeviceState.NO_DEVICE,
                            last_error=f"cannot open scanner: {exc.strerror or exc.__class__.__name__}")
            return False
        try:
            dev.grab()  # exclusive: keystrokes never reach another program
        except OSError as exc:
            dev.close()
            self.set_status(state=DeviceState.HARDWARE_ERROR,
                            last_error=f"scanner is held by another program ({exc.strerror})")
            return False
        self.dev = dev
        self.keys = KeyDecoder()
        self.set_status(state=DeviceState.ONLINE, last_error=None, detail=dev.name[:60])
        return True

    def _release(self) -> None:
        dev, self.dev = self.dev, None
        if dev is not None:
            try:
                dev.ungrab()
            except OSError:
                pass
            try:
                dev.close()
            except OSError:
                pass

    def _workers(self):
        return [self._loop]

    def _loop(self) -> None:
        while not self.stopping:
            if self.dev is None and not self._open():
                if self._wait(REOPEN_SECONDS):
                    break
                continue
            dev = self.dev
            try:
                ready, _, _ = select.select([dev.fd], [], [], self.framer.gap)
                now = time.monotonic()
                if ready:
                    chars = []
                    for ev in dev.read():
                        chars.append(self.keys.feed(ev.type, ev.code, ev.value))
                    texts = self.framer.feed("".join(chars).encode("utf-8"), now)
                else:
                    texts = self.framer.poll(now)
            except BlockingIOError:  # woken up with nothing to read after all
                texts = []
            except (OSError, ValueError) as exc:  # ENODEV: unplugged; EBADF after close
                if self.stopping:
                    break
                log.warning("HID scanner went away; reopening")
                texts = self.framer.flush()
                self._release()
                reason = getattr(exc, "strerror", None) or exc.__class__.__name__
                self.set_status(state=DeviceState.NO_DEVICE, last_error=f"scanner unplugged ({reason})")
            for text in texts:
                self._emit(text, "hid")
