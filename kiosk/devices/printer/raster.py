"""Text to a 1-bit raster with the bundled font, and raster to compact ESC/POS.

Arrays are numpy bool, True = a black dot.  ``encode_raster`` cuts the raster into images
trimmed to their rightmost ink byte, choosing the cuts that minimise the byte count; white
space costs one byte per row (see ``_segments``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kiosk.config import PROJECT_ROOT

FONT_DIR = PROJECT_ROOT / "assets" / "fonts"
REGULAR = "DejaVuSansCondensed.ttf"
BOLD = "DejaVuSansCondensed-Bold.ttf"
MONO = "DejaVuSansMono.ttf"

# style -> (font file, pixel size); sizes chosen for 203 dpi (8 dots/mm): body ≈ 2.6 mm em
STYLES = {
    "small": (REGULAR, 19),
    "body": (REGULAR, 21),
    "bold": (BOLD, 21),
    "large": (BOLD, 26),
    "title": (BOLD, 28),
}
_STACKED = "ẤỖỂẶỀỴỰẸ"  # letters with marks stacked above a capital / below the baseline


@cache
def font_file(name: str) -> str:
    return str(FONT_DIR / name)


@dataclass(frozen=True)
class Face:
    font: ImageFont.FreeTypeFont
    top_pad: int  # room above the ascent for stacked marks
    height: int  # line box height in dots

    def width(self, text: str) -> int:
        return int(np.ceil(self.font.getlength(text)))


@cache
def face(style: str) -> Face:
    name, size = STYLES[style]
    font = ImageFont.truetype(font_file(name), size)
    ascent, descent = font.getmetrics()
    top = font.getbbox(_STACKED, anchor="ls")[1]  # negative: above the baseline
    bottom = font.getbbox(_STACKED + "gjpqy", anchor="ls")[3]
    top_pad = max(0, -top - ascent) + 1
    height = top_pad + ascent + max(descent, bottom) + 2
    return Face(font, top_pad, height)


def wrap(text: str, style: str, width: int) -> list[str]:
    """Greedy word wrap to ``width`` dots; words longer than a line are cut."""
    f = face(style)
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            cand = f"{line} {word}" if line else word
            if f.width(cand) <= width:
                line = cand
                continue
            if line:
                lines.append(line)
            while f.width(word) > width:
                cut = len(word)
                while cut > 1 and f.width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def draw_line(img: Image.Image, x: int, y: int, text: str, style: str) -> None:
    """Draw one line whose line box starts at row ``y`` (ink = 1 on a mode "1" image)."""
    f = face(style)
    ImageDraw.Draw(img).text((x, y + f.top_pad), text, font=f.font, fill=1, anchor="la")


def text_bitmap(text: str, style: str) -> np.ndarray:
    """The ink of ``text`` alone, cropped to its bounding box (tests compare against this)."""
    f = face(style)
    img = Image.new("1", (f.width(text) + 8, f.height), 0)
    draw_line(img, 0, 0, text, style)
    arr = np.array(img, dtype=bool)
    ys, xs = np.nonzero(arr)
    if len(ys) == 0:
        return arr[:0, :0]
    return arr[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]


# ---------------------------------------------------------------------------------------------
# raster -> ESC/POS


def _row_widths(packed: np.ndarray) -> np.ndarray:
    """Bytes needed per row: index of the last non-zero byte + 1 (0 for a blank row)."""
    nz = packed != 0
    any_ink = nz.any(axis=1)
    last = packed.shape[1] - np.argmax(nz[:, ::-1], axis=1)
    return np.where(any_ink, last, 0)


def _segments(widths: np.ndarray, header: int, max_rows: int) -> list[tuple[int, int, int]]:
    """Cut rows into (start, end, width) images of minimal total size.

    A blank row costs at least one byte in some image: vertical white space is sent as white
    raster rows, never as ESC J feeds, whose unit (GS P) differs between printers (1/360 inch
    on TM-T88 models, one dot on most 203-dpi printers).  Long blank runs become one narrow
    image (1 byte per row).
    """
    w = np.maximum(widths, 1)
    n = len(w)
    best = [0] * (n + 1)
    choice = [0] * (n + 1)
    wl = w.tolist()
    for j in range(1, n + 1):
        top = 1 << 60
        arg = j - 1
        m = 0
        lo = max(0, j - max_rows)
        for i in range(j - 1, lo - 1, -1):
            if wl[i] > m:
                m = wl[i]
            cost = best[i] + header + (j - i) * m
            if cost < top:
                top = cost
                arg = i
        best[j] = top
        choice[j] = arg
    out = []
    j = n
    while j > 0:
        i = choice[j]
        out.append((i, j, int(w[i:j].max())))
        j = i
    return out[::-1]


def feed_lines(lines: int) -> bytes:
    """ESC d: feed whole lines (1/6 inch each after ESC 2 on every printer)."""
    return b"\x1b2\x1bd" + bytes([max(0, min(lines, 255))])


def encode_raster(ink: np.ndarray, command: str = "raster", trim: bool = True, column_spacing: int = 24) -> bytes:
    """ESC/POS for a bool array (rows x dots).

    Each image is trimmed to its rightmost ink byte and the cuts between images are chosen to
    minimise bytes (``trim=False`` keeps the full width, for images the printer centres).
    ``column_spacing``: ESC 3 value giving 24 dots (for ESC * stripes) in the printer's
    vertical motion unit.
    """
    if ink.size == 0:
        return b""
    height, width = ink.shape
    if width % 8:
        ink = np.pad(ink, ((0, 0), (0, 8 - width % 8)))
    if command == "column":
        return _encode_columns(ink, column_spacing)
    packed = np.packbits(ink, axis=1)
    widths = _row_widths(packed)
    if not trim:
        widths = np.full_like(widths, packed.shape[1])
    header = 8 if command == "raster" else 22
    out = bytearray()
    # long blank runs split the work: the DP then runs on short stretches (fast)
    y = 0
    while y < height:
        start = y
        blank = 0
        while y < height:
            blank = blank + 1 if widths[y] == 0 else 0
            y += 1
            if blank >= 16 and y - start > 64:
                break
        for a, b, w in _segments(widths[start:y], header, 96):
            out += _image_command(packed[start + a: start + b, :w], command)
    return bytes(out)


def _image_command(rows: np.ndarray, command: str) -> bytes:
    h, wb = rows.shape
    data = rows.tobytes()
    if command == "raster":  # GS v 0 m xL xH yL yH d1..dk
        return b"\x1dv0\x00" + bytes([wb & 255, wb >> 8, h & 255, h >> 8]) + data
    # GS ( L fn 112: store raster graphics, then fn 50: print the buffer
    p = 10 + len(data)
    dots = wb * 8
    store = b"\x1d(L" + bytes([p & 255, p >> 8, 48, 112, 48, 1, 1, 49, dots & 255, dots >> 8, h & 255, h >> 8])
    return store + data + b"\x1d(L\x02\x000\x32"


def _encode_columns(ink: np.ndarray, spacing: int = 24) -> bytes:
    """ESC * 33 (24-dot double density) stripes, each followed by LF at 24-dot spacing."""
    height, width = ink.shape
    pad = (-height) % 24
    if pad:
        ink = np.pad(ink, ((0, pad), (0, 0)))
    out = bytearray(b"\x1b3" + bytes([spacing]))
    for top in range(0, ink.shape[0], 24):
        stripe = ink[top: top + 24]
        cols = np.nonzero(stripe.any(axis=0))[0]
        if len(cols) == 0:
            out += b"\n"
            continue
        n = int(cols.max()) + 1
        data = np.packbits(stripe[:, :n].T, axis=1)  # n columns x 3 bytes, MSB = top
        out += b"\x1b*\x21" + bytes([n & 255, n >> 8]) + data.tobytes() + b"\n"
    out += b"\x1b2"
    return bytes(out)
