"""Pay a fee through the real app against the embedded demo gateway: a typed code sends the
citizen through the chip ID card first (only the applicant pays), the VietQR code on screen
decodes to the right payment, the demo bank confirms, the receipt reaches the simulated
printer; the dossier receipt's QR (with its claim code) needs no card; cash prints a counter
ticket; someone else's dossier is refused; paper out, an expired code, the gateway down."""

import dataclasses

from kiosk import vietqr
from kiosk.devices.qr.decode import decode_image
from kiosk.drive import type_code, unpaid_dossier
from kiosk.drive.identify import identified, identify_with_demo_card
from kiosk.gateway.errors import GatewayUnavailable
from kiosk.payloads import receipt_qr
from kiosk.samples import SAMPLE_DOSSIER


def client(drv):
    return drv.app.core.gateway.wait()


def to_code(drv, code: str) -> None:
    """Menu → "pay a fee" → the code in the field (as a scanned receipt puts it: typing is
    tested once, in the end-to-end test; frames are slow on a shared machine)."""
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["pay"])
    assert drv.app.current == "pay_code"
    if drv.screen.mode == "scan":
        drv.tap(drv.screen.to_typing)
    drv.screen.set_code(code)
    drv.frames(2)


def to_amount(drv, code: str | None = None) -> str:
    code = code or unpaid_dossier(drv)
    to_code(drv, code)
    identified(drv)  # the demo card's person, whose dossier it is (the card read is scripted once, below)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "pay_amount", 20, "the fee")
    return code


def to_qr(drv, code: str | None = None) -> str:
    code = to_amount(drv, code)
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")
    return code


def qr_on_screen(drv, tmp_path, name="qr.png") -> vietqr.VietQr:
    """Decode the code from a screenshot of the window, as a phone would see it."""
    found = decode_image(drv.screenshot(tmp_path / name))
    assert len(found) == 1, found
    return vietqr.parse(found[0].text)  # checks the CRC too


def use_codepage_text(printer, monkeypatch):
    # text printed as text (not raster) so the decoded paper can be read line by line
    monkeypatch.setattr(printer, "text_mode", "codepage")


def test_pay_by_vietqr_end_to_end(app, tmp_path, monkeypatch):
    drv = app
    printer = drv.app.core.devices.printer
    use_codepage_text(printer, monkeypatch)
    code = unpaid_dossier(drv)
    drv.tap(drv.screen.prompt)
    drv.tap_text("Nộp phí, lệ phí", exact=True)
    assert drv.app.current == "pay_code"
    type_code(drv, code)
    drv.tap(drv.screen.submit)
    # a typed code is no proof of whose dossier it is: the chip ID card first, then the fee
    identify_with_demo_card(drv, then="pay_amount")
    assert drv.has_text("3.000 đ") and drv.has_text(f"Mã hồ sơ: {code}")
    drv.tap_text("Chuyển khoản bằng ứng dụng ngân hàng (VietQR)", exact=True)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")
    screen = drv.screen
    payment = drv.app.journeys.pay.draft.payment
    from kiosk.widgets import theme as th

    t = th.get_theme()  # 600 px at 1080 px across (less in large-text mode, to keep the rest on screen)
    assert screen.qr.drawn_size >= t.px(600 if t.text_scale == 1 else 450), (screen.qr.drawn_size, t.unit, t.text_scale)
    q = qr_on_screen(drv, tmp_path)
    assert q.is_napas and q.amount == 3000 and q.reference == payment.id
    assert drv.has_text("3.000 đ") and drv.has_text("Vietcombank")
    assert drv.find_text("Mã còn hiệu lực: 1") is not None  # the countdown (15 minutes)
    assert screen.polling

    # back and again: the retry gets the same payment, never a second one
    drv.tap(drv.app.nav.back)
    assert drv.app.current == "pay_amount" and not screen.polling
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr", 20, "the VietQR code again")
    assert drv.app.journeys.pay.draft.payment.id == payment.id
    assert qr_on_screen(drv, tmp_path, "again.png").reference == payment.id
    # paying on a phone takes a while: no "more time?" over a valid code (the hold is the code's life)
    warn = drv.app.settings.kiosk.idle_warning_seconds
    drv.clock.advance(warn + 5)
    drv.frames(3)
    assert drv.app.timeout_dialog.parent is None and drv.app.current == "pay_qr"

    drv.tap_text("Trình diễn: mô phỏng ngân hàng xác nhận thanh toán", exact=True)
    drv.wait_until(lambda: drv.app.current == "pay_done" and drv.screen.result is not None, 20, "the receipt")
    assert not screen.polling
    assert drv.has_text("Đã nhận tiền") and drv.has_text("Đã in biên lai thu phí, lệ phí.")
    assert client(drv).payment_status(payment.id).status == "paid"
    assert client(drv).lookup_dossier(code).fee.paid
    paper = printer.last_paper()
    text = "\n".join(paper.lines)
    assert "BIÊN LAI THU PHÍ" in text and code in text and payment.id in text
    assert "3.000 đồng" in text and "Chuyển khoản VietQR" in text
    assert paper.cuts == 1 and not paper.problems
    drv.tap_text("Tiếp tục", exact=True)
    assert drv.app.current == "done"
    # the journey is over: nothing about the payment stays behind
    drv.tap(drv.screen.finish)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the attract screen")
    assert not drv.app.core.session.holds_data()
    assert drv.app.screens["pay_qr"].qr.payload == ""


