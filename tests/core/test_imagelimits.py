"""Bounded decoding: image dimensions are read from the header and refused above the limit
before any decoder runs, in the card's DG2 face path (JPEG and JPEG 2000), in the image loader
behind ``kiosk qr decode`` and the simulated camera, and in the command itself.

Each bomb is made here: a PNG of 12000×12000 zero pixels (18 KB compressed), a real JPEG and a
real JPEG 2000 whose frame header is patched to 12000×12000.  A decoder given one of them
allocates the whole bitmap (about 430 MB in colour); the memory checks run the path in a child
process and compare its peak (``ru_maxrss``) with the same path given a small image."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from kiosk import imagelimits
from kiosk.devices.cardreader.dg2 import FaceRecord, FaceTooLargeError, decode_face
from kiosk.devices.qr.decode import DecodeError, ImageTooLargeError, load_image

ROOT = Path(__file__).resolve().parents[2]
SIDE = 12000
HEADROOM_MB = 120  # a refused bomb may cost this much more than a small image; a decoded one costs ~430 MB


def png_bomb(side: int = SIDE) -> bytes:
    """A 1-bit grayscale PNG of side×side zero pixels: every row filter 0, all zeros."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" * (1 + (side + 7) // 8)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row * side, 9))
            + chunk(b"IEND", b""))


def small_jpeg(side: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (120, 80, 40)).save(out, "JPEG", quality=80)
    return out.getvalue()


