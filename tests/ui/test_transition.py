"""Screens change through the background (the old one fades out, then the new one in), drawn
with the screens' opacity: no framebuffer, no stencil, and both screens whole again after."""

from kivy.graphics.stencil_instructions import StencilPush
from kivy.uix.screenmanager import Screen

from kiosk.widgets.manager import DipTransition, Screens


def _instructions(canvas):
    for ins in canvas.children:
        yield ins
        if hasattr(ins, "children"):
            yield from _instructions(ins)


def test_the_old_screen_fades_out_before_the_new_one_fades_in(app):
    manager = Screens(transition=DipTransition(duration=10))
    one, two = Screen(name="one"), Screen(name="two")
    manager.add_widget(one)
    manager.add_widget(two)
    assert not any(isinstance(i, StencilPush) for part in (manager.canvas.before, manager.canvas.after)
                   for i in _instructions(part))
    manager.current = "two"
    transition = manager.transition
    assert transition.is_active
    seen = []
    for progress in (0.0, 0.25, 0.5, 0.75, 1.0):
        transition.dispatch("on_progress", progress)
        seen.append((round(one.opacity, 2), round(two.opacity, 2)))
    assert seen == [(1.0, 0.0), (0.5, 0.0), (0.0, 0.0), (0.0, 0.5), (0.0, 1.0)]
    transition.stop()  # a reset in the middle of a fade (the idle timeout) ends it at once
    assert (one.opacity, two.opacity) == (1.0, 1.0)
    assert manager.current_screen is two and one.parent is None


def test_a_screen_lands_where_the_manager_is_when_the_bar_comes_back_during_the_fade(app):
    """The live app's 160 px offset: leaving the attract screen brings the navigation bar back
    while the fade runs; the manager moves up by the bar's height, and Kivy (which leaves the
    screens of a running transition where they were) left the menu below it, its lowest tiles
    under the bar, and every screen after it.  The driver fades as `kiosk run` does."""
    drv = app
    assert drv.app.manager.transition.duration > 0
    drv.tap_text("Chạm để bắt đầu")
    manager, screen, nav = drv.app.manager, drv.screen, drv.app.nav
    assert drv.app.current == "menu" and nav.parent is not None
    assert tuple(screen.pos) == tuple(manager.pos)
    assert manager.y >= nav.top
    drv.tap_text("Tra cứu hồ sơ")
    assert tuple(drv.screen.pos) == tuple(manager.pos)
    lowest = min((w for w in drv.walk(drv.screen) if getattr(w, "text", "") and drv.visible(w)),
                 key=lambda w: w.to_window(*w.pos)[1])
    assert lowest.to_window(*lowest.pos)[1] >= nav.top, f"{lowest.text!r} lies under the navigation bar"
