"""``kiosk printer ...`` and ``kiosk bench printer`` through the real entry point."""

from __future__ import annotations

import json

import pytest

from kiosk.__main__ import main
from kiosk.payloads import receipt_qr
from kiosk.receipts.samples import DOSSIER

# the sample receipt's QR: its dossier code and claim code (the look-up reads both)
DOSSIER_QR = receipt_qr(DOSSIER.code, DOSSIER.claim_code)


@pytest.fixture(autouse=True)
def ini(tmp_path, monkeypatch):
    """A kiosk.ini with defaults only, whatever the shipped one says about the printer."""
    path = tmp_path / "kiosk.ini"
    path.write_text("[kiosk]\nkiosk_id = CLI-TEST\n", encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    return path


def test_sample_then_decode(tmp_path, capsys):
    out, png = tmp_path / "r.bin", tmp_path / "r.png"
    assert main(["printer", "sample", "dossier-receipt", "--out", str(out), "--png", str(png),
                 "--profile", "TM-T88V", "--lang", "vi"]) == 0
    assert out.stat().st_size > 1000 and png.stat().st_size > 1000
    capsys.readouterr()
    assert main(["printer", "decode", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["qr_payloads"] == [DOSSIER_QR] and info["qr_scanned"] == [DOSSIER_QR]
    assert info["problems"] == [] and info["cuts"] == 1


def test_codepage_sample_decodes_to_vietnamese_text(tmp_path, capsys):
    out = tmp_path / "r.bin"
    assert main(["printer", "sample", "ticket", "--out", str(out), "--text-mode", "codepage",
                 "--profile", "CT-S651"]) == 0
    capsys.readouterr()
    assert main(["printer", "decode", str(out), "--profile", "CT-S651"]) == 0
    text = capsys.readouterr().out
    assert "PHIẾU SỐ THỨ TỰ" in text and "Hướng dẫn thủ tục hành chính" in text


def test_decode_reports_garbage(tmp_path, capsys):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x1b\xffhello\n\x1dv0\x00\x40\x00\x40\x00")
    assert main(["printer", "decode", str(bad)]) == 1
    assert "PROBLEM" in capsys.readouterr().out


def test_status_and_self_test_on_the_simulated_printer(tmp_path, capsys):
    assert main(["printer", "status", "--simulated", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["state"] == "online" and status["media"] == "paper-ok" and status["simulated"]
    png = tmp_path / "t.png"
    assert main(["printer", "test", "--simulated", "--png", str(png)]) == 0
    assert "printer.printed" in capsys.readouterr().out and png.exists()


def test_unknown_profile_is_refused(tmp_path, capsys):
    assert main(["printer", "sample", "ticket", "--out", str(tmp_path / "x.bin"), "--profile", "NOPE"]) == 2
    assert "unknown printer profile" in capsys.readouterr().err


def test_bench_prints_a_table(capsys):
    assert main(["bench", "printer", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "dossier-receipt" in out and "codepage" in out and "serial 115200" in out


def test_simulated_faults_from_the_command_line(capsys):
    assert main(["printer", "status", "--simulated", "--fault", "paper_out", "--json"]) == 1
    status = json.loads(capsys.readouterr().out)
    assert status["media"] == "paper-out" and status["needs_technician"]
    assert main(["printer", "status", "--simulated", "--fault", "no_answer"]) == 1
    assert "paper unknown" in capsys.readouterr().out
    assert main(["printer", "test", "--simulated", "--fault", "cover_open"]) == 1
    out = capsys.readouterr().out
    assert "printer.cover_open" in out and "next.collect_at_counter" in out
