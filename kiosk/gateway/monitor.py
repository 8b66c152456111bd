"""Gateway reachability as a device status (kind GATEWAY) on the StatusBoard.

``GatewayMonitor(client, board).check()`` sends one heartbeat and publishes ONLINE (detail:
latency, outbox depth) or OFFLINE (last_error: the error's message key and detail).
``start()`` repeats that every ``interval`` seconds in a daemon thread; ``stop()`` ends it.
A heartbeat that gets through while the outbox still holds items calls ``on_reachable`` (the
outbox worker's ``kick``): what waited offline goes at once, not after the worker's back-off.
Every heartbeat carries the head of the audit log (``audit_head()``, {seq, hash}) when one is
given: the gateway keeps the newest, so a log rewritten on the kiosk no longer matches it.
The status bar, the staff screen and ``kiosk doctor`` read the board, not the monitor.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from kiosk.devices.base import DeviceKind, DeviceState, DeviceStatus, StatusBoard
from kiosk.gateway.errors import GatewayError

log = logging.getLogger("kiosk.gateway.monitor")


class GatewayMonitor:
    def __init__(self, client, board: StatusBoard | None = None, *, interval: float = 30.0,
                 outbox=None, device_summary=None, simulated: bool | None = None,
                 on_reachable=None, audit_head=None):
        self.client = client
        self.audit_head = audit_head  # callable → {"seq", "hash"} of the audit log, or None
        self.on_reachable = on_reachable  # called when a heartbeat succeeds and the outbox waits
        self.board = board or StatusBoard()
        self.interval = interval
        self.outbox = outbox
        self.device_summary = device_summary  # callable → {kind: state} sent with the heartbeat
        parts = urlsplit(client.base_url)
        self.name = f"{parts.scheme}://{parts.netloc}"  # never the token, never a path with data
        if simulated is None:
            simulated = parts.hostname in ("127.0.0.1", "localhost", "::1")
        self._status = DeviceStatus(DeviceKind.GATEWAY, self.name, DeviceState.OFFLINE,
                                    simulated=simulated, detail="not checked yet")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.board.publish(self._status)

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def _summary(self) -> dict:
        if self.device_summary is not None:
            try:
                return dict(self.device_summary())
            except Exception:  # noqa: BLE001 - a summary must never stop the heartbeat
                return {}
        out = {}
        for st in self.board.all():
            if st.kind != DeviceKind.GATEWAY:
                out[st.kind.value] = st.state.value
        return out

    def _audit_head(self) -> dict | None:
        if self.audit_head is None:
            return None
        try:
            return self.audit_head()
        except Exception:  # noqa: BLE001 - an unreadable head must never stop the heartbeat
            log.exception("audit head unreadable")
            return None

    def check(self) -> DeviceStatus:
        depth_note, waiting = "", 0
        if self.outbox is not None:
            try:
                waiting = self.outbox.depth()
                depth_note = f", outbox {waiting}"
            except Exception:  # noqa: BLE001
                depth_note = ", outbox unreadable"
        try:
            head = self._audit_head()
            ack = self.client.heartbeat(self._summary(), **({"audit_head": head} if head else {}))
        except GatewayError as exc:
            error = exc.message_key + (f": {exc.detail}" if exc.detail else "")
            if self.outbox is not None and self.outbox.last_error():
                error += f" (outbox: {self.outbox.last_error()})"
            changes = dict(state=DeviceState.OFFLINE, detail=f"unreachable{depth_note}", last_error=error)
        else:
            changes = dict(state=DeviceState.ONLINE, detail=f"latency {ack.latency_ms:.0f} ms{depth_note}",
                           last_error=None)
        if changes["state"] == self._status.state:
            del changes["state"]  # same state: keep its `since`
        new = self._status.with_(**changes)
        self._status = new
        self.board.publish(new)
        if new.state == DeviceState.ONLINE and waiting and self.on_reachable is not None:
            try:
                self.on_reachable()
            except Exception:  # noqa: BLE001 - a failing callback must never stop the heartbeat
                log.exception("gateway reachable callback failed")
        return new

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gateway-monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the monitor thread must survive anything
                log.exception("gateway monitor check failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        self._thread = None
