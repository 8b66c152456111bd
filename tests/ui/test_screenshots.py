"""Every screen renders, in both languages, portrait and landscape, and in large text and high
contrast, with no blank picture and no clipped, off-screen, overlapping or untranslated text
(``kiosk screenshots`` checks each)."""

import pytest
from PIL import Image

from kiosk.drive import STATES
from tests.ui.conftest import SCREENSHOT_RUNS, background_screenshots

# Every state in each orientation, Vietnamese in portrait and English in landscape: between
# them both languages and both layouts are checked on every screen (the whole gallery, both
# languages at both sizes, is what `kiosk screenshots` writes into docs/screens).  Portrait
# Vietnamese also renders every state in large text (the same state reached once, then the
# access panel's setting turned on), and a sample of states in high contrast (SCREENSHOT_RUNS).
# The renders run in background processes started when the tests are collected (see
# conftest.py), so they overlap the rest of the suite instead of adding to it.
#
# Every picture, large text included (its problems were only reported while the screens it
# named were being fixed), must have no problem at all: nothing clipped, broken, piled up or
# untranslated, and the key content in view.


def picture_problems(stdout: str) -> dict[str, str]:
    """What the command printed for each picture: {file name: 'ok' or its problems}."""
    found = {}
    for line in stdout.splitlines():
        path, sep, said = line.partition(".png  ")
        if sep:
            found[path.rsplit("/", 1)[-1] + ".png"] = said
    return found


@pytest.mark.gallery
@pytest.mark.timeout(2600)
@pytest.mark.parametrize("size, lang, variants, states", SCREENSHOT_RUNS)
def test_screenshots_command_renders_every_state(size, lang, variants, states):
    from kiosk.screenshots import parse_variants, picture_name

    run, out = background_screenshots(size, lang, variants, timeout=2500)
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
    said = picture_problems(run.stdout)
    w, h = map(int, size.split("x"))
    names = [name for name, _ in STATES if not states or name in states]
    assert len(names) == len(states or STATES), set(states) - set(names)
    for variant in parse_variants(variants):
        for name in names:
            path = out / picture_name(name, variant, lang)
            assert path.exists(), path
            assert path.name in said, path
            with Image.open(path) as im:
                assert im.size == (w, h)
    assert len(said) == len(names) * len(parse_variants(variants))
    bad = {name: what for name, what in said.items() if what != "ok"}
    assert not bad, "\n".join(f"{name}: {what}" for name, what in sorted(bad.items()))
    assert run.returncode == 0, run.stderr[-3000:]


def test_picture_problems_reads_the_commands_lines():
    out = ("/tmp/x/menu-vi.png  ok\n/tmp/x/menu-large-vi.png  word broken across lines: 'a' in 'a'\n"
           "2 screenshots, 1 with problems\n")
    assert picture_problems(out) == {"menu-vi.png": "ok", "menu-large-vi.png": "word broken across lines: 'a' in 'a'"}


def test_variants_are_named_and_refused_as_documented():
    from kiosk.screenshots import parse_variants, picture_name

    assert parse_variants("large, contrast,large") == ("large", "contrast")
    assert picture_name("lookup_status-additional", "large", "vi") == "lookup_status-additional-large-vi.png"
    assert picture_name("menu", "contrast", "en") == "menu-contrast-en.png"
    assert picture_name("menu", "plain", "vi") == "menu-vi.png"
    with pytest.raises(ValueError, match="unknown variant bold: choose from plain, large, contrast"):
        parse_variants("large,bold")


def test_a_variant_renders_through_the_access_panels_settings(app):
    """Large text is the theme's scale from kiosk.ini, high contrast the theme's palette, each
    over what the state itself turned on, and both are undone for the next state."""
    from kiosk.drive import to_menu
    from kiosk.screenshots import set_variant

    drv = app
    to_menu(drv)
    theme = drv.app.theme
    set_variant(drv, "large", (False, False))
    assert theme.text_scale == drv.app.settings.accessibility.large_text_scale and not theme.high_contrast
    set_variant(drv, "contrast", (False, False))
    assert theme.text_scale == 1.0 and theme.high_contrast
    set_variant(drv, "large", (False, True))  # a state reached in high contrast keeps it
    assert theme.text_scale > 1 and theme.high_contrast
    set_variant(drv, "plain", (False, False))
    assert theme.text_scale == 1.0 and not theme.high_contrast


def test_a_page_that_scrolls_must_show_its_scroll_bar(app):
    """Large text may make a page scroll (it need not fit then): the scroll bar must show."""
    from kiosk.drive import to_menu
    from kiosk.screenshots import hidden_scroll_bars, set_variant

    drv = app
    to_menu(drv)
    set_variant(drv, "large", (False, False))
    try:
        scroller = drv.screen.scroller
        scroller.children[0].height = scroller.height * 2  # taller than its page: it scrolls
        drv.frames(2)
        assert not hidden_scroll_bars(drv)
        width = scroller.bar_width
        scroller.bar_width = 0
        drv.frames(1)
        assert any(p.startswith("scrolls without a scroll bar") for p in hidden_scroll_bars(drv))
        scroller.bar_width = width
    finally:
        set_variant(drv, "plain", (False, False))


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
