"""Every screen renders, in both languages, portrait and landscape, with no blank picture and
no clipped, off-screen, overlapping or untranslated text (``kiosk screenshots`` checks each)."""

import subprocess

import pytest
from PIL import Image

from kiosk.screenshots import STATES
from tests.conftest import ROOT, kiosk_cmd


# Every state in each orientation, Vietnamese in portrait and English in landscape: between
# them both languages and both layouts are checked on every screen (the whole gallery, both
# languages at both sizes, is what `kiosk screenshots` writes into docs/screens).
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("size, lang", [("1080x1920", "vi"), ("1920x1080", "en")])
def test_screenshots_command_renders_every_state(tmp_path, size, lang):
    out = tmp_path / "shots"
    run = subprocess.run(kiosk_cmd("screenshots", "--out", str(out), "--size", size, "--lang", lang),
                         capture_output=True, text=True, cwd=ROOT, timeout=1100)
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


def test_blank_picture_is_detected(tmp_path):
    from kiosk.screenshots import is_blank

    Image.new("RGB", (100, 100), (244, 246, 248)).save(tmp_path / "blank.png")
    assert is_blank(tmp_path / "blank.png")
