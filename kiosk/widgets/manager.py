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

    def _update_pos(self, instance, value):
        # Kivy leaves the two screens of a running transition where they were, for transitions
        # that slide them; the kiosk's never move a screen.  Skipping them (and a new screen
        # left at (0, 0)) was the live app's 160 px offset: the navigation bar comes back
        # (attract -> menu) while the fade runs, the manager moves up by the bar's height, the
        # incoming screen stayed where it was and its lowest button lay under the bar.
        for child in self.children:
            child.pos = value


class DipTransition(TransitionBase):
    """The old screen fades out to the background, then the new one fades in.

    Drawn with the screens' opacity: no framebuffer, and never two screens' text on top of
    each other."""

    def on_progress(self, progress: float) -> None:
        self.screen_out.opacity = max(0.0, 1.0 - 2.0 * progress)
        self.screen_in.opacity = max(0.0, 2.0 * progress - 1.0)

    def add_screen(self, screen) -> None:
        # a screen made a moment ago sits at (0, 0): it fades in where the manager is
        screen.pos = self.manager.pos
        super().add_screen(screen)

    def on_complete(self) -> None:
        self.screen_in.pos = self.manager.pos
        self.screen_in.opacity = 1.0
        self.screen_out.opacity = 1.0
        super().on_complete()
