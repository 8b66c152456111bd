"""``OutboxWorker``: the one deliverer of the backlog, on its own thread (kicked when the
monitor sees the gateway again, and when a send had to queue behind older items)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.gateway.outbox.store import Outbox

log = logging.getLogger("kiosk.gateway.outbox")


class OutboxWorker:
    """Delivers the outbox in the background: every ``interval`` seconds while items wait,
    backing off (up to ``max_interval``) while the gateway stays away."""

    def __init__(self, outbox: Outbox, client, *, interval: float = 10.0, max_interval: float = 300.0,
                 on_delivered: Callable[[dict], None] | None = None, keep_delivered_days: float = 7.0):
        self.outbox, self.client = outbox, client
        self.keep_delivered = keep_delivered_days * 86400  # then even the encrypted copy goes
        self.interval, self.max_interval = interval, max_interval
        self.on_delivered = on_delivered
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Try now (e.g. the monitor saw the gateway come back)."""
        self._wake.set()

    def _run(self) -> None:
        delay = self.interval
        while not self._stop.is_set():
            try:
                if self.outbox.depth():
                    self.outbox.deliver(self.client, on_delivered=self.on_delivered)
                self.outbox.purge_delivered(self.keep_delivered)
                delay = self.interval if not self.outbox.depth() else min(self.max_interval, delay * 2)
            except Exception:  # noqa: BLE001 - the worker must survive anything
                log.exception("outbox worker failed")
                delay = min(self.max_interval, delay * 2)
            self._wake.wait(delay)
            self._wake.clear()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        self._thread = None
