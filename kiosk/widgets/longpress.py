"""A press that must be held: the discreet staff control and the hidden technician corner.

A touch held for ``hold`` seconds fires ``action``; a short touch (a citizen brushing the
corner) does nothing and is never swallowed, so the screen below still gets it.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.widget import Widget


class LongPress(Widget):
    def __init__(self, action, hold: float, **kw):
        super().__init__(**kw)
        self.action = action
        self.hold = hold
        self._touch = None
        self._event = None

    def hit(self, touch) -> bool:
        """Is the touch on this control?  Subclasses may widen the reach."""
        return self.collide_point(*touch.pos)

    def on_touch_down(self, touch):
        if self.hit(touch) and self._touch is None:
            self._touch = touch
            touch.grab(self)
            self._event = Clock.schedule_once(self._fire, self.hold)
        return False  # never swallow: the screen below still gets a normal touch

    def on_touch_move(self, touch):
        if touch is self._touch and not self.hit(touch):
            self._cancel()
        return False

    def on_touch_up(self, touch):
        if touch.grab_current is self:
            touch.ungrab(self)
        if touch is self._touch:
            self._cancel()
        return False

    def _cancel(self):
        if self._event is not None:
            self._event.cancel()
        self._event = None
        self._touch = None

    def _fire(self, _dt):
        self._event = None
        self.action()
