"""Technician mode driven through the real app: hidden 3 s corner + PIN, diagnostics of every
device, switching to the simulated twin, the bundle, the self-test page, exit; audit entries."""

from __future__ import annotations

import json

import pytest

from kiosk import drive as S
from kiosk.audit import verify
from kiosk.devices.base import DeviceKind, DeviceState
from kiosk.roles import Role


@pytest.fixture
def tech(app):
    core = app.app.core
    core.technician_gate._failures, core.technician_gate._locked_until = 0, 0.0
    yield app
    core.technician_gate._failures, core.technician_gate._locked_until = 0, 0.0
    core.devices.printer.faults and core.devices.printer.faults.clear_faults()


def actions(drv, since=0):
    return [(e["action"], e["outcome"]) for e in list(drv.app.audit.entries())[since:]]


def wait_idle(drv):
    drv.wait_until(lambda: drv.app.t("staff.working") not in drv.texts(), 20, "the check to finish")


def test_short_touch_does_nothing_and_wrong_pin_is_refused(tech):
    drv = tech
    drv.tap(drv.app.technician_corner)  # a short touch: nothing hidden opens
    assert drv.app.current in ("attract", "menu")
    S.to_attract(drv)
    S.long_press(drv, drv.app.technician_corner)
    assert drv.has_text("Mã PIN kỹ thuật viên")
    S.type_pin(drv, S.STAFF_PIN)  # the staff PIN is not the technician's
    assert drv.app.current == "pin" and drv.has_text("Mã PIN không đúng.")
    drv.tap(drv.screen.cancel)
    drv.wait_until(lambda: drv.app.current == "attract", what="attract")


def test_entry_wipes_the_citizen_and_card_reader_diagnostics(tech):
    drv = tech
    start = len(list(drv.app.audit.entries()))
    S.to_lookup_typed(drv)
    drv.app.journeys.lookup.draft.code = S.SAMPLE_DOSSIER
    S.long_press(drv, drv.app.technician_corner)
    S.type_pin(drv, S.TECHNICIAN_PIN)
    drv.wait_until(lambda: drv.app.current == "technician", what="technician panel")
    assert not drv.app.core.session.holds_data() and drv.app.core.session.role is Role.TECHNICIAN
    assert drv.has_text("Ô đọc thẻ") and drv.has_text("Simulated CCCD reader")
    drv.app.core.devices.card_reader.place_card()
    drv.frames(3)
    S.tap_in_panel(drv, drv.screen.test_read_button)
    drv.wait_until(lambda: drv.has_text("Kiểm tra đạt."), 20, "the test read")
    assert drv.has_text("> 00 A4 04 0C Lc=7 [7 data bytes redacted]") and drv.has_text("< SW 9000")
    assert not drv.layout_problems()
    drv.app.core.devices.card_reader.remove_card()
    assert ("technician.enter", "ok") in actions(drv, start)


def enter_technician(drv, tab="card"):
    S.to_technician(drv, tab)
    wait_idle(drv)


def test_printer_paper_sensor_test_page_and_cut(tech):
    drv = tech
    enter_technician(drv, "printer")
    printer = drv.app.core.devices.printer
    printer.faults.set_faults(paper_out=True)
    S.tap_in_panel(drv, drv.screen.printer_check_button)
    wait_idle(drv)
    assert drv.has_text(drv.app.t("tech.media.paper-out"))  # in words, the last error too
    assert drv.has_text("Máy in đã hết giấy.") and not drv.has_text("printer.paper_out")
    printer.faults.clear_faults()
    S.tap_in_panel(drv, drv.screen.test_page_button)
    drv.wait_until(lambda: drv.has_text("Đã in trang tự kiểm tra."), 30, "the self-test page")
    assert any("KIOSK-SELFTEST" in p for p in printer.last_paper().qr_payloads)
    S.tap_in_panel(drv, drv.screen.cut_button)
    drv.wait_until(lambda: drv.has_text("Đã cắt giấy."), 20, "the cut")
    assert not drv.layout_problems()


