"""Image dimensions from the header, checked before any decoder runs.

A few hundred bytes can declare a picture of billions of pixels (a JPEG whose SOF says
65535×65535, a PNG of zeros that deflates to gigabytes): whatever decodes it first allocates
the whole bitmap.  Every path that decodes an image the kiosk did not make itself — the chip's
DG2 face, an image file given to ``kiosk qr decode``, the simulated camera's pictures, a video
file or camera used as a QR source — first calls ``check_image`` (bytes or a path) or
``check_pixels`` (dimensions a device reports), and decodes only what passed.

The header is read by hand for the formats that matter (JPEG SOFn, PNG IHDR, JPEG 2000 ``ihdr``
box or codestream SIZ); anything else is opened lazily with Pillow, which reads the header and
decodes nothing until asked.  An image whose size cannot be read is refused too
(``ImageHeaderError``): a decoder must never be the first to find out.

Limits (pixels = width × height):

- ``MAX_FACE_PIXELS`` = 16 megapixels (4000×4000): a CCCD face is about 0.3 MP;
- ``MAX_IMAGE_PIXELS`` = 25 megapixels (6000×4000 and a bit): any photo of a QR code a phone
  or a document camera makes; decoding one costs at most about 100 MB (BGR + gray);
- ``MAX_SIDE`` = 20000 pixels on either side, whatever the area;
- ``MAX_FILE_BYTES`` = 64 MiB for an image file.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

MAX_FACE_PIXELS = 4000 * 4000
MAX_IMAGE_PIXELS = 25_000_000
MAX_SIDE = 20000
MAX_FILE_BYTES = 64 << 20  # an image file larger than this is refused unread

_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageRefused(ValueError):
    """An image refused before decoding.  ``reason``: "too-large" or "unreadable-header"."""

    reason = "refused"

    def __init__(self, detail: str, width: int = 0, height: int = 0, limit: int = 0):
        super().__init__(detail)
        self.detail = detail
        self.width, self.height, self.limit = width, height, limit


class ImageTooLarge(ImageRefused):
    reason = "too-large"


class ImageHeaderError(ImageRefused):
    reason = "unreadable-header"


@dataclass(frozen=True)
class ImageSize:
    width: int
    height: int
    format: str  # jpeg / png / jpeg2000 / j2k / what Pillow calls it

    @property
    def pixels(self) -> int:
        return self.width * self.height


# --------------------------------------------------------------------------- headers by hand

def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2: pos + 4])
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if pos + 9 > n:
                return None
            height, width = struct.unpack(">HH", data[pos + 5: pos + 9])
            return width, height
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            return None
        pos += 2 + length
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _j2k_size(data: bytes, start: int = 0) -> tuple[int, int] | None:
    """JPEG 2000 codestream: SOC (FF4F) then SIZ (FF51): Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz."""
    if data[start: start + 4] != b"\xff\x4f\xff\x51" or len(data) < start + 24:
        return None
    xsiz, ysiz, xo, yo = struct.unpack(">IIII", data[start + 8: start + 24])
    return max(0, xsiz - xo), max(0, ysiz - yo)


def _jp2_size(data: bytes) -> tuple[int, int] | None:
    """JP2 file: boxes; the image header box ``ihdr`` (inside ``jp2h``) gives HEIGHT, WIDTH."""
    pos = 0
    n = len(data)
    ends = [n]
    while pos + 8 <= ends[-1]:
        length, box = struct.unpack(">I4s", data[pos: pos + 8])
        header = 8
        if length == 1:
            if pos + 16 > n:
                return None
            (length,) = struct.unpack(">Q", data[pos + 8: pos + 16])
            header = 16
        elif length == 0:
            length = ends[-1] - pos
        if length < header:
            return None
        if box == b"jp2h":  # a super box: look inside
            ends.append(min(n, pos + length))
            pos += header
            continue
        if box == b"ihdr":
            if pos + header + 8 > n:
                return None
            height, width = struct.unpack(">II", data[pos + header: pos + header + 8])
            return width, height
        if box == b"jp2c":
            return _j2k_size(data, pos + header)
        pos += length
    return None


def _pillow_size(data: bytes) -> tuple[int, int, str] | None:
    import warnings

    try:
        from PIL import Image
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's own bomb warning: the check is ours
        try:
            with Image.open(io.BytesIO(data)) as im:  # reads the header, decodes nothing
                return im.width, im.height, (im.format or "image").lower()
        except Image.DecompressionBombError as exc:  # over twice Pillow's own limit
            raise ImageTooLarge(f"image too large ({exc})") from None
        except Exception:  # noqa: BLE001 - not an image Pillow knows
            return None


def image_size(data: bytes) -> ImageSize:
    """The dimensions the image's header declares (``data``: the file's first bytes are enough
    for JPEG, PNG and JPEG 2000; the whole file for other formats)."""
    size: tuple[int, int] | None = None
    fmt = ""
    if data[:3] == b"\xff\xd8\xff":
        fmt, size = "jpeg", _jpeg_size(data)
    elif data[:8] == _PNG_SIGNATURE:
        fmt, size = "png", _png_size(data)
    elif data[:12] == _JP2_SIGNATURE:
        fmt, size = "jpeg2000", _jp2_size(data)
    elif data[:4] == b"\xff\x4f\xff\x51":
        fmt, size = "j2k", _j2k_size(data)
    else:
        found = _pillow_size(data)
        if found is not None:
            fmt, size = found[2], found[:2]
    if size is None:
        raise ImageHeaderError(f"image size unreadable from its header ({fmt or 'unknown format'})")
    return ImageSize(size[0], size[1], fmt)


def check_pixels(width: int, height: int, max_pixels: int = MAX_IMAGE_PIXELS, what: str = "image") -> None:
    """Refuse (``ImageTooLarge``) dimensions over the limit, or empty ones (``ImageHeaderError``)."""
    if width <= 0 or height <= 0:
        raise ImageHeaderError(f"{what} declares no pixels ({width}x{height})", width, height, max_pixels)
    if width * height > max_pixels or max(width, height) > MAX_SIDE:
        raise ImageTooLarge(f"{what} too large: {width}x{height} pixels, limit {max_pixels} pixels "
                            f"and {MAX_SIDE} per side", width, height, max_pixels)


def check_image(source: bytes | bytearray | memoryview | str | Path, max_pixels: int = MAX_IMAGE_PIXELS,
                what: str = "image") -> ImageSize:
    """Read the dimensions from the header of ``source`` (bytes, or a file's path) and refuse it
    above ``max_pixels``; the size when it may be decoded.  Raises ``ImageRefused`` subclasses
    (and ``OSError`` for a file that cannot be read)."""
    data = read_image_file(source, what) if isinstance(source, (str, Path)) else bytes(source)
    size = image_size(data)
    check_pixels(size.width, size.height, max_pixels, what)
    return size


def read_image_file(path: str | Path, what: str = "image") -> bytes:
    """The bytes of an image file, refused (``ImageTooLarge``) above ``MAX_FILE_BYTES`` unread.
    Check and decode these same bytes: a file that changes in between is never decoded unchecked."""
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLarge(f"{what} file larger than {MAX_FILE_BYTES >> 20} MiB")
    return data
