"""The driver against the simulated printer's fault switches, and against fake printers on a
TCP socket (127.0.0.1) and a pseudo-terminal that answer DLE EOT like real ones (or never)."""

from __future__ import annotations

import pytest
from printer_fakes import PtyFakePrinter, TcpFakePrinter

from kiosk import config
from kiosk.devices.base import DeviceKind, DeviceState, MediaState, StatusBoard
from kiosk.devices.printer import NEXT_COLLECT, PrinterError, build
from kiosk.devices.printer.decoder import decode
from kiosk.payloads import receipt_qr
from kiosk.receipts.samples import DOSSIER, sample

# the sample receipt's QR: its dossier code and claim code (the look-up reads both)
DOSSIER_QR = receipt_qr(DOSSIER.code, DOSSIER.claim_code)


def sim(**devices):
    board = StatusBoard()
    dev = build(config.defaults().replace(devices=dict(printer="simulated", **devices)), board)
    dev.open()
    return dev, board


def test_prints_and_last_paper_is_what_the_citizen_gets():
    dev, board = sim()
    assert dev.status.state == DeviceState.ONLINE and dev.status.media == MediaState.PAPER_OK
    result = dev.print_receipt(sample("dossier-receipt"))
    assert result.ok and result.confirmed and result.message_key == "printer.printed"
    paper = dev.last_paper()
    assert paper.qr_payloads == [DOSSIER_QR] and paper.scan_qr() == [DOSSIER_QR]
    assert paper.cuts == 1 and paper.problems == []
    assert board.get(DeviceKind.PRINTER).state == DeviceState.ONLINE
    assert dev.reprint_store.list()[0]["state"] == "printed"


@pytest.mark.parametrize("fault,key,media", [
    ("paper_out", "printer.paper_out", MediaState.PAPER_OUT),
    ("cover_open", "printer.cover_open", MediaState.COVER_OPEN),
    ("hardware_error", "printer.error", MediaState.PAPER_OK),
])
def test_refuses_before_printing_and_keeps_the_receipt(fault, key, media):
    dev, board = sim()
    dev.faults.set_faults(**{fault: True})
    result = dev.print_receipt(sample("dossier-receipt"))
    assert not result.ok
    assert result.message_key == key and result.next_step == NEXT_COLLECT
    assert dev.transport.last_job() == b""  # nothing was sent to a stopped printer
    assert board.get(DeviceKind.PRINTER).media == media
    assert board.get(DeviceKind.PRINTER).needs_technician or fault == "hardware_error"
    failed = dev.reprint_store.failed()
    assert [f["message_key"] for f in failed] == [key]
    assert "1 receipt(s) waiting for reprint" in board.get(DeviceKind.PRINTER).detail
    with pytest.raises(PrinterError) as err:
        result.raise_for_failure()
    assert err.value.message_key == key and err.value.next_step == NEXT_COLLECT
    # staff fix the printer and reprint
    dev.faults.clear_faults()
    again = dev.reprint_store.reprint(failed[0]["id"])
    assert again.ok and again.receipt_id == failed[0]["id"]
    assert dev.reprint_store.get(failed[0]["id"]).state == "reprinted"
    assert dev.last_paper().qr_payloads == [DOSSIER_QR]


def test_paper_runs_out_mid_receipt():
    dev, board = sim()
    receipt = sample("dossier-receipt")
    qr_at = dev.render(receipt).find(b"\x1d(k")
    assert qr_at > 1000
    dev.faults.set_faults(fail_after=qr_at - 500, fail_mode="paper_out")  # the roll ends before the QR
    result = dev.print_receipt(receipt)
    assert not result.ok and result.message_key == "printer.paper_out" and result.next_step == NEXT_COLLECT
    assert board.get(DeviceKind.PRINTER).media == MediaState.PAPER_OUT
    half = dev.last_paper()
    assert half.qr_payloads == [] and half.cuts == 0  # the citizen got a torn half receipt
    assert dev.reprint_store.failed()[0]["reference"] == DOSSIER.code


def test_link_lost_mid_receipt():
    dev, board = sim()
    dev.faults.set_faults(fail_after=3000, fail_mode="disconnect")
    result = dev.print_receipt(sample("payment-receipt"))
    assert not result.ok and result.message_key == "printer.failed" and result.next_step == NEXT_COLLECT
    assert board.get(DeviceKind.PRINTER).state == DeviceState.NO_DEVICE
    assert len(dev.reprint_store.failed()) == 1


def test_near_end_prints_but_shows_on_the_status():
    dev, board = sim()
    dev.faults.set_faults(paper_near_end=True)
    result = dev.print_receipt(sample("ticket"))
    assert result.ok and result.media == MediaState.PAPER_NEAR_END
    assert board.get(DeviceKind.PRINTER).media == MediaState.PAPER_NEAR_END
    assert board.get(DeviceKind.PRINTER).state == DeviceState.ONLINE


