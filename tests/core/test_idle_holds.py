"""Named idle holds: each part of the app that keeps the idle timeout off (a live VietQR code,
a citizen waiting for the staff they called) holds it under its own name, so one never ends
another's hold; the session's end ends them all."""

from __future__ import annotations

from kiosk.idle import IdlePhase, IdlePolicy, ManualClock


def policy() -> tuple[IdlePolicy, ManualClock]:
    clock = ManualClock()
    idle = IdlePolicy(60, 30, clock=clock)
    idle.arm()
    return idle, clock


def test_releasing_one_owner_keeps_another_owners_hold():
    idle, clock = policy()
    idle.hold(900, owner="help")  # waiting for staff: fifteen minutes
    idle.hold(300, owner="pay")  # and a VietQR code on screen meanwhile
    clock.advance(120)
    idle.release(owner="pay")  # paid: the payment's hold ends, the wait's does not
    assert idle.holding("help") and not idle.holding("pay") and idle.held
    clock.advance(500)  # far past the 60 s warning
    assert idle.status().phase is IdlePhase.ACTIVE
    idle.release(owner="help")  # staff came: timing starts now
    assert not idle.held
    clock.advance(59)
    assert idle.status().phase is IdlePhase.ACTIVE
    clock.advance(2)
    assert idle.status().phase is IdlePhase.WARNING


def test_an_owner_without_a_hold_releases_nothing():
    idle, clock = policy()
    idle.hold(300, owner="pay")
    idle.release(owner="help")  # the help wait ending never ends the payment's hold
    idle.release()  # nor does an unnamed release
    clock.advance(200)
    assert idle.status().phase is IdlePhase.ACTIVE and idle.holding("pay")


def test_each_hold_ends_on_its_own_and_timing_starts_at_the_last_end():
    idle, clock = policy()
    idle.hold(100, owner="pay")
    idle.hold(400, owner="help")
    clock.advance(150)  # the payment's hold is over, the wait's is not
    assert idle.status().phase is IdlePhase.ACTIVE and not idle.holding("pay") and idle.holding("help")
    clock.advance(250 + 59)  # the wait's hold ended 59 s ago
    assert idle.status().phase is IdlePhase.ACTIVE and not idle.held
    clock.advance(2)
    assert idle.status().phase is IdlePhase.WARNING


def test_a_new_hold_replaces_only_its_owners_earlier_one():
    idle, clock = policy()
    idle.hold(600, owner="help")
    idle.hold(30, owner="help")  # what is left of the wait, asked again: no longer than that
    idle.hold(200, owner="pay")
    clock.advance(100)
    assert not idle.holding("help") and idle.holding("pay")


def test_the_session_end_ends_every_hold():
    idle, clock = policy()
    idle.hold(900, owner="help")
    idle.hold(300, owner="pay")
    idle.disarm()
    assert not idle.held and not idle.holding("help") and not idle.holding("pay")
    assert idle.status().phase is IdlePhase.INACTIVE
    idle.arm()  # the next citizen: no hold left from the last one
    clock.advance(61)
    assert idle.status().phase is IdlePhase.WARNING
