"""DG2: the ISO/IEC 19794-5 face image (JPEG or JPEG 2000), decoded for the UI."""

from __future__ import annotations

import io
from dataclasses import dataclass

from kiosk import imagelimits

from . import ber
from .errors import CardDataError

JPEG = "jpeg"
JPEG2000 = "jpeg2000"
MAX_PIXELS = imagelimits.MAX_FACE_PIXELS  # 16 megapixels: a CCCD face is about 0.3


@dataclass(frozen=True)
class FaceRecord:
    image_type: str  # jpeg / jpeg2000
    width: int  # as declared in the record
    height: int
    data: bytes


def _image_type(data: bytes, declared: int | None) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return JPEG
    if data[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or data[:4] == b"\xff\x4f\xff\x51":
        return JPEG2000
    if declared == 0:
        return JPEG
    if declared == 1:
        return JPEG2000
    raise CardDataError("face image is neither JPEG nor JPEG 2000")


def parse_face_block(block: bytes) -> FaceRecord:
    """The 5F2E biometric data block: 'FAC\\0' record with one facial image."""
    if len(block) < 14 or block[:4] != b"FAC\x00":
        raise CardDataError("face record header missing")
    record_len = int.from_bytes(block[8:12], "big")
    if record_len > len(block) + 16:
        raise CardDataError("face record longer than its block")
    count = int.from_bytes(block[12:14], "big")
    if count < 1:
        raise CardDataError("face record holds no image")
    pos = 14
    if pos + 20 > len(block):
        raise CardDataError("facial information truncated")
    features = int.from_bytes(block[pos + 4 : pos + 6], "big")
    pos += 20 + 8 * features
    if pos + 12 > len(block):
        raise CardDataError("image information truncated")
    data_type = block[pos + 1]
    width = int.from_bytes(block[pos + 2 : pos + 4], "big")
    height = int.from_bytes(block[pos + 4 : pos + 6], "big")
    pos += 12
    data = block[pos:]
    if not data:
        raise CardDataError("face image empty")
    return FaceRecord(_image_type(data, data_type), width, height, bytes(data))


def parse_dg2(data: bytes) -> FaceRecord:
    top = ber.parse(data)
    if top.tag != 0x75:
        raise CardDataError("DG2 does not start with tag 75")
    group = top.need(0x7F61)
    bit = group.find(0x7F60)
    if bit is None:
        raise CardDataError("DG2 holds no biometric template")
    block = bit.find(0x5F2E) or bit.find(0x7F2E)
    if block is None:
        raise CardDataError("DG2 holds no biometric data block")
    return parse_face_block(block.value)


def build_face_block(image: bytes, width: int, height: int, jpeg2000: bool) -> bytes:
    facial = (
        (20).to_bytes(4, "big") + b"\x00\x00" + b"\x00" + b"\x00" + b"\x00" + b"\x00\x00\x00"
        + b"\x00\x00" + b"\x00\x00\x00" + b"\x00\x00\x00"
    )
    info = bytes([1, 1 if jpeg2000 else 0]) + width.to_bytes(2, "big") + height.to_bytes(2, "big")
    info += bytes([1, 2]) + b"\x00\x00" + b"\x00\x00"
    body = facial + info + image
    total = 14 + len(body)
    return b"FAC\x00" + b"010\x00" + total.to_bytes(4, "big") + (1).to_bytes(2, "big") + body


def build_dg2(image: bytes, width: int, height: int, jpeg2000: bool = False) -> bytes:
    header = ber.tlv(0xA1, ber.tlv(0x80, b"\x01\x01") + ber.tlv(0x87, b"\x01\x01") + ber.tlv(0x88, b"\x00\x08"))
    bit = ber.tlv(0x7F60, header + ber.tlv(0x5F2E, build_face_block(image, width, height, jpeg2000)))
    return ber.tlv(0x75, ber.tlv(0x7F61, ber.tlv(0x02, b"\x01") + bit))


@dataclass
class DecodedFace:
    width: int
    height: int
    rgb: bytes  # width*height*3, top row first
    png: bytes  # the same picture as PNG (Kivy's CoreImage can load it from memory)


class FaceTooLargeError(CardDataError):
    """The face picture declares more pixels than ``MAX_PIXELS``: refused before any decoder runs
    (the citizen is told what any unreadable card data tells them: ``card.bad-data``)."""


def check_face(record: FaceRecord) -> None:
    """Read the face's dimensions from its JPEG / JPEG 2000 header and refuse it before decoding
    when it is larger than ``MAX_PIXELS`` (a few hundred bytes can declare gigapixels) or its
    size cannot be read at all."""
    try:
        imagelimits.check_image(record.data, MAX_PIXELS, what="face image")
    except imagelimits.ImageTooLarge as exc:
        raise FaceTooLargeError(exc.detail) from None
    except imagelimits.ImageRefused as exc:
        raise CardDataError(f"face image cannot be decoded ({exc.detail})") from None


def decode_face(record: FaceRecord) -> DecodedFace:
    """Decode with Pillow (JPEG 2000 needs openjpeg); OpenCV as fallback.  The size is checked
    from the header first (``check_face``): no decoder ever sees a picture over the limit."""
    check_face(record)
    img = None
    try:
        from PIL import Image

        with Image.open(io.BytesIO(record.data)) as src:
            if src.width * src.height > MAX_PIXELS:  # what Pillow read must agree with the header
                raise FaceTooLargeError(f"face image too large: {src.width}x{src.height}")
            img = src.convert("RGB")
    except CardDataError:
        raise
    except Exception:
        img = None
    if img is None:
        try:
            import cv2
            import numpy as np
            from PIL import Image

            arr = cv2.imdecode(np.frombuffer(record.data, np.uint8), cv2.IMREAD_COLOR)
            if arr is None:
                raise CardDataError("face image cannot be decoded")
            img = Image.fromarray(arr[:, :, ::-1].copy())
        except CardDataError:
            raise
        except Exception as exc:
            raise CardDataError(f"face image cannot be decoded ({type(exc).__name__})") from None
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1)
    return DecodedFace(img.width, img.height, img.tobytes(), out.getvalue())
