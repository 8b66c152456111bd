"""Builds the kiosk's devices, real or simulated, from kiosk.ini.

Each device package exposes ``build(settings, board, simulated=None)`` returning its driver;
``simulated=True`` forces the simulated twin (a technician isolating a fault, or the demo).
The registry is the only place that knows which packages exist.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field

from kiosk.config import Settings
from kiosk.devices.base import Device, DeviceKind, DeviceState, StatusBoard

log = logging.getLogger(__name__)

PACKAGES = {
    DeviceKind.CARD_READER: "kiosk.devices.cardreader",
    DeviceKind.QR_SOURCE: "kiosk.devices.qr",
    DeviceKind.PRINTER: "kiosk.devices.printer",
}


@dataclass
class Devices:
    board: StatusBoard
    settings: Settings
    drivers: dict[DeviceKind, Device] = field(default_factory=dict)

    @property
    def card_reader(self):
        return self.drivers[DeviceKind.CARD_READER]

    @property
    def qr_source(self):
        return self.drivers[DeviceKind.QR_SOURCE]

    @property
    def printer(self):
        return self.drivers[DeviceKind.PRINTER]

    def open_all(self) -> None:
        for kind, driver in self.drivers.items():
            try:
                driver.open()
            except Exception as exc:  # a broken driver must not keep the kiosk down
                log.exception("device open failed", extra={"device": kind.value})
                driver.set_status(state=DeviceState.HARDWARE_ERROR, last_error=f"open failed: {exc}")

    def close_all(self) -> None:
        for driver in self.drivers.values():
            try:
                driver.close()
            except Exception:
                log.exception("device close failed")

    def switch(self, kind: DeviceKind, simulated: bool) -> Device:
        """Replace one device by its simulated twin (or back to the real one)."""
        old = self.drivers.get(kind)
        if old is not None:
            old.close()
        driver = build_one(kind, self.settings, self.board, simulated=simulated)
        self.drivers[kind] = driver
        driver.open()
        return driver


class UnavailableDevice(Device):
    """Stands in for a driver that could not be built, so the kiosk still starts and the
    status bar, staff and technicians see exactly what is wrong."""

    def __init__(self, kind: DeviceKind, name: str, board: StatusBoard, error: str):
        self.kind = kind
        super().__init__(name, board)
        self.set_status(state=DeviceState.HARDWARE_ERROR, last_error=error)

    def open(self) -> None:  # nothing to open; stays in error
        pass

    def close(self) -> None:
        pass


def build_one(kind: DeviceKind, settings: Settings, board: StatusBoard, simulated: bool | None = None) -> Device:
    try:
        module = importlib.import_module(PACKAGES[kind])
        return module.build(settings, board, simulated=simulated)
    except Exception as exc:
        log.exception("device driver could not be built", extra={"device": kind.value})
        return UnavailableDevice(kind, PACKAGES[kind].rsplit(".", 1)[-1], board, f"driver not built: {exc}")


def build_devices(settings: Settings, board: StatusBoard | None = None, simulated: bool | None = None) -> Devices:
    board = board or StatusBoard()
    devices = Devices(board, settings)
    for kind in PACKAGES:
        devices.drivers[kind] = build_one(kind, settings, board, simulated=simulated)
    return devices