def test_no_answer_is_unknown_never_ok():
    dev, board = sim()
    dev.faults.set_faults(no_answer=True)
    status = dev.refresh()
    assert status.media == MediaState.UNKNOWN and status.state != DeviceState.ONLINE
    result = dev.print_receipt(sample("ticket"))
    assert result.ok and not result.confirmed
    assert result.message_key == "printer.unconfirmed" and result.media == MediaState.UNKNOWN
    assert dev.reprint_store.list()[-1]["state"] == "unconfirmed"


def test_reprint_store_keeps_recent_and_failed_without_personal_data():
    dev, _ = sim(printer_text_mode="raster")
    dev.reprint_store.keep = 3
    for _ in range(5):
        dev.print_receipt(sample("ticket"))
    dev.faults.set_faults(paper_out=True)
    dev.print_receipt(sample("dossier-receipt"))
    items = dev.reprint_store.list()
    assert [i["state"] for i in items].count("printed") == 3
    assert [i["state"] for i in items].count("failed") == 1
    text = repr(items)
    assert DOSSIER.citizen_name not in text and DOSSIER.id_number not in text


# -- fake printers on real links ----------------------------------------------------------------


@pytest.fixture
def tcp_printer():
    fake = TcpFakePrinter()
    yield fake
    fake.close()


def net_device(port):
    settings = config.defaults().replace(devices=dict(printer="network", printer_host="127.0.0.1", printer_port=port))
    dev = build(settings, StatusBoard())
    dev.open()
    return dev


def test_tcp_printer_status_and_print(tcp_printer):
    dev = net_device(tcp_printer.port)
    try:
        assert dev.status.state == DeviceState.ONLINE and dev.status.media == MediaState.PAPER_OK
        result = dev.print_receipt(sample("status-slip"))
        assert result.ok and result.confirmed
        paper = decode(bytes(tcp_printer.received), dev.profile)
        assert paper.problems == []
        assert paper.scan_qr() == ["000.00.15.H26-261120-0007"]
        assert set(tcp_printer.status_requests) == {1, 2, 3, 4}
        tcp_printer.near_end = True
        assert dev.refresh().media == MediaState.PAPER_NEAR_END
        tcp_printer.paper_out = True
        result = dev.print_receipt(sample("ticket"))
        assert not result.ok and result.message_key == "printer.paper_out"
        assert dev.status.media == MediaState.PAPER_OUT
    finally:
        dev.close()


def test_tcp_printer_cover_open(tcp_printer):
    tcp_printer.cover_open = True
    dev = net_device(tcp_printer.port)
    try:
        assert dev.status.media == MediaState.COVER_OPEN and dev.status.state == DeviceState.USER_ERROR
        assert dev.print_receipt(sample("ticket")).message_key == "printer.cover_open"
    finally:
        dev.close()


def test_tcp_printer_that_never_answers():
    fake = TcpFakePrinter(silent=True)
    dev = net_device(fake.port)
    try:
        assert dev.status.media == MediaState.UNKNOWN
        assert dev.status.state == DeviceState.OFFLINE and dev.status.last_error == "printer.no_answer"
        result = dev.print_receipt(sample("ticket"))
        assert result.ok and not result.confirmed and result.media == MediaState.UNKNOWN
    finally:
        dev.close()
        fake.close()


def test_no_printer_listening():
    fake = TcpFakePrinter()
    port = fake.port
    fake.close()
    dev = net_device(port)
    assert dev.status.state == DeviceState.NO_DEVICE
    result = dev.print_receipt(sample("ticket"))
    assert not result.ok and result.message_key == "printer.no_device" and result.next_step == NEXT_COLLECT


@pytest.mark.parametrize("silent", [False, True])
def test_serial_printer_on_a_pseudo_terminal(silent):
    fake = PtyFakePrinter(silent=silent)
    settings = config.defaults().replace(devices=dict(printer="serial", printer_serial_port=fake.path,
                                                      printer_serial_baud=115200))
    dev = build(settings, StatusBoard())
    try:
        dev.open()
        if silent:
            assert dev.status.media == MediaState.UNKNOWN and dev.status.state != DeviceState.ONLINE
        else:
            assert dev.status.media == MediaState.PAPER_OK and dev.status.state == DeviceState.ONLINE
        result = dev.print_receipt(sample("ticket"))
        assert result.ok and result.confirmed is (not silent)
        paper = decode(bytes(fake.received), dev.profile)
        assert paper.problems == [] and paper.cuts == 1
    finally:
        dev.close()
        fake.close()