def test_camera_preview_and_rates(tech):
    drv = tech
    enter_technician(drv, "camera")
    drv.wait_until(lambda: drv.screen.preview_image is not None and drv.screen.preview_image.texture is not None
                   and drv.screen.preview_image.texture.size[0] == 480, 15, "a live preview frame")
    S.tap_in_panel(drv, drv.screen.measure_button)
    drv.wait_until(lambda: any("khung/giây" in t for t in drv.texts()), 20, "the rates")
    assert drv.screen.results["camera"]["fps"] > 0
    drv.tap(drv.screen.tab_buttons["system"])
    drv.frames(3)
    assert not drv.app.core.devices.qr_source.running  # the camera rests once its tab is left


def test_gateway_system_and_bundle(tech, tmp_path):
    drv = tech
    enter_technician(drv, "gateway")
    S.tap_in_panel(drv, drv.screen.gateway_button)
    drv.wait_until(lambda: drv.has_text("Kết nối được cổng dịch vụ."), 20, "the gateway check")
    assert any(t.startswith("Độ trễ:") for t in drv.texts()) and drv.has_text("Không dùng TLS")
    drv.tap(drv.screen.tab_buttons["system"])
    drv.frames(3)
    assert any(t.startswith("Phiên bản") for t in drv.texts())
    assert any(t.startswith("Ổ đĩa còn trống") for t in drv.texts())
    assert not drv.layout_problems()
    drv.tap(drv.screen.tab_buttons["actions"])
    drv.frames(3)
    start = len(list(drv.app.audit.entries()))
    S.tap_in_panel(drv, drv.screen.bundle_buttons[-1])  # the data folder (no USB stick in CI)
    drv.wait_until(lambda: any(t.startswith("Đã lưu:") for t in drv.texts()) or drv.screen.message.parent is not None,
                   30, "the bundle")
    assert drv.screen.message.parent is None, drv.screen.message_text.text
    folder = drv.screen.results["bundle"]["folder"]
    from pathlib import Path

    files = {p.name: p.read_text(encoding="utf-8") for p in Path(folder).iterdir()}
    assert "devices.json" in files and json.loads(files["gateway.json"])["reachable"] is True
    assert "scrypt$" not in "".join(files.values())
    assert ("diagnostics.export", "ok") in actions(drv, start)


def test_switch_to_the_simulated_twin_isolates_a_fault(tech):
    drv = tech
    enter_technician(drv, "card")
    start = len(list(drv.app.audit.entries()))
    S.tap_in_panel(drv, drv.screen.switch_buttons["card_reader"])  # simulated → the real PC/SC reader
    drv.wait_until(lambda: not drv.app.core.devices.card_reader.simulated, 20, "the real reader")
    wait_idle(drv)
    assert drv.has_text("thiết bị thật")
    S.tap_in_panel(drv, drv.screen.switch_buttons["card_reader"])  # and back to the simulated twin
    drv.wait_until(lambda: drv.app.core.devices.card_reader.simulated, 20, "the simulated reader")
    wait_idle(drv)
    assert drv.app.core.board.get(DeviceKind.CARD_READER).state is DeviceState.ONLINE
    assert actions(drv, start) == [("device.switch", "real"), ("device.switch", "simulated")]


def test_exit_kiosk_and_leave(tech):
    drv = tech
    enter_technician(drv, "actions")
    exits = []
    real_exit = drv.app.staff._exit_kiosk
    drv.app.staff._exit_kiosk = lambda: exits.append(1)  # the shared test app must keep running
    try:
        drv.tap(drv.screen.exit_button)
        assert exits == [] and drv.app.confirm_dialog.name == "confirm_exit"  # it asks first
        drv.tap(drv.app.confirm_dialog.go)
    finally:
        drv.app.staff._exit_kiosk = real_exit
    assert exits == [1]
    enter_technician(drv, "card")
    drv.tap(drv.screen.leave_button)
    drv.wait_until(lambda: drv.app.current == "attract", what="attract")
    assert drv.app.core.session.role is Role.CITIZEN
    got = [a for a, _ in actions(drv)]
    assert "kiosk.exit" in got and "technician.leave" in got
    assert verify(drv.app.audit.folder).ok
