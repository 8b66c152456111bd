"""Every string printed on a receipt, one table per language.

Keys are stable; the lead will move these tables into gettext catalogs later.  Values may use
``str.format`` fields.  Keep both tables with the same keys (a test checks it).
"""

from __future__ import annotations

VI: dict[str, str] = {
    # shared
    "agency": "ĐIỂM DỊCH VỤ CÔNG TRỰC TUYẾN",
    "kiosk": "Ki-ốt",
    "printed_at": "In lúc",
    "dossier_code": "Mã hồ sơ",
    "procedure": "Thủ tục",
    "citizen": "Người nộp",
    "id_number": "Số định danh",
    "fee": "Lệ phí",
    "payment": "Thanh toán",
    "payment.paid": "Đã thanh toán",
    "payment.unpaid": "Chưa thanh toán",
    "payment.exempt": "Miễn phí",
    "money": "{amount} đồng",
    "keep_receipt": "Vui lòng giữ phiếu này đến khi nhận kết quả.",
    "thanks": "Xin cảm ơn!",
    # dossier receipt
    "dossier.title": "GIẤY TIẾP NHẬN HỒ SƠ",
    "documents": "Giấy tờ đã nhận",
    "expected_date": "Ngày hẹn trả",
    "result.pickup": "Nhận kết quả tại",
    "result.post": "Gửi kết quả đến",
    "lookup.title": "Tra cứu hồ sơ",
    "lookup.how": "Quét mã QR tại ki-ốt, hoặc nhập mã hồ sơ tại {site}, hoặc hỏi nhân viên bưu điện.",
    # payment receipt
    "payment.title": "BIÊN LAI THANH TOÁN",
    "payer": "Người nộp tiền",
    "item": "Khoản thu",
    "total": "Tổng cộng",
    "method": "Hình thức",
    "method.vietqr": "Chuyển khoản VietQR",
    "method.cash": "Tiền mặt",
    "method.card": "Thẻ ngân hàng",
    "transaction": "Mã giao dịch",
    "paid_at": "Thời gian",
    # status slip
    "status.title": "PHIẾU TRA CỨU HỒ SƠ",
    "status": "Trạng thái",
    "status.received": "Đã tiếp nhận",
    "status.processing": "Đang xử lý",
    "status.supplement": "Cần bổ sung giấy tờ",
    "status.done": "Đã có kết quả",
    "status.delivered": "Đã trả kết quả",
    "status.rejected": "Từ chối giải quyết",
    "updated_at": "Cập nhật",
    "history": "Quá trình xử lý",
    "next_step": "Việc cần làm",
    # help / queue ticket
    "ticket.title": "PHIẾU SỐ THỨ TỰ",
    "ticket.service": "Dịch vụ",
    "ticket.ahead": "Số người đang chờ trước bạn: {n}",
    "ticket.counter": "Mời đến quầy {counter} khi được gọi số.",
    "ticket.issued": "Lấy số lúc",
    # self-test
    "selftest.title": "TRANG KIỂM TRA MÁY IN",
    "selftest.profile": "Cấu hình máy in",
    "selftest.paper": "Khổ giấy",
    "selftest.mode": "Chế độ chữ",
    "selftest.devices": "Trạng thái thiết bị",
    "selftest.letters": "134 chữ cái tiếng Việt",
    "selftest.qr": "Mã QR kiểm tra (phải quét được)",
    "selftest.end": "Hết trang kiểm tra - dao cắt bên dưới",
}

EN: dict[str, str] = {
    "agency": "ONLINE PUBLIC SERVICE POINT",
    "kiosk": "Kiosk",
    "printed_at": "Printed",
    "dossier_code": "Dossier code",
    "procedure": "Procedure",
    "citizen": "Applicant",
    "id_number": "ID number",
    "fee": "Fee",
    "payment": "Payment",
    "payment.paid": "Paid",
    "payment.unpaid": "Not paid",
    "payment.exempt": "Exempt",
    "money": "{amount} VND",
    "keep_receipt": "Please keep this receipt until you receive the result.",
    "thanks": "Thank you!",
    "dossier.title": "DOSSIER RECEIPT",
    "documents": "Documents received",
    "expected_date": "Result expected",
    "result.pickup": "Collect result at",
    "result.post": "Result sent to",
    "lookup.title": "Look up your dossier",
    "lookup.how": "Scan the QR code at a kiosk, or enter the dossier code at {site}, or ask post-office staff.",
    "payment.title": "PAYMENT RECEIPT",
    "payer": "Paid by",
    "item": "Item",
    "total": "Total",
    "method": "Method",
    "method.vietqr": "VietQR transfer",
    "method.cash": "Cash",
    "method.card": "Bank card",
    "transaction": "Transaction",
    "paid_at": "Time",
    "status.title": "DOSSIER STATUS",
    "status": "Status",
    "status.received": "Received",
    "status.processing": "In progress",
    "status.supplement": "More documents needed",
    "status.done": "Result ready",
    "status.delivered": "Result delivered",
    "status.rejected": "Refused",
    "updated_at": "Updated",
    "history": "History",
    "next_step": "What to do next",
    "ticket.title": "QUEUE TICKET",
    "ticket.service": "Service",
    "ticket.ahead": "People waiting before you: {n}",
    "ticket.counter": "Please go to counter {counter} when your number is called.",
    "ticket.issued": "Issued",
    "selftest.title": "PRINTER SELF-TEST",
    "selftest.profile": "Printer profile",
    "selftest.paper": "Paper",
    "selftest.mode": "Text mode",
    "selftest.devices": "Device status",
    "selftest.letters": "The 134 Vietnamese letters",
    "selftest.qr": "Test QR code (must scan)",
    "selftest.end": "End of self-test - cutter below",
}

TABLES = {"vi": VI, "en": EN}


def table(lang: str) -> dict[str, str]:
    try:
        return TABLES[lang]
    except KeyError:
        raise ValueError(f"unknown receipt language {lang!r} (expected vi or en)") from None
