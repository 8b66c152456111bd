"""Large-text mode (1.5×) keeps every label whole: nothing clipped, overlapping or broken
mid-word, on the screens of every built journey."""

import pytest

from kiosk import drive as S


@pytest.fixture
def large(app):
    drv = app
    yield drv
    drv.app.theme.text_scale = 1.0


@pytest.mark.parametrize("reach", [S.to_menu, S.to_lookup, S.to_lookup_typed, S.to_lookup_error, S.to_status,
                                   S.to_done, S.to_identify_typed, S.to_identify_place, S.to_consent])
def test_no_layout_problem_in_large_text(large, reach):
    drv = large
    reach(drv)
    drv.app.theme.text_scale = drv.app.settings.accessibility.large_text_scale
    drv.frames(6)
    assert drv.app.theme.text_scale >= 1.5
    assert drv.layout_problems() == []


def _to_technician_exit(drv):
    from kiosk.drive.help import to_technician_exit

    to_technician_exit(drv)


def _to_datepad(drv):
    from kiosk.drive.submit import to_submit_form_datepad

    to_submit_form_datepad(drv)


@pytest.mark.parametrize("reach", [S.to_attract, S.to_attract_card_left, S.to_delivery_done, _to_technician_exit,
                                   _to_datepad], ids=lambda f: f.__name__.lstrip("_"))
def test_no_word_broken_and_nothing_overlapping_in_large_text(large, reach):
    """What large text broke or piled up: 'English' in a row of four language and access
    buttons (two rows of two now), a tracking code wider than its panel (its font fits it to
    the line), a folder path on the technician's bundle button (it goes on to the next line
    after a '/'), and the date pad's month name, on two lines, over the hint (its row grows)."""
    drv = large
    reach(drv)
    drv.app.toggle_large_text()
    drv.frames(6)
    assert drv.app.theme.text_scale >= 1.5
    problems = [p for p in drv.layout_problems() if p.startswith(("word broken", "overlap", "clipped"))]
    assert problems == [], reach.__name__
    drv.app.toggle_large_text()
    drv.frames(3)


def test_a_long_path_goes_on_after_its_separators():
    from kiosk.widgets.common import break_paths

    def fits(s):
        return len(s) <= 20

    assert break_paths("Lưu vào /tmp/kiosk-shots-abc/diagnostics", fits) == \
        "Lưu vào /tmp/\nkiosk-shots-abc/\ndiagnostics"
    assert break_paths("Lưu vào /var/kiosk", fits) == "Lưu vào /var/kiosk"  # fits: as given
    assert break_paths("a-very-long-word-without-separators", fits) == "a-very-long-word-without-separators"
