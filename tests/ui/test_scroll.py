"""The kiosk's scroll area does not pile up callbacks as it scrolls (Kivy's ScrollView binds
its bar colour handler on every scroll update and unbinds it once, half a second later)."""

from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.widgets.common import Scroll


def bar_handlers(scroll) -> int:
    return sum(1 for cb in scroll.get_property_observers("bar_color") if getattr(cb, "__name__", "") == "_change_bar_color")


def scroll_a_lot(cls) -> int:
    scroll = cls(size=(400, 400), do_scroll_x=False)
    scroll.add_widget(Widget(size_hint_y=None, height=4000))
    for i in range(60):  # one second of a finger dragging, at 60 frames a second
        scroll.scroll_y = 1 - i / 60
        scroll.update_from_scroll()
    return bar_handlers(scroll)


def test_scrolling_leaves_one_bar_handler():
    assert scroll_a_lot(ScrollView) > 10  # Kivy's own: the leak this class exists for
    assert scroll_a_lot(Scroll) <= 1
