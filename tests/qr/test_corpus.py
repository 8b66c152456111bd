"""The real-photo corpus as a test: floors taken from `kiosk bench qr` (counts, never timings).

Measured (kiosk bench qr, zxing-cpp 3.1.1, pyzbar 0.1.9, OpenCV 5.0): zxing 125/137,
pyzbar 95/137, opencv 50/137, cascade 131/137; no false positive for any of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.bench.qr import corpus_items
from kiosk.devices.qr.decode import decode_image, load_image

FLOORS = {"auto": 131, "zxing": 125, "pyzbar": 95, "opencv": 48}


@pytest.fixture(scope="module")
def loaded(corpus):
    positives, negatives = corpus_items(corpus)
    assert len(positives) == 137 and len(negatives) == 46
    images = {p: load_image(p) for p, _ in positives}
    images.update({p: load_image(p) for p in negatives})
    return positives, negatives, images


_SCORES: dict = {}


def _score(name, positives, negatives, images):
    if name not in _SCORES:
        _SCORES[name] = _measure(name, positives, negatives, images)
    return _SCORES[name]


def _measure(name, positives, negatives, images):
    ok = sum(1 for p, exp in positives if exp in [d.text for d in decode_image(images[p], name)])
    fp = [p.name for p in negatives if decode_image(images[p], name)]
    return ok, fp


@pytest.mark.parametrize("name", ["auto", "zxing", "pyzbar", "opencv"])
def test_decoder_floor_and_no_false_positive(loaded, name):
    ok, fp = _score(name, *loaded)
    assert ok >= FLOORS[name], f"{name} decoded {ok}/137, floor {FLOORS[name]}"
    assert fp == [], f"{name} reported codes in no-QR images: {fp}"


def test_cascade_beats_every_single_decoder(loaded):
    auto, _ = _score("auto", *loaded)
    for name in ("zxing", "pyzbar", "opencv"):
        single, _ = _score(name, *loaded)
        assert auto > single
    assert auto >= 125


def test_several_codes_in_one_image_are_all_reported():
    import numpy as np

    from kiosk.devices.qr.simulated import make_code_image

    a, b, c = (make_code_image(t, 5) for t in ("HS-2026-000001", "HS-2026-000002", "HS-2026-000003"))
    canvas = np.full((400, 1000), 255, np.uint8)
    for i, img in enumerate((a, b, c)):
        canvas[20 : 20 + img.shape[0], 20 + i * 320 : 20 + i * 320 + img.shape[1]] = img
    texts = sorted(d.text for d in decode_image(canvas))
    assert texts == ["HS-2026-000001", "HS-2026-000002", "HS-2026-000003"]
    for d in decode_image(canvas):
        assert len(d.points) == 4


def test_cli_decode_json_is_byte_exact(corpus):
    crlf = sorted(p for p in corpus.glob("qrcode-1/*.txt") if b"\r\n" in p.read_bytes())
    assert crlf, "the corpus has payloads with CR LF"
    txt = crlf[0]
    image = next(p for p in txt.parent.iterdir() if p.stem == txt.stem and p.suffix != ".txt")
    control = corpus / "qrcode-2" / "33.png"  # payload starts with SOH DLE
    empty = corpus / "falsepositives-1" / "1x1.webp"
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "qr", "decode", "--json", str(image), str(control), str(empty)],
        capture_output=True, check=True, cwd=Path(__file__).resolve().parents[2],
    ).stdout.decode("utf-8")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in rows] == [str(image), str(control), str(empty)]
    assert rows[0]["payloads"] == [txt.read_bytes().decode("utf-8")]
    assert "\r\n" in rows[0]["payloads"][0]
    assert rows[1]["payloads"] == [(corpus / "qrcode-2" / "33.txt").read_bytes().decode("utf-8")]
    assert rows[2]["payloads"] == [] and rows[2]["decoder"] is None
    assert all(isinstance(r["ms"], float) for r in rows)
    assert rows[0]["decoder"].startswith("zxing")


def test_cli_decode_single_decoder_and_unreadable_file(corpus, tmp_path):
    junk = tmp_path / "not-an-image.png"
    junk.write_bytes(b"\x89PNG garbage")
    image = corpus / "qrcode-4" / "08.webp"  # only pyzbar reads this one
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "qr", "decode", "--json", "--decoder", "pyzbar", str(image), str(junk)],
        capture_output=True, cwd=Path(__file__).resolve().parents[2],
    )
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert proc.returncode == 1
    assert rows[0]["decoder"] == "pyzbar"
    assert rows[0]["payloads"] == [(corpus / "qrcode-4" / "08.txt").read_text(encoding="utf-8")]
    assert "error" in rows[1]
