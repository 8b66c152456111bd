"""Identify with the chip ID card through the real app: the in-process virtual CCCD behind the
simulated reader runs PACE/BAC, secure messaging and passive authentication for real.  The
order: consent → the last 6 digits (PACE's CAN) → place the card → who the chip says."""

from kiosk.drive import to_identify, to_identify_place, type_digits
from kiosk.drive.identify import to_identify_bac, to_identify_can
from kiosk.screens.identify import SAMPLE_PERSON_ID, sample_front_qr


def place_and_wait(drv, screen: str, timeout: float = 30):
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.app.current == screen or drv.screen.message.parent is not None, timeout, screen)


def test_consent_comes_first_and_names_who_receives_and_the_law(app):
    drv = app
    to_identify(drv)
    assert drv.app.current == "identify_key" and drv.screen.phase == "consent"
    assert drv.has_text("Cổng Dịch vụ công quốc gia")
    assert drv.has_text("91/2025/QH15") and drv.has_text("356/2025/NĐ-CP")
    # nothing can be typed or read before consent: no keyboard on screen, the card is not asked for
    assert drv.screen.keyboard.parent is None
    assert drv.app.journeys.identify.existing is None or drv.app.journeys.identify.existing.key is None


def test_six_digits_then_card_shows_who_and_authenticity(app):
    drv = app
    reader = drv.app.core.devices.card_reader
    reader.remove_card()
    to_identify(drv)
    drv.tap(drv.screen.agree)
    assert drv.app.core.session.consent_given and drv.screen.phase == "can"
    type_digits(drv, SAMPLE_PERSON_ID[-6:-1])
    assert drv.has_text("012 34")  # shown large while typing
    type_digits(drv, SAMPLE_PERSON_ID[-1])  # the sixth digit moves on by itself
    drv.wait_until(lambda: drv.app.current == "identify_read", what="the place-card step")
    assert drv.has_text("Đang chờ thẻ")
    assert not drv.app.screens["identify_key"].field_text.text.replace(" ", "").isdigit()  # masked
    key = drv.app.journeys.identify.draft.key
    assert key.can == SAMPLE_PERSON_ID[-6:] and not key.id_number
    place_and_wait(drv, "identify_result")
    assert drv.app.current == "identify_result"
    assert drv.has_text("Nguyễn Thị Minh Khai")
    assert drv.has_text("0011******45")  # the number is masked even on screen
    assert drv.has_text("Thẻ thật")  # the simulated reader trusts its own test CSCA
    ident = drv.app.core.session.identity
    assert ident.chip_authenticated  # and the chip proved it holds its key: not a copy
    assert ident.access_method == "pace" and ident.face.png
    drv.tap(drv.screen.go)
    assert drv.app.current == "done" and drv.app.core.session.consent_given
    assert drv.screen.card_left.opacity == 1  # the card is still on the reader: called out
    reader.remove_card()
    drv.wait_until(lambda: drv.screen.card_left.opacity == 0, 5, "the call-out to go")
    drv.tap(drv.screen.finish)
    assert drv.app.current == "attract"
    assert ident.wiped and not ident.full_name and not ident.face.png
    assert not drv.app.core.session.holds_data()


def test_wrong_digits_are_refused_with_a_next_step(app):
    drv = app
    drv.app.core.devices.card_reader.remove_card()
    to_identify_can(drv)
    type_digits(drv, "999999")
    drv.wait_until(lambda: drv.app.current == "identify_read", what="the place-card step")
    place_and_wait(drv, "identify_result")
    assert drv.app.current == "identify_read"
    assert drv.has_text("6 số cuối này không mở được thẻ.")
    assert drv.has_text("Gõ lại 6 chữ số cuối của số định danh.")
    assert drv.app.core.session.identity is None
    drv.tap(drv.screen.change)
    assert drv.app.current == "identify_key" and drv.screen.phase == "can"
    drv.app.core.devices.card_reader.remove_card()


def test_a_chip_refusing_pace_asks_for_what_bac_needs(app):
    """Only a chip that refuses PACE makes the kiosk ask for the full number and birth date."""
    drv = app
    reader = drv.app.core.devices.card_reader
    to_identify_bac(drv)
    assert drv.has_text("không mở được bằng 6 số cuối")
    type_digits(drv, SAMPLE_PERSON_ID)
    assert drv.has_text("0011******45")  # masked once complete
    assert drv.screen.go.disabled
    type_digits(drv, "17051989")  # the sample person's birth date
    assert not drv.screen.go.disabled
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    assert drv.app.core.session.identity.access_method == "bac"
    reader.remove_card()


