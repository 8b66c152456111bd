"""The printer driver the core calls: status, printing, reprints.

``print_receipt`` is blocking (the UI calls it off its thread).  It checks the status before
and after printing; a receipt that could not be printed completely is kept in the reprint
store for staff and the result says what the citizen is told (``message_key``) and what to do
(``next_step``: collect the receipt at the counter).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.devices.base import Device, DeviceKind, DeviceState, MediaState, StatusBoard
from kiosk.devices.printer import status as st
from kiosk.devices.printer.profile import PrinterProfile
from kiosk.devices.printer.transport import Transport, TransportError
from kiosk.errors import KioskError

log = logging.getLogger("kiosk.printer")

NEXT_COLLECT = "next.collect_at_counter"
NEXT_CHECK = "next.check_receipt_or_ask_staff"
CHUNK = 4096
STATUS_TIMEOUT = 0.5
POST_PRINT_BASE = 2.0  # seconds: paper motion of a long receipt


class PrinterError(KioskError):
    """A printing failure a citizen can meet: ``message_key`` and ``next_step``."""

    def __init__(self, message_key: str, next_step: str = NEXT_COLLECT, detail: str = "",
                 receipt_id: str | None = None):
        super().__init__(message_key, next_step, detail)  # detail: technical, never personal data
        self.args = (message_key,)
        self.receipt_id = receipt_id


@dataclass
class PrintResult:
    ok: bool
    receipt_id: str
    message_key: str = "printer.printed"
    next_step: str | None = None
    confirmed: bool = True  # False: bytes sent but the printer never confirmed its status
    media: MediaState = MediaState.UNKNOWN
    bytes_sent: int = 0
    seconds: float = 0.0
    detail: str = ""

    def raise_for_failure(self) -> PrintResult:
        if not self.ok:
            raise PrinterError(self.message_key, self.next_step or NEXT_COLLECT, self.detail, self.receipt_id)
        return self


@dataclass(frozen=True)
class PrintJob:
    """Whose print this is: the session that asked for it, and how to tell whether that session
    is still the one at the kiosk.  A job whose session ended before the printer got to it is
    refused (``printer.session_ended``): a receipt never reaches the next citizen."""

    session_id: str
    current_session: Callable[[], str]

    def still_current(self) -> bool:
        try:
            return self.current_session() == self.session_id
        except Exception:  # noqa: BLE001 - unknown is not "still current"
            return False


@dataclass
class StoredReceipt:
    id: str
    kind: str
    reference: str  # dossier code / ticket number: no names, no ID numbers
    created: float
    state: str = "pending"  # pending | printed | unconfirmed | failed | reprinted | refused
    message_key: str = ""
    attempts: int = 0
    receipt: object = field(default=None, repr=False)  # the layout (in memory only, this session only)
    job: PrintJob | None = field(default=None, repr=False)

    @property
    def reprintable(self) -> bool:
        return self.receipt is not None

    def summary(self) -> dict:
        return {"id": self.id, "kind": self.kind, "reference": self.reference,
                "created": round(self.created, 3), "state": self.state,
                "message_key": self.message_key, "attempts": self.attempts, "reprintable": self.reprintable}


class ReprintStore:
    """Recent receipts (last ``keep``) and every failed one (up to ``keep_failed``), in memory.

    Receipts hold personal data (the citizen's name, masked ID number, address), so they are
    never written to disk and they do not outlive their session: ``end_session()`` (called when
    the session is wiped) drops every layout and keeps only each receipt's non-personal summary
    (kind, dossier code or ticket number, state), so staff still see that a receipt failed and
    reprint it from the gateway's dossier record, while nothing of the last citizen can be
    printed for the next one (Japan's certificate kiosks, 2023 and 2024).  Within the session,
    staff can reprint a failed receipt for the citizen who is still there.  A restart forgets
    everything.
    """

    def __init__(self, device: PrinterDevice, keep: int = 10, keep_failed: int = 50):
        self._device = device
        self.keep = keep
        self.keep_failed = keep_failed
        self._items: OrderedDict[str, StoredReceipt] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, receipt, job: PrintJob | None = None) -> StoredReceipt:
        with self._lock:
            rid = f"R{next(self._ids):04d}"
            item = StoredReceipt(rid, receipt.kind, receipt.reference, time.time(), receipt=receipt, job=job)
            self._items[rid] = item
            self._trim()
            return item

    def _trim(self) -> None:
        done = [k for k, v in self._items.items() if v.state in ("printed", "reprinted", "unconfirmed", "refused")]
        failed = [k for k, v in self._items.items() if v.state == "failed"]
        for k in done[: max(0, len(done) - self.keep)]:
            del self._items[k]
        for k in failed[: max(0, len(failed) - self.keep_failed)]:
            del self._items[k]

    def mark(self, item: StoredReceipt, state: str, message_key: str = "") -> None:
        with self._lock:
            item.state = state
            item.message_key = message_key
            self._trim()

    def list(self, failed_only: bool = False) -> list[dict]:
        with self._lock:
            items = [v.summary() for v in self._items.values()]
        return [i for i in items if i["state"] == "failed"] if failed_only else items

    def get(self, rid: str) -> StoredReceipt:
        with self._lock:
            try:
                return self._items[rid]
            except KeyError:
                raise KeyError(f"no stored receipt {rid}") from None

    def failed(self) -> list[dict]:
        return self.list(failed_only=True)

    def reprint(self, rid: str) -> PrintResult:
        """Print a stored receipt again (staff action), for the session it was made in only: a
        receipt whose session ended has no layout left (``printer.reprint_expired``)."""
        item = self.get(rid)
        receipt = item.receipt
        if receipt is None:
            return PrintResult(False, item.id, "printer.reprint_expired", NEXT_COLLECT, confirmed=True,
                               detail="its session ended: reprint from the gateway's dossier record")
        return self._device._print(receipt, item)

    def end_session(self) -> int:
        """The session ended: forget every receipt's layout (its personal data) and the session
        it belonged to; keep the non-personal summaries.  How many layouts were dropped."""
        with self._lock:
            dropped = 0
            for item in self._items.values():
                if item.receipt is not None:
                    item.receipt = None  # a print still waiting for the printer is refused by this
                    dropped += 1
            return dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class PrinterDevice(Device):
    kind = DeviceKind.PRINTER
    accepts_jobs = True  # print_receipt(receipt, job=PrintJob): refused once its session ended

    def __init__(self, transport: Transport, profile: PrinterProfile, *, text_mode: str = "raster",
                 board: StatusBoard | None = None, simulated: bool = False, keep: int = 10):
        self.simulated = simulated
        self.transport = transport
        self.profile = profile
        self.text_mode = text_mode
        super().__init__(f"{profile.name} {profile.paper_mm} mm ({transport.name})", board)
        self.reprint_store = ReprintStore(self, keep=keep)
        self._lock = threading.RLock()
        self.last_status: st.PrinterStatus | None = None
        self._last_data = b""

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self) -> None:
        try:
            self.transport.open()
        except TransportError as exc:
            log.warning("printer not reachable")
            self.set_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN, last_error=str(exc))
            return
        self.refresh()

    def close(self) -> None:
        self.transport.close()
        self.set_status(state=DeviceState.OFFLINE)

    # -- status ----------------------------------------------------------------------------------
    def read_status(self, first_timeout: float = STATUS_TIMEOUT) -> st.PrinterStatus:
        """Ask DLE EOT 1, 2, 3, 4; stops at the first silence (then everything is unknown).

        ``first_timeout``: how long to wait for the first answer (after a receipt the request
        queues behind the print data on serial and TCP links).
        """
        replies: dict[int, int | None] = {}
        if not self.transport.readable:
            return st.PrinterStatus(replies)
        with self._lock:
            while self.transport.read(0.0):  # drop stale bytes (automatic status back…)
                pass
            for n in st.QUERY_ORDER:
                self.transport.write(st.query(n))
                got = self.transport.read(first_timeout if n == st.QUERY_ORDER[0] else STATUS_TIMEOUT)
                replies[n] = got[0] if got else None
                if not got:
                    break
        return st.PrinterStatus(replies)

    def refresh(self, first_timeout: float = STATUS_TIMEOUT):
        try:
            status = self.read_status(first_timeout)
        except TransportError as exc:
            self.last_status = None
            return self.set_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN, last_error=str(exc))
        self.last_status = status
        if not self.transport.readable:
            return self.set_status(state=DeviceState.ONLINE, media=MediaState.UNKNOWN,
                                   detail=f"{self._detail()}; status not readable on this link", last_error=None)
        problem = status.problem()
        return self.set_status(state=status.device_state(), media=status.media(), detail=self._detail(status),
                               last_error=problem)

    def _detail(self, status: st.PrinterStatus | None = None) -> str:
        qr = "native" if self.profile.qr_native else "image"
        text = f"{self.profile.dot_width} dots, text {self.text_mode}, qr {qr}"
        waiting = len(self.reprint_store.failed()) if hasattr(self, "reprint_store") else 0
        if waiting:
            text += f"; {waiting} receipt(s) waiting for reprint"
        return f"{text}; {status.describe()}" if status is not None else text

    # -- printing --------------------------------------------------------------------------------
    def render(self, receipt) -> bytes:
        from kiosk.devices.printer.render import render

        return render(receipt, self.profile, text_mode=self.text_mode).data

    def print_receipt(self, receipt, job: PrintJob | None = None) -> PrintResult:
        """Print one receipt (blocking).  Never raises for printer trouble: see PrintResult.

        ``job`` names the session that asked: when that session has ended by the time the
        printer is free to print it (a print queued behind another, a slow worker), the receipt
        is refused, nothing is sent and nothing is kept."""
        item = self.reprint_store.add(receipt, job)
        return self._print(receipt, item)

    def end_session(self) -> None:
        """The session was wiped: nothing of the citizen stays in the driver (the reprint
        store's layouts, the last rendered bytes).  Never waits for a print in progress (the UI
        thread calls this): that one passed its session check and finishes on its own."""
        self.reprint_store.end_session()
        self._last_data = b""

    def _fail(self, item: StoredReceipt, key: str, detail: str, t0: float, sent: int = 0) -> PrintResult:
        self.reprint_store.mark(item, "failed", key)
        self.set_status(detail=self._detail(self.last_status))
        log.warning("receipt not printed", extra={"receipt_id": item.id, "kind": item.kind, "reason": key})
        return PrintResult(False, item.id, key, NEXT_COLLECT, confirmed=True, media=self.status.media,
                           bytes_sent=sent, seconds=time.perf_counter() - t0, detail=detail)

    @staticmethod
    def _belongs_elsewhere(item: StoredReceipt) -> bool:
        """Its session ended: by its job's session id, or (no job) because ``end_session``
        already dropped its layout while it waited."""
        return item.receipt is None or (item.job is not None and not item.job.still_current())

    def _refuse(self, item: StoredReceipt, t0: float) -> PrintResult:
        with self.reprint_store._lock:
            item.receipt = None  # another citizen's receipt: not kept for a reprint either
            item.job = None
        self.reprint_store.mark(item, "refused", "printer.session_ended")
        log.warning("receipt refused: its session ended before it printed",
                    extra={"receipt_id": item.id, "kind": item.kind})
        return PrintResult(False, item.id, "printer.session_ended", None, confirmed=True,
                           seconds=time.perf_counter() - t0, detail="the session that asked for it has ended")

    def _print(self, receipt, item: StoredReceipt) -> PrintResult:
        t0 = time.perf_counter()
        with self._lock:
            if self._belongs_elsewhere(item):
                return self._refuse(item, t0)
            item.attempts += 1
            before = self.refresh()
            if before.state == DeviceState.NO_DEVICE:
                return self._fail(item, "printer.no_device", before.last_error or "", t0)
            pre = self.last_status
            problem = pre.problem() if pre is not None and self.transport.readable else None
            if problem and problem != "printer.no_answer":
                return self._fail(item, problem, pre.describe(), t0)
            data = self.render(receipt)
            if self._belongs_elsewhere(item):  # the session ended while it rendered
                return self._refuse(item, t0)
            self._last_data = data
            self.set_status(state=DeviceState.BUSY)
            sent = 0
            try:
                self.transport.begin_job()
                for i in range(0, len(data), CHUNK):
                    self.transport.write(data[i: i + CHUNK])
                    sent = min(len(data), i + CHUNK)
            except TransportError as exc:
                self.set_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN,
                                last_error="link lost while printing")
                return self._fail(item, "printer.failed", str(exc), t0, sent)
            after = self.refresh(self._post_print_timeout(len(data)))
            post = self.last_status
            if post is not None and self.transport.readable and post.answered:
                problem = post.problem()
                if problem:
                    return self._fail(item, problem, post.describe(), t0, sent)
                self.reprint_store.mark(item, "reprinted" if item.attempts > 1 else "printed")
                return PrintResult(True, item.id, "printer.printed", None, True, after.media, sent,
                                   time.perf_counter() - t0, post.describe())
            # sent, but nobody says whether it reached paper: keep it and say so
            self.reprint_store.mark(item, "unconfirmed", "printer.unconfirmed")
            if self.transport.readable:
                self.set_status(state=DeviceState.OFFLINE, media=MediaState.UNKNOWN, last_error="printer.no_answer")
            return PrintResult(True, item.id, "printer.unconfirmed", NEXT_CHECK, False, MediaState.UNKNOWN, sent,
                               time.perf_counter() - t0, "no status answer")

    def _post_print_timeout(self, nbytes: int) -> float:
        """Wait for the link to carry the receipt and the printer to print it (~100 mm/s)."""
        rate = getattr(self.transport, "bytes_per_second", None) or 1_000_000
        return POST_PRINT_BASE + nbytes / rate

    # -- simulated printer helpers ---------------------------------------------------------------
    def last_paper(self):
        """Decoded paper of the last receipt (simulated printer only)."""
        from kiosk.devices.printer.decoder import decode
        from kiosk.devices.printer.simulated import SimulatedPrinter

        if not isinstance(self.transport, SimulatedPrinter):
            raise RuntimeError("last_paper() needs the simulated printer")
        return decode(self.transport.last_job(), self.profile)

    @property
    def faults(self):
        """The simulated printer's fault switches (``set_faults``/``clear_faults``)."""
        return self.transport if self.simulated else None
