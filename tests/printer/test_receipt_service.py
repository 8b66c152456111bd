"""The receipt service: one method per receipt, printed on the simulated printer and read back
with the decoder (code-page text mode, so the paper's lines are text); one "print once" rule."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from printer_helpers import collapse

from kiosk import config
from kiosk.devices.printer import build
from kiosk.errors import KioskError
from kiosk.receipts import DeliverySlipInfo, DossierInfo
from kiosk.receipts.samples import KIOSK_ID, OFFICE, WHEN
from kiosk.receipts.service import ReceiptService, slip_status

UTC = dt.UTC
PROC = SimpleNamespace(code="1.001193", name_vi="Đăng ký khai sinh", name_en="Birth registration")
DOSSIER = SimpleNamespace(
    code="000.00.15.H26-261120-0007", procedure=PROC, status="supplement_requested",
    expected_date=dt.date(2026, 12, 2),
    timeline=[SimpleNamespace(status="received", at=dt.datetime(2026, 11, 20, 2, 15, tzinfo=UTC)),
              SimpleNamespace(status="in_progress", at=dt.datetime(2026, 11, 21, 3, 2, tzinfo=UTC)),
              SimpleNamespace(status="supplement_requested", at=dt.datetime(2026, 11, 28, 9, 30, tzinfo=UTC))])
PAYMENT = SimpleNamespace(id="PAY-7F3A", amount_vnd=200000, method="vietqr",
                          paid_at=dt.datetime(2026, 11, 29, 7, 3, 41, tzinfo=UTC))
INFO = DossierInfo(code="K-PROV-0001", procedure_name="Đăng ký khai sinh", citizen_name="Lê Văn An",
                   id_number="079123456789", documents=[("Tờ khai đăng ký khai sinh", 2), ("Giấy chứng sinh", 1)],
                   fee_vnd=0, payment_status="exempt", provisional=True, procedure_code="1.001193")


def local(when: dt.datetime) -> str:
    return when.astimezone().strftime("%H:%M %d/%m/%Y")


@pytest.fixture
def printer():
    dev = build(config.defaults().replace(devices=dict(printer="simulated", printer_profile="TM-T88V",
                                                       printer_text_mode="codepage")))
    dev.open()
    assert dev.text_mode == "codepage"
    return dev


@pytest.fixture
def service(printer):
    return ReceiptService(printer, office=OFFICE, kiosk_id=KIOSK_ID, clock=lambda: WHEN)


def paper_text(printer) -> str:
    paper = printer.last_paper()
    assert paper.problems == [] and paper.cuts == 1
    return collapse(" ".join(paper.lines))


def jobs(printer) -> int:
    return len(printer.transport.jobs)


def test_status_slip_from_a_gateway_dossier(service, printer):
    result = service.status_slip(DOSSIER, "vi")
    assert result.ok
    text = paper_text(printer)
    for must in ("PHIẾU TRA CỨU HỒ SƠ", DOSSIER.code, "Đăng ký khai sinh", "Cần bổ sung giấy tờ", "02/12/2026",
                 "Quá trình xử lý", f"{local(DOSSIER.timeline[0].at)} Đã gửi hồ sơ – chờ tiếp nhận",
                 f"{local(DOSSIER.timeline[1].at)} Đang xử lý", OFFICE, "14:05 29/11/2026"):
        assert must in text, must
    assert printer.last_paper().qr_payloads == [DOSSIER.code]
    service.status_slip(DOSSIER, "en")
    text = paper_text(printer)
    assert "Birth registration" in text and "More documents needed" in text and "DOSSIER STATUS" in text


def test_slip_status_vocabulary():
    assert slip_status("in_progress") == "processing" and slip_status("collected") == "delivered"
    assert slip_status("something-new") == "processing"


def test_payment_receipt_fee_line_from_the_catalog(service, printer):
    assert service.payment_receipt(DOSSIER, PAYMENT, "Lê Văn An", "vi").ok
    text = paper_text(printer)
    for must in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "Lệ phí: Đăng ký khai sinh", "200.000 đồng", "Chuyển khoản VietQR",
                 "PAY-7F3A", local(PAYMENT.paid_at), "Lê Văn An"):
        assert must in text, must
    service.payment_receipt(DOSSIER, PAYMENT, "", "en")
    text = paper_text(printer)
    assert "Fee: Birth registration" in text and "200,000 VND" in text and "Paid by -" in text


def test_help_and_cash_tickets(service, printer):
    assert service.help_ticket("B027", "Hướng dẫn thủ tục", 4, "vi").ok
    text = paper_text(printer)
    assert "PHIẾU SỐ THỨ TỰ" in text and "B027" in text and "Số người đang chờ trước bạn: 4" in text
    assert service.cash_ticket("C003", DOSSIER, PAYMENT, 2, "vi").ok
    text = paper_text(printer)
    assert f"Nộp lệ phí bằng tiền mặt · {DOSSIER.code} · 200.000 đồng · PAY-7F3A" in text
    assert "Số người đang chờ trước bạn: 2" in text
    service.cash_ticket("C004", DOSSIER, PAYMENT, 0, "en")
    assert "Fee payment in cash · " in paper_text(printer)


def test_dossier_receipt_provisional_note_and_pages(service, printer):
    assert service.dossier_receipt(INFO, "vi").ok
    lines = [collapse(line) for line in printer.last_paper().lines]
    at = next(i for i, line in enumerate(lines) if "K-PROV-0001" in line)
    # the note (wrapped to the paper) comes right under the reference, before the rest
    assert collapse(" ".join(lines[at + 1:at + 3])).startswith("MÃ TẠM - hồ sơ sẽ tự động gửi đi khi có kết nối")
    text = paper_text(printer)
    assert "1. Tờ khai đăng ký khai sinh (2 trang)" in text and "2. Giấy chứng sinh (1 trang)" in text
    assert "0791******89" in text and "079123456789" not in text
    service.dossier_receipt(INFO, "en")
    text = paper_text(printer)
    assert "PROVISIONAL - the dossier is sent automatically" in text and "(pages: 2)" in text


def test_delivery_slip(service, printer):
    info = DeliverySlipInfo(dossier_code=DOSSIER.code, tracking_code="EB123456785VN", recipient_name="Lê Văn An",
                            phone="0912345678", ward="Phường Hoàn Kiếm", province="Thành phố Hà Nội",
                            fee_vnd=25000, estimated_days=2)
    assert service.delivery_slip(info, "vi").ok
    text = paper_text(printer)
    assert "EB123456785VN" in text and "Lê V. A." in text and "*******678" in text and "25.000 đồng" in text


def test_print_once_per_key_until_forget(service, printer):
    first = service.print_once("payment:PAY-7F3A", lambda: service.payment_receipt(DOSSIER, PAYMENT, "A", "vi"))
    assert first.ok and jobs(printer) == 1
    again = service.print_once("payment:PAY-7F3A", lambda: pytest.fail("printed twice"))
    assert again is first and jobs(printer) == 1
    assert service.printed("payment:PAY-7F3A") is first
    # another key prints; a build may also give the Receipt itself
    other = service.print_once("dossier:K-PROV-0001", lambda: service.build_status_slip(DOSSIER, "vi"))
    assert other.ok and other is not first and jobs(printer) == 2
    service.forget()
    assert service.printed("payment:PAY-7F3A") is None
    assert service.print_once("payment:PAY-7F3A", lambda: service.payment_receipt(DOSSIER, PAYMENT, "A", "vi")).ok
    assert jobs(printer) == 3


def test_a_failed_print_is_returned_and_not_remembered(service, printer):
    printer.faults.set_faults(paper_out=True)
    failed = service.print_once("dossier:K", lambda: service.dossier_receipt(INFO, "vi"))
    assert not failed.ok and failed.message_key == "printer.paper_out"
    assert service.printed("dossier:K") is None
    with pytest.raises(KioskError) as err:
        ReceiptService.check(failed)
    assert err.value.message_key == "printer.paper_out" and err.value.next_step == "next.collect_at_counter"
    printer.faults.clear_faults()
    again = service.print_once("dossier:K", lambda: service.dossier_receipt(INFO, "vi"))
    assert again.ok and service.printed("dossier:K") is again
    assert ReceiptService.check(again) is again


def test_the_same_key_at_the_same_time_prints_once(service, printer):
    results, start = [], threading.Barrier(4)

    def worker():
        start.wait()
        results.append(service.print_once("ticket:1", lambda: service.help_ticket("A001", "x", 0, "vi")))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert jobs(printer) == 1


def test_a_print_running_when_the_session_ends_is_not_remembered(service):
    def build_then_reset():
        receipt = service.build_status_slip(DOSSIER, "vi")
        service.forget()  # the session was reset while this one printed
        return receipt

    assert service.print_once("slip", build_then_reset).ok
    assert service.printed("slip") is None


def test_remembered_results_hold_no_personal_data(service):
    result = service.print_once("dossier:K", lambda: service.dossier_receipt(INFO, "vi"))
    held = repr(vars(service)) + repr(result)
    for personal in ("Lê Văn An", "079123456789", "Tờ khai"):
        assert personal not in held


def test_no_printer_is_a_citizen_error():
    service = ReceiptService(None, office=OFFICE, kiosk_id=KIOSK_ID)
    for call in (lambda: service.status_slip(DOSSIER, "vi"), lambda: service.help_ticket("A1", "x", 0, "vi"),
                 lambda: service.dossier_receipt(INFO, "vi"),
                 lambda: service.print_once("k", lambda: service.payment_receipt(DOSSIER, PAYMENT, "A", "vi"))):
        with pytest.raises(KioskError) as err:
            call()
        assert (err.value.message_key, err.value.next_step) == ("printer.no_device", "next.collect_at_counter")
    assert service.printed("k") is None


def test_gateway_times_are_printed_in_local_time(service, printer, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        service.status_slip(DOSSIER, "vi")
        assert "09:15 20/11/2026 Đã gửi hồ sơ – chờ tiếp nhận" in paper_text(printer)  # 02:15 UTC
        service.payment_receipt(DOSSIER, PAYMENT, "A", "vi")
        assert "14:03 29/11/2026" in paper_text(printer)  # 07:03:41 UTC
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_printer_may_be_asked_for_at_each_print(printer):
    current = {"printer": None}
    service = ReceiptService(lambda: current["printer"], office=OFFICE, kiosk_id=KIOSK_ID)
    with pytest.raises(KioskError):
        service.help_ticket("A1", "x", 0, "vi")
    current["printer"] = printer
    assert service.help_ticket("A1", "x", 0, "vi").ok and "A1" in paper_text(printer)
