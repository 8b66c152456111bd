"""Widgets follow the theme (large text, high contrast) without piling up on it: a screen that
rebuilds its labels for every citizen must not leave a trace per label on the shared theme
(each Kivy ``bind`` did, and made every later label slower to create)."""

from __future__ import annotations

import gc

import pytest


def _followers(theme) -> int:
    gc.collect()
    return sum(len(d) for d in theme._followers.values())


def test_discarded_widgets_leave_nothing_on_the_theme(app):
    from kiosk.widgets import theme as th
    from kiosk.widgets.common import BigButton, Panel, Text

    t = th.get_theme()
    app.frames(2)
    before = _followers(t)
    for _ in range(100):
        box = Panel()
        box.add_widget(Text("x"))
        box.add_widget(BigButton("y", action=lambda: None))
        del box
    app.frames(3)  # pending layout and texture triggers let go of them
    assert _followers(t) <= before + 3


def test_a_live_label_still_follows_large_text(app):
    from kiosk.widgets import theme as th
    from kiosk.widgets.common import Text

    t = th.get_theme()
    label = Text("x", size=th.FONT_BODY)
    normal = label.font_size
    try:
        t.text_scale = 1.5
        assert label.font_size == pytest.approx(normal * 1.5)
    finally:
        t.text_scale = 1.0
    assert label.font_size == pytest.approx(normal)