def test_front_qr_gives_the_key(app):
    drv = app
    drv.app.core.devices.card_reader.remove_card()
    to_identify_can(drv)
    drv.app.core.devices.qr_source.show_image(__import__(
        "kiosk.devices.qr.simulated", fromlist=["make_code_image"]).make_code_image(sample_front_qr()))
    drv.wait_until(lambda: drv.app.current == "identify_read", 20, "the place-card step")
    key = drv.app.journeys.identify.draft.key
    assert key.id_number == SAMPLE_PERSON_ID and key.dob is not None
    place_and_wait(drv, "identify_result")
    assert drv.has_text("Nguyễn Thị Minh Khai")


def test_card_pulled_away_mid_read_offers_a_retry(app):
    drv = app
    reader = drv.app.core.devices.card_reader
    to_identify_place(drv)
    reader.place_card(faults=("vanish", "no-extended"))  # the card leaves while DG2 is read
    drv.wait_until(lambda: drv.screen.message.parent is not None, 30, "the card-removed message")
    assert drv.app.current == "identify_read"
    assert drv.has_text("Thẻ đã bị nhấc ra khi đang đọc.")
    assert drv.has_text("Đặt lại thẻ lên ô đọc thẻ")
    assert drv.app.core.session.identity is None  # partial data discarded
    reader.remove_card()
    place_and_wait(drv, "identify_result")  # placing it again reads it
    assert drv.app.current == "identify_result"
    reader.remove_card()


def test_consent_refused_reads_nothing(app):
    drv = app
    drv.app.core.devices.card_reader.remove_card()
    to_identify(drv)
    drv.tap(drv.screen.decline)
    assert drv.app.current == "menu"
    assert drv.app.core.session.identity is None and not drv.app.core.session.holds_data()


def test_the_demo_card_can_be_taken_away_and_the_warning_ends(app):
    """After the demo card was read, the "card still on the reader" call-out stayed on every
    screen until a restart: the demo card is taken off from the screen, and the call-out goes."""
    drv = app
    reader = drv.app.core.devices.card_reader
    to_identify_place(drv)
    assert drv.screen.demo.text == "Mô phỏng: đặt thẻ mẫu lên ô đọc thẻ"
    drv.tap(drv.screen.demo)
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    assert reader.card_present()
    drv.wait_until(lambda: drv.screen.demo.text == "Mô phỏng: lấy thẻ mẫu ra khỏi ô đọc thẻ", 5, "the take button")
    drv.tap(drv.screen.demo)
    assert not reader.card_present()
    drv.tap(drv.screen.go)
    assert drv.app.current == "done"
    drv.frames(2)
    assert drv.screen.card_left.opacity == 0


def test_a_chip_without_chip_authentication_is_not_called_genuine(app):
    """Signed by the issuer but unable to prove it is not a copy: the mark says so and asks
    staff to compare the card, instead of "Thẻ thật"."""
    drv = app
    reader = drv.app.core.devices.card_reader
    to_identify_place(drv)
    reader.place_card(faults={"no-chip-auth"})
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    ident = drv.app.core.session.identity
    assert ident.pa_status == "authentic" and ident.chip_auth == "not-supported"
    assert not drv.has_text("Thẻ thật")
    assert drv.has_text("Dữ liệu có chữ ký hợp lệ của cơ quan cấp thẻ") and drv.has_text("nhân viên sẽ đối chiếu")
    reader.remove_card()


def test_the_done_screen_takes_the_demo_card_away(app):
    """The card was left on the simulated reader: the done screen's call-out carries the demo's
    "take the card" button, and taking it ends the call-out."""
    from kiosk.drive import to_done_card_left

    drv = app
    to_done_card_left(drv)
    reader = drv.app.core.devices.card_reader
    assert reader.card_present() and drv.screen.card_left.opacity == 1
    drv.wait_until(lambda: drv.screen.demo_card.text == "Mô phỏng: lấy thẻ mẫu ra khỏi ô đọc thẻ", 5,
                   "the take button")
    assert drv.small_targets() == [] and drv.layout_problems() == []
    drv.tap(drv.screen.demo_card)
    drv.wait_until(lambda: drv.screen.card_left.parent is None, 5, "the call-out gone")
    assert not reader.card_present()


def test_the_attract_screen_takes_the_demo_card_away(app):
    """A card left on the simulated reader is called out on the attract screen too: its demo
    button takes it away (and a tap on the button does not start a session)."""
    from kiosk.drive import to_attract_card_left

    drv = app
    to_attract_card_left(drv)
    reader = drv.app.core.devices.card_reader
    button = drv.screen.demo_card
    assert reader.card_present() and not button.disabled
    drv.tap(button)
    drv.wait_until(lambda: drv.screen.card_left.opacity == 0, 5, "the call-out gone")
    assert not reader.card_present() and drv.app.current == "attract" and button.disabled
