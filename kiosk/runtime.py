"""The composition root: everything the kiosk runs on, built once, outside Kivy.

``Runtime(settings)`` builds the status board, the devices, the one offline outbox, the gateway
service, the receipt service, the core, the journey services, the audit log, staff mode and the
metrics, and hands them to the Kivy app, the command line and the tests alike.  No service is
created in a screen module.  The systemd watchdog is pinged from the UI thread's clock by the
app (a frozen UI must stop the pings); what it reports comes from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk import audit as audit_mod
from kiosk import metrics as metrics_mod
from kiosk.config import Settings
from kiosk.core import KioskCore
from kiosk.core.tasks import Dispatch, run_here
from kiosk.devices.base import StatusBoard
from kiosk.devices.registry import build_devices
from kiosk.errors import KioskError
from kiosk.gateway.outbox import Outbox, OutboxError
from kiosk.gateway.service import GatewayService
from kiosk.journeys import Journeys
from kiosk.receipts.service import ReceiptService
from kiosk.staff import StaffMode

log = logging.getLogger("kiosk.runtime")


class StartupRefused(KioskError):
    """The kiosk must not start as it is (e.g. queued dossiers whose outbox key is missing, short,
    replaced or readable by others): ``kiosk run`` prints it and exits non-zero, ``kiosk doctor``
    and the technician screen report it.  Nothing is deleted; a technician repairs and restarts."""

    message_key = "startup.refused"
    next_step = "next.call_technician"


def preflight(settings: Settings) -> None:
    """What ``kiosk run`` checks before any window opens: the data folder exists (made 0700 when
    missing) and the offline outbox can be opened with its key.  Raises ``StartupRefused``."""
    from kiosk.gateway import outbox as outbox_mod

    try:
        outbox_mod.make_private_dir(settings.data_dir)
    except OSError as exc:
        raise StartupRefused(detail=f"data folder {settings.data_dir}: {type(exc).__name__}: {exc}") from None
    problem = outbox_mod.check(settings)
    if problem:
        raise StartupRefused(detail=f"offline outbox: {problem}")


class Runtime:
    def __init__(self, settings: Settings, *, devices=None, gateway: Any = None, dispatch: Dispatch = run_here,
                 idle_clock: Callable[[], float] | None = None, outbox: Outbox | None | bool = True):
        """``devices``/``gateway``: ready-made ones (tests); ``outbox=False``: none."""
        self.settings = settings
        self.devices = devices if devices is not None else build_devices(settings, StatusBoard())
        self.board = self.devices.board
        self.outbox = (_open_outbox(settings) if outbox is True else (outbox or None)) if gateway is None else \
            getattr(gateway, "outbox", None)
        self.gateway = gateway if gateway is not None else GatewayService(
            settings, self.board, outbox=self.outbox if self.outbox is not None else False)
        self.receipts = ReceiptService(lambda: self.devices.printer, office=settings.kiosk.location_name,
                                       kiosk_id=settings.kiosk.kiosk_id,
                                       session_id=lambda: self.core.session.session_id)
        self.core = KioskCore(settings, devices=self.devices, gateway=self.gateway, receipts=self.receipts,
                              dispatch=dispatch, idle_clock=idle_clock)
        self.core.on_wipe(lambda _reason: self.receipts.forget())
        self.core.on_wipe(self._forget_in_devices)
        self.journeys = Journeys(self.core)
        self.audit = audit_mod.AuditLog.from_settings(settings)
        audit_mod.attach(self.core, self.audit)
        if hasattr(self.gateway, "audit_head"):
            self.gateway.audit_head = self.audit.head  # the head travels with every heartbeat
        self._exit: Callable[[], None] | None = None
        self.staff = StaffMode(self.core, self.audit, outbox=self.outbox,
                               exit_kiosk=lambda: self._exit and self._exit())
        self.metrics = None
        self.metrics_server = None

    def _forget_in_devices(self, _reason: str) -> None:
        """The session is wiped: nothing of the citizen stays in a device either (the printer's
        reprint layouts and last rendered bytes, the camera's last frame and preview)."""
        for kind, forget in (("printer", "end_session"), ("qr_source", "forget_frames")):
            try:
                device = getattr(self.devices, kind)
            except (KeyError, AttributeError):  # a kiosk built without that device
                continue
            hook = getattr(device, forget, None)
            if callable(hook):
                hook()

    def on_exit(self, exit_kiosk: Callable[[], None]) -> None:
        """How the technician's "exit" ends the program (the app's stop)."""
        self._exit = exit_kiosk

    def start_metrics(self) -> None:
        """The Prometheus endpoint, when kiosk.ini asks for it."""
        if not self.settings.metrics.enabled or self.metrics_server is not None:
            return
        try:
            self.metrics = metrics_mod.attach(self.core, outbox=self.outbox, audit=self.audit)
            self.metrics_server = metrics_mod.serve(self.settings, self.metrics)
        except OSError:
            log.exception("metrics endpoint could not start", extra={"port": self.settings.metrics.port})

    def watchdog_status(self) -> str:
        bad = [s.kind.value for s in self.board.all() if s.needs_technician]
        return "needs technician: " + ", ".join(bad) if bad else "all devices ok"

    def stop(self) -> None:
        """Everything stops, in order: work, devices, gateway (and its outbox), metrics."""
        self.core.shutdown()
        stop = getattr(self.gateway, "stop", None)
        if stop is not None:
            stop()
        if self.outbox is not None:
            try:
                self.outbox.close()
            except Exception:  # noqa: BLE001 - already closed by the gateway service
                pass
        if self.metrics_server is not None:
            self.metrics_server.shutdown()
            self.metrics_server = None


def _open_outbox(settings: Settings) -> Outbox | None:
    """The one outbox.  A key or database problem refuses the start (``StartupRefused``): running
    on would queue new dossiers beside ones that can never be read, or silently without any."""
    try:
        return Outbox.from_settings(settings)
    except OutboxError as exc:
        log.error("offline outbox refused: the kiosk does not start", extra={"problem": str(exc)})
        raise StartupRefused(detail=f"offline outbox: {exc}") from None
    except Exception:  # noqa: BLE001 - anything else (no disk space…): look-ups still work
        log.exception("offline outbox unavailable")
        return None