def jpeg_bomb(side: int = SIDE) -> bytes:
    """A real JPEG whose SOF0 declares side×side (the scan data is the small picture's)."""
    data = bytearray(small_jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", side, side)
    return bytes(data)


def small_jp2(side: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (40, 80, 120)).save(out, "JPEG2000")
    return out.getvalue()


def jp2_bomb(side: int = SIDE) -> bytes:
    """A real JPEG 2000 file whose ``ihdr`` box and codestream SIZ both declare side×side."""
    data = bytearray(small_jp2())
    ihdr = data.index(b"ihdr")
    data[ihdr + 4: ihdr + 12] = struct.pack(">II", side, side)
    siz = data.index(b"\xff\x4f\xff\x51")
    data[siz + 8: siz + 16] = struct.pack(">II", side, side)
    return bytes(data)


def dims(data: bytes) -> tuple[int, int]:
    size = imagelimits.image_size(data)
    return size.width, size.height


def run_child(code: str) -> tuple[dict, int]:
    """Run ``code`` in a fresh interpreter; what it printed as JSON and its peak RSS in MB."""
    prelude = "import json, resource, sys\n"
    epilogue = "\nprint('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    proc = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code) + epilogue], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "OPENCV_LOG_LEVEL": "OFF"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    rss = int(lines[-1].split()[1]) // 1024
    return json.loads(lines[-2]), rss


# --------------------------------------------------------------------------- the header reader

def test_header_sizes_match_what_pillow_reads():
    for name in ("face-minh-khai.jpg", "face-van-hung.jp2"):
        raw = (ROOT / "assets/cards" / name).read_bytes()
        with Image.open(io.BytesIO(raw)) as im:
            assert dims(raw) == im.size, name
    assert dims(png_bomb(300)) == (300, 300)
    assert dims(jpeg_bomb(5000)) == (5000, 5000) and imagelimits.image_size(jpeg_bomb()).format == "jpeg"
    assert dims(jp2_bomb(7000)) == (7000, 7000)
    jp2 = jp2_bomb(7000)
    codestream = jp2[jp2.index(b"\xff\x4f\xff\x51"):]
    assert dims(codestream) == (7000, 7000) and imagelimits.image_size(codestream).format == "j2k"
    webp = io.BytesIO()
    Image.new("RGB", (33, 21)).save(webp, "WEBP")
    assert dims(webp.getvalue()) == (33, 21)


@pytest.mark.parametrize("make", [png_bomb, jpeg_bomb, jp2_bomb], ids=["png", "jpeg", "jpeg2000"])
def test_every_bomb_is_refused_by_its_header(make):
    with pytest.raises(imagelimits.ImageTooLarge) as err:
        imagelimits.check_image(make(), imagelimits.MAX_IMAGE_PIXELS)
    assert (err.value.width, err.value.height) == (SIDE, SIDE)


def test_an_image_whose_size_cannot_be_read_is_refused_too():
    for junk in (b"", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\x89PNG\r\n\x1a\n\x00\x00", b"not an image at all"):
        with pytest.raises(imagelimits.ImageHeaderError):
            imagelimits.check_image(junk)
    with pytest.raises(imagelimits.ImageHeaderError):
        imagelimits.check_pixels(0, 10)
    with pytest.raises(imagelimits.ImageTooLarge):  # a sliver: small area, absurd side
        imagelimits.check_pixels(imagelimits.MAX_SIDE + 1, 1)
    imagelimits.check_pixels(6000, 4000)  # a 24 MP photograph passes


# --------------------------------------------------------------------------- the card's DG2 face

@pytest.mark.parametrize("kind", ["jpeg", "jpeg2000"])
def test_dg2_face_bomb_is_refused_before_decoding(kind):
    bomb = jpeg_bomb() if kind == "jpeg" else jp2_bomb()
    with pytest.raises(FaceTooLargeError) as err:
        decode_face(FaceRecord(kind, 480, 640, bomb))
    assert err.value.message_key == "card.bad-data"


@pytest.mark.parametrize("kind", ["jpeg", "jpeg2000"])
def test_dg2_face_bomb_costs_no_big_allocation(kind):
    small = "small_jpeg" if kind == "jpeg" else "small_jp2"
    bomb = "jpeg_bomb" if kind == "jpeg" else "jp2_bomb"
    template = """
    from tests.core.test_imagelimits import {make}
    from kiosk.devices.cardreader.dg2 import FaceRecord, decode_face
    from kiosk.devices.cardreader.errors import CardDataError
    try:
        face = decode_face(FaceRecord("{kind}", 64, 64, {make}()))
        print(json.dumps({{"decoded": [face.width, face.height]}}))
    except CardDataError as exc:
        print(json.dumps({{"refused": type(exc).__name__}}))
    """
    base, base_mb = run_child(template.format(make=small, kind=kind))
    out, mb = run_child(template.format(make=bomb, kind=kind))
    assert base == {"decoded": [64, 64]}
    assert out == {"refused": "FaceTooLargeError"}
    assert mb < base_mb + HEADROOM_MB, f"peak {mb} MB against {base_mb} MB for a small face"


# --------------------------------------------------------------------------- image files

@pytest.mark.parametrize("make,suffix", [(png_bomb, ".png"), (jpeg_bomb, ".jpg")], ids=["png", "jpeg"])
def test_image_loader_refuses_a_bomb(tmp_path, make, suffix):
    path = tmp_path / f"bomb{suffix}"
    path.write_bytes(make())
    with pytest.raises(ImageTooLargeError):
        load_image(path)
    assert issubclass(ImageTooLargeError, DecodeError)  # what every caller already handles


def test_simulated_camera_refuses_a_bomb_as_its_picture(tmp_path):
    from kiosk.devices.base import DeviceState
    from kiosk.devices.qr.simulated import SimulatedQrSource

    path = tmp_path / "bomb.png"
    path.write_bytes(png_bomb())
    source = SimulatedQrSource(images=str(path))
    assert source.status.state == DeviceState.NO_DEVICE
    assert "too large" in source.status.last_error
    with pytest.raises(ImageTooLargeError):
        SimulatedQrSource().show_image(path)


def test_qr_decode_command_refuses_a_png_bomb_without_a_big_allocation(tmp_path):
    bomb, small = tmp_path / "bomb.png", tmp_path / "small.png"
    bomb.write_bytes(png_bomb())
    small.write_bytes(png_bomb(200))
    template = """
    import contextlib, io
    from kiosk.__main__ import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["qr", "decode", "--json", {path!r}])
    print(json.dumps({{"status": status, "out": json.loads(out.getvalue())}}))
    """
    base, base_mb = run_child(template.format(path=str(small)))
    got, mb = run_child(template.format(path=str(bomb)))
    assert base["status"] == 0 and base["out"]["payloads"] == []
    assert got["status"] == 1 and "too large" in got["out"]["error"]
    assert mb < base_mb + HEADROOM_MB, f"peak {mb} MB against {base_mb} MB for a small image"
