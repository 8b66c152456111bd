"""The foundation's vertical slice, through the real app and the embedded demo gateway:
attract → menu → look up → type a code → status → idle warning → reset to attract."""

from kiosk.drive import type_code
from kiosk.samples import SAMPLE_DOSSIER, UNKNOWN_DOSSIER


def test_lookup_then_timeout_back_to_attract_with_nothing_left(app):
    drv = app
    assert drv.app.current == "attract"
    assert drv.has_text("Chạm để bắt đầu")
    drv.tap_xy(drv.window.width / 2, drv.window.height * 0.4)  # anywhere starts
    assert drv.app.current == "menu"
    drv.tap_text("Tra cứu hồ sơ", exact=True)
    assert drv.app.current == "lookup_code"
    type_code(drv, SAMPLE_DOSSIER)
    assert drv.screen.code == SAMPLE_DOSSIER
    drv.tap_text("Tra cứu", exact=True)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the status screen")
    texts = " | ".join(drv.texts())
    assert f"Mã hồ sơ: {SAMPLE_DOSSIER}" in texts
    assert "Quá trình xử lý" in texts and "Đã gửi hồ sơ – chờ tiếp nhận" in texts
    assert "Ngày hẹn trả kết quả" in texts

    # the citizen stops touching the screen
    drv.clock.advance(drv.app.core.idle.warn_after + 1)
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, 3, "the timeout warning")
    assert drv.has_text("Bạn có cần thêm thời gian không?")
    assert drv.find_text("giây") is not None  # the countdown
    drv.clock.advance(drv.app.core.idle.countdown)
    drv.wait_until(lambda: drv.app.current == "attract", 3, "the reset")
    assert drv.app.timeout_dialog.parent is None
    assert not drv.app.core.session.holds_data()
    # nothing about the dossier is reachable from any screen either
    for screen in drv.app.screens.values():
        for widget in drv.walk(screen):
            assert SAMPLE_DOSSIER not in str(getattr(widget, "text", ""))
    assert drv.app.screens["lookup_code"].code == ""


def test_more_time_keeps_the_session(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    type_code(drv, "H26.99-2411")
    drv.clock.advance(drv.app.core.idle.warn_after + 5)
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, 3, "the timeout warning")
    drv.tap(drv.app.timeout_dialog.more)
    assert drv.app.timeout_dialog.parent is None
    assert drv.app.current == "lookup_code" and drv.screen.code == "H26.99-2411"
    drv.clock.advance(drv.app.core.idle.warn_after - 5)
    drv.advance(0.6)  # a few idle ticks
    assert drv.app.current == "lookup_code" and drv.app.timeout_dialog.parent is None


