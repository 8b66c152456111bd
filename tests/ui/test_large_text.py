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
