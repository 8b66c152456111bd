"""Diagnostics the technician screen uses: card test read with a redacted APDU log, camera
rates, printer checks, log tail and bundle without personal data."""

from __future__ import annotations

import json
import logging

import pytest

from kiosk import config, diagnostics
from kiosk.devices.base import DeviceState, MediaState
from kiosk.devices.registry import build_devices


@pytest.fixture
def kit(tmp_path):
    from tests.conftest import ROOT

    settings = config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(tmp_path / "data")})
    devices = build_devices(settings, simulated=True)
    devices.open_all()
    yield settings, devices
    devices.close_all()


def test_card_test_read_selects_the_id_application_and_redacts_data(kit):
    settings, devices = kit
    reader = devices.card_reader
    no_card = diagnostics.card_test_read(reader)
    assert not no_card["ok"] and "NoCardError" in no_card["error"]
    reader.place_card()
    result = diagnostics.card_test_read(reader)
    assert result["ok"] and result["select_sw"] == "9000" and result["atr"]
    assert result["apdu_log"][0] == "> 00 A4 04 0C Lc=7 [7 data bytes redacted]"
    assert result["apdu_log"][1] == "< SW 9000"
    assert "A0000002471001" not in json.dumps(result)
    readers = diagnostics.card_readers(reader)
    assert readers[0]["card_present"] is True
    assert diagnostics.card_report(reader)["atr"] == result["atr"]


def test_apdu_log_never_shows_data_bytes():
    log = diagnostics.ApduLog()
    log.command(bytes.fromhex("0CB0000000") + b"")
    log.command(bytes.fromhex("00B000000A04303031323334"))
    log.response(bytes.fromhex("3031323334353637383990 00".replace(" ", "")))
    text = "\n".join(log.lines)
    assert "3031" not in text and "redacted" in text and "SW 9000" in text


def test_camera_rates_on_the_simulated_camera(kit):
    settings, devices = kit
    qr = devices.qr_source
    qr.start(lambda scan: None)
    try:
        report = diagnostics.camera_report(qr, seconds=1.0)
    finally:
        qr.stop()
    assert report["camera"] and report["fps"] > 0 and report["decode_rate"] > 0
    assert report["avg_decode_ms"] is not None


def test_printer_status_test_page_and_cut(kit):
    settings, devices = kit
    printer = devices.printer
    report = diagnostics.printer_report(printer)
    assert report["paper"] == "paper-ok" and report["sensor"]
    page = diagnostics.printer_test_page(printer, settings, devices.board.all())
    assert page["ok"] and page["bytes"] > 1000
    paper = printer.last_paper()
    assert any("KIOSK-SELFTEST" in p for p in paper.qr_payloads)
    assert diagnostics.printer_cut(printer)["ok"]
    printer.faults.set_faults(paper_out=True)
    out = diagnostics.printer_report(printer)
    assert out["paper"] == MediaState.PAPER_OUT.value and out["status"]["needs_technician"]


def test_log_tail_is_neutral_and_masked(kit, tmp_path):
    from kiosk import logs

    settings, _ = kit
    logs.setup(settings.data_dir)
    logger = logging.getLogger("kiosk.test")
    logger.warning("card read failed", extra={"kind": "NoCardError", "holder": "Nguyễn Văn A"})
    # a record written by something that did not mask (e.g. a crash dump) is masked again
    with open(settings.data_dir / "logs" / "kiosk.log", "a", encoding="utf-8") as f:
        f.write(json.dumps({"t": "x", "level": "error", "logger": "kiosk.x", "event": "id 001234567889"}) + "\n")
    tail = diagnostics.log_tail(settings, 10)
    root = logging.getLogger("kiosk")
    for h in list(root.handlers):
        if getattr(h, "_kiosk_handler", False):
            root.removeHandler(h)
            h.close()
    text = json.dumps(tail, ensure_ascii=False)
    assert "card read failed" in text and "NoCardError" in text
    assert "Nguyễn" not in text and "001234567889" not in text and "0012******89" in text


def test_bundle_has_no_personal_data_and_refuses_it(kit, tmp_path):
    from kiosk.audit import AuditLog

    settings, devices = kit
    audit = AuditLog.from_settings(settings)
    audit.record("technician.enter", "ok", "technician")
    folder = diagnostics.export_bundle(tmp_path / "usb", settings, devices, audit=audit)
    names = {p.name for p in folder.iterdir()}
    assert {"devices.json", "system.json", "config.json", "log-tail.json", "audit-verify.json", "README.txt"} <= names
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["staff"]["pin_hash"] == "<set>"
    assert "scrypt$" not in "".join(p.read_text() for p in folder.iterdir())
    assert json.loads((folder / "audit-verify.json").read_text())["ok"] is True
    with pytest.raises(diagnostics.PersonalDataFound):
        diagnostics.export_bundle(tmp_path / "usb2", settings, devices, extra={"x.json": {"note": "001234567889"}})
    assert not (tmp_path / "usb2").exists() or not any((tmp_path / "usb2").iterdir())
    # hex values such as an ATR are not ID numbers
    diagnostics.export_bundle(tmp_path / "usb3", settings, devices,
                              extra={"x.json": {"atr": "3B8F800180A000000306030F"}})  # 12 digits between hex letters


def test_system_report_and_switch_to_simulation(kit):
    settings, devices = kit
    report = diagnostics.system_report(settings)
    assert report["disk_free_bytes"] > 0 and report["version"]
    driver = devices.switch(devices.card_reader.kind, simulated=True)
    assert driver.simulated and driver.status.state is DeviceState.ONLINE
