"""USB CDC (serial) scanner through pyserial.

Reads with a short timeout; ``Framer`` cuts scans at a terminator followed by silence.  A port
that errors out or disappears (unplugged) is closed and reopened every ``REOPEN_SECONDS``.
ModemManager may probe /dev/ttyACM* ports and send AT commands to a scanner: a udev rule with
``ENV{ID_MM_DEVICE_IGNORE}="1"`` keeps it away (docs/qr.md).
"""

from __future__ import annotations

import logging
import os
import time

from kiosk.devices.base import DeviceState
from kiosk.devices.qr.scan import Framer
from kiosk.devices.qr.source import QrSourceDevice

log = logging.getLogger(__name__)

REOPEN_SECONDS = 1.0


class SerialQrSource(QrSourceDevice):
    source_name = "serial"

    def __init__(self, port: str, baud: int = 9600, board=None, framer: Framer | None = None, **kw):
        super().__init__(f"serial scanner {os.path.basename(port)}", board, **kw)
        self.port = port
        self.baud = baud
        self.framer = framer or Framer()
        self.ser = None

    def open(self) -> None:
        if self.ser is None:
            self._open()

    def _open(self) -> bool:
        import serial

        try:
            ser = serial.Serial(self.port, self.baud, timeout=self.framer.gap, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            self.set_status(state=DeviceState.NO_DEVICE,
                            last_error=f"cannot open {self.port}: {exc.__class__.__name__}")
            return False
        self.ser = ser
        self.set_status(state=DeviceState.ONLINE, last_error=None, detail=f"{self.baud} baud")
        return True

    def _release(self) -> None:
        ser, self.ser = self.ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:
                pass

    def _workers(self):
        return [self._loop]

    def _loop(self) -> None:
        import serial

        while not self.stopping:
            if self.ser is None and not self._open():
                if self._wait(REOPEN_SECONDS):
                    break
                continue
            try:
                data = self.ser.read(1)  # waits at most one gap; returns as soon as a byte arrives
                if data:  # then whatever else is already there, so the time we note is arrival time
                    waiting = self.ser.in_waiting
                    if waiting:
                        data += self.ser.read(min(waiting, 4096))
                texts = self.framer.feed(data, time.monotonic()) if data else self.framer.poll(time.monotonic())
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                if self.stopping:
                    break
                log.warning("serial scanner went away; reopening")
                texts = self.framer.flush()
                self._release()
                self.set_status(state=DeviceState.NO_DEVICE, last_error=f"scanner unplugged ({exc.__class__.__name__})")
                self._wait(REOPEN_SECONDS / 4)
            for text in texts:
                self._emit(text, "serial")
