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
