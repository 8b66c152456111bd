"""Realistic sample receipts (fictional citizen, Vietnamese data) for the CLI, docs and tests."""

from __future__ import annotations

import datetime as dt

from kiosk.devices.printer.layout import KINDS, Receipt
from kiosk.receipts import builders as b

OFFICE = "Bưu điện Trung tâm Hà Nội"
KIOSK_ID = "HN-BDTT-01"
WHEN = dt.datetime(2026, 11, 29, 14, 5)

DOSSIER = b.DossierInfo(
    code="000.00.15.H26-261129-0042",
    procedure_name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    procedure_code="2.000488",
    claim_code="K7QF-9X2M",  # the gateway's; whoever holds the receipt may pay and book delivery
    citizen_name="Nguyễn Thị Hồng Nhung",
    id_number="001234567889",
    documents=(
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        "Bản chụp Căn cước công dân",
        "Giấy ủy quyền có chứng thực",
    ),
    fee_vnd=200000,
    payment_status="paid",
    expected_date=dt.date(2026, 12, 9),
    delivery="post",
    result_address="Số 12 ngõ 34 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội",
)

PAYMENT = b.PaymentInfo(
    dossier_code=DOSSIER.code,
    payer_name=DOSSIER.citizen_name,
    items=(("Lệ phí cấp Phiếu lý lịch tư pháp", 200000), ("Cước chuyển phát kết quả", 25000)),
    method="vietqr",
    transaction_ref="FT26333829105",
    paid_at=dt.datetime(2026, 11, 29, 14, 3),
)

STATUS = b.StatusInfo(
    dossier_code="000.00.15.H26-261120-0007",
    procedure_name="Đăng ký khai sinh",
    status="supplement",
    updated_at=dt.datetime(2026, 11, 28, 16, 30),
    expected_date=dt.date(2026, 12, 2),
    history=(
        (dt.datetime(2026, 11, 20, 9, 15), "Tiếp nhận tại bưu điện"),
        (dt.datetime(2026, 11, 21, 10, 2), "Chuyển UBND phường Hoàn Kiếm"),
        (dt.datetime(2026, 11, 28, 16, 30), "Yêu cầu bổ sung giấy chứng sinh"),
    ),
    next_step="Nộp bản chính Giấy chứng sinh tại quầy số 3 trước ngày 02/12/2026.",
)

TICKET = b.TicketInfo(number="B027", service="Hướng dẫn thủ tục hành chính", waiting_ahead=4, counter="3")

DELIVERY = b.DeliverySlipInfo(
    dossier_code=DOSSIER.code, tracking_code="EB123456785VN", procedure_name=DOSSIER.procedure_name,
    recipient_name=DOSSIER.citizen_name, phone="0912345678", ward="Phường Hoàn Kiếm",
    province="Thành phố Hà Nội", fee_vnd=25000, estimated_days=2,
)

SELF_TEST_DEVICES = (
    {"kind": "card_reader", "state": "online", "media": "absent"},
    {"kind": "qr_source", "state": "online", "media": "n/a"},
    {"kind": "printer", "state": "online", "media": "paper-ok"},
    {"kind": "gateway", "state": "online", "media": "n/a"},
)


def sample(kind: str, lang: str = "vi", *, profile: str = "", paper_mm: int = 80,
           text_mode: str = "raster") -> Receipt:
    """The sample receipt of one kind (see layout.KINDS)."""
    common = dict(office=OFFICE, kiosk_id=KIOSK_ID, printed_at=WHEN, lang=lang)
    if kind == "dossier-receipt":
        return b.dossier_receipt(DOSSIER, **common)
    if kind == "payment-receipt":
        return b.payment_receipt(PAYMENT, **common)
    if kind == "status-slip":
        return b.status_slip(STATUS, **common)
    if kind == "ticket":
        return b.help_ticket(TICKET, **common)
    if kind == "delivery-slip":
        return b.delivery_slip(DELIVERY, **common)
    if kind == "self-test":
        return b.self_test(SELF_TEST_DEVICES, profile=profile, paper_mm=paper_mm, text_mode=text_mode, **common)
    raise ValueError(f"unknown receipt kind {kind!r}; expected one of {', '.join(KINDS)}")
