"""Chip ID card (CCCD) reader: PC/SC driver and its simulated twin.

Public API (the core and the UI call only this)::

    dev = build(settings, board, simulated=None)      # -> CardReaderDevice
    unsubscribe = dev.add_card_listener(cb)           # cb(CardEvent(present, reader)), any thread
    dev.card_present() -> bool
    identity = dev.read_identity(CardKey(id_number, dob=None, expiry=None, doc_number=None),
                                 progress=None, cancel=None)   # blocking; off the UI thread
    # errors: CardError subclasses with .message_key and .next_step
    # simulated only: dev.place_card(person=None, faults=()), dev.remove_card()

Layers (like JMRTD): transport (PC/SC or in-process virtual card) → secure messaging (BAC or
PACE keys) → LDS files read with length fallback → DG1/DG2/DG13/SOD → passive authentication →
``kiosk.identity.Identity``.  Heavy imports (pyscard, Pillow, cryptography) happen on use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.devices.base import Device, DeviceKind, DeviceState, MediaState, StatusBoard

from .errors import (  # noqa: F401  (re-exported)
    AccessDeniedError,
    CancelledError,
    CardDataError,
    CardError,
    CardKeyError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NotAnIdCardError,
    PassiveAuthError,
    SecureMessagingError,
)
from .key import CardKey  # noqa: F401

log = logging.getLogger(__name__)

__all__ = [
    "build", "CardReaderDevice", "PcscCardReader", "SimulatedCardReader", "CardEvent", "CardKey",
    "CardError", "AccessDeniedError", "CardRemovedError", "NoReaderError", "NoCardError",
    "NotAnIdCardError", "PassiveAuthError", "CardDataError", "CancelledError",
]


@dataclass(frozen=True)
class CardEvent:
    present: bool
    reader: str


CardListener = Callable[[CardEvent], None]


class CardReaderDevice(Device):
    kind = DeviceKind.CARD_READER

    def __init__(self, name: str, board: StatusBoard | None, settings=None):
        super().__init__(name, board)
        self.settings = settings
        self._listeners: list[CardListener] = []
        self._llock = threading.Lock()
        self._read_lock = threading.Lock()
        self._profiles: dict[bytes, object] = {}  # ATR -> ReadProfile: what worked for this card
        self.last_report = None  # ReadReport of the last read (counters only, no personal data)
        self.method = getattr(getattr(settings, "devices", None), "card_access", "auto") if settings else "auto"
        self.read_mode = "auto"
        self._trust = None

    # ------------------------------------------------------------------ events
    def add_card_listener(self, cb: CardListener) -> Callable[[], None]:
        with self._llock:
            self._listeners.append(cb)

        def unsubscribe() -> None:
            with self._llock:
                if cb in self._listeners:
                    self._listeners.remove(cb)

        return unsubscribe

    def _emit(self, present: bool, reader: str) -> None:
        with self._llock:
            listeners = list(self._listeners)
        event = CardEvent(present, reader)
        for cb in listeners:
            try:
                cb(event)
            except Exception:
                log.exception("card listener failed")

    # ------------------------------------------------------------------ reading
    def card_present(self) -> bool:
        raise NotImplementedError

    def _transport(self):
        raise NotImplementedError

    def trust_store(self):
        if self._trust is None:
            from .sod import load_trust_store

            raw = getattr(self.settings.devices, "card_trust_store", "") if self.settings else ""
            path = self.settings.resolve_path(raw) if (self.settings and raw) else None
            self._trust = load_trust_store(path)
            for problem in self._trust.problems:
                log.warning("card trust store: %s", problem)
        return self._trust

    def read_identity(self, key: CardKey, progress=None, cancel: threading.Event | None = None):
        """Blocking full read of the card on the reader; returns an ``Identity``.

        Raises only ``CardError`` subclasses.  Passive authentication ``failed`` raises
        ``PassiveAuthError`` (the citizen is not identified; partial data is dropped)."""
        from .reader import ReadOptions, ReadProfile, read_identity

        if not isinstance(key, CardKey):
            raise CardKeyError("read_identity needs a CardKey")
        with self._read_lock:
            transport = self._transport()
            previous = self.status.state
            self.set_status(state=DeviceState.BUSY)
            options = ReadOptions(method=self.method, read_mode=self.read_mode, trust=self.trust_store())
            atr_key = getattr(self, "_atr", b"")
            profile = self._profiles.setdefault(atr_key, ReadProfile()) if self.read_mode == "auto" else ReadProfile()
            try:
                identity, report = read_identity(transport, key, options, progress, cancel, profile)
            except CardError as exc:
                self.last_report = getattr(exc, "report", None)
                log.info("card read failed: %s", exc.message_key)
                self.set_status(state=_after(previous), last_error=exc.message_key)
                raise
            self.last_report = report
            self.set_status(state=_after(previous), last_error=None)
            log.info("card read: method=%s pa=%s apdus=%d", report.method, identity.pa_status, report.stats.apdus)
            return identity


def _after(previous: DeviceState) -> DeviceState:
    """State after a read: back to what it was (a read never brings an offline driver online)."""
    return DeviceState.ONLINE if previous in (DeviceState.ONLINE, DeviceState.BUSY) else previous


# ---------------------------------------------------------------------- simulated twin

class SimulatedCardReader(CardReaderDevice):
    """The in-process virtual CCCD on a simulated reader: demo, UI tests, technicians."""

    simulated = True

    def __init__(self, settings=None, board: StatusBoard | None = None):
        from .transport import VirtualSlot

        self.slot = VirtualSlot("Simulated CCCD reader")
        super().__init__(self.slot.name, board, settings)
        self.slot.on_change(self._on_slot)
        self._atr = b""

    def _on_slot(self, present: bool) -> None:
        card = self.slot.card
        self._atr = card.atr if card is not None else b""
        if self.status.state != DeviceState.OFFLINE:
            self.set_status(media=MediaState.PRESENT if present else MediaState.ABSENT,
                            detail=f"ATR {self._atr.hex().upper()}" if present else "")
        self._emit(present, self.slot.name)

    def open(self) -> None:
        self.set_status(state=DeviceState.ONLINE, last_error=None,
                        media=MediaState.PRESENT if self.slot.card else MediaState.ABSENT)

    def close(self) -> None:
        self.set_status(state=DeviceState.OFFLINE)

    def trust_store(self):
        raw = getattr(self.settings.devices, "card_trust_store", "") if self.settings else ""
        if raw:
            return super().trust_store()
        # the simulated world has its own CSCA: trust it, so the demo shows "authentic"
        from .sod import TrustStore
        from .virtual.pki import default_pki

        return TrustStore([default_pki().csca_cert], source="simulated test CSCA")

    def place_card(self, person=None, faults=()) -> None:
        """Put a virtual card on the reader: a person JSON path, a Person, or None (the sample,
        or settings.devices.card_person)."""
        from .virtual import VirtualCard, load_person
        from .virtual.person import Person

        if not isinstance(person, Person):
            if person is None and self.settings is not None and self.settings.devices.card_person:
                person = self.settings.resolve_path(self.settings.devices.card_person)
            person = load_person(person)
        self.slot.place(VirtualCard(person, set(faults)))

    def remove_card(self) -> None:
        self.slot.remove()

    def card_present(self) -> bool:
        return self.slot.card is not None

    def _transport(self):
        from .transport import InProcessTransport

        if self.slot.card is None:
            raise NoCardError("no card on the simulated reader")
        return InProcessTransport(self.slot)


# ---------------------------------------------------------------------- PC/SC driver

class PcscCardReader(CardReaderDevice):
    """A contactless PC/SC reader chosen by name pattern; a monitor thread turns card
    insertion/removal into events and survives reader unplug/replug and pcscd restarts."""

    POLL_MS = 300

    def __init__(self, settings, board: StatusBoard | None = None, pattern: str | None = None):
        self.pattern = pattern if pattern is not None else (settings.devices.card_reader_pattern if settings else "*")
        super().__init__(f"PC/SC reader matching {self.pattern!r}", board, settings)
        self.reader_name: str | None = None
        self._present: bool | None = None  # None: not known yet (publish the first scan)
        self._atr = b""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._first_scan = threading.Event()

    # monitor -----------------------------------------------------------
    def open(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._first_scan.clear()
        self._thread = threading.Thread(target=self._monitor, name="card-monitor", daemon=True)
        self._thread.start()
        self._first_scan.wait(2.0)

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2.0)
        self._thread = None
        self.set_status(state=DeviceState.OFFLINE)

    def _set_presence(self, present: bool, atr: bytes) -> None:
        if present != self._present or (present and atr != self._atr):
            first = self._present is None
            self._present, self._atr = present, (atr if present else b"")
            self.set_status(media=MediaState.PRESENT if present else MediaState.ABSENT,
                            detail=f"ATR {atr.hex().upper()}" if present else "")
            if present or not first:  # an empty reader at start-up is not a removal
                self._emit(present, self.reader_name or "")

    def _lost_reader(self, why: str) -> None:
        if self._present:
            self._set_presence(False, b"")
        self._present = None
        if self.status.state != DeviceState.NO_DEVICE or self.status.last_error != why:
            self.set_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN, last_error=why, detail="")
        self.reader_name = None

    def _monitor(self) -> None:
        try:
            from smartcard import scard
        except Exception:
            self._lost_reader("pyscard not installed")
            self._first_scan.set()
            return
        from .transport import match_reader

        ctx = None
        state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            try:
                if ctx is None:
                    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                    if hr != scard.SCARD_S_SUCCESS:
                        ctx = None
                        self._lost_reader("PC/SC service (pcscd) not available")
                        self._first_scan.set()
                        self._stop.wait(1.0)
                        continue
                hr, names = scard.SCardListReaders(ctx, [])
                if hr != scard.SCARD_S_SUCCESS:
                    names = []
                    if hr not in (scard.SCARD_E_NO_READERS_AVAILABLE,):
                        scard.SCardReleaseContext(ctx)
                        ctx = None
                name = match_reader(list(names or []), self.pattern)
                if name is None:
                    self._lost_reader(f"no reader matches {self.pattern!r}")
                    self._first_scan.set()
                    self._stop.wait(0.5)
                    state = scard.SCARD_STATE_UNAWARE
                    continue
                if name != self.reader_name:
                    self.reader_name = name
                    self.set_status(state=DeviceState.ONLINE, last_error=None)
                    self.status_name(name)
                    state = scard.SCARD_STATE_UNAWARE
                hr, states = scard.SCardGetStatusChange(ctx, self.POLL_MS, [(name, state)])
                if hr == scard.SCARD_E_TIMEOUT:
                    self._first_scan.set()
                    continue
                if hr != scard.SCARD_S_SUCCESS or not states:
                    state = scard.SCARD_STATE_UNAWARE
                    if hr in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE):
                        ctx = None
                    self._stop.wait(0.2)
                    continue
                _, event_state, atr = states[0]
                state = event_state & ~scard.SCARD_STATE_CHANGED
                if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                    self._lost_reader("reader unplugged")
                    state = scard.SCARD_STATE_UNAWARE
                    continue
                if self.status.state == DeviceState.NO_DEVICE:
                    self.set_status(state=DeviceState.ONLINE, last_error=None)
                present = bool(event_state & scard.SCARD_STATE_PRESENT) and not (event_state & scard.SCARD_STATE_MUTE)
                self._set_presence(present, bytes(atr or b""))
                self._first_scan.set()
            except Exception as exc:  # never let the monitor die
                log.warning("card monitor error: %s", type(exc).__name__)
                ctx = None
                self._stop.wait(1.0)
        if ctx is not None:
            try:
                scard.SCardReleaseContext(ctx)
            except Exception:
                pass

    def status_name(self, name: str) -> None:
        self._status = self._status.with_(name=name)
        self.board.publish(self._status)

    # reading -----------------------------------------------------------
    def card_present(self) -> bool:
        if self._thread and self._thread.is_alive():
            return bool(self._present)
        from .transport import PcscTransport, list_pcsc_readers, match_reader

        name = match_reader(list_pcsc_readers(), self.pattern)
        return bool(name) and PcscTransport(name).card_present()

    def _transport(self):
        from .transport import PcscTransport, list_pcsc_readers, match_reader

        name = self.reader_name or match_reader(list_pcsc_readers(), self.pattern)
        if not name:
            raise NoReaderError(f"no reader matches {self.pattern!r}")
        return PcscTransport(name)


def build(settings, board: StatusBoard | None = None, simulated: bool | None = None) -> CardReaderDevice:
    """The card reader kiosk.ini asks for, or its simulated twin."""
    use_sim = simulated if simulated is not None else (settings is None or settings.devices.card_reader == "simulated")
    if use_sim:
        return SimulatedCardReader(settings, board)
    return PcscCardReader(settings, board)
