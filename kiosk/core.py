"""The kiosk's core: settings, devices, gateway, the session and where the citizen is.

Plain Python, no Kivy.  The app gives the core a ``dispatch`` function that runs a callable on
the UI thread; everything slow (card reads, decoding, printing, HTTP) runs on the core's
worker threads and reports back through ``dispatch``, so the UI never blocks.  Tests and the
command line use the core directly with ``dispatch`` running callbacks in place.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from kiosk import journey as journeys
from kiosk.config import Settings
from kiosk.devices.base import StatusBoard
from kiosk.idle import IdlePhase, IdlePolicy
from kiosk.roles import PinGate, Role
from kiosk.session import Session
from kiosk.text import InvalidDossierCode, normalize_dossier_code

log = logging.getLogger("kiosk.core")

Dispatch = Callable[[Callable[[], None]], None]


def _direct(fn: Callable[[], None]) -> None:
    fn()


class CitizenError(Exception):
    """An error a citizen can meet: a message key and a next-step key, nothing technical."""

    def __init__(self, message_key: str, next_step: str = "next.try_again", detail: str = ""):
        super().__init__(message_key)
        self.message_key = message_key
        self.next_step = next_step
        self.detail = detail  # for staff and logs; never personal data


def citizen_error(exc: BaseException) -> CitizenError:
    """Map any failure to what the citizen is told; unknown failures say 'ask staff'."""
    if isinstance(exc, CitizenError):
        return exc
    key = getattr(exc, "message_key", None)
    if key:
        return CitizenError(key, getattr(exc, "next_step", None) or "next.try_again", type(exc).__name__)
    return CitizenError("error.unexpected", "next.ask_staff", type(exc).__name__)


class KioskCore:
    def __init__(
        self,
        settings: Settings,
        *,
        devices=None,
        gateway=None,
        dispatch: Dispatch = _direct,
        idle_clock: Callable[[], float] | None = None,
        board: StatusBoard | None = None,
    ):
        self.settings = settings
        self.board = board or (devices.board if devices is not None else StatusBoard())
        self.devices = devices
        self.gateway = gateway
        self.dispatch = dispatch
        self.session = Session(language=settings.kiosk.language)
        self.journey: journeys.Journey | None = None
        kw = {"clock": idle_clock} if idle_clock else {}
        self.idle = IdlePolicy(settings.kiosk.idle_warning_seconds, settings.kiosk.idle_reset_seconds, **kw)
        self.staff_gate = PinGate(
            settings.staff.pin_hash, settings.staff.max_attempts, settings.staff.lockout_seconds
        )
        self.technician_gate = PinGate(
            settings.technician.pin_hash, settings.technician.max_attempts, settings.technician.lockout_seconds
        )
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiosk-worker")
        self._listeners: list[Callable[[str, Any], None]] = []
        self._lock = threading.Lock()
        self._generation = 0  # bumps on every reset: late results of an old session are dropped

    # -- events to the UI ---------------------------------------------------------------------

    def subscribe(self, listener: Callable[[str, Any], None]) -> None:
        """listener(event, value) on the UI thread: 'step' (a screen to show), 'wiped' (the
        journey's data is gone: screens forget it too), 'reset' (back to attract)."""
        self._listeners.append(listener)

    def _emit(self, event: str, value: Any = None) -> None:
        for listener in list(self._listeners):
            listener(event, value)

    # -- background work ----------------------------------------------------------------------

    def run_async(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[CitizenError], None],
        what: str = "task",
    ) -> Future:
        """Run ``work`` off the UI thread; its outcome comes back through ``dispatch``.

        A result that arrives after the session was reset belongs to a citizen who has gone:
        it is dropped, never shown to the next person.
        """
        generation = self._generation

        def job() -> None:
            try:
                result = work()
            except BaseException as exc:  # noqa: BLE001 - every failure becomes a value
                err = citizen_error(exc)
                log.warning("task failed", extra={"task": what, "kind": type(exc).__name__, "key": err.message_key})
                self.dispatch(lambda: generation == self._generation and on_error(err))
                return
            self.dispatch(lambda: generation == self._generation and on_done(result))

        return self._executor.submit(job)

    # -- journeys -----------------------------------------------------------------------------

    @property
    def step(self) -> str:
        return self.journey.current if self.journey else "attract"

    def begin(self) -> None:
        """The citizen touched the attract screen."""
        self.idle.arm()
        self._goto("menu")

    def start_journey(self, name: str) -> str:
        if not journeys.is_available(name):
            raise journeys.JourneyError(f"journey {name} is not available")
        self.journey = journeys.Journey(name)
        self.session.journey = name
        log.info("journey started", extra={"journey": name, "session": self.session.session_id})
        self._goto(self.journey.current)
        return self.journey.current

    def next(self) -> str:
        assert self.journey is not None
        return self._goto(self.journey.next())

    def goto(self, step: str) -> str:
        assert self.journey is not None
        return self._goto(self.journey.goto(step))

    def back(self) -> str:
        if self.journey is None:
            return self._goto("menu" if self.step != "attract" else "attract")
        previous = self.journey.back()
        if previous is None:
            self.home()  # leaving the journey: what was given for it goes too
            return "menu"
        return self._goto(previous)

    def home(self) -> None:
        """Leave the journey for the menu; what was given for it is wiped."""
        lang = self.session.language
        self.session.wipe(language=lang)
        self._generation += 1
        self.journey = None
        self._emit("wiped", "home")
        self._goto("menu")

    def _goto(self, step: str) -> str:
        self.idle.touch()
        self._emit("step", step)
        return step

    def finish(self, outcome: str = "done") -> None:
        """The journey ended; log the outcome (no personal data) and return to attract."""
        log.info("journey finished", extra={"journey": self.session.journey, "outcome": outcome})
        self.reset("finished")

    def reset(self, reason: str) -> None:
        """Wipe the session and return to attract (finished, timeout, staff ended it)."""
        with self._lock:
            self._generation += 1
            journey = self.session.journey
            self.session.wipe(language=self.settings.kiosk.language)
            self.journey = None
            self.idle.disarm()
        log.info("session reset", extra={"reason": reason, "journey": journey})
        self._emit("reset", reason)

    def idle_tick(self) -> IdlePhase:
        status = self.idle.status()
        if status.phase is IdlePhase.EXPIRED:
            self.reset("timeout")
        return status.phase

    # -- language -----------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        self.session.language = lang

    # -- look up a dossier --------------------------------------------------------------------

    def lookup_dossier(self, raw_code: str, on_done: Callable[[Any], None], on_error: Callable[[CitizenError], None]):
        """Validate the typed or scanned code, then ask the gateway off the UI thread."""
        try:
            code = normalize_dossier_code(raw_code)
        except InvalidDossierCode as exc:
            on_error(CitizenError(f"lookup.invalid.{exc.reason}", "next.check_code"))
            return None
        if self.gateway is None:
            on_error(CitizenError("gateway.unavailable", "next.ask_staff"))
            return None
        self.session.dossier_code = code

        def done(dossier: Any) -> None:
            self.session.dossier = dossier
            on_done(dossier)

        return self.run_async(lambda: self.gateway.lookup_dossier(code), done, on_error, what="lookup")

    # -- roles --------------------------------------------------------------------------------

    @property
    def role(self) -> Role:
        return self.session.role

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.devices is not None:
            self.devices.close_all()
