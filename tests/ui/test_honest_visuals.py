"""Honest visual semantics (issue 14 item 8): good news is not an error, information is not a
button, a choice taken has a tick, a placeholder is not a value, a field with a problem is red,
citizens see no device dots, the PIN dots are real glyphs, the technician's screens say
technician and speak in words."""

from pathlib import Path

from kivy.uix.behaviors import ButtonBehavior

from kiosk import drive as S
from kiosk.widgets import theme as th
from kiosk.widgets.common import Panel


def test_already_paid_and_already_booked_are_notices_not_errors(app):
    drv = app
    p = th.get_theme().palette
    for reach, key in ((S.to_pay_code_error, "pay.already_paid"),
                       (S.to_delivery_code_booked, "delivery.already_booked")):
        reach(drv)
        screen = drv.screen
        assert screen.message.parent is not None and screen.message_text.text == drv.app.t(key)
        assert screen.message_kind == "notice", reach.__name__
        assert screen.message.border_role == "ok" and tuple(screen.message_text.color) == tuple(p.ok)
        assert screen.message_next.text  # with what comes next


def test_information_panels_are_not_filled_like_buttons(app):
    drv = app
    primary = th.get_theme().palette.primary
    for reach in (S.to_identify_place, S.to_pay_amount, S.to_pay_cash, S.to_delivery_confirm):
        reach(drv)
        filled = [w for w in drv.walk(drv.screen) if isinstance(w, Panel) and not isinstance(w, ButtonBehavior)
                  and drv.visible(w) and tuple(w._color.rgba) == tuple(primary)]
        assert not filled, (reach.__name__, [type(w).__name__ for w in filled])


def test_the_delivery_option_taken_has_a_tick(app):
    drv = app
    S.to_submit_delivery_post(drv)
    screen = drv.screen
    assert screen.post.selected is True and screen.pickup.selected is False
    assert screen.post._tick.points and not screen.pickup._tick.points  # drawn, not only a fill


def test_placeholders_differ_from_values_and_a_field_with_a_problem_is_red(app):
    drv = app
    S.to_submit_form_error(drv)
    p = th.get_theme().palette
    entries = list(drv.screen.entries.values())
    wrong = [e for e in entries if e._error_key]
    assert wrong, "the error state has a field to fix"
    for e in wrong:
        assert e.box.problem and tuple(e.box._edge.rgba) == tuple(p.error)
        assert e.box._line.width > th.get_theme().px(3)
    empty = [e for e in entries if not e.value and not e.readonly]
    filled = [e for e in entries if e.value and not e.readonly]
    assert empty and filled
    assert all(e.box.placeholder and e.box.italic and not e.box.bold for e in empty)
    assert all(not e.box.placeholder and e.box.bold for e in filled)
    assert tuple(empty[0].box.color) != tuple(filled[0].box.color)


def test_device_dots_only_for_staff_and_call_staff_when_broken(app):
    drv = app
    bar = drv.app.status_bar
    S.to_attract(drv)
    assert not any(box.parent for box in bar.device_boxes), "device dots on the citizen's screen"
    S.to_menu(drv)
    assert not any(box.parent for box in bar.device_boxes)
    assert bar.trouble.parent is None
    dot = next(iter(bar.devices.values()))[0]
    level = dot.level
    try:
        dot.set_level("error")
        bar.update_view()
        assert bar.trouble.parent is not None and drv.app.t("status_bar.call_staff") in drv.texts()
    finally:
        dot.set_level(level)
        bar.update_view()
    assert bar.trouble.parent is None
    S.to_pin_staff(drv)
    drv.frames(2)
    assert all(box.parent is bar for box in bar.device_boxes), "staff see the devices"


def _has_glyph(font_path: str, ch: str) -> bool:
    from PIL import ImageFont

    font = ImageFont.truetype(font_path, 64)

    def sig(c):
        m = font.getmask(c)
        return m.size, bytes(m)

    return sig(ch) != sig("\U0010fffd")


def test_pin_dots_are_glyphs_the_font_has_and_the_technician_pin_says_technician(app):
    from kivy.core.text import LabelBase

    from kiosk.drive.common import long_press

    drv = app
    S.to_attract(drv)
    long_press(drv, drv.app.technician_corner)
    screen = drv.screen
    assert screen.hint.text == drv.app.t("pin.hint_technician") and "nhân viên bưu điện" not in screen.hint.text
    for ch in "123":
        drv.tap(screen.keyboard.keys[ch])
    dots = screen.dots.text
    assert dots.replace(" ", "") == "•••"
    fonts = LabelBase._fonts[screen.dots.font_name]
    bold = Path(fonts[2] if screen.dots.bold else fonts[0])
    assert all(_has_glyph(str(bold), ch) for ch in set(dots) - {" "}), dots
    assert not _has_glyph(str(bold), "●")  # what it showed before: a missing-glyph box
    drv.tap(screen.cancel)


def test_technician_panel_states_in_words(app):
    from kiosk.devices.base import DeviceKind, DeviceState, DeviceStatus, MediaState
    from kiosk.screens.technician import status_lines

    drv = app
    status = DeviceStatus(kind=DeviceKind.CARD_READER, state=DeviceState.ONLINE, media=MediaState.PRESENT,
                          name="reader", simulated=True)
    text = " ".join(w.text for w in status_lines(drv.app, status))
    assert "Đã kết nối" in text and "Có thẻ" in text
    assert "online" not in text and "present" not in text


def test_the_error_summary_takes_you_to_the_field_to_fix(app):
    from kiosk.screens.submit.common import to_top

    drv = app
    S.to_submit_form_error(drv)
    screen = drv.screen
    assert screen.message.goto is not None and drv.app.t("message.goto") in drv.texts()
    to_top(screen.scroll)
    drv.frames(3)
    assert drv.hidden_key_content(), "the field to fix is scrolled away at the top of the form"
    drv.tap(screen.message_goto)
    drv.advance(0.4)  # the page scrolls once its layout has settled
    assert drv.hidden_key_content() == []