def test_already_paid_and_no_fee_are_explained(app):
    drv = app
    to_code(drv, SAMPLE_DOSSIER)  # the fee was paid long ago
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the already-paid message")
    assert drv.has_text("Lệ phí của hồ sơ này đã được nộp.")
    assert drv.has_text("Bạn không cần nộp thêm.")
    assert drv.app.current == "pay_code"

    drv.app.core.reset("next citizen")
    drv.frames(2)
    to_amount(drv, "H26.99-241125-0001")  # a procedure without a fee
    assert drv.has_text("Hồ sơ này không phải nộp lệ phí.")
    assert drv.find_text("Chuyển khoản bằng ứng dụng ngân hàng (VietQR)") is None
    drv.tap_text("Xong", exact=True)
    assert drv.app.current == "done"


def test_cash_prints_a_ticket_for_the_counter(app, monkeypatch):
    drv = app
    printer = drv.app.core.devices.printer
    use_codepage_text(printer, monkeypatch)
    # the dossier receipt's QR shown to the (simulated) camera: the fee comes up without typing,
    # and without the ID card: the claim code it carries shows the gateway who holds the receipt
    code = unpaid_dossier(drv)
    claim = drv.app.core.gateway._server.app.state.store.claim_code(code)  # as the receipt printed it
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["pay"])
    if drv.screen.mode != "scan":
        drv.tap(drv.screen.to_scanning)
    drv.screen.scan.show_demo(receipt_qr(code, claim))
    drv.wait_until(lambda: drv.app.current == "pay_amount", 30, "the fee after the scan")
    assert drv.app.journeys.pay.draft.dossier.code == code and drv.app.core.session.identity is None
    drv.tap_text("Nộp tiền mặt tại quầy", exact=True)
    drv.wait_until(lambda: drv.app.current == "pay_cash", 20, "the cash ticket")
    payment = drv.app.journeys.pay.draft.payment
    assert payment.method == "cash" and payment.status == "pending" and payment.qr_payload is None
    ticket = drv.app.journeys.pay.draft.cash["ticket"]
    assert ticket.startswith("H-") and drv.has_text(ticket)
    assert drv.has_text("Mời bạn đến quầy giao dịch và nộp 3.000 đ.")
    assert drv.has_text("Đã in phiếu.")
    text = "\n".join(printer.last_paper().lines)
    assert "PHIẾU SỐ THỨ TỰ" in text and ticket in text
    assert payment.id in text and code in text  # staff match the ticket to the payment
    waiting = client(drv).list_help_requests("waiting")
    assert any(t.ticket == ticket and t.reason == "payment" for t in waiting)
    # staff can take the cash for this session's payment
    assert client(drv).payment_status(payment.id).status == "pending"


def test_printer_out_of_paper_says_collect_at_the_counter(app):
    drv = app
    printer = drv.app.core.devices.printer
    to_qr(drv)
    failed_before = len(printer.reprint_store.failed())
    printer.faults.set_faults(paper_out=True)
    try:
        drv.tap(drv.screen.demo)
        drv.wait_until(lambda: drv.app.current == "pay_done" and drv.screen.result is not None, 20, "the result")
        assert not drv.screen.result.ok
        assert drv.has_text("Đã nhận tiền")  # the payment itself went through
        assert drv.has_text("Máy in đã hết giấy.")
        assert drv.has_text("Mời bạn nhận phiếu tại quầy giao dịch")
        assert len(printer.reprint_store.failed()) == failed_before + 1
        assert printer.reprint_store.failed()[-1]["kind"] == "payment-receipt"
    finally:
        printer.faults.clear_faults()
        printer.refresh()


def test_expired_code_offers_a_new_one(app, tmp_path, monkeypatch):
    drv = app
    to_qr(drv)
    first = drv.app.journeys.pay.draft.payment
    real = client(drv).payment_status
    monkeypatch.setattr(client(drv), "payment_status",
                        lambda pid: dataclasses.replace(real(pid), status="expired"))
    drv.wait_until(lambda: drv.screen.expired, 10, "the expired message")
    assert drv.has_text("Mã thanh toán đã hết hạn.") and drv.has_text("Bạn chưa bị trừ tiền.")
    assert drv.screen.qr.modules == 0 and not drv.screen.polling
    assert drv.find_text("Trình diễn: mô phỏng ngân hàng xác nhận thanh toán") is None
    monkeypatch.undo()
    drv.tap_text("Lấy mã mới", exact=True)
    drv.wait_until(lambda: not drv.screen.expired and drv.screen.qr.modules > 0, 20, "a new code")
    second = drv.app.journeys.pay.draft.payment
    assert second.id != first.id and second.status == "pending"
    q = qr_on_screen(drv, tmp_path)
    assert q.reference == second.id and q.amount == 3000
    assert drv.screen.polling
    # the citizen walks away: polling stops with the session, nothing stays on screen
    screen = drv.screen
    drv.app.core.reset("timeout")
    drv.frames(3)
    assert drv.app.current == "attract" and not screen.polling
    assert screen.qr.payload == "" and not drv.app.core.session.holds_data()


