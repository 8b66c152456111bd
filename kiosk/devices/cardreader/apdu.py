"""Command APDUs (ISO/IEC 7816-4), short and extended."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CardDataError


@dataclass(frozen=True)
class Apdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # expected length: 1..65536 (256 / 65536 encoded as zeros)

    def needs_extended(self) -> bool:
        return len(self.data) > 255 or (self.le is not None and self.le > 256)

    def encode(self, extended: bool | None = None) -> bytes:
        ext = self.needs_extended() if extended is None else extended
        out = bytearray([self.cla, self.ins, self.p1, self.p2])
        if ext:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = b"\x00\x00" if self.le >= 65536 else self.le.to_bytes(2, "big")
                out += le if self.data else b"\x00" + le
        else:
            if self.data:
                out += bytes([len(self.data)]) + self.data
            if self.le is not None:
                out.append(0 if self.le >= 256 else self.le)
        return bytes(out)


def decode(raw: bytes) -> Apdu:
    """Parse a command APDU (card side). Raises CardDataError on malformed framing."""
    raw = bytes(raw)
    if len(raw) < 4:
        raise CardDataError("APDU shorter than 4 bytes")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Apdu(cla, ins, p1, p2)
    if len(body) == 1:
        return Apdu(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] != 0:  # short Lc
        lc = body[0]
        if len(body) == 1 + lc:
            return Apdu(cla, ins, p1, p2, body[1:])
        if len(body) == 2 + lc:
            return Apdu(cla, ins, p1, p2, body[1 : 1 + lc], body[-1] or 256)
        raise CardDataError("bad short APDU length")
    # extended
    if len(body) == 3:
        le = int.from_bytes(body[1:3], "big")
        return Apdu(cla, ins, p1, p2, le=le or 65536)
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise CardDataError("bad extended APDU")
    if len(body) == 3 + lc:
        return Apdu(cla, ins, p1, p2, body[3 : 3 + lc])
    if len(body) == 5 + lc:
        le = int.from_bytes(body[-2:], "big")
        return Apdu(cla, ins, p1, p2, body[3 : 3 + lc], le or 65536)
    raise CardDataError("bad extended APDU length")


def is_extended(raw: bytes) -> bool:
    return len(raw) > 5 and raw[4] == 0


SW_OK = 0x9000
