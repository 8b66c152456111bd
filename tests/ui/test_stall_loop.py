"""The stall monitor on the real Kivy loop of the shared app: a Clock callback that blocks the
UI thread for 200 ms is seen as a 200 ms frame, counted as app work (before drawing), and the
loop is left as it was.  About the monitor, not about the kiosk's speed."""

from __future__ import annotations

import time


def test_a_blocking_clock_callback_is_a_stall_of_its_length(app):
    from kivy.base import EventLoop
    from kivy.clock import Clock

    from kiosk.stall import StallMonitor

    with StallMonitor() as monitor:
        app.frames(2)
        with monitor.section("block") as s:
            Clock.schedule_once(lambda dt: time.sleep(0.2), 0)
            app.frames(3)
    assert s.frames == 3
    assert s.longest >= 0.2 and s.longest_work >= 0.2
    assert s.over_budget >= 1
    assert "idle" not in EventLoop.__dict__  # uninstalled: the loop's own idle() again
