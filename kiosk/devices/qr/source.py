"""The QR source device: what the UI and core talk to, whatever produces the scans."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.devices.base import Device, DeviceKind, DeviceState
from kiosk.devices.qr.scan import DEDUPE_SECONDS, Deduper, Scan

log = logging.getLogger(__name__)

OnScan = Callable[[Scan], None]


class QrSourceDevice(Device):
    """Base of every QR source.

    ``start(on_scan)`` starts the worker thread(s); ``on_scan(Scan)`` is then called from a
    worker thread (marshal to the UI thread yourself).  ``stop()`` stops them; ``close()``
    stops and releases the hardware.  ``preview()`` gives the latest camera frame, the found
    code's outline and a guidance key, or None for sources without a camera.
    """

    kind = DeviceKind.QR_SOURCE
    source_name = "qr"

    def __init__(self, name: str, board=None, dedupe_seconds: float = DEDUPE_SECONDS):
        super().__init__(name, board)
        self.deduper = Deduper(dedupe_seconds)
        self._on_scan: OnScan | None = None
        self._stop_event = threading.Event()
        # cleared while no screen wants scans: a camera stays open (it is slow to open) but
        # its frames are neither decoded nor, for the simulated one, made
        self._listening = threading.Event()
        self._listening.set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.scans = 0  # counters for technicians and metrics (no payloads)
        self.duplicates = 0

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self, on_scan: OnScan) -> None:
        with self._lock:
            self._on_scan = on_scan
            self._listening.set()
            if self.running:
                return
            self._stop_event = threading.Event()
            self._threads = [
                threading.Thread(target=self._guard(target), name=f"qr-{self.source_name}-{i}", daemon=True)
                for i, target in enumerate(self._workers())
            ]
            for t in self._threads:
                t.start()

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def pause(self) -> None:
        """Keep running but stop looking for codes (no screen wants one now)."""
        self._listening.clear()

    def resume(self) -> None:
        self._listening.set()

    def stop(self) -> None:
        with self._lock:
            self._stop_event.set()
            threads, self._threads = self._threads, []
        for t in threads:
            if t is not threading.current_thread():
                t.join(timeout=5)
        self._on_scan = None

    def close(self) -> None:
        self.stop()
        self._release()
        self.set_status(state=DeviceState.OFFLINE)

    def preview(self):
        return None

    # --- for subclasses ----------------------------------------------------------------------

    def _workers(self) -> list[Callable[[], None]]:
        raise NotImplementedError

    def _release(self) -> None:
        """Release the hardware (subclasses)."""

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stopping; True when asked to stop."""
        return self._stop_event.wait(seconds)

    def _guard(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception as exc:  # a worker must never die silently
                log.exception("qr source worker failed", extra={"source": self.source_name})
                self.set_status(state=DeviceState.HARDWARE_ERROR, last_error=f"worker failed: {exc.__class__.__name__}")

        return run

    def _emit(self, payload: str, decoder: str, points=None) -> bool:
        """Report a scan unless it duplicates a recent one; True when reported."""
        if not payload:
            return False
        if not self.deduper.accept(payload):
            self.duplicates += 1
            return False
        self.scans += 1
        scan = Scan(payload=payload, decoder=decoder, points=points, source=self.source_name)
        callback = self._on_scan
        log.info("qr scan", extra={"source": self.source_name, "decoder": decoder, "chars": len(payload)})
        if callback is not None:
            try:
                callback(scan)
            except Exception:
                log.exception("qr on_scan callback failed")
        return True
