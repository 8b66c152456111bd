"""Transports: a real PC/SC reader (pyscard) or the in-process virtual card.

Both raise the same typed errors: ``NoReaderError`` (reader gone), ``NoCardError`` (nothing on
the reader), ``LinkLost`` (the card reset or left mid-exchange: the caller may resume).
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time

from .errors import CardRemovedError, NoCardError, NoReaderError

log = logging.getLogger(__name__)


class LinkLost(Exception):
    """The exchange broke (card reset, moved, link dropped). Transient until proven otherwise."""


def match_reader(names: list[str], pattern: str) -> str | None:
    """First reader whose name matches ``pattern``: a glob (``*ACR122*``) or a substring."""
    pattern = (pattern or "*").strip() or "*"
    for name in names:
        if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(name, pattern):
            return name
    low = pattern.lower().strip("*")
    for name in names:
        if low and low in name.lower():
            return name
    return None


class Transport:
    name = ""
    supports_extended = True

    def connect(self) -> bytes:
        raise NotImplementedError

    def transmit(self, apdu: bytes) -> bytes:
        raise NotImplementedError

    def disconnect(self) -> None:
        pass

    def card_present(self) -> bool:
        raise NotImplementedError

    def reconnect(self, window_s: float = 2.0) -> bytes:
        """After ``LinkLost``: wait up to ``window_s`` for the card to be back, reconnect."""
        deadline = time.monotonic() + window_s
        self.disconnect()
        while True:
            try:
                return self.connect()
            except NoCardError:
                if time.monotonic() >= deadline:
                    raise CardRemovedError("card did not come back") from None
                time.sleep(0.05)


class InProcessTransport(Transport):
    """The virtual card at the APDU boundary (unit tests, the simulated driver)."""

    def __init__(self, slot: VirtualSlot):
        self.slot = slot
        self.name = slot.name
        self._card = None

    def connect(self) -> bytes:
        card = self.slot.card
        if card is None:
            raise NoCardError("no card on the simulated reader")
        card.power_on()
        self._card = card
        return card.atr

    def transmit(self, apdu: bytes) -> bytes:
        from .virtual.card import LinkDropped

        card = self._card
        if card is None or self.slot.card is not card:
            raise LinkLost("card removed")
        try:
            return card.transmit(bytes(apdu))
        except LinkDropped as exc:
            if exc.gone:
                self.slot.remove()
            raise LinkLost("link dropped") from None

    def disconnect(self) -> None:
        self._card = None

    def card_present(self) -> bool:
        return self.slot.card is not None


class VirtualSlot:
    """A simulated reader slot: where the simulated driver places and removes cards."""

    def __init__(self, name: str = "Simulated CCCD reader"):
        self.name = name
        self.card = None
        self._lock = threading.Lock()
        self._listeners: list = []

    def place(self, card) -> None:
        with self._lock:
            self.card = card
        self._notify(True)

    def remove(self) -> None:
        with self._lock:
            had = self.card is not None
            self.card = None
        if had:
            self._notify(False)

    def on_change(self, cb) -> None:
        self._listeners.append(cb)

    def _notify(self, present: bool) -> None:
        for cb in list(self._listeners):
            try:
                cb(present)
            except Exception:
                log.exception("card listener failed")


class PcscTransport(Transport):
    """A PC/SC reader through pyscard (pcscd on Linux)."""

    def __init__(self, reader_name: str):
        self.name = reader_name
        self._conn = None

    def _reader(self):
        from smartcard.Exceptions import ListReadersException
        from smartcard.System import readers

        try:
            found = readers()
        except ListReadersException:
            found = []
        except Exception as exc:  # pcscd not running, etc.
            raise NoReaderError(f"PC/SC unavailable ({type(exc).__name__})") from None
        for r in found:
            if str(r) == self.name:
                return r
        raise NoReaderError("reader not connected")

    def connect(self) -> bytes:
        from smartcard.CardConnection import CardConnection
        from smartcard.Exceptions import CardConnectionException, NoCardException

        reader = self._reader()
        conn = reader.createConnection()
        try:
            conn.connect(CardConnection.T1_protocol | CardConnection.T0_protocol)
        except NoCardException:
            raise NoCardError("no card on the reader") from None
        except CardConnectionException as exc:
            text = str(exc).lower()
            if "no smart card" in text or "removed" in text or "unresponsive" in text or "not" in text:
                raise NoCardError("no card on the reader") from None
            raise NoCardError(f"cannot connect ({type(exc).__name__})") from None
        self._conn = conn
        return bytes(conn.getATR())

    def transmit(self, apdu: bytes) -> bytes:
        from smartcard.Exceptions import CardConnectionException

        conn = self._conn
        if conn is None:
            raise LinkLost("not connected")
        try:
            data, sw1, sw2 = conn.transmit(list(apdu))
        except CardConnectionException as exc:
            raise LinkLost(f"transmit failed: {str(exc)[:80]}") from None
        except Exception as exc:
            raise LinkLost(f"transmit failed ({type(exc).__name__})") from None
        return bytes(data) + bytes([sw1, sw2])

    def disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.disconnect()
            except Exception:
                pass
            try:
                conn.release()
            except Exception:
                pass

    def card_present(self) -> bool:
        try:
            from smartcard.CardRequest import CardRequest
            from smartcard.Exceptions import CardRequestTimeoutException

            req = CardRequest(timeout=0.01, readers=[self._reader()])
            try:
                req.waitforcard()
                return True
            except CardRequestTimeoutException:
                return False
        except NoReaderError:
            return False
        except Exception:
            return False


def list_pcsc_readers() -> list[str]:
    """Names of the PC/SC readers; [] when pcscd is down or no reader is plugged."""
    try:
        from smartcard.System import readers

        return [str(r) for r in readers()]
    except Exception:
        return []


def reader_states() -> list[dict]:
    """Every PC/SC reader with card presence and ATR (for ``kiosk card readers``)."""
    try:
        from smartcard import scard
    except Exception:
        return []
    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return []
    try:
        hr, names = scard.SCardListReaders(ctx, [])
        if hr != scard.SCARD_S_SUCCESS or not names:
            return []
        hr, states = scard.SCardGetStatusChange(ctx, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names])
        out = []
        for name, state, atr in states or []:
            present = bool(state & scard.SCARD_STATE_PRESENT) and not (state & scard.SCARD_STATE_MUTE)
            out.append({"reader": name, "card_present": present,
                        "atr": bytes(atr).hex().upper() if present and atr else ""})
        return out
    finally:
        scard.SCardReleaseContext(ctx)
