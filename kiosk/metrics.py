"""Prometheus metrics for fleet monitoring: one central Prometheus scrapes hundreds of kiosks.

``attach(core, outbox=None)`` makes a ``KioskMetrics``, subscribes it to the StatusBoard (device
states, paper) and to the core's events (sessions by journey and outcome), counts warnings and
errors logged under ``kiosk.*`` by kind, and counts receipts printed.  ``serve(settings,
metrics)`` starts the HTTP endpoint on ``settings.metrics.host:port`` (only call it when
``settings.metrics.enabled``).  ``install(app)`` does both for the Kivy app (an EXTENSION).

Metrics (every one labelled only with neutral values; never personal data)::

    kiosk_info{kiosk_id, version, location}            1
    kiosk_device_state{kind, state}                    1 for the current state, 0 for the others
    kiosk_device_needs_technician{kind}                1 / 0
    kiosk_device_simulated{kind}                       1 / 0
    kiosk_printer_paper{state}                         1 for the current paper state
    kiosk_sessions_total{journey, outcome}             ended sessions (outcome: finished, timeout…)
    kiosk_errors_total{kind}                           warnings/errors logged, by kind
    kiosk_receipts_printed_total{kind, outcome}        ok | failed
    kiosk_outbox_depth / kiosk_outbox_failed           items waiting / refused
    kiosk_audit_entries_total{action, outcome}
    kiosk_pin_lockouts_total{role}                     PIN entry locked after repeated wrong PINs
    kiosk_last_status_change_timestamp_seconds{kind}
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kiosk import __version__
from kiosk.devices.base import DeviceKind, DeviceState, DeviceStatus, MediaState

log = logging.getLogger("kiosk.metrics")

PAPER_STATES = (MediaState.PAPER_OK, MediaState.PAPER_NEAR_END, MediaState.PAPER_OUT, MediaState.JAMMED,
                MediaState.COVER_OPEN, MediaState.UNKNOWN)


class _ErrorCounter(logging.Handler):
    def __init__(self, counter):
        super().__init__(level=logging.WARNING)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        kind = getattr(record, "kind", None) or getattr(record, "key", None) or record.name
        self.counter.labels(kind=str(kind)[:60]).inc()


class KioskMetrics:
    def __init__(self, kiosk_id: str, location: str = "", registry=None):
        from prometheus_client import CollectorRegistry, Counter, Gauge

        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.info = Gauge("kiosk_info", "Kiosk identity and software version", ["kiosk_id", "version", "location"],
                          registry=r)
        self.info.labels(kiosk_id=kiosk_id, version=__version__, location=location).set(1)
        self.device_state = Gauge("kiosk_device_state", "Device state (1 = current)", ["kind", "state"], registry=r)
        self.needs_technician = Gauge("kiosk_device_needs_technician", "1 when the device needs a technician",
                                      ["kind"], registry=r)
        self.simulated = Gauge("kiosk_device_simulated", "1 when the simulated twin is in use", ["kind"], registry=r)
        self.since = Gauge("kiosk_last_status_change_timestamp_seconds", "When the device state last changed",
                           ["kind"], registry=r)
        self.paper = Gauge("kiosk_printer_paper", "Printer paper state (1 = current)", ["state"], registry=r)
        self.sessions = Counter("kiosk_sessions", "Ended sessions", ["journey", "outcome"], registry=r)
        self.errors = Counter("kiosk_errors", "Warnings and errors logged, by kind", ["kind"], registry=r)
        self.receipts = Counter("kiosk_receipts_printed", "Receipts sent to the printer", ["kind", "outcome"],
                                registry=r)
        self.audit_entries = Counter("kiosk_audit_entries", "Audit entries written", ["action", "outcome"],
                                     registry=r)
        self.pin_lockouts = Counter("kiosk_pin_lockouts", "PIN entry locked after repeated wrong PINs", ["role"],
                                    registry=r)
        self.outbox_depth = Gauge("kiosk_outbox_depth", "Outbox items waiting for the gateway", registry=r)
        self.outbox_failed = Gauge("kiosk_outbox_failed", "Outbox items the gateway refused", registry=r)
        self._journey: str | None = None
        self._wrapped: set[int] = set()
        self._handler: _ErrorCounter | None = None
        self._lock = threading.Lock()

    # -- feeds ----------------------------------------------------------------------------------

    def on_status(self, status: DeviceStatus) -> None:
        kind = status.kind.value
        for state in DeviceState:
            self.device_state.labels(kind=kind, state=state.value).set(1 if status.state is state else 0)
        self.needs_technician.labels(kind=kind).set(1 if status.needs_technician else 0)
        self.simulated.labels(kind=kind).set(1 if status.simulated else 0)
        self.since.labels(kind=kind).set(status.since)
        if status.kind is DeviceKind.PRINTER:
            for media in PAPER_STATES:
                self.paper.labels(state=media.value).set(1 if status.media is media else 0)

    def on_core_event(self, core, event: str, value: Any) -> None:
        if event == "step":
            self._journey = core.session.journey or self._journey
        elif event == "wiped":
            pass
        elif event == "reset":
            self.sessions.labels(journey=self._journey or "none", outcome=str(value)[:40]).inc()
            self._journey = None

    def on_audit(self, entry: dict) -> None:
        action, outcome = str(entry.get("action", "?")), str(entry.get("outcome", "?"))
        self.audit_entries.labels(action=action, outcome=outcome[:40]).inc()
        if outcome == "lockout" and action in ("staff.enter", "technician.enter"):
            self.pin_lockouts.labels(role=action.split(".")[0]).inc()

    def count_print(self, kind: str, result) -> None:
        self.receipts.labels(kind=kind or "?", outcome="ok" if getattr(result, "ok", False) else "failed").inc()

    def watch_printer(self, printer) -> None:
        """Count receipts printed (and reprinted) by this printer driver."""
        if printer is None or id(printer) in self._wrapped or not hasattr(printer, "print_receipt"):
            return
        self._wrapped.add(id(printer))
        original = printer.print_receipt

        def print_receipt(receipt, *a, **kw):
            result = original(receipt, *a, **kw)
            self.count_print(getattr(receipt, "kind", "?"), result)
            return result

        printer.print_receipt = print_receipt
        store = getattr(printer, "reprint_store", None)
        if store is not None:
            original_reprint = store.reprint

            def reprint(rid, *a, **kw):
                result = original_reprint(rid, *a, **kw)
                self.count_print("reprint", result)
                return result

            store.reprint = reprint

    def watch_outbox(self, outbox) -> None:
        def depth():
            try:
                return outbox.depth()
            except Exception:  # noqa: BLE001
                return float("nan")

        def failed():
            try:
                return outbox.failed()
            except Exception:  # noqa: BLE001
                return float("nan")

        self.outbox_depth.set_function(depth)
        self.outbox_failed.set_function(failed)

    def count_errors(self, logger_name: str = "kiosk") -> None:
        if self._handler is None:
            self._handler = _ErrorCounter(self.errors)
            logging.getLogger(logger_name).addHandler(self._handler)

    def detach(self) -> None:
        if self._handler is not None:
            logging.getLogger("kiosk").removeHandler(self._handler)
            self._handler = None

    def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


def attach(core, *, outbox=None, audit=None, registry=None) -> KioskMetrics:
    """Feed metrics from the core's StatusBoard, core events, the printer, outbox and audit log."""
    settings = core.settings
    metrics = KioskMetrics(settings.kiosk.kiosk_id, settings.kiosk.location_name, registry)
    for status in core.board.all():
        metrics.on_status(status)

    def on_status(status: DeviceStatus) -> None:
        metrics.on_status(status)
        if status.kind is DeviceKind.PRINTER and core.devices is not None:
            try:
                metrics.watch_printer(core.devices.printer)
            except KeyError:
                pass

    core.board.subscribe(on_status)
    core.subscribe(lambda event, value: metrics.on_core_event(core, event, value))
    if core.devices is not None and DeviceKind.PRINTER in core.devices.drivers:
        metrics.watch_printer(core.devices.printer)
    if outbox is not None:
        metrics.watch_outbox(outbox)
    if audit is not None:
        audit.subscribe(metrics.on_audit)
    metrics.count_errors()
    return metrics


def serve(settings, metrics: KioskMetrics, port: int | None = None):
    """Start the HTTP endpoint (daemon thread); returns the server (``.shutdown()`` stops it)."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(settings.metrics.port if port is None else port,
                                        addr=settings.metrics.host, registry=metrics.registry)
    log.info("metrics endpoint started", extra={"port": server.server_address[1]})
    return server
