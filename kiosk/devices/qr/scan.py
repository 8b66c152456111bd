"""Scan events, duplicate suppression and framing of scanner byte streams.

Shared by every QR source (camera, HID wedge, serial, simulated), so a scan looks the same
whatever produced it.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

DEDUPE_SECONDS = 3.0
MAX_SCAN_BYTES = 4096  # a QR code holds at most 2953 bytes; longer input is a stuck key or junk


@dataclass(frozen=True)
class Scan:
    """One scanned code.  ``payload`` is hostile text: parse it with kiosk.payloads."""

    payload: str
    decoder: str  # "zxing", "zxing-gh", "pyzbar", "hid", "serial", "keyboard"…
    points: tuple[tuple[float, float], ...] | None  # outline in the camera frame, if any
    source: str  # "camera", "hid", "serial", "simulated"
    at: float = field(default_factory=time.time)  # wall-clock time of the scan

    def __repr__(self) -> str:  # payloads may be personal data (ID-card QR): never print them
        return f"Scan(source={self.source!r}, decoder={self.decoder!r}, chars={len(self.payload)})"


class Deduper:
    """The same payload seen again within ``window`` seconds of its last sighting is one scan.

    The window slides: a code held in front of the camera is reported once, however long it
    stays; shown again after the window has passed it is a new scan.
    """

    def __init__(self, window: float = DEDUPE_SECONDS, clock=time.monotonic):
        self.window = window
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, payload: str) -> bool:
        now = self.clock()
        with self._lock:
            last = self._seen.get(payload)
            self._seen[payload] = now
            if len(self._seen) > 64:
                for key in [k for k, t in self._seen.items() if now - t > self.window]:
                    del self._seen[key]
            return last is None or now - last > self.window

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


_AIM_RX = re.compile(rb"^\]Q[0-9]")


class Framer:
    """Cuts a scanner's byte stream into scans.

    A scan ends when the scanner falls silent for ``gap`` seconds; then one trailing
    terminator (CR LF, LF, CR or TAB), the configured suffix and prefix, and an AIM symbology
    identifier (``]Q1``…) if enabled are removed.  A terminator followed by more bytes within
    the gap is content (multi-line codes keep their CR LF).  Input beyond ``max_bytes`` without
    a pause is discarded as junk (a stuck key, line noise).
    """

    TERMINATORS = (b"\r\n", b"\n", b"\r", b"\t")

    def __init__(
        self,
        prefix: bytes = b"",
        suffix: bytes = b"",
        gap: float = 0.08,
        strip_aim: bool = True,
        max_bytes: int = MAX_SCAN_BYTES,
        terminators: tuple[bytes, ...] = TERMINATORS,
    ):
        self.prefix = prefix
        self.suffix = suffix
        self.gap = gap
        self.strip_aim = strip_aim
        self.max_bytes = max_bytes
        self.terminators = terminators
        self._buf = bytearray()
        self._last = 0.0
        self._overflow = False
        self.discarded = 0  # scans thrown away as overflow

    def feed(self, data: bytes, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        out = self.poll(now)  # a pause before this data closes the previous scan
        if not data:
            return out
        self._last = now
        if self._overflow:
            return out
        self._buf += data
        if len(self._buf) > self.max_bytes:
            self._buf.clear()
            self._overflow = True
        return out

    def poll(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        if now - self._last < self.gap:
            return []
        return self._take()

    def _take(self) -> list[str]:
        if self._overflow:
            self._overflow = False
            self.discarded += 1
            return []
        if not self._buf:
            return []
        raw = bytes(self._buf)
        self._buf.clear()
        text = self.finish(raw)
        return [text] if text else []

    def flush(self) -> list[str]:
        """Close the current scan now (the port closed, the device went away)."""
        return self._take()

    def finish(self, raw: bytes) -> str:
        for term in self.terminators:
            if raw.endswith(term):
                raw = raw[: -len(term)]
                break
        if self.suffix and raw.endswith(self.suffix):
            raw = raw[: -len(self.suffix)]
        if self.prefix and raw.startswith(self.prefix):
            raw = raw[len(self.prefix) :]
        if self.strip_aim and _AIM_RX.match(raw):
            raw = raw[3:]
        return raw.decode("utf-8", errors="replace")
