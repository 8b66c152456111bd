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
        self._held_until = 0.0

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self) -> None:
        """Start timing (a citizen left the attract screen)."""
        self._armed = True
        self._last = self.clock()

    def disarm(self) -> None:
        self._armed = False
        self._held_until = 0.0

    def hold(self, seconds: float) -> None:
        """No warning for the next ``seconds``: the citizen is busy elsewhere on purpose (paying
        with their phone while a VietQR code is valid).  Timing starts again when the hold ends."""
        self._held_until = max(self._held_until, self.clock() + max(0.0, seconds))

    def release(self) -> None:
        """End a hold early (the payment finished or expired): timing starts from now."""
        if self._held_until > self.clock():
            self._last = self.clock()
        self._held_until = 0.0

    @property
    def held(self) -> bool:
        return self._held_until > self.clock()

    def touch(self) -> None:
        """Any interaction; also the one-tap 'more time'."""
        self._last = self.clock()

    extend = touch

    def status(self) -> IdleStatus:
        if not self._armed:
            return IdleStatus(IdlePhase.INACTIVE, 0.0)
        now = self.clock()
        if self._held_until:
            if now < self._held_until:
                return IdleStatus(IdlePhase.ACTIVE, self._held_until - now + self.warn_after + self.countdown)
            self._last = max(self._last, self._held_until)
            self._held_until = 0.0
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
