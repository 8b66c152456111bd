"""The kiosk's core: the session, where the citizen is, events to the UI, reset and idle, and
background work.  Plain Python, no Kivy.

What each journey does lives in its own service (``kiosk/journeys/<name>.py``); the core only
moves the citizen along a journey's flow (``kiosk/core/flow.py``) when a service or a touch
raises an event, and tells the UI through named events:

- ``"step"``   a step (screen) to show;
- ``"wiped"``  the journey's data is gone (the citizen went home): screens forget it too;
- ``"reset"``  the session ended (finished, timeout, staff): back to the attract screen;
- ``"way_back"`` an irreversible step closed the way back (the back control follows);
- ``"<journey>"`` a journey's state changed (its screens re-render).

The app gives the core a ``dispatch`` that runs a callable on the UI thread; tests and the
command line run callbacks in place.  Everything here is built once by ``kiosk.runtime``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.config import Settings
from kiosk.core.flow import NEXT, Flow, FlowError, Journey
from kiosk.core.scanning import Scanning
from kiosk.core.session import Session
from kiosk.core.tasks import Dispatch, Task, Worker, run_here
from kiosk.devices.base import StatusBoard
from kiosk.devices.interfaces import CardReader, Printer, QrSource, usable
from kiosk.errors import CitizenError, KioskError, citizen_error
from kiosk.gateway.interface import Gateway
from kiosk.idle import IdlePhase, IdlePolicy
from kiosk.roles import PinGate, Role

__all__ = ["KioskCore", "CitizenError", "KioskError", "citizen_error", "Task", "Flow", "FlowError", "NEXT"]

log = logging.getLogger("kiosk.core")

Listener = Callable[[str, Any], None]


class KioskCore:
    def __init__(self, settings: Settings, *, devices=None, gateway=None, receipts=None,
                 dispatch: Dispatch = run_here, idle_clock: Callable[[], float] | None = None,
                 board: StatusBoard | None = None, flows: dict[str, Flow] | None = None):
        self.settings = settings
        self.board = board or (devices.board if devices is not None else StatusBoard())
        self.devices = devices
        self.gateway: Gateway | None = gateway  # kiosk.gateway.service.GatewayService, or None
        self.receipts = receipts  # kiosk.receipts.service.ReceiptService, or None (no printer)
        self.worker = Worker(dispatch)
        self.session = Session(language=settings.kiosk.language)
        self.flows: dict[str, Flow] = dict(flows or {})  # each journey service adds its own
        self.journeys: Any = None  # kiosk.journeys.Journeys, once built over this core
        self.journey: Journey | None = None
        kw = {"clock": idle_clock} if idle_clock else {}
        self.idle = IdlePolicy(settings.kiosk.idle_warning_seconds, settings.kiosk.idle_reset_seconds, **kw)
        self.staff_gate = PinGate(settings.staff.pin_hash, settings.staff.max_attempts,
                                  settings.staff.lockout_seconds)
        self.technician_gate = PinGate(settings.technician.pin_hash, settings.technician.max_attempts,
                                       settings.technician.lockout_seconds)
        self.scanning = Scanning(lambda: self.qr_source, self.worker, settings.devices.qr_lookup_hosts)
        self._listeners: list[Listener] = []
        self._on_wipe: list[Callable[[str], None]] = []
        self._on_tick: list[Callable[[], None]] = []
        self._work: dict[str, Callable[[], bool]] = {}
        self._closed_at: str | None = None  # the irreversible step (sent, paid, booked) of this journey
        self._lock = threading.Lock()

    # -- devices, as the journeys may use them ------------------------------------------------

    def _device(self, name: str, interface):
        return usable(getattr(self.devices, name) if self.devices is not None else None, interface)

    @property
    def card_reader(self) -> CardReader | None:
        return self._device("card_reader", CardReader)

    @property
    def qr_source(self) -> QrSource | None:
        return self._device("qr_source", QrSource)

    @property
    def printer(self) -> Printer | None:
        return self._device("printer", Printer)

    # -- events to the UI ---------------------------------------------------------------------

    @property
    def dispatch(self) -> Dispatch:
        return self.worker.dispatch

    def subscribe(self, listener: Listener) -> None:
        """listener(event, value), called on the UI thread."""
        self._listeners.append(listener)

    def emit(self, event: str, value: Any = None) -> None:
        for listener in list(self._listeners):
            listener(event, value)

    def on_wipe(self, hook: Callable[[str], None]) -> None:
        """``hook(reason)`` when the citizen's data goes (home, reset): a service forgets what
        it keeps outside the session (a card read in progress, receipts printed)."""
        self._on_wipe.append(hook)

    def on_tick(self, hook: Callable[[], None]) -> None:
        """``hook()`` on every tick of the UI's clock (a few times a second): a service that
        waits for something (a payment's confirmation) asks again when it is time."""
        self._on_tick.append(hook)

    def on_work(self, journey: str, holds_work: Callable[[], bool]) -> None:
        """``holds_work()`` says whether ``journey``'s draft holds what the citizen gave (a code
        typed, a form filled, a card read): what leaving the journey now would throw away."""
        self._work[journey] = holds_work

    # -- background work ----------------------------------------------------------------------

    def run(self, work: Callable[[], Any], what: str = "task") -> Task:
        """``work`` off the UI thread; a Task whose callbacks run on the UI thread, dropped when
        the session was reset meanwhile."""
        return self.worker.run(work, what)

    def gateway_call(self, work: Callable[[Gateway], Any], what: str) -> Task:
        """``run`` for work that needs the gateway (``work(gateway)``); a kiosk set up without
        one tells the citizen at once."""
        gateway = self.gateway
        if gateway is None:
            return Task.failed(CitizenError("gateway.unavailable", "next.ask_staff"), what)
        return self.run(lambda: work(gateway), what)

    # -- where the citizen is -----------------------------------------------------------------

    @property
    def step(self) -> str:
        return self.journey.current if self.journey else "attract"

    def begin(self) -> None:
        """The citizen touched the attract screen."""
        self.idle.arm()
        self._show("menu")

    def start_journey(self, name: str) -> str:
        flow = self.flows.get(name)
        if flow is None:
            raise FlowError(f"journey {name} is not available")
        self.journey = Journey(flow)
        self._closed_at = None
        self.session.journey = name
        log.info("journey started", extra={"journey": name, "session": self.session.session_id})
        return self._show(self.journey.current)

    def advance(self, event: str = NEXT) -> str:
        """Raise ``event`` on the current step: the flow's transition table says where to."""
        if self.journey is None:
            raise FlowError(f"no journey: cannot {event}")
        leaving = self.journey.current
        step = self.journey.advance(event)
        if leaving == self._closed_at:  # the irreversible step is behind: back never returns to it
            self.journey.close_way_back()
        return self._show(step)

    def can(self, event: str) -> bool:
        return self.journey is not None and self.journey.can(event)

    def close_way_back(self) -> None:
        """An irreversible step happened (sent, paid, booked): back no longer edits it, neither
        from this step nor from the steps after it, and leaving no longer loses anything."""
        if self.journey is not None:
            self.journey.close_way_back()
            self._closed_at = self.journey.current
            self.emit("way_back", False)

    # -- what leaving would cost (asked before "home" and before "back" leaves a journey) -----

    def work_at_stake(self) -> str | None:
        """The journey whose work leaving it now would throw away, or None: a journey under way
        whose draft holds what the citizen gave (or a card was read for it), before its
        irreversible step and before its last step.  The UI asks before it goes home then."""
        journey = self.journey
        if journey is None or self._closed_at is not None or journey.current == journey.steps[-1]:
            return None
        name = self.session.journey or journey.name
        check = self._work.get(name)
        try:
            given = check is not None and check()
        except Exception:  # noqa: BLE001 - when in doubt, ask before wiping
            log.exception("work check failed")
            given = True
        if given or self.session.identity is not None or self.session.id_card_qr is not None:
            return name
        return None

    def can_go_back(self) -> bool:
        """Does "back" lead anywhere: a journey's earlier step, or out of a journey not yet past
        its irreversible step (never back into a dossier sent, a payment made, a booking)."""
        if self.journey is None:
            return False
        return bool(self.journey.history) or self._closed_at is None

    def back_leaves_journey(self) -> bool:
        """"Back" on this step would leave the journey (its first step): with work at stake the
        UI asks first, as for "home"."""
        return self.journey is not None and not self.journey.history and self._closed_at is None

    def back(self) -> str:
        if self.journey is None:
            return self._show("menu" if self.step != "attract" else "attract")
        if not self.journey.history:
            if self._closed_at is not None or self.work_at_stake():
                # closed, or leaving would wipe work: never silently (the UI asks, then home())
                log.info("back refused", extra={"journey": self.journey.name, "closed": self._closed_at is not None})
                return self.step
            self.home()  # leaving the journey: nothing was given for it
            return "menu"
        return self._show(self.journey.back())

    def home(self) -> None:
        """Leave the journey for the menu; what was given for it is wiped."""
        self._wipe("home", language=self.session.language)
        self.emit("wiped", "home")
        self._show("menu")

    def _show(self, step: str) -> str:
        self.idle.touch()
        self.emit("step", step)
        return step

    def finish(self, outcome: str = "done") -> None:
        """The journey ended; log the outcome (no personal data) and return to attract."""
        log.info("journey finished", extra={"journey": self.session.journey, "outcome": outcome})
        self.reset("finished")

    def reset(self, reason: str) -> None:
        """Wipe the session and return to attract (finished, timeout, staff ended it)."""
        journey = self.session.journey
        self._wipe(reason, language=self.settings.kiosk.language)
        self.idle.disarm()
        self.scanning.stop()  # the camera rests while nobody is at the kiosk
        log.info("session reset", extra={"reason": reason, "journey": journey})
        self.emit("reset", reason)

    def _wipe(self, reason: str, *, language: str) -> None:
        for hook in list(self._on_wipe):  # before the data goes: a face given still counts
            try:
                hook(reason)
            except Exception:  # noqa: BLE001 - leaving must never fail
                log.exception("wipe hook failed")
        with self._lock:
            self.worker.next_generation()
            self.session.wipe(language=language)
            self.journey = None
            self._closed_at = None
        self.scanning.pause()
        self.scanning.forget()

    def idle_tick(self) -> IdlePhase:
        status = self.idle.status()
        if status.phase is IdlePhase.EXPIRED:
            self.reset("timeout")
            return status.phase
        for hook in list(self._on_tick):
            hook()
        return status.phase

    # -- language and roles -------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        self.session.language = lang

    @property
    def role(self) -> Role:
        return self.session.role

    @property
    def demo(self) -> bool:
        """The embedded demo gateway: a visitor may simulate the bank's confirmation."""
        return self.settings.gateway.url == "embedded"

    def shutdown(self) -> None:
        self.worker.shutdown()
        if self.devices is not None:
            self.devices.close_all()
