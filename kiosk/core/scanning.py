"""The QR source as the journeys use it: scans reach whoever listens now, on the UI thread,
parsed and validated (``kiosk.payloads``: a dossier code, an ID-card QR, a VietQR, or unknown).

The source keeps running for the session once started (a camera takes time to open), paused
between scan screens (nothing decoded, nothing looked for while no screen asks), and stopped
while nobody is at the kiosk.  Its memory of recent codes goes with the session: an ID card's
QR is personal data, and the next citizen showing the same receipt at once must be heard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.core.tasks import Worker
from kiosk.devices.interfaces import QrSource
from kiosk.payloads import parse_payload

log = logging.getLogger("kiosk.core")


def _wipe(payload: Any) -> None:
    wipe = getattr(payload, "wipe", None)
    if wipe is not None:
        wipe()


class Scanning:
    def __init__(self, source: Callable[[], QrSource | None], worker: Worker, lookup_hosts: tuple[str, ...] = ()):
        self._source = source  # looked up each time: a technician may switch it to its simulated twin
        self.worker = worker
        self.hosts = lookup_hosts
        self._listener: Callable[[Any], None] | None = None

    @property
    def source(self) -> QrSource | None:
        return self._source()

    @property
    def has_camera(self) -> bool:
        """A camera (real or simulated) that can photograph documents; not a HID or serial scanner."""
        source = self.source
        return source is not None and source.source_name in ("camera", "simulated")

    def start(self, listener: Callable[[Any], None]) -> None:
        """Scans from now on reach ``listener(payload)`` on the UI thread."""
        self._listener = listener
        source = self.source
        if source is None:
            return
        if source.running:
            source.resume()
            return
        try:
            source.start(self._scanned)
        except Exception:  # noqa: BLE001 - a broken scanner leaves typing available
            log.exception("QR source could not start")

    def start_preview(self) -> None:
        """Keep the camera running for a document preview; codes it happens to read are ignored."""
        self.start(_wipe)

    def _scanned(self, scan) -> None:
        generation = self.worker.generation
        payload = parse_payload(scan.payload, self.hosts)
        log.info("code scanned", extra={"kind": type(payload).__name__, "decoder": scan.decoder})

        def deliver() -> None:
            listener = self._listener
            if generation == self.worker.generation and listener is not None:
                listener(payload)
            else:
                _wipe(payload)

        self.worker.dispatch(deliver)

    def pause(self, listener: Callable[[Any], None] | None = None) -> None:
        """Scans are ignored until the next ``start``; a camera stays open but stops decoding.

        With ``listener``: only if scans still go to it.  A screen that is left pauses its own
        listening only: the screen after it may have started scanning already (its ``enter``
        comes before the end of the fade, when the old screen hears that it was left)."""
        if listener is not None and self._listener != listener:
            return
        self._listener = None
        source = self.source
        if source is not None:
            source.pause()

    def forget(self) -> None:
        """The scanner's memory of recent codes goes with the session."""
        source = self.source
        if source is not None:
            source.deduper.reset()

    def stop(self) -> None:
        """Nobody is at the kiosk: the camera rests."""
        self._listener = None
        source = self.source
        if source is not None and source.running:
            try:
                source.stop()
            except Exception:  # noqa: BLE001
                log.exception("QR source did not stop cleanly")

    def preview(self):
        """The latest camera frame and its decoded codes, or None."""
        source = self.source
        return source.preview() if source is not None else None
