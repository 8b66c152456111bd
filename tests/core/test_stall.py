"""The UI-thread stall monitor (kiosk/stall.py) against a stand-in event loop: these tests are
about the monitor seeing a block, not about how fast the kiosk is."""

from __future__ import annotations

import time

import pytest

from kiosk.stall import StallMonitor


class FakeClock:
    """Kivy's Clock as the monitor uses it: ``time()`` and ``get_time()`` (the last tick)."""

    def __init__(self):
        self.last_tick = time.perf_counter()

    @staticmethod
    def time() -> float:
        return time.perf_counter()

    def get_time(self) -> float:
        return self.last_tick


class FakeLoop:
    """A frame like Kivy's EventLoop.idle(): pace (sleep), tick, run the callbacks due."""

    def __init__(self, clock: FakeClock, pacing: float = 0.0):
        self.clock = clock
        self.pacing = pacing
        self.callbacks: list = []
        self.frames = 0

    def idle(self):
        if self.pacing:
            time.sleep(self.pacing)  # waiting for the next frame is not a stall
        self.clock.last_tick = self.clock.time()
        due, self.callbacks = self.callbacks, []
        for cb in due:
            cb()
        self.frames += 1
        return False


def test_a_200_ms_block_in_a_callback_is_seen():
    clock = FakeClock()
    loop = FakeLoop(clock)
    with StallMonitor(loop, clock) as monitor:
        for _ in range(5):
            loop.idle()
        with monitor.section("block") as s:
            loop.callbacks.append(lambda: time.sleep(0.2))
            for _ in range(5):
                loop.idle()
    assert s.frames == 5
    assert 0.2 <= s.longest < 1.0
    assert s.over_budget == 1
    assert monitor.total.frames == 10 and monitor.total.longest == s.longest


def test_frame_pacing_and_work_between_frames_are_not_stalls():
    clock = FakeClock()
    loop = FakeLoop(clock, pacing=0.06)  # a slow pacing sleep inside the frame
    with StallMonitor(loop, clock) as monitor:
        with monitor.section("idle") as s:
            for _ in range(4):
                loop.idle()
                time.sleep(0.06)  # a script's own work between frames
    assert s.frames == 4
    assert s.longest < 0.05, s.longest
    assert s.over_budget == 0
    assert s.longest_interval >= 0.1  # the interval between frame starts does include them


def test_sections_nest_and_only_count_their_own_frames():
    clock = FakeClock()
    loop = FakeLoop(clock)
    with StallMonitor(loop, clock) as monitor:
        with monitor.section("outer") as outer:
            loop.idle()
            with monitor.section("inner") as inner:
                loop.callbacks.append(lambda: time.sleep(0.08))
                loop.idle()
            loop.idle()
    assert (outer.frames, inner.frames) == (3, 1)
    assert outer.longest == inner.longest >= 0.08
    assert inner.wall >= 0.08


def test_uninstall_restores_the_loop():
    clock = FakeClock()
    loop = FakeLoop(clock)
    original = loop.idle
    monitor = StallMonitor(loop, clock).install()
    assert loop.idle != original
    monitor.uninstall()
    assert loop.idle == original
    loop.idle()
    assert monitor.total.frames == 0


def test_the_stack_sampler_names_the_blocking_function():
    clock = FakeClock()
    loop = FakeLoop(clock)

    def slow_callback_of_a_screen():
        time.sleep(0.2)

    with StallMonitor(loop, clock, sample_stacks=True, sample_every=0.005) as monitor:
        with monitor.section("block") as s:
            loop.callbacks.append(slow_callback_of_a_screen)
            loop.idle()
    assert s.longest >= 0.2
    assert "slow_callback_of_a_screen" in s.worst_where, s.worst_where


@pytest.mark.parametrize("budget", [0.01, 0.5])
def test_over_budget_follows_the_budget(budget):
    clock = FakeClock()
    loop = FakeLoop(clock)
    with StallMonitor(loop, clock, budget=budget) as monitor:
        loop.callbacks.append(lambda: time.sleep(0.05))
        loop.idle()
    assert monitor.total.over_budget == (1 if budget < 0.05 else 0)


class FakeWindow:
    """Kivy's Window as the monitor uses it: handlers bound to on_draw run before it draws."""

    def __init__(self):
        self.handlers = []

    def fbind(self, name, handler):
        self.handlers.append(handler)

    def funbind(self, name, handler):
        self.handlers.remove(handler)

    def draw(self, seconds: float) -> None:
        for h in self.handlers:
            h(self)
        time.sleep(seconds)


def test_a_frame_is_split_into_work_and_drawing():
    clock = FakeClock()
    window = FakeWindow()
    loop = FakeLoop(clock)
    with StallMonitor(loop, clock, window=window) as monitor:
        loop.callbacks.append(lambda: time.sleep(0.03))  # the app's work
        loop.callbacks.append(lambda: window.draw(0.09))  # then drawing
        loop.idle()
    t = monitor.total  # one frame: its two parts add up to it
    assert t.longest_work >= 0.03 and t.longest_drawing >= 0.09
    assert t.longest_work + t.longest_drawing == pytest.approx(t.longest)
    assert not window.handlers  # unbound on uninstall


def test_the_sampler_tells_work_from_drawing():
    clock = FakeClock()
    window = FakeWindow()
    loop = FakeLoop(clock)

    def slow_screen_callback():
        time.sleep(0.12)

    with StallMonitor(loop, clock, window=window, sample_stacks=True) as monitor:
        loop.callbacks.append(slow_screen_callback)
        loop.callbacks.append(lambda: window.draw(0.2))
        loop.idle()
    t = monitor.total
    assert "slow_screen_callback" in t.work_where, t.work_where
    assert "draw" in t.worst_where, t.worst_where
