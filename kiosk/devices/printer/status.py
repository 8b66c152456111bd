"""Real-time status (DLE EOT n) and what it means for the kiosk.

A printer answers each ``DLE EOT n`` with one byte whose bits 1 and 4 are always on and bits 0
and 7 always off; a reply without that shape, or no reply at all, means *unknown* (never
"fine": python-escpos's own ``paper_status()`` reports OK on silence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.base import DeviceState, MediaState

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4
QUERY_ORDER = (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER)


def query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def well_formed(byte: int | None) -> bool:
    return byte is not None and (byte & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    replies: dict = field(default_factory=dict)  # n -> reply byte or None

    @property
    def answered(self) -> bool:
        return any(well_formed(b) for b in self.replies.values())

    def _bit(self, n: int, mask: int) -> bool | None:
        b = self.replies.get(n)
        return bool(b & mask) if well_formed(b) else None

    @property
    def offline(self) -> bool | None:
        return self._bit(PRINTER, 0x08)

    @property
    def cover_open(self) -> bool | None:
        return self._bit(OFFLINE_CAUSE, 0x04)

    @property
    def paper_end_stop(self) -> bool | None:
        return self._bit(OFFLINE_CAUSE, 0x20)

    @property
    def error(self) -> bool | None:
        return self._bit(OFFLINE_CAUSE, 0x40)

    @property
    def cutter_error(self) -> bool | None:
        return self._bit(ERROR_CAUSE, 0x08)

    @property
    def unrecoverable(self) -> bool | None:
        return self._bit(ERROR_CAUSE, 0x20)

    @property
    def auto_recoverable(self) -> bool | None:
        return self._bit(ERROR_CAUSE, 0x40)

    @property
    def paper_out(self) -> bool | None:
        return self._bit(PAPER, 0x60)

    @property
    def near_end(self) -> bool | None:
        return self._bit(PAPER, 0x0C)

    def media(self) -> MediaState:
        if self.cover_open:
            return MediaState.COVER_OPEN
        if self.paper_out or self.paper_end_stop:
            return MediaState.PAPER_OUT
        if self.cutter_error:
            return MediaState.JAMMED
        if self.near_end:
            return MediaState.PAPER_NEAR_END
        if self.near_end is False and self.paper_out is False:
            return MediaState.PAPER_OK
        return MediaState.UNKNOWN

    def device_state(self) -> DeviceState:
        if not self.answered:
            return DeviceState.OFFLINE
        if self.unrecoverable or self.cutter_error or (self.error and not self.auto_recoverable):
            return DeviceState.HARDWARE_ERROR
        media = self.media()
        if media in (MediaState.COVER_OPEN, MediaState.PAPER_OUT):
            return DeviceState.USER_ERROR
        if self.auto_recoverable:
            return DeviceState.BUSY  # e.g. head too hot: resumes by itself
        if self.offline:
            return DeviceState.OFFLINE
        return DeviceState.ONLINE

    def problem(self) -> str | None:
        """Message key of what stops printing, or None."""
        if not self.answered:
            return "printer.no_answer"
        media = self.media()
        if media == MediaState.COVER_OPEN:
            return "printer.cover_open"
        if media == MediaState.PAPER_OUT:
            return "printer.paper_out"
        if media == MediaState.JAMMED:
            return "printer.jammed"
        state = self.device_state()
        if state == DeviceState.HARDWARE_ERROR:
            return "printer.error"
        if state == DeviceState.OFFLINE:
            return "printer.offline"
        return None

    def describe(self) -> str:
        parts = []
        for n in QUERY_ORDER:
            if n in self.replies:
                b = self.replies[n]
                parts.append(f"{n}={'none' if b is None else f'0x{b:02X}'}")
        return "DLE EOT " + " ".join(parts) if parts else "no status read"


def reply_byte(online: bool = True, cover_open: bool = False, paper_out: bool = False,
               near_end: bool = False, error: bool = False, n: int = PRINTER) -> int:
    """The byte a healthy-protocol printer sends for DLE EOT n (simulators and test fakes)."""
    b = 0x12
    if n == PRINTER:
        if not online or cover_open or paper_out or error:
            b |= 0x08
    elif n == OFFLINE_CAUSE:
        if cover_open:
            b |= 0x04
        if paper_out:
            b |= 0x20
        if error:
            b |= 0x40
    elif n == ERROR_CAUSE:
        if error:
            b |= 0x20
    elif n == PAPER:
        if near_end or paper_out:
            b |= 0x0C
        if paper_out:
            b |= 0x60
    return b
