"""The screen manager the kiosk's screens live in, and the transition between them.

Both avoid what makes Kivy's own versions costly to draw: the manager's stencil clip (two
passes over its whole area every frame) and the fade's off-screen framebuffers (both screens
rendered into textures on every frame of the fade).  On a software renderer those were a
large part of each frame; on a kiosk's small GPU they are fill rate it does not need to spend.
"""

from __future__ import annotations

from kivy.uix.screenmanager import ScreenManager, TransitionBase

from kiosk.widgets.common import strip_stencil_clip


class Screens(ScreenManager):
    """A ScreenManager without the stencil clip: the kiosk's transitions never move a screen
    outside the manager, so there is nothing to clip."""

    def __init__(self, **kw):
        super().__init__(**kw)
        strip_stencil_clip(self)


class DipTransition(TransitionBase):
    """The old screen fades out to the background, then the new one fades in.

    Drawn with the screens' opacity: no framebuffer, and never two screens' text on top of
    each other."""

    def on_progress(self, progress: float) -> None:
        self.screen_out.opacity = max(0.0, 1.0 - 2.0 * progress)
        self.screen_in.opacity = max(0.0, 2.0 * progress - 1.0)

    def on_complete(self) -> None:
        self.screen_in.opacity = 1.0
        self.screen_out.opacity = 1.0
        super().on_complete()
