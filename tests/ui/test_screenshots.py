"""Every screen renders, in both languages, portrait and landscape, with no blank picture and
no clipped, off-screen, overlapping or untranslated text (``kiosk screenshots`` checks each)."""

import pytest
from PIL import Image

from kiosk.drive import STATES
from tests.ui.conftest import SCREENSHOT_RUNS, background_screenshots


# Every state in each orientation, Vietnamese in portrait and English in landscape: between
# them both languages and both layouts are checked on every screen (the whole gallery, both
# languages at both sizes, is what `kiosk screenshots` writes into docs/screens).  The two
# renders run in a background process started when the tests are collected (see conftest.py),
# so they overlap the rest of the suite instead of adding to it.
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("size, lang", SCREENSHOT_RUNS)
def test_screenshots_command_renders_every_state(size, lang):
    run, out = background_screenshots(size, lang, timeout=1400)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    w, h = map(int, size.split("x"))
    for name, _ in STATES:
        path = out / f"{name}-{lang}.png"
        assert path.exists(), path
        with Image.open(path) as im:
            assert im.size == (w, h)
    assert f"{len(STATES)} screenshots, 0 with problems" in run.stdout


def test_layout_check_catches_clipped_and_overlapping_text(app):
    """The checker the screenshots rely on really fails on bad layouts."""
    from kivy.uix.label import Label

    drv = app
    clipped = Label(text="Một dòng chữ rất dài không vừa ô", font_size=60, size_hint=(None, None), size=(80, 30),
                    pos=(10, 10))
    twin = Label(text="Chồng lên", font_size=60, size_hint=(None, None), size=(400, 100), pos=(10, 10))
    drv.screen.add_widget(clipped)
    drv.screen.add_widget(twin)
    try:
        drv.frames(2)
        problems = drv.layout_problems()
        assert any(p.startswith("clipped: 'Một dòng") for p in problems), problems
        assert any(p.startswith("overlap:") and "Chồng lên" in p for p in problems), problems
    finally:
        drv.screen.remove_widget(clipped)
        drv.screen.remove_widget(twin)
    drv.frames(2)
    assert not drv.layout_problems()


def test_target_check_catches_a_button_too_small_for_a_finger(app):
    from kivy.uix.button import Button

    drv = app
    tiny = Button(text="x", size_hint=(None, None), size=(60, 120), pos=(10, 400))
    drv.screen.add_widget(tiny)
    try:
        drv.frames(2)
        assert any(p.startswith("small target: 'x' is 60x120") for p in drv.small_targets()), drv.small_targets()
        tiny.width = 100
        drv.frames(1)
        assert not drv.small_targets()
    finally:
        drv.screen.remove_widget(tiny)


def test_blank_picture_is_detected(tmp_path):
    from kiosk.screenshots import is_blank

    Image.new("RGB", (100, 100), (244, 246, 248)).save(tmp_path / "blank.png")
    assert is_blank(tmp_path / "blank.png")


def test_drawing_check_catches_stencils_and_see_through_wide_lines(app):
    """Every screen state is drawn without whole-area passes (see ``costly_drawing``); the
    check fails on Kivy's own stencil-clipped scroll view and on a hidden wide border."""
    from kivy.graphics import Color, Line
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.widget import Widget

    drv = app
    assert not drv.costly_drawing(), drv.costly_drawing()
    kivy_scroll = ScrollView(size_hint=(None, None), size=(200, 200))
    hidden_border = Widget(size_hint=(None, None), size=(200, 200))
    with hidden_border.canvas:
        Color(0, 0, 0, 0)
        Line(width=2)
    drv.screen.add_widget(kivy_scroll)
    drv.screen.add_widget(hidden_border)
    try:
        drv.frames(2)
        problems = drv.costly_drawing()
        assert "stencil clip in ScrollView" in problems, problems
        assert "wide line in a see-through colour in Widget" in problems, problems
    finally:
        drv.screen.remove_widget(kivy_scroll)
        drv.screen.remove_widget(hidden_border)
    drv.frames(2)
    assert not drv.costly_drawing()
