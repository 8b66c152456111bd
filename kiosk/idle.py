"""Idle policy: warn after a quiet spell, give at least 20 s to ask for more time, then reset.

Plain Python with an injectable clock, so the whole behaviour is testable without waiting.
The app calls ``touch()`` on every touch, ``tick()`` a few times a second, and reacts to the
phase it returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

MIN_COUNTDOWN = 20  # WCAG 2.2 SC 2.2.1: at least 20 s to extend with one simple action


class IdlePhase(str, Enum):
    INACTIVE = "inactive"  # attract screen: nothing to time out
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass
class IdleStatus:
    phase: IdlePhase
    remaining: float  # seconds until the reset (only meaningful in WARNING)


class IdlePolicy:
    def __init__(self, warn_after: float, countdown: float, clock: Callable[[], float] = time.monotonic):
        if countdown < MIN_COUNTDOWN:
            raise ValueError(f"countdown must be at least {MIN_COUNTDOWN} s")
        self.warn_after = float(warn_after)
        self.countdown = float(countdown)
        self.clock = clock
        self._armed = False
        self._last = self.clock()
        self._holds: dict[str, float] = {}  # owner -> until (clock time)

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self) -> None:
        """Start timing (a citizen left the attract screen)."""
        self._armed = True
        self._last = self.clock()

    def disarm(self) -> None:
        """The session ended: no timing, and every hold ends with it."""
        self._armed = False
        self._holds.clear()

    def hold(self, seconds: float, owner: str = "default") -> None:
        """No warning for the next ``seconds``: the citizen is busy elsewhere on purpose (paying
        with their phone while a VietQR code is valid, waiting for the staff they called).

        Each ``owner`` (a name: "pay", "help") holds on its own: a new hold replaces only that
        owner's earlier one, and releasing it never ends another owner's.  Timing starts again
        when the last hold ends."""
        self._holds[owner] = self.clock() + max(0.0, seconds)

    def release(self, owner: str = "default") -> None:
        """End ``owner``'s hold early (the payment finished, staff came): timing starts from now
        (another owner's hold still running keeps the warning off until it ends)."""
        until = self._holds.pop(owner, None)
        if until is not None and until > self.clock():
            self._last = max(self._last, self.clock())

    def holding(self, owner: str) -> bool:
        """Does ``owner`` hold the timeout now?"""
        return self._holds.get(owner, 0.0) > self.clock()

    @property
    def held(self) -> bool:
        now = self.clock()
        return any(until > now for until in self._holds.values())

    def _end_holds(self, now: float) -> float:
        """Forget the holds that ended (timing starts again at their end); the latest end of
        those still running, or 0."""
        for owner, until in list(self._holds.items()):
            if until <= now:
                del self._holds[owner]
                self._last = max(self._last, until)
        return max(self._holds.values(), default=0.0)

    def touch(self) -> None:
        """Any interaction; also the one-tap 'more time'."""
        self._last = self.clock()

    extend = touch

    def status(self) -> IdleStatus:
        if not self._armed:
            return IdleStatus(IdlePhase.INACTIVE, 0.0)
        now = self.clock()
        held_until = self._end_holds(now)
        if held_until:
            return IdleStatus(IdlePhase.ACTIVE, held_until - now + self.warn_after + self.countdown)
        quiet = now - self._last
        if quiet < self.warn_after:
            return IdleStatus(IdlePhase.ACTIVE, self.warn_after + self.countdown - quiet)
        remaining = self.warn_after + self.countdown - quiet
        if remaining > 0:
            return IdleStatus(IdlePhase.WARNING, remaining)
        return IdleStatus(IdlePhase.EXPIRED, 0.0)


class ManualClock:
    """A clock that only moves when told: for tests and scripted benchmarks."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
