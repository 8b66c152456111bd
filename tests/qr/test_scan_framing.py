"""Framing of scanner byte streams and duplicate suppression (shared by every source)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2

from kiosk.devices.qr.scan import Deduper, Framer, Scan
from kiosk.devices.qr.simulated import make_code_image


def test_framer_cuts_at_silence_and_strips_one_terminator():
    f = Framer(gap=0.1)
    assert f.feed(b"HS-2026-", 0.0) == []
    assert f.feed(b"000123\r\n", 0.05) == []
    assert f.poll(0.1) == []
    assert f.poll(0.2) == ["HS-2026-000123"]
    assert f.poll(0.5) == []
    assert f.feed(b"A\r\n\r\n", 1.0) == [] and f.poll(1.2) == ["A\r\n"]  # only one terminator goes


def test_framer_prefix_suffix_aim_and_tab():
    f = Framer(prefix=b"PFX", suffix=b"SFX", gap=0.1)
    f.feed(b"PFX]Q1HS-2026-000123SFX\t", 0.0)
    assert f.poll(1.0) == ["HS-2026-000123"]
    g = Framer(gap=0.1, strip_aim=False)
    g.feed(b"]Q1ABC\r", 0.0)
    assert g.poll(1.0) == ["]Q1ABC"]


def test_framer_next_scan_after_a_pause_closes_the_previous_one():
    f = Framer(gap=0.1)
    f.feed(b"FIRST-001\r", 0.0)
    assert f.feed(b"SECOND-002\r", 0.5) == ["FIRST-001"]
    assert f.flush() == ["SECOND-002"]


def test_framer_overflow_and_bad_utf8():
    f = Framer(gap=0.1, max_bytes=10)
    f.feed(b"0123456789ABCDEF", 0.0)
    assert f.poll(1.0) == [] and f.discarded == 1
    f.feed(b"\xff\xfeHS\r", 2.0)
    assert f.poll(3.0) == ["\ufffd\ufffdHS"]  # parse_payload then refuses it


def test_deduper_sliding_window():
    now = [0.0]
    d = Deduper(3.0, clock=lambda: now[0])
    assert d.accept("A")
    now[0] = 2.0
    assert not d.accept("A")  # still in view
    now[0] = 4.5
    assert not d.accept("A")  # the window slides with each sighting
    now[0] = 8.0
    assert d.accept("A")
    assert d.accept("B")


def test_scan_repr_hides_the_payload():
    s = Scan("001234567889|...|Nguyễn Văn An", "zxing", None, "camera")
    assert "Nguyễn" not in repr(s) and "0012" not in repr(s)


def test_cli_watch_prints_scans_and_masks_id_cards(tmp_path):
    id_qr = "001234567889|123456789|Nguyễn Văn An|01011990|Nam|Hà Nội|15062021"
    folder = tmp_path / "codes"
    folder.mkdir()
    cv2.imwrite(str(folder / "1.png"), make_code_image("HS-2026-000123", 6))
    cv2.imwrite(str(folder / "2.png"), make_code_image(id_qr, 6))
    ini = tmp_path / "kiosk.ini"
    ini.write_text(f"[kiosk]\nkiosk_id = T1\n[devices]\nqr_source = camera\nqr_simulated_images = {folder}\n",
                   encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(ini), "qr", "watch", "--source", "simulated", "--seconds", "3"],
        capture_output=True, cwd=Path(__file__).resolve().parents[2], timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")
    rows = [json.loads(line) for line in out.splitlines()]
    kinds = {r["parsed"]["kind"] for r in rows}
    assert kinds == {"dossier", "id_card"}, out
    dossier = next(r for r in rows if r["parsed"]["kind"] == "dossier")
    assert dossier["payload"] == "HS-2026-000123" and dossier["parsed"]["code"] == "HS-2026-000123"
    assert "Nguyễn" not in out and "001234567889" not in out
