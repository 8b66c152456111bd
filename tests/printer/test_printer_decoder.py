"""The ESC/POS decoder on hand-made byte streams: commands, images, and what it must report."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices.printer import raster
from kiosk.devices.printer.decoder import decode
from kiosk.devices.printer.profile import load_profile
from kiosk.devices.printer.render import qr_native_bytes

PROF = load_profile("TM-T88V", 80)


def test_text_under_code_pages_and_styles():
    data = (b"\x1b@Hello\n" + b"\x1bt\x10caf\xe9\n"  # CP1252 at slot 16
            + b"\x1bt\x34Vi\xea\xd2t\n"  # CP1258: ê + hook above = ể
            + b"\x1bE\x01\x1d!\x11BIG\x1d!\x00\x1bE\x00\n")
    paper = decode(data, PROF)
    assert paper.lines == ["Hello", "café", "Việt".replace("ệ", "ể"), "BIG"]
    assert paper.problems == []


def test_line_wraps_when_full_and_combining_marks_share_a_cell():
    cols = PROF.dot_width // 12
    paper = decode(b"\x1bt\x34" + b"a" * (cols - 1) + b"y\xec" + b"b\n", PROF)  # ...ý then b
    assert paper.lines == ["a" * (cols - 1) + "ý", "b"]


@pytest.mark.parametrize("command", ["raster", "graphics", "column"])
def test_images_round_trip(command):
    rng = np.random.default_rng(5)
    ink = np.zeros((100, PROF.dot_width), dtype=bool)
    ink[10:40, :200] = rng.random((30, 200)) > 0.5
    ink[60:96, 8:300] = rng.random((36, 292)) > 0.7
    spacing = round(24 * PROF.motion_unit_y / PROF.dpi)  # ESC 3 is in motion units, not dots
    paper = decode(raster.encode_raster(ink, command, column_spacing=spacing), PROF)
    assert paper.problems == []
    got = paper.ink
    assert np.array_equal(got[:100], ink)
    assert not got[100:].any()


def test_raster_skips_blank_rows_and_trims_width():
    ink = np.zeros((300, PROF.dot_width), dtype=bool)
    ink[0:20, 0:40] = True
    ink[280:300, 0:16] = True
    data = raster.encode_raster(ink, "raster")
    # ink rows trimmed to 5 and 2 bytes, white rows 1 byte each: far below 300 rows x 64 bytes
    assert len(data) <= 20 * 5 + 20 * 2 + 260 + 8 * 8
    assert b"\x1bJ" not in data  # white space as white rows: ESC J units differ between models
    assert np.array_equal(decode(data, PROF).ink[:300], ink)


def test_native_qr_and_barcode_and_status_requests():
    data = qr_native_bytes("000.00.15.H26-261129-0042") + b"\x1dkI\x0b{BABC123456" + b"\x10\x04\x01\x10\x04\x04"
    paper = decode(data, PROF)
    assert paper.qr_payloads == ["000.00.15.H26-261129-0042"]
    assert paper.scan_qr() == ["000.00.15.H26-261129-0042"]
    assert paper.barcodes == [(73, "{BABC123456")]
    assert paper.status_requests == [1, 4]


def test_unknown_and_malformed_commands_are_reported():
    paper = decode(b"\x1b\xff\x1d\xfe\x07ok\n\x1dv0\x00\x10\x00\x05\x00abc", PROF)
    text = " | ".join(paper.problems)
    assert "unknown command ESC 0xFF" in text
    assert "unknown command GS 0xFE" in text
    assert "unknown control byte 0x07" in text
    assert "cut short" in text
    assert paper.lines == ["ok"]


def test_code_page_missing_from_profile_and_undefined_bytes_are_reported():
    paper = decode(b"\x1bt\x63abc\n\x1bt\x1e\x80\n", PROF)  # slot 99 absent; 0x80 undefined in TCVN-3-1
    assert any("ESC t 99" in p for p in paper.problems)
    assert any("undefined" in p for p in paper.problems)


def test_unprinted_text_at_end_is_reported():
    paper = decode(b"no newline", PROF)
    assert any("not printed" in p for p in paper.problems)


def test_graphics_print_without_store_is_reported():
    paper = decode(b"\x1d(L\x02\x00\x30\x32", PROF)
    assert any("empty buffer" in p for p in paper.problems)
