"""The kiosk's scroll area does not pile up callbacks as it scrolls (Kivy's ScrollView binds
its bar colour handler on every scroll update and unbinds it once, half a second later)."""

from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.widgets.common import Scroll


def bar_handlers(scroll) -> int:
    return sum(1 for cb in scroll.get_property_observers("bar_color")
               if getattr(cb, "__name__", "") == "_change_bar_color")


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


def _red_rows(drv, tmp_path, x: int) -> tuple[int, int]:
    """The first and last window row (from the bottom) where column ``x`` is red."""
    from PIL import Image

    with Image.open(drv.screenshot(tmp_path / "clip.png")) as im:
        h = im.height
        rows = [h - 1 - y for y in range(h) if im.getpixel((x, y)) == (255, 0, 0)]
    return min(rows), max(rows)


def test_a_scroll_area_clips_its_content_where_it_stands(app, tmp_path):
    """The scissor box that replaced Kivy's stencil clip follows the area in window pixels:
    content scrolled past either edge is not drawn, also after the area moves."""
    from kivy.graphics import Color, Rectangle
    from kivy.uix.floatlayout import FloatLayout

    drv = app
    holder = FloatLayout(size_hint=(None, None), size=(300, 300), pos=(100, 500))
    scroll = Scroll(size_hint=(None, None), size=(300, 300), pos=(100, 500), do_scroll_x=False, bar_width=0)
    tall = Widget(size_hint_y=None, height=3000)
    with tall.canvas:
        Color(1, 0, 0, 1)
        tall_paint = Rectangle(size=(300, 3000))
    tall.bind(pos=lambda w, pos: setattr(tall_paint, "pos", pos))
    scroll.add_widget(tall)
    holder.add_widget(scroll)
    drv.screen.add_widget(holder)
    try:
        drv.frames(3)
        x0, y0 = (round(v) for v in scroll.to_window(*scroll.pos))
        assert _red_rows(drv, tmp_path, x0 + 150) == (y0, y0 + 299)
        scroll.scroll_y = 0.5
        drv.frames(3)
        assert _red_rows(drv, tmp_path, x0 + 150) == (y0, y0 + 299)
        holder.pos = scroll.pos = (100, 800)  # the area moves (a screen relaid out, an outer scroll)
        drv.frames(3)
        x0, y0 = (round(v) for v in scroll.to_window(*scroll.pos))
        assert _red_rows(drv, tmp_path, x0 + 150) == (y0, y0 + 299)
    finally:
        drv.screen.remove_widget(holder)
