"""The PIN gate's security checks, one test per way they could be weakened unnoticed (each
was found as a surviving mutant by scripts/mutation): a PIN that is not text, a scrypt that
cannot run, the last second of a lock, a clock set back, the lock streak at real wall-clock
times and after a quiet day, and a lock file that cannot be read."""

from __future__ import annotations

import os
import time

import pytest

from kiosk import roles
from kiosk.roles import STREAK_FORGOTTEN_AFTER, PinGate, PinLockStore, PinResult, hash_pin, verify_pin

PIN = "246810"
WRONG = "111111"
NOW = 1_765_000_000.0  # a real wall-clock time (December 2025)


@pytest.fixture(scope="module")
def stored():
    return hash_pin(PIN)


class Clock:
    def __init__(self, t: float = NOW):
        self.t = t

    def __call__(self) -> float:
        return self.t


def gate(stored, clock, tmp_path=None, attempts: int = 2) -> PinGate:
    g = PinGate(stored, max_attempts=attempts, lockout_seconds=300, clock=clock)
    if tmp_path is not None:
        g.remember(PinLockStore(tmp_path / "pin-lock.json"), "staff")
    return g


def lock(g: PinGate) -> None:
    results = [g.check(WRONG) for _ in range(g.max_attempts)]
    assert results[-1] is PinResult.LOCKED


def test_a_pin_that_is_not_text_never_verifies(stored):
    assert verify_pin(PIN, stored)
    for pin in (None, PIN.encode(), int(PIN), [PIN]):
        assert verify_pin(pin, stored) is False


@pytest.mark.parametrize("error", [MemoryError, ValueError])
def test_a_scrypt_that_cannot_run_is_never_a_yes(stored, monkeypatch, error):
    def broken(*a, **kw):
        raise error("no memory for scrypt")

    monkeypatch.setattr(roles.hashlib, "scrypt", broken)
    assert verify_pin(PIN, stored) is False


def test_the_last_second_of_a_lock_is_still_a_lock(stored):
    clock = Clock()
    g = gate(stored, clock)
    lock(g)
    clock.t += 300 - 0.5
    assert g.check(PIN) is PinResult.LOCKED
    clock.t += 1
    assert g.check(PIN) is PinResult.OK


def test_a_clock_set_back_does_not_stretch_the_lock(stored):
    clock = Clock()
    g = gate(stored, clock)
    lock(g)
    clock.t -= 1000  # someone set the clock back: the lock still lasts its own length at most
    assert g.locked_for() == 300


def test_locks_in_a_row_double_at_real_wall_clock_times(stored):
    clock = Clock()
    g = gate(stored, clock)
    lock(g)
    assert g.locked_for() == 300
    clock.t += 301
    lock(g)
    assert g.streak == 2 and g.locked_for() == 600


def test_a_quiet_day_forgets_the_streak_and_not_a_moment_before(stored):
    clock = Clock()
    g = gate(stored, clock)
    lock(g)
    ended = NOW + 300
    clock.t = ended + STREAK_FORGOTTEN_AFTER  # exactly a day after the lock ended: remembered
    lock(g)
    assert g.streak == 2 and g.locked_for() == 600
    clock.t += 600 + STREAK_FORGOTTEN_AFTER + 1  # over a day after that one: forgotten
    lock(g)
    assert g.streak == 1 and g.locked_for() == 300


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b'{"staff": {"failures": "many"}}'])
def test_a_lock_file_that_cannot_be_read_keeps_the_gate_shut(stored, tmp_path, content):
    g = gate(stored, Clock(time.time()), tmp_path)  # the store stamps its lock with the real time
    (tmp_path / "pin-lock.json").write_bytes(content)
    assert g.check(PIN) is PinResult.LOCKED  # even the right PIN: an unreadable lock is a lock


def test_the_lock_file_is_private_and_survives_a_restart(stored, tmp_path):
    clock = Clock()
    g = gate(stored, clock, tmp_path)
    lock(g)
    path = tmp_path / "pin-lock.json"
    assert path.exists() and os.stat(path).st_mode & 0o077 == 0
    again = gate(stored, clock, tmp_path)  # a restart: a new gate over the same file
    assert again.check(PIN) is PinResult.LOCKED and again.locked_for() == 300


def stored_with(n: int, r: int = 8, p: int = 1) -> str:
    import base64

    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(bytes(16))}${b64(bytes(32))}"


@pytest.mark.parametrize("n, r, p", [
    (2**13, 8, 1),  # a power of two, but weaker than the floor
    (2**14 + 2, 8, 1),  # not a power of two
    (2**14, 1, 1),  # r below its floor
    (2**14, 8, 0), (2**14, 8, 17),  # p out of range
    (2**20, 8, 1),  # 1 GiB: more than a check may use
])
def test_weak_or_impossible_parameters_are_refused(n, r, p):
    with pytest.raises(ValueError):
        roles.parse_pin_hash(stored_with(n, r, p))
    assert not verify_pin(PIN, stored_with(n, r, p))


@pytest.mark.parametrize("n, r, p", [
    (2**14, 8, 1),  # the floor itself
    (2**14, 8, roles.SCRYPT_MAX_P),  # the most parallelism allowed
    (roles.SCRYPT_MAX_MEMORY // (128 * 8), 8, 1),  # exactly the memory a check may use
])
def test_the_edges_of_what_is_allowed_are_allowed(n, r, p):
    parsed = roles.parse_pin_hash(stored_with(n, r, p))
    assert (parsed.n, parsed.r, parsed.p) == (n, r, p)
