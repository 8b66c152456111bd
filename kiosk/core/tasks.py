"""Background work: anything slower than a frame runs on worker threads and comes back as a
``Task``, a future whose callbacks run on the UI thread.

A journey service starts the work and chains what it does with the result (keep it in the
draft, move to the next step); a screen may chain its own reaction (stop a spinner, show the
error).  Callbacks run in the order they were added.  A result that arrives after the session
was reset belongs to a citizen who has gone: its callbacks are dropped, never shown to the
next person (the *generation* guard).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kiosk.errors import KioskError, citizen_error

log = logging.getLogger("kiosk.core")

Dispatch = Callable[[Callable[[], None]], None]
OnDone = Callable[[Any], None]
OnError = Callable[[KioskError], None]


def run_here(fn: Callable[[], None]) -> None:
    """The dispatch of tests and the command line: callbacks run on the thread that finished."""
    fn()


class Worker:
    """The kiosk's worker threads and the session generation that guards their results."""

    def __init__(self, dispatch: Dispatch = run_here, *, threads: int = 8):
        self.dispatch = dispatch
        # slow device and gateway jobs (a card read, a print, retries) must never keep staff waiting
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kiosk-worker")
        self.generation = 0

    def next_generation(self) -> None:
        """A new session: results still on their way belong to the old one."""
        self.generation += 1

    def run(self, work: Callable[[], Any], what: str = "task") -> Task:
        """``work`` off the UI thread; its outcome reaches the task's callbacks on the UI thread."""
        task = Task(self, self.generation, what)
        task._attach(self._executor.submit(work))
        return task

    def detached(self, work: Callable[[], Any], what: str = "task") -> Future:
        """Work that must finish even if the citizen leaves (a rating given just before
        leaving still goes); its failures are logged, never shown."""

        def job():
            try:
                return work()
            except Exception as exc:  # noqa: BLE001 - nobody is waiting to be told
                log.warning("background work failed", extra={"task": what, "kind": type(exc).__name__})
                return None

        return self._executor.submit(job)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Task:
    """The future outcome of one piece of background work."""

    def __init__(self, worker: Worker | None, generation: int, what: str):
        self._worker = worker
        self._generation = generation
        self.what = what
        self._lock = threading.Lock()
        self._outcome: tuple[bool, Any] | None = None
        self._callbacks: list[tuple[OnDone | None, OnError | None]] = []
        self.future: Future | None = None

    # -- made already finished ------------------------------------------------------------------

    @classmethod
    def resolved(cls, value: Any, what: str = "task") -> Task:
        task = cls(None, 0, what)
        task._outcome = (True, value)
        return task

    @classmethod
    def failed(cls, error: KioskError, what: str = "task") -> Task:
        task = cls(None, 0, what)
        task._outcome = (False, error)
        return task

    # -- outcome ------------------------------------------------------------------------------

    def _attach(self, future: Future) -> None:
        self.future = future
        future.add_done_callback(self._finished)

    def _finished(self, future: Future) -> None:
        exc = future.exception() if not future.cancelled() else KioskError("error.cancelled", "next.try_again")
        if exc is None:
            outcome = (True, future.result())
        else:
            err = citizen_error(exc)
            log.warning("task failed", extra={"task": self.what, "kind": type(exc).__name__, "key": err.message_key})
            outcome = (False, err)
        self._settle(outcome)

    def _settle(self, outcome: tuple[bool, Any]) -> None:
        with self._lock:
            self._outcome = outcome
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            self._deliver(callback, outcome)

    def _current(self) -> bool:
        return self._worker is None or self._worker.generation == self._generation

    def _deliver(self, callback: tuple[OnDone | None, OnError | None], outcome: tuple[bool, Any]) -> None:
        on_done, on_error = callback
        fn = on_done if outcome[0] else on_error
        if fn is None:
            return
        if self._worker is None:  # finished before it started: no thread to come back from
            fn(outcome[1])
            return
        self._worker.dispatch(lambda: self._current() and fn(outcome[1]))

    def then(self, on_done: OnDone | None = None, on_error: OnError | None = None) -> Task:
        """Add what happens with the outcome (on the UI thread); returns the task for chaining."""
        with self._lock:
            outcome = self._outcome
            if outcome is None:
                self._callbacks.append((on_done, on_error))
                return self
        self._deliver((on_done, on_error), outcome)
        return self

    def chain(self, then: Callable[[Any], Task]) -> Task:
        """A task for the work that follows: ``then(result)`` (on the UI thread) starts the next
        task; the returned task ends with it, or with the first error."""
        child = Task(self._worker, self._generation, self.what)

        def next_step(value: Any) -> None:
            try:
                following = then(value)
            except KioskError as err:
                child._settle((False, err))
                return
            following.then(lambda v: child._settle((True, v)), lambda e: child._settle((False, e)))

        self.then(next_step, lambda err: child._settle((False, err)))
        return child

    def recover(self, fallback: Callable[[KioskError], Any]) -> Task:
        """A task that ends with this one's result, or with ``fallback(error)`` instead of it."""
        child = Task(self._worker, self._generation, self.what)
        self.then(lambda v: child._settle((True, v)), lambda err: child._settle((True, fallback(err))))
        return child

    def done(self) -> bool:
        return self._outcome is not None

    def result(self, timeout: float | None = None) -> Any:
        """Block until the outcome (tests and the command line only, never on the UI thread);
        raises the error the citizen would be told."""
        waited = 0.0
        while self._outcome is None and (timeout is None or waited < timeout):
            threading.Event().wait(0.005)  # set on the worker thread, before any dispatch
            waited += 0.005
        assert self._outcome is not None, "task still running"
        ok, value = self._outcome
        if not ok:
            raise value
        return value
