"""Never lose work by one tap (issue 14, item 1), through the real app: "Trang chủ" and "Quay lại"
on a journey's first step ask before wiping what the citizen gave, "Ở lại" is the safe
default; after an irreversible step back is closed; the technician's "Tắt ứng dụng kiosk"
asks too.  The navigation bar: body-size text on one line (item 8)."""

import pytest

from kiosk.drive import to_lookup, to_pay_done, to_status
from kiosk.drive.help import to_technician_exit
from kiosk.journeys.lookup import LookupDraft
from kiosk.widgets import theme as th


def dialog(drv):
    return drv.app.confirm_dialog


def lookup_draft(drv):
    return drv.app.core.session.peek(LookupDraft)


def test_home_with_work_asks_and_stay_keeps_everything(app):
    drv = app
    to_status(drv)
    code = lookup_draft(drv).code
    drv.tap(drv.app.nav.home)
    assert dialog(drv).parent is not None and dialog(drv).name == "confirm_home"
    assert drv.has_text("Dừng việc đang làm?") and drv.has_text("Mã hồ sơ bạn đã nhập")
    assert drv.has_text("Ở lại") and drv.has_text("Xóa và về trang chủ")
    assert drv.app.current == "lookup_status" and lookup_draft(drv).code == code  # nothing gone yet
    assert drv.small_targets() == [] and drv.layout_problems() == []
    drv.tap(dialog(drv).stay)
    assert dialog(drv).parent is None
    assert drv.app.current == "lookup_status" and lookup_draft(drv).code == code
    drv.tap(drv.app.nav.home)
    drv.tap(dialog(drv).go)
    drv.wait_until(lambda: drv.app.current == "menu", 5, "the menu")
    assert lookup_draft(drv) is None and drv.app.core.session.journey is None


def test_back_never_leaves_a_journey_with_work_silently(app):
    drv = app
    to_status(drv)
    drv.tap(drv.app.nav.back)  # an earlier step of the journey: no question
    drv.wait_until(lambda: drv.app.current == "lookup_code", 5, "the code step")
    assert dialog(drv).parent is None
    drv.tap(drv.app.nav.back)  # the first step, the code given: leaving would wipe it
    assert dialog(drv).parent is not None and dialog(drv).name == "confirm_back"
    assert drv.app.current == "lookup_code" and lookup_draft(drv).code
    drv.tap(dialog(drv).stay)
    assert drv.app.current == "lookup_code" and lookup_draft(drv).code


def test_back_from_a_first_step_with_nothing_given_leaves_at_once(app):
    drv = app
    to_lookup(drv)
    drv.tap(drv.app.nav.back)
    drv.wait_until(lambda: drv.app.current == "menu", 5, "the menu")
    assert dialog(drv).parent is None


def test_after_paying_back_is_closed_and_home_asks_nothing(app):
    drv = app
    to_pay_done(drv)
    assert drv.app.nav.back.disabled
    assert drv.has_text("Bạn đã nộp")  # the screen says what happened
    drv.tap(drv.app.nav.back)
    assert drv.app.current == "pay_done" and dialog(drv).parent is None
    drv.tap(drv.app.nav.home)  # paid: nothing to lose
    drv.wait_until(lambda: drv.app.current == "menu", 5, "the menu")
    assert dialog(drv).parent is None


def test_technician_exit_asks_first(app):
    drv = app
    exits = []
    real_exit = drv.app.staff._exit_kiosk
    drv.app.staff._exit_kiosk = lambda: exits.append(1)  # the shared test app must keep running
    try:
        to_technician_exit(drv)
        assert exits == [] and dialog(drv).name == "confirm_exit"
        assert drv.has_text("Tắt ứng dụng kiosk?") and drv.has_text("Không tắt")
        drv.tap(dialog(drv).stay)
        assert exits == [] and drv.app.current == "technician"
        drv.tap(drv.screen.exit_button)
        drv.tap(dialog(drv).go)
        assert exits == [1]
    finally:
        drv.app.staff._exit_kiosk = real_exit


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_nav_labels_are_body_size_on_one_line(app, lang):
    drv = app
    to_status(drv)
    drv.app.set_language(lang)
    drv.frames(3)
    t = th.get_theme()
    nav = drv.app.nav
    assert nav.help in nav.buttons and len(nav.buttons) >= 5
    for b in nav.buttons:
        b.texture_update()
        assert b.font_size >= t.font(th.FONT_BODY), b.text
        assert b.texture_size[1] < 1.6 * b.font_size, f"{b.text!r} breaks over lines"
        assert b.texture_size[0] <= b.width, b.text
    # landscape (the same unit, a wider bar): every control in one row, each label whole
    from kiosk.widgets.bars import one_line_width

    assert nav.columns_for(1920) == len(nav.buttons)
    cell = (1920 - nav.padding[0] - nav.padding[2] - nav.spacing[0] * (len(nav.buttons) - 1)) / len(nav.buttons)
    assert all(one_line_width(b) <= cell - 2 * t.px(b.text_pad) for b in nav.buttons if hasattr(b, "text_pad"))
