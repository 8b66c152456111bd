"""The gallery shows every dossier status (the one asking for more documents with what to do)
and every technician panel with its own check done; each state is reached by the real app."""

from __future__ import annotations

from kiosk.drive import STATES
from kiosk.drive.statuses import STATUS_SAMPLES, to_status_of
from kiosk.drive.technician import to_technician_card_test
from kiosk.gateway.models import DOSSIER_STATUSES
from kiosk.screens.technician import TABS
from tests.gateway.test_lookup import SAMPLES

NAMES = {name for name, _ in STATES}


def test_every_dossier_status_and_technician_panel_is_a_gallery_state():
    assert set(STATUS_SAMPLES) == set(DOSSIER_STATUSES)
    assert all(SAMPLES[code] == status for status, code in STATUS_SAMPLES.items())  # as the gateway seeds them
    assert {"lookup_status", "lookup_status-received", "lookup_status-additional", "lookup_status-ready",
            "lookup_status-delivered", "lookup_status-collected", "lookup_status-rejected"} <= NAMES
    panels = {"card": "technician", "camera": "technician-camera", "printer": "technician-printer",
              "gateway": "technician-gateway", "system": "technician-system"}
    assert set(panels) <= set(TABS) and set(panels.values()) | {"technician-card-test"} <= NAMES


def test_more_documents_needed_shows_what_to_do_with_the_status(app):
    drv = app
    to_status_of(drv, "supplement_requested")
    panel = drv.screen.status_panel
    said = [w.text for w in drv.walk(panel) if hasattr(w, "text")]
    assert "Cần bổ sung giấy tờ" in said
    todo = next(t for t in said if t.startswith("Cần mang thêm:"))
    assert "• bản chụp giấy tờ chứng minh nơi thường trú cũ" in todo and "Nộp tại: bưu điện" in todo
    assert "Hạn nộp: trước ngày " in todo
    assert not drv.layout_problems()  # the status with what to do, whole, without scrolling
    drv.app.set_language("en")
    drv.frames(3)
    said = [w.text for w in drv.walk(drv.screen.status_panel) if hasattr(w, "text")]
    assert any(t.startswith("Please bring:") and "By: " in t for t in said)
    assert not drv.layout_problems()


def test_other_statuses_show_no_request_for_documents(app):
    drv = app
    to_status_of(drv, "result_ready")
    said = [w.text for w in drv.walk(drv.screen.status_panel) if hasattr(w, "text")]
    assert "Đã có kết quả" in said
    assert not any(t.startswith("Cần mang thêm:") for t in said)


def test_technician_card_reader_test_read_state(app):
    drv = app
    try:
        to_technician_card_test(drv)
        assert drv.has_text("Kiểm tra đạt.") and drv.has_text("< SW 9000")
        assert not drv.layout_problems()
    finally:
        drv.app.core.devices.card_reader.remove_card()
        drv.app.core.technician_gate._failures = 0
