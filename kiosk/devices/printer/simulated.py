"""A simulated printer: captures the bytes, answers DLE EOT, and has fault switches.

Faults (technicians can flip them to isolate a problem; tests use them):
``paper_near_end``, ``paper_out``, ``cover_open``, ``no_answer`` (status requests get no
reply), ``hardware_error``, and ``fail_after`` = N bytes with ``fail_mode`` = "paper_out"
(the roll runs out mid-receipt: the rest never reaches paper) or "disconnect" (the link
breaks: the write raises).
"""

from __future__ import annotations

import threading
from collections import deque

from kiosk.devices.printer import status as st
from kiosk.devices.printer.transport import Transport, TransportError


class SimulatedPrinter(Transport):
    name = "simulated"
    readable = True

    def __init__(self, keep_jobs: int = 20):
        self.paper_near_end = False
        self.paper_out = False
        self.cover_open = False
        self.no_answer = False
        self.hardware_error = False
        self.fail_after: int | None = None
        self.fail_mode = "paper_out"
        self.jobs: deque[bytearray] = deque(maxlen=keep_jobs)  # what reached paper, per receipt
        self.received = 0  # bytes received in the current job
        self._replies: deque[int] = deque()
        self._lock = threading.Lock()
        self.is_open = False

    def set_faults(self, **faults) -> None:
        for key, value in faults.items():
            if not hasattr(self, key) or key.startswith("_") or key in ("jobs", "received"):
                raise AttributeError(f"no such fault switch: {key}")
            setattr(self, key, value)

    def clear_faults(self) -> None:
        self.set_faults(paper_near_end=False, paper_out=False, cover_open=False, no_answer=False,
                        hardware_error=False, fail_after=None)

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def begin_job(self) -> None:
        with self._lock:
            self.jobs.append(bytearray())
            self.received = 0

    def _answer(self, n: int) -> int:
        return st.reply_byte(online=True, cover_open=self.cover_open, paper_out=self.paper_out,
                             near_end=self.paper_near_end, error=self.hardware_error, n=n)

    def write(self, data: bytes) -> None:
        if not self.is_open:
            raise TransportError("simulated printer is closed")
        data = bytes(data)
        with self._lock:
            # a write made only of real-time status requests is answered, not printed
            if data and len(data) % 3 == 0 and all(data[i:i + 2] == st.DLE_EOT for i in range(0, len(data), 3)):
                if not self.no_answer:
                    self._replies.extend(self._answer(data[i + 2]) for i in range(0, len(data), 3))
                return
            if not self.jobs:
                self.jobs.append(bytearray())
            job = self.jobs[-1]
            if self.paper_out or self.cover_open or self.hardware_error:
                return  # the printer is stopped: nothing reaches paper
            if self.fail_after is not None and self.received + len(data) > self.fail_after:
                keep = max(0, self.fail_after - self.received)
                job += data[:keep]
                self.received += keep
                self.fail_after = None
                if self.fail_mode == "disconnect":
                    raise TransportError("simulated printer: link lost mid-receipt")
                self.paper_out = True
                return
            job += data
            self.received += len(data)

    def read(self, timeout: float = 0.5) -> bytes:
        with self._lock:
            if self._replies:
                return bytes([self._replies.popleft()])
        return b""

    def last_job(self) -> bytes:
        return bytes(self.jobs[-1]) if self.jobs else b""