def test_unknown_code_says_what_to_do(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    type_code(drv, UNKNOWN_DOSSIER)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "an error message")
    assert drv.has_text("Không tìm thấy hồ sơ có mã này.")
    assert drv.has_text("Kiểm tra lại mã trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    assert drv.app.current == "lookup_code"
    # typing again clears the message
    drv.tap(drv.screen.keyboard.keys["⌫"])
    assert drv.screen.message.parent is None


def test_short_code_cannot_be_sent(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    type_code(drv, "H26.99-24112")
    assert drv.screen.submit.disabled


def test_gateway_down_is_explained(app, monkeypatch):
    drv = app
    from kiosk.gateway.errors import GatewayUnavailable

    def down(code):
        raise GatewayUnavailable("connection refused")

    monkeypatch.setattr(drv.app.core.gateway.wait(), "lookup_dossier", down)
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    type_code(drv, SAMPLE_DOSSIER)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "an error message")
    assert drv.has_text("Hiện không kết nối được với hệ thống dịch vụ công.")


def test_disabled_services_do_not_pretend(app):
    drv = app
    drv.tap(drv.screen.prompt)
    not_built = [name for name in drv.screen.tiles if name not in drv.app.core.flows]
    for name, tile in drv.screen.tiles.items():
        assert tile.disabled == (name in not_built)
    for name in not_built:
        tile = drv.screen.tiles[name]
        drv.tap_xy(*tile.to_window(*tile.center))
        assert drv.app.current == "menu"
    # every service is built now: no tile may say it is not available here
    assert drv.has_text("Chưa có tại máy này") == bool(not_built)


def test_language_switch_relabels_what_is_on_screen(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.app.nav.lang)
    assert drv.has_text("What would you like to do?")
    assert drv.has_text("Look up a dossier")
    drv.tap(drv.app.nav.lang)
    assert drv.has_text("Bạn cần làm gì?")


def test_back_and_home(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    type_code(drv, "H26.99-24")
    drv.tap(drv.app.nav.back)
    assert drv.app.current == "menu"
    drv.tap(drv.screen.tiles["lookup"])
    assert drv.screen.code == ""  # what was typed went with the journey
    drv.tap(drv.app.nav.home)
    assert drv.app.current == "menu"


def test_large_text_mode_scales_text(app):
    drv = app
    drv.tap(drv.screen.prompt)
    before = drv.screen.title.font_size
    drv.tap(drv.app.nav.access)  # "easier to see" → larger text
    panel = drv.app.access_panel
    drv.tap(panel.text_size_button)
    assert drv.screen.title.font_size >= before * 1.5 - 0.01
    drv.tap(panel.close)
    assert not drv.layout_problems()
    drv.tap(drv.app.nav.access)
    drv.tap(panel.text_size_button)
    assert abs(drv.screen.title.font_size - before) < 0.01
    drv.tap(panel.close)


def test_high_contrast_from_every_screen_and_back_to_normal_for_the_next_person(app):
    from kiosk.widgets import theme as th

    drv = app
    drv.tap(drv.screen.access)  # the attract screen has it too
    panel = drv.app.access_panel
    assert panel.parent is not None and not drv.layout_problems()
    drv.tap(panel.contrast)
    assert th.get_theme().high_contrast
    assert tuple(drv.screen.prompt.color[:3]) == th.HIGH_CONTRAST.on_primary[:3]
    drv.tap(panel.close)
    drv.tap(drv.screen.prompt)
    assert drv.app.current == "menu"
    assert th.get_theme().high_contrast and not drv.layout_problems()
    drv.tap(drv.app.nav.access)
    assert drv.app.t("access.contrast_normal") == panel.contrast.text
    drv.app.core.reset("timeout")  # the panel closes; the next person starts with normal colours
    drv.frames(3)
    assert panel.parent is None and not th.get_theme().high_contrast


def test_typing_a_code_skips_its_fixed_parts_and_offers_letters_only_at_the_end(app):
    """The code's fixed part (H26.99-) is shown and skipped, the hyphens are put in, the
    letter key appears only in the last part and offers only the letters it can hold."""
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    screen = drv.screen
    if screen.mode == "scan":
        assert drv.has_text("ngay dưới mã hồ sơ")  # where the QR is on the receipt
        drv.tap(screen.to_typing)
    kb = screen.keyboard
    assert "ABC" not in kb.keys and "." not in kb.keys and "-" not in kb.keys  # the date part: digits only
    assert drv.has_text("H26.99-", ) and drv.has_text("Gõ 6 chữ số sau H26.99-")
    for ch in "241125":
        drv.tap(kb.keys[ch])
    assert screen.code == "H26.99-241125-"  # the hyphen is put in
    assert "ABC" in kb.keys  # the last part may hold letters
    drv.tap(kb.keys["ABC"])
    assert "I" not in kb.keys and "O" not in kb.keys and "L" not in kb.keys and "U" not in kb.keys and "K" in kb.keys
    for ch in "7KQ2":
        if ch.isdigit() and kb.mode == "part-letters":
            drv.tap(kb.keys["123"])
        elif ch.isalpha() and kb.mode != "part-letters":
            drv.tap(kb.keys["ABC"])
        drv.tap(kb.keys[ch])
    assert screen.code == "H26.99-241125-7KQ2" and not screen.submit.disabled


def test_typed_look_up_takes_at_most_fourteen_taps(app):
    """From the attract screen to the dossier's status: 24 taps before (every letter, dot and
    dash typed), at most 14 now."""
    drv = app
    count = [0]
    inner = drv.tap

    def tap(widget, *a, **kw):
        count[0] += 1
        return inner(widget, *a, **kw)

    drv.tap = tap
    try:
        drv.tap(drv.screen.prompt)
        drv.tap(drv.screen.tiles["lookup"])
        type_code(drv, SAMPLE_DOSSIER)
        drv.tap(drv.screen.submit)
        drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the status screen")
    finally:
        drv.tap = inner
    assert count[0] <= 14, count[0]


def test_a_code_of_another_shape_is_typed_on_the_full_pad(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    type_code(drv, "TAM-ABCD2345")
    assert drv.screen.typing == "free" and drv.screen.code == "TAM-ABCD2345"
    assert not drv.screen.submit.disabled
