"""The kiosk's gateway side as one service: client, offline outbox, its delivery worker and the
reachability monitor, started in the background so the kiosk's first frame never waits.

Calls made before the gateway is ready wait for it on the worker thread that made them (never
on the UI thread).  Look-ups go through the outbox first, so a provisional reference
(``TAM-…``) is answered even while the gateway is down.
"""

from __future__ import annotations

import logging
import threading

from kiosk.config import Settings
from kiosk.devices.base import StatusBoard

log = logging.getLogger("kiosk.gateway.service")


class GatewayNotReady(Exception):
    message_key = "gateway.unavailable"
    next_step = "next.ask_staff"


class GatewayService:
    def __init__(self, settings: Settings, board: StatusBoard | None = None, *, monitor_interval: float = 30.0,
                 start: bool = True):
        self.settings = settings
        self.board = board or StatusBoard()
        self.monitor_interval = monitor_interval
        self.client = None
        self.outbox = None
        self.worker = None
        self.monitor = None
        self._server = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        if start:
            threading.Thread(target=self._start, name="gateway-start", daemon=True).start()

    def _start(self) -> None:
        try:
            from kiosk.gateway.client import GatewayClient
            from kiosk.gateway.monitor import GatewayMonitor
            from kiosk.gateway.outbox import Outbox, OutboxWorker

            base_url = None
            if self.settings.gateway.url == "embedded":
                from kiosk.gateway.embedded import EmbeddedGateway

                self._server = EmbeddedGateway(self.settings)
                base_url = self._server.start()
            self.client = GatewayClient.from_settings(self.settings, base_url=base_url)
            try:
                self.outbox = Outbox.from_settings(self.settings)
                self.worker = OutboxWorker(self.outbox, self.client)
                self.worker.start()
            except Exception:  # noqa: BLE001 - a broken outbox must not stop look-ups
                log.exception("offline outbox unavailable")
            self.monitor = GatewayMonitor(self.client, self.board, interval=self.monitor_interval, outbox=self.outbox,
                                          on_reachable=self.worker.kick if self.worker is not None else None)
            self.monitor.start()
        except BaseException as exc:  # noqa: BLE001
            log.exception("gateway client could not start")
            self._error = exc
        finally:
            self._ready.set()

    def wait(self, timeout: float = 15.0):
        """The ready client (blocking; call from worker threads only)."""
        if not self._ready.wait(timeout):
            raise GatewayNotReady("gateway start timed out")
        if self.client is None:
            raise GatewayNotReady(f"gateway start failed: {type(self._error).__name__}")
        return self.client

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.client is not None

    def lookup_dossier(self, code: str):
        from kiosk.gateway.outbox import lookup_with_outbox

        return lookup_with_outbox(self.wait(), self.outbox, code)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.wait(), name)

    def stop(self) -> None:
        for part in (self.monitor, self.worker):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001
                    log.exception("gateway part did not stop cleanly")
        if self.outbox is not None:
            self.outbox.close()
        if self._server is not None:
            self._server.stop()
