"""Identify with the chip ID card through the real app: the in-process virtual CCCD behind the
simulated reader runs PACE/BAC, secure messaging and passive authentication for real."""

from kiosk.drive import to_identify, to_identify_place, type_digits
from kiosk.screens.identify import SAMPLE_PERSON_ID, sample_front_qr


def place_and_wait(drv, screen: str, timeout: float = 30):
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.app.current == screen or drv.screen.message.parent is not None, timeout, screen)


def test_typed_number_then_card_shows_who_and_authenticity(app):
    drv = app
    reader = drv.app.core.devices.card_reader
    reader.remove_card()
    to_identify(drv)
    type_digits(drv, SAMPLE_PERSON_ID)
    drv.tap(drv.screen.go)
    assert drv.app.current == "identify_read"
    assert drv.has_text("Đang chờ thẻ")
    place_and_wait(drv, "identify_result")
    assert drv.app.current == "identify_result"
    assert drv.has_text("Nguyễn Thị Minh Khai")
    assert drv.has_text("0011******45")  # the number is masked even on screen
    assert drv.has_text("Thẻ thật")  # the simulated reader trusts its own test CSCA
    ident = drv.app.core.session.identity
    assert ident.chip_authenticated  # and the chip proved it holds its key: not a copy
    assert ident.access_method == "pace" and ident.face.png
    drv.tap(drv.screen.go)
    assert drv.app.current == "consent"
    drv.tap(drv.screen.agree)
    assert drv.app.current == "done" and drv.app.core.session.consent_given
    assert drv.screen.card_left.opacity == 1  # the card is still on the reader: called out
    reader.remove_card()
    drv.wait_until(lambda: drv.screen.card_left.opacity == 0, 5, "the call-out to go")
    drv.tap(drv.screen.finish)
    assert drv.app.current == "attract"
    assert ident.wiped and not ident.full_name and not ident.face.png
    assert not drv.app.core.session.holds_data()


def test_wrong_number_is_refused_with_a_next_step(app):
    drv = app
    drv.app.core.devices.card_reader.remove_card()
    to_identify(drv)
    type_digits(drv, "001189999999")
    drv.tap(drv.screen.go)
    place_and_wait(drv, "identify_result")
    assert drv.app.current == "identify_read"
    assert drv.has_text("Số định danh không khớp với thẻ này.")
    assert drv.has_text("Kiểm tra lại 12 số định danh")
    assert drv.app.core.session.identity is None
    drv.tap(drv.screen.change)
    assert drv.app.current == "identify_key"


def test_front_qr_gives_the_key(app):
    drv = app
    drv.app.core.devices.card_reader.remove_card()
    to_identify(drv)
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
    reader.remove_card()
    to_identify(drv)
    type_digits(drv, SAMPLE_PERSON_ID)
    drv.tap(drv.screen.go)
    reader.place_card(faults=("vanish", "no-extended"))  # the card leaves while DG2 is read
    drv.wait_until(lambda: drv.screen.message.parent is not None, 30, "the card-removed message")
    assert drv.app.current == "identify_read"
    assert drv.has_text("Thẻ đã bị nhấc ra khi đang đọc.")
    assert drv.has_text("Đặt lại thẻ lên ô đọc thẻ")
    assert drv.app.core.session.identity is None  # partial data discarded
    reader.remove_card()
    place_and_wait(drv, "identify_result")  # placing it again reads it
    assert drv.app.current == "identify_result"


def test_consent_refused_wipes_the_identity(app):
    drv = app
    drv.app.core.devices.card_reader.remove_card()
    to_identify(drv)
    type_digits(drv, SAMPLE_PERSON_ID)
    drv.tap(drv.screen.go)
    place_and_wait(drv, "identify_result")
    ident = drv.app.core.session.identity
    drv.tap(drv.screen.go)
    drv.tap(drv.screen.decline)
    assert drv.app.current == "menu"
    assert ident.wiped and not drv.app.core.session.holds_data()
    drv.app.core.devices.card_reader.remove_card()


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
