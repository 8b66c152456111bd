"""Scanning in the look-up journey: a real QR image in front of the simulated camera is decoded
by the real decoder cascade, parsed, validated and looked up."""

from kiosk.devices.qr.simulated import make_code_image
from kiosk.samples import SAMPLE_DOSSIER


def open_lookup(drv):
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    assert drv.app.current == "lookup_code"
    assert drv.screen.mode == "scan"  # a camera is there: scanning is offered first


def test_scanned_receipt_qr_is_looked_up(app):
    drv = app
    open_lookup(drv)
    # the receipt carries a look-up URL on an allow-listed host
    url = f"https://dichvucong.gov.vn/tra-cuu?ma={SAMPLE_DOSSIER}"
    drv.app.core.devices.qr_source.show_image(make_code_image(url))
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the status of the scanned dossier")
    assert drv.has_text(SAMPLE_DOSSIER)
    assert drv.app.journeys.lookup.draft.code == SAMPLE_DOSSIER


def test_preview_outlines_the_code_and_guides(app):
    drv = app
    open_lookup(drv)
    drv.tap(drv.screen.to_typing)  # the camera keeps working while typing is shown
    drv.tap(drv.screen.to_scanning)
    scan = drv.screen.scan
    assert drv.has_text("Đưa mã QR vào trước camera.")
    scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier")


def test_wrong_kinds_of_code_are_explained(app):
    drv = app
    open_lookup(drv)
    source = drv.app.core.devices.qr_source
    id_qr = "001089012345|123456789|Nguyễn Văn An|01011990|Nam|12 Hàng Bài, Hoàn Kiếm, Hà Nội|15062021"
    source.show_image(make_code_image(id_qr))
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "an explanation")
    assert drv.has_text("Đây là mã QR trên thẻ căn cước, không phải mã hồ sơ.")
    assert not drv.app.core.session.holds_data()  # the ID card's data was not kept
    source.show_image(None)
    drv.advance(0.3)
    source.show_image(make_code_image("https://evil.example/steal?ma=H26.99-241125-0001"))
    drv.wait_until(lambda: drv.has_text("không phải mã hồ sơ hay mã trên thẻ căn cước"), 20, "a refusal")
    assert drv.app.current == "lookup_code"
    source.show_image(None)


def test_the_next_citizen_can_show_the_same_receipt_at_once(app):
    """A code held in view is reported once; that memory ends with the session, so the next
    citizen showing the same receipt straight away is heard (and an ID card's QR is not kept)."""
    drv = app
    open_lookup(drv)
    drv.screen.scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier")
    drv.tap(drv.screen.done_button)
    drv.tap(drv.screen.finish)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the attract screen")
    open_lookup(drv)
    drv.screen.scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the same dossier for the next citizen")
    assert drv.app.journeys.lookup.draft.code == SAMPLE_DOSSIER


def test_the_camera_rests_between_scan_screens(app):
    """Once a scan screen is left, the camera stays open (it is slow to open) but looks for
    nothing; the next scan screen wakes it."""
    drv = app
    open_lookup(drv)
    source = drv.app.core.devices.qr_source
    assert source.running and source.listening
    drv.screen.scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier")
    assert source.running and not source.listening
    drv.tap(drv.screen.done_button)
    drv.tap(drv.screen.finish)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the attract screen")
    open_lookup(drv)
    assert source.listening
    drv.screen.scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier, scanned again")
