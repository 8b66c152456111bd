"""Every sample receipt, rendered and decoded back: what a citizen would read on paper."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import numpy as np
import pytest
from printer_helpers import collapse, line_on_paper

from kiosk.devices.printer.decoder import decode
from kiosk.devices.printer.profile import load_profile
from kiosk.devices.printer.render import render
from kiosk.payloads import receipt_qr
from kiosk.receipts import KINDS, Receipt, Text, dossier_receipt, render_preview, strings, vietnamese_letters
from kiosk.receipts.samples import DOSSIER, KIOSK_ID, OFFICE, WHEN, sample
from kiosk.text import fold

# the sample receipt's QR: its dossier code and claim code (the look-up reads both)
DOSSIER_QR = receipt_qr(DOSSIER.code, DOSSIER.claim_code)


LANGS = ("vi", "en")


def expected_strings(receipt: Receipt) -> list[str]:
    return [s for s in receipt.texts() if s.strip()]


@pytest.mark.parametrize("lang,profile,paper_mm", [("vi", "TM-T88V", 80), ("en", "TM-T88V", 80),
                                                  ("vi", "TM-T20II", 80), ("vi", "NT-5890K", 58)])
@pytest.mark.parametrize("kind", KINDS)
def test_raster_receipt_reads_exactly(kind, lang, profile, paper_mm):
    prof = load_profile(profile, paper_mm)
    receipt = sample(kind, lang)
    out = render(receipt, prof, "raster")
    paper = decode(out.data, prof)
    assert paper.problems == []
    assert paper.cuts == 1
    assert paper.lines == []  # raster mode sends no text as text
    # every string of the layout was drawn, word for word, in order
    drawn = collapse(" ".join(line for line, _ in out.drawn))
    pos = 0
    for s in expected_strings(receipt):
        at = drawn.find(collapse(s), pos)
        assert at >= 0, f"{s!r} not drawn (in order)"
        pos = at
    # and each drawn line is on the decoded paper, pixel for pixel, as a fresh rendering
    ink = paper.ink
    for line, style in out.drawn:
        assert line_on_paper(ink, line, style), f"line not found on paper: {line!r}"
    # QR: the native command carries the payload (where the profile has one) and the
    # picture scans to the same text
    assert paper.qr_payloads == (receipt.qr_payloads() if prof.qr_native else [])
    assert paper.scan_qr() == receipt.qr_payloads()


def test_dossier_receipt_shows_what_the_citizen_needs():
    receipt = sample("dossier-receipt", "vi")
    texts = receipt.texts()
    joined = "\n".join(texts)
    assert "0012******89" in texts
    assert DOSSIER.id_number not in joined  # never the full ID on paper
    for must in (DOSSIER.code, DOSSIER.citizen_name, "Giấy ủy quyền có chứng thực", "200.000 đồng",
                 "Đã thanh toán", "09/12/2026", OFFICE, KIOSK_ID, "14:05 29/11/2026", "dichvucong.gov.vn"):
        assert must in joined, must
    assert receipt.qr_payloads() == [DOSSIER_QR]  # the code and the claim code: the look-up reads both
    assert receipt.reference == DOSSIER.code


@pytest.mark.parametrize("profile,paper", [("TM-T88V", 80), ("CT-S651", 80), ("NT-5890K", 58)])
@pytest.mark.parametrize("kind", KINDS)
def test_codepage_receipt_text_lines_are_exact(kind, profile, paper):
    prof = load_profile(profile, paper)
    receipt = sample(kind, "vi")
    out = render(receipt, prof, "codepage")
    assert out.text_mode == "codepage"
    assert out.fallbacks == 0
    paper_ = decode(out.data, prof)
    assert paper_.problems == []
    assert not any("?" in line or "\ufffd" in line for line in paper_.lines)
    printed = collapse(" ".join(paper_.lines))
    for s in expected_strings(receipt):
        assert collapse(s) in printed, s
    # QR: native where the profile has it, else an image; either way it scans
    if prof.qr_native:
        assert paper_.qr_payloads == receipt.qr_payloads()
    else:
        assert paper_.qr_payloads == []
    assert paper_.scan_qr() == receipt.qr_payloads()


def test_codepage_mode_refused_without_a_vietnamese_code_page():
    prof = load_profile("TM-T88III", 80)
    assert prof.codepage_text is None
    out = render(sample("ticket", "vi"), prof, "codepage")
    assert out.text_mode == "raster"
    assert decode(out.data, prof).lines == []


def test_codepage_text_that_cannot_be_carried_falls_back_to_raster():
    prof = load_profile("TM-T88V", 80)
    receipt = Receipt("ticket", "vi", (Text("Hà Nội"), Text("Trung Quốc 中国")))
    out = render(receipt, prof, "codepage")
    assert out.fallbacks == 1
    paper = decode(out.data, prof)
    assert paper.lines == ["Hà Nội"]
    assert [line for line, _ in out.drawn] == ["Trung Quốc 中国"]


@pytest.mark.parametrize("profile", ["TM-T88V", "CT-S651", "NT-5890K"])
def test_all_134_letters_round_trip_in_code_page(profile):
    from kiosk.devices.printer import codepage

    prof = load_profile(profile, 80)
    letters = "".join(vietnamese_letters())
    data = codepage.encode(letters, prof)
    assert data is not None
    paper = decode(data + b"\n", prof)
    assert "".join(paper.lines) == letters


def test_cp1258_uses_decomposed_tone_marks():
    from kiosk.devices.printer import codepage

    prof = load_profile("TM-T88V", 80)
    data = codepage.encode("ễ", prof)
    assert data == b"\x1bt\x34" + bytes([0xEA, 0xDE])  # ê + combining tilde


def test_134_letters():
    letters = vietnamese_letters()
    assert len(letters) == len(set(letters)) == 134
    assert all(len(ch) == 1 and not ch.isascii() and unicodedata.is_normalized("NFC", ch) for ch in letters)
    assert sum(ch.islower() for ch in letters) == 67


def test_self_test_page_prints_every_letter_exactly():
    prof = load_profile("TM-T88V", 80)
    receipt = sample("self-test", "vi")
    out = render(receipt, prof, "raster")
    drawn = " ".join(line for line, _ in out.drawn)
    for ch in vietnamese_letters():
        assert ch in drawn
    ink = decode(out.data, prof).ink
    for ch in vietnamese_letters():  # each glyph, alone, is somewhere on the paper
        assert line_on_paper(ink, ch, "body"), ch


def test_receipt_strings_come_from_the_catalogs_with_the_same_keys():
    vi, en = strings.labels("vi"), strings.labels("en")
    assert set(vi) == set(en) and len(vi) > 60
    assert vi["dossier.title"] == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" and en["dossier.title"] == "DOSSIER RECEIPT"
    from kiosk import i18n

    assert i18n.text("receipt.money", "vi") == vi["money"] == "{amount} đồng"
    with pytest.raises(KeyError):
        vi["no.such.label"]
    assert vi.get("payment.nonsense", "x") == "x"
    with pytest.raises(ValueError):
        strings.labels("fr")


def test_documents_with_pages_and_the_provisional_note():
    data = dict(code="K-PROV-0001", procedure_name="Đăng ký khai sinh", citizen_name="Lê Văn A",
                id_number="079123456789", documents=[("Tờ khai", 2), "Bản chụp CCCD"], provisional=True)
    vi = dossier_receipt(data, office=OFFICE, kiosk_id=KIOSK_ID, printed_at=WHEN, lang="vi")
    texts = vi.texts()
    assert "1. Tờ khai (2 trang)" in texts and "2. Bản chụp CCCD" in texts
    at = texts.index("K-PROV-0001")
    assert texts[at + 1] == "MÃ TẠM - hồ sơ sẽ tự động gửi đi khi có kết nối"
    en = dossier_receipt(data, office=OFFICE, kiosk_id=KIOSK_ID, printed_at=WHEN, lang="en")
    assert "1. Tờ khai (pages: 2)" in en.texts()
    assert en.texts()[en.texts().index("K-PROV-0001") + 1].startswith("PROVISIONAL")
    final = dossier_receipt(dict(data, provisional=False), office=OFFICE, kiosk_id=KIOSK_ID, printed_at=WHEN)
    assert not any(t.startswith("MÃ TẠM") for t in final.texts())


def test_builders_accept_dicts_and_refuse_unknown_keys():
    data = dict(code="ABC-123456", procedure_name="Đăng ký khai sinh", citizen_name="Lê Văn A",
                id_number="079123456789")
    r = dossier_receipt(data, office=OFFICE, kiosk_id=KIOSK_ID, printed_at=WHEN, lang="en")
    assert "0791******89" in r.texts()
    assert "Dossier code" in r.texts()
    with pytest.raises(TypeError):
        dossier_receipt(dict(data, nickname="x"), office=OFFICE, kiosk_id=KIOSK_ID)


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_render_preview_is_the_decoded_paper(paper_mm):
    img = render_preview(sample("ticket", "vi"), paper_mm=paper_mm)
    assert img.width == (384 if paper_mm == 58 else 512)
    assert (np.array(img) < 128).sum() > 1000


def test_58mm_image_qr_on_profile_without_native_qr():
    prof = load_profile("NT-5890K", 58)
    assert not prof.qr_native
    receipt = sample("dossier-receipt", "vi")
    out = render(receipt, prof, "raster")
    paper = decode(out.data, prof)
    assert paper.problems == []
    assert paper.qr_payloads == []
    assert paper.scan_qr() == [DOSSIER_QR]
    ink = paper.ink
    for line, style in out.drawn:
        assert line_on_paper(ink, line, style)


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract-ocr not installed")
def test_ocr_reads_the_vietnamese_on_the_dossier_receipt(tmp_path):
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if "vie" not in langs:
        pytest.skip("tesseract-ocr-vie not installed")
    img = render_preview(sample("dossier-receipt", "vi"))
    big = img.resize((img.width * 2, img.height * 2))
    path = tmp_path / "r.png"
    big.save(path)
    text = subprocess.run(["tesseract", str(path), "-", "-l", "vie", "--psm", "4"],
                          capture_output=True, text=True, timeout=60).stdout
    text = unicodedata.normalize("NFC", text)
    # OCR is not exact: demand the key words with their diacritics, allowing a few misses
    words = ["GIẤY", "TIẾP", "NHẬN", "HỒ", "SƠ", "Nguyễn", "Thị", "Hồng", "Nhung", "Phiếu", "lịch",
             "pháp", "thanh", "toán", "đồng", "phường", "Hoàn", "Kiếm"]
    found = [w for w in words if w in text]
    assert len(found) >= len(words) - 3, (found, text)
    assert fold("Nguyễn Thị Hồng Nhung") in fold(text)


@pytest.mark.parametrize("command", ["graphics", "column"])
def test_other_image_commands_carry_the_same_receipt(command):
    import dataclasses

    prof = dataclasses.replace(load_profile("TM-T20II", 80), image_command=command, qr_native=False)
    receipt = sample("dossier-receipt", "vi")
    out = render(receipt, prof, "raster")
    paper = decode(out.data, prof)
    assert paper.problems == []
    ink = paper.ink
    for line, style in out.drawn:
        assert line_on_paper(ink, line, style), line
    assert paper.scan_qr() == receipt.qr_payloads()


def test_tcvn3_switches_pages_for_mixed_case():
    from kiosk import config
    from kiosk.devices.printer import build

    dev = build(config.defaults().replace(devices=dict(printer="simulated", printer_profile="CT-S651",
                                                       printer_text_mode="codepage")))
    dev.open()
    assert dev.text_mode == "codepage" and dev.profile.codepage_text == "TCVN-3"
    assert dev.print_receipt(sample("ticket", "vi")).ok
    paper = dev.last_paper()
    assert paper.problems == []
    assert "PHIẾU SỐ THỨ TỰ" in paper.lines and "B027" in " ".join(paper.lines)


def test_build_falls_back_to_raster_without_a_vietnamese_code_page():
    from kiosk import config
    from kiosk.devices.printer import build

    dev = build(config.defaults().replace(devices=dict(printer="simulated", printer_profile="TM-T88III",
                                                       printer_text_mode="codepage")))
    assert dev.text_mode == "raster"
    dev.open()
    assert dev.print_receipt(sample("ticket", "vi")).ok
    assert dev.last_paper().lines == []
