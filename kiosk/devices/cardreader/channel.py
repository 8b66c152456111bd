"""A channel to the chip: transport + optional secure messaging + counters for the benchmark."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .apdu import Apdu
from .sm import SecureMessaging


@dataclass
class Stats:
    apdus: int = 0
    bytes_out: int = 0  # command bytes on the air (protected form)
    bytes_in: int = 0  # response bytes on the air
    transport_s: float = 0.0  # wall time spent waiting for the card / reader
    file_bytes: int = 0  # plain file bytes read

    def as_dict(self) -> dict:
        return {
            "apdus": self.apdus,
            "bytes_out": self.bytes_out,
            "bytes_in": self.bytes_in,
            "file_bytes": self.file_bytes,
            "transport_s": round(self.transport_s, 4),
        }


class Channel:
    def __init__(self, transport, stats: Stats | None = None):
        self.transport = transport
        self.stats = stats or Stats()
        self.sm: SecureMessaging | None = None

    def raw(self, command: bytes) -> bytes:
        t0 = time.perf_counter()
        try:
            response = self.transport.transmit(command)
        finally:
            self.stats.transport_s += time.perf_counter() - t0
        self.stats.apdus += 1
        self.stats.bytes_out += len(command)
        self.stats.bytes_in += len(response)
        return response

    def send(self, apdu: Apdu, extended: bool | None = None) -> tuple[bytes, int]:
        """Send one command (protected when SM is on); (plain data, status word)."""
        if self.sm is not None:
            protected = self.sm.protect(apdu)
            ext = True if extended else None
            if extended is False and protected.needs_extended():
                ext = True
            response = self.raw(protected.encode(ext))
            return self.sm.unprotect(response)
        response = self.raw(apdu.encode(extended))
        if len(response) < 2:
            from .errors import CardDataError

            raise CardDataError("response shorter than a status word")
        return response[:-2], int.from_bytes(response[-2:], "big")
