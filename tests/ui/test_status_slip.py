"""The look-up journey prints a status slip on the (decoding) simulated printer; a printer out
of paper tells the citizen where to collect it and keeps the slip for staff to reprint."""

from kiosk.drive import to_status


def test_status_slip_reaches_the_paper(app):
    drv = app
    printer = drv.app.core.devices.printer
    to_status(drv)
    code = drv.app.journeys.lookup.draft.dossier.code
    drv.tap(drv.screen.print_button)
    drv.wait_until(lambda: drv.screen.printed.parent is not None, 20, "the printed message")
    assert drv.has_text("Đã in xong.")
    paper = printer.last_paper()
    assert code in paper.qr_payloads  # the QR on paper decodes to the dossier code
    assert not paper.problems


def test_paper_out_says_where_to_collect_and_keeps_the_slip(app):
    drv = app
    printer = drv.app.core.devices.printer
    to_status(drv)
    failed_before = len(printer.reprint_store.failed())
    printer.faults.set_faults(paper_out=True)
    try:
        drv.tap(drv.screen.print_button)
        drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the paper-out message")
        assert drv.has_text("Máy in đã hết giấy.")
        assert drv.has_text("Mời bạn nhận phiếu tại quầy giao dịch")
        assert len(printer.reprint_store.failed()) == failed_before + 1
        assert printer.status.media.value == "paper-out"
    finally:
        printer.faults.clear_faults()
        printer.refresh()
