"""Run a virtual card as a vsmartcard ``vpcd`` card: a TCP client of pcscd's vpcd driver.

Protocol (vsmartcard): every message is a 2-byte big-endian length and a payload; a 1-byte
payload is control (0 power off, 1 power on, 2 reset, 4 get ATR), anything else is a command
APDU answered with the response APDU.  Closing the socket = the card leaves the reader.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
        if _QUICKACK is not None:
            # vpcd sends the length and the payload separately; acknowledging at once avoids
            # Nagle + delayed-ACK stalls of ~40 ms per APDU
            try:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            except OSError:
                pass
    return bytes(buf)


class VpcdCard:
    """Connects ``card`` to vpcd at host:port and serves it until ``stop()``.

    ``card`` may be swapped (``insert``) or removed (``remove``) while running: removal closes
    the socket (pcscd sees the card leave), insertion reconnects.
    """

    def __init__(self, card=None, host: str = "127.0.0.1", port: int = DEFAULT_PORT, reconnect_s: float = 0.3,
                 away_s: float = 1.0):
        self.card = card
        self.host, self.port = host, port
        self.reconnect_s = reconnect_s
        # after a dropped link stay away long enough (pcscd polls vpcd every 400 ms) for pcscd
        # to see the card leave; reconnecting faster leaves pcscd believing it never left
        self.away_s = away_s
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        self.apdus = 0

    def start(self) -> VpcdCard:
        self._thread = threading.Thread(target=self.serve_forever, name="vpcd-card", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._close()
        if self._thread:
            self._thread.join(3)

    def insert(self, card) -> None:
        self.card = card

    def remove(self) -> None:
        self.card = None
        self._close()

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        self.connected.clear()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def serve_forever(self) -> None:
        from .card import LinkDropped

        while not self._stop.is_set():
            if self.card is None:
                self._stop.wait(0.05)
                continue
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                self._stop.wait(self.reconnect_s)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self.connected.set()
            dropped = False
            log.info("virtual card connected to vpcd %s:%d", self.host, self.port)
            try:
                while not self._stop.is_set():
                    head = _recv_exact(sock, 2)
                    if head is None:
                        break
                    payload = _recv_exact(sock, int.from_bytes(head, "big"))
                    if payload is None:
                        break
                    card = self.card
                    if card is None:
                        break
                    if len(payload) == 1:
                        ctrl = payload[0]
                        log.debug("vpcd control %d", ctrl)
                        if ctrl == GET_ATR:
                            atr = card.atr
                            sock.sendall(len(atr).to_bytes(2, "big") + atr)
                        elif ctrl in (POWER_ON, RESET):
                            card.reset()
                        elif ctrl == POWER_OFF:
                            card.power_off()
                        continue
                    try:
                        resp = card.transmit(payload)
                    except LinkDropped as exc:
                        log.info("virtual card: link dropped (fault)")
                        if exc.gone:
                            self.card = None
                        dropped = True
                        break
                    self.apdus += 1
                    sock.sendall(len(resp).to_bytes(2, "big") + resp)
            except OSError:
                pass
            finally:
                self._close()
            if not self._stop.is_set():
                time.sleep(self.away_s if dropped else self.reconnect_s)