def test_gateway_down_is_explained(app, monkeypatch):
    drv = app

    def down(*a, **kw):
        raise GatewayUnavailable("connection refused")

    code = unpaid_dossier(drv)
    monkeypatch.setattr(client(drv), "lookup_dossier", down)
    to_code(drv, code)
    identified(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "an error message")
    assert drv.has_text("Hiện không kết nối được với hệ thống dịch vụ công.")
    assert drv.app.current == "pay_code"
    monkeypatch.undo()

    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "pay_amount", 20, "the fee")
    monkeypatch.setattr(client(drv), "create_payment", down)
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "an error message")
    assert drv.app.current == "pay_amount"
    assert drv.has_text("Hiện không kết nối được với hệ thống dịch vụ công.")
    assert not drv.screen.vietqr.disabled  # the citizen can try again
    monkeypatch.undo()

    # a real gateway (not the demo): no "simulate the bank" button
    monkeypatch.setattr(type(drv.app.core), "demo", property(lambda self: False))
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")
    assert drv.screen.demo.parent is None and drv.find_text("Trình diễn") is None


def test_someone_elses_dossier_is_refused(app):
    from datetime import UTC, date, datetime

    from kiosk.gateway import models as M
    from kiosk.gateway.client import new_idempotency_key

    drv = app
    now = datetime.now(UTC)
    theirs = client(drv).submit_dossier(M.DossierSubmission(
        procedure_code="1.004873",
        applicant=M.Applicant("001099012345", "Nguyễn Văn An", date(1990, 5, 17), "chip",
                              M.PassiveAuthentication("verified", True, True, True)),
        form={"purpose": "kết hôn", "marital_status": "chưa kết hôn"},
        delivery=M.DeliveryChoice("pickup"), consent_at=now, submitted_at=now), new_idempotency_key()).code
    to_amount(drv, theirs)  # identified as the demo card's person: not this dossier's applicant
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the refusal")
    assert drv.has_text("Hồ sơ này đứng tên người khác: chỉ người đứng tên, hoặc người giữ giấy tiếp nhận hồ sơ, "
                        "được nộp phí.")
    assert drv.app.current == "pay_amount" and drv.app.journeys.pay.draft.payment is None


def test_a_rejected_dossier_takes_no_payment(app):
    """Issue 14: a fee was taken for the demo's rejected dossier (0006, "Không được giải quyết").
    Its code is refused with a message saying why, no payment is asked of the gateway, and the
    guard holds even if the dossier reaches the amount step some other way."""
    drv = app
    made: list = []
    gateway = client(drv)
    real = gateway.create_payment

    def create_payment(*a, **kw):
        made.append(a)
        return real(*a, **kw)

    gateway.create_payment = create_payment
    try:
        to_code(drv, "H26.99-241125-0006")
        identified(drv)  # the demo card's person, whose dossier it is
        drv.tap(drv.screen.submit)
        drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the refusal")
        assert drv.app.current == "pay_code"
        assert drv.has_text("Hồ sơ này không được giải quyết nên không phải nộp phí.")
        assert drv.has_text("Mời bạn nhờ nhân viên bưu điện giúp đỡ.")

        pay = drv.app.journeys.pay
        rejected = gateway.lookup_dossier("H26.99-241125-0006")
        assert rejected.status == "rejected" and rejected.fee.amount_vnd > 0 and not rejected.fee.paid
        pay.take(rejected)
        failed: list = []
        pay.vietqr().then(None, failed.append)
        drv.wait_until(lambda: failed, 10, "the refusal of the payment")
        assert failed[0].message_key == "pay.rejected"
        assert made == [] and pay.draft.payment is None
    finally:
        del gateway.create_payment


def test_the_identify_step_after_the_code_screen_reads_the_card_front_qr(app):
    """The code screen hears that it was left at the end of the fade, after the identify step
    began listening for the card's front QR: it pauses only its own listening, so the front QR
    shown next is read (it was ignored, and the citizen had to type the digits)."""
    from kiosk.devices.qr.simulated import make_code_image
    from kiosk.drive.fixtures import unpaid_dossier
    from kiosk.drive.pay import to_pay_code
    from kiosk.screens.identify import sample_front_qr

    drv = app
    to_pay_code(drv, unpaid_dossier(drv), typed=True)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "identify_key", 20, "the identify step")
    if drv.screen.phase == "consent":
        drv.tap(drv.screen.agree)
    source = drv.app.core.devices.qr_source
    source.deduper.reset()
    source.show_image(make_code_image(sample_front_qr()))
    try:
        drv.wait_until(lambda: drv.app.current == "identify_read", 10, "the front QR read")
    finally:
        source.show_image(None)
