"""One device status model for every device, modelled on CEN/XFS.

Every device (card reader, QR source, printer) and the gateway report a ``DeviceStatus``:
a device state, a media state where one applies, and the last error in words a technician can
act on.  The staff and technician screens, ``kiosk doctor`` and the metrics all read this one
model through a ``StatusBoard``; nothing reads a driver's internals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum


class DeviceState(str, Enum):
    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no-device"
    HARDWARE_ERROR = "hardware-error"
    BUSY = "busy"
    USER_ERROR = "user-error"

    @property
    def usable(self) -> bool:
        return self in (DeviceState.ONLINE, DeviceState.BUSY)


class MediaState(str, Enum):
    NOT_APPLICABLE = "n/a"
    UNKNOWN = "unknown"
    # card readers
    PRESENT = "present"
    ABSENT = "absent"
    # printers
    PAPER_OK = "paper-ok"
    PAPER_NEAR_END = "paper-near-end"
    PAPER_OUT = "paper-out"
    JAMMED = "jammed"
    COVER_OPEN = "cover-open"


class DeviceKind(str, Enum):
    CARD_READER = "card_reader"
    QR_SOURCE = "qr_source"
    PRINTER = "printer"
    GATEWAY = "gateway"


@dataclass(frozen=True)
class DeviceStatus:
    kind: DeviceKind
    name: str  # what the technician sees: reader name, camera path, printer profile…
    state: DeviceState
    media: MediaState = MediaState.NOT_APPLICABLE
    simulated: bool = False
    detail: str = ""  # extra facts (ATR, resolution, firmware); never personal data
    last_error: str | None = None
    since: float = field(default_factory=time.time)

    @property
    def needs_technician(self) -> bool:
        if self.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE, DeviceState.HARDWARE_ERROR):
            return True
        return self.media in (MediaState.PAPER_OUT, MediaState.JAMMED, MediaState.COVER_OPEN)

    def with_(self, **changes) -> DeviceStatus:
        if "state" in changes or "media" in changes:
            changes.setdefault("since", time.time())
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "name": self.name,
            "state": self.state.value,
            "media": self.media.value,
            "simulated": self.simulated,
            "detail": self.detail,
            "last_error": self.last_error,
            "since": round(self.since, 3),
            "needs_technician": self.needs_technician,
        }


Listener = Callable[[DeviceStatus], None]


class StatusBoard:
    """Latest status of every device; listeners hear each change (from any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._statuses: dict[DeviceKind, DeviceStatus] = {}
        self._listeners: list[Listener] = []

    def publish(self, status: DeviceStatus) -> None:
        with self._lock:
            previous = self._statuses.get(status.kind)
            self._statuses[status.kind] = status
            listeners = list(self._listeners)
        if previous != status:
            for listener in listeners:
                listener(status)

    def get(self, kind: DeviceKind) -> DeviceStatus | None:
        with self._lock:
            return self._statuses.get(kind)

    def all(self) -> list[DeviceStatus]:
        with self._lock:
            return [self._statuses[k] for k in DeviceKind if k in self._statuses]

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe


class Device:
    """Base of every device driver, real or simulated.

    A driver keeps its current ``DeviceStatus`` and publishes every change to the board it was
    given.  ``open()`` claims the hardware, ``close()`` releases it; both are idempotent and
    never raise for a missing device: they report it as a status instead.
    """

    kind: DeviceKind
    simulated: bool = False

    def __init__(self, name: str, board: StatusBoard | None = None):
        self.board = board or StatusBoard()
        self._status = DeviceStatus(self.kind, name, DeviceState.OFFLINE, simulated=self.simulated)
        self.board.publish(self._status)

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def set_status(self, **changes) -> DeviceStatus:
        self._status = self._status.with_(**changes)
        self.board.publish(self._status)
        return self._status

    def open(self) -> None:
        self.set_status(state=DeviceState.ONLINE, last_error=None)

    def close(self) -> None:
        self.set_status(state=DeviceState.OFFLINE)

    def refresh(self) -> DeviceStatus:
        """Ask the hardware again (paper sensor, reader presence…); returns the new status."""
        return self._status
