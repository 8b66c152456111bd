"""Receipt layout -> ESC/POS bytes for one printer profile.

Text is drawn into a 1-bit raster with the bundled font (``text_mode="raster"``, the default
and always correct), or sent as code-page text (``text_mode="codepage"``) when the profile
carries a Vietnamese code page; a text the code page cannot carry exactly falls back to raster
for that element.  QR codes use the printer's own GS ( k when the profile has it, else an
image.  Raster areas are compressed by ``raster.encode_raster``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from kiosk.devices.printer import codepage, raster
from kiosk.devices.printer.layout import QR, Cut, Receipt, Row, Rule, Space, Text
from kiosk.devices.printer.profile import PrinterProfile

MARGIN = 4  # dots left and right
CUT_FEED_LINES = 4  # 1/6-inch lines fed before the cut (17 mm: past the head-to-cutter gap)
QR_MODULE_NATIVE = 6
QR_MODULE_IMAGE = 5


@dataclass
class Rendered:
    data: bytes
    text_mode: str  # what was really used
    fallbacks: int  # elements printed as raster in codepage mode
    ms: float
    drawn: list  # (line, style) of every text line drawn as raster, in order


def render(receipt: Receipt, profile: PrinterProfile, text_mode: str = "raster", qr: str = "auto") -> Rendered:
    """ESC/POS bytes for ``receipt``.  ``qr``: auto | native | image."""
    t0 = time.perf_counter()
    if text_mode == "codepage" and profile.codepage_text is None:
        text_mode = "raster"
    native_qr = profile.qr_native if qr == "auto" else qr == "native"
    r = _Renderer(profile, text_mode, native_qr)
    r.set_tab([el.label for el in receipt.elements if isinstance(el, Row)])
    for el in receipt.elements:
        r.element(el)
    r.flush()
    data = bytes(r.out)
    return Rendered(data, text_mode, r.fallbacks, (time.perf_counter() - t0) * 1000, r.drawn)


class _Renderer:
    def __init__(self, profile: PrinterProfile, text_mode: str, native_qr: bool):
        self.p = profile
        self.width = profile.dot_width
        self.text_mode = text_mode
        self.native_qr = native_qr
        self.out = bytearray(b"\x1b@")  # ESC @: initialise
        self.rows: list[np.ndarray] = []  # pending raster (bool rows x width)
        self.fallbacks = 0
        self.drawn: list[tuple[str, str]] = []
        self.tab = int(self.width * 0.36)

    def set_tab(self, labels: list[str]) -> None:
        """Value column just right of the widest label (at most 40 % of the paper)."""
        f = raster.face("body")
        widest = max((f.width(label) for label in labels), default=0)
        self.tab = min(MARGIN + widest + 14, int(self.width * 0.40))

    # -- raster canvas -------------------------------------------------------------------------
    def _canvas(self, height: int) -> Image.Image:
        return Image.new("1", (self.width, height), 0)

    def _push(self, img: Image.Image) -> None:
        self.rows.append(np.array(img, dtype=bool))

    def _blank(self, dots: int) -> None:
        if dots > 0:
            self.rows.append(np.zeros((dots, self.width), dtype=bool))

    def flush(self) -> None:
        if self.rows:
            ink = np.vstack(self.rows)
            self.rows = []
            self.out += raster.encode_raster(ink, self.p.image_command, column_spacing=self._column_spacing())

    def _column_spacing(self) -> int:
        return round(24 * self.p.motion_unit_y / self.p.dpi)

    def _push_centered(self, img: Image.Image) -> None:
        """A centred line: only its ink columns are sent and the printer centres them (ESC a 1,
        which applies to raster images); a printer ignoring it prints the line flush left."""
        arr = np.array(img, dtype=bool)
        cols = np.nonzero(arr.any(axis=0))[0]
        if len(cols) == 0 or self.p.image_command == "column":
            self.rows.append(arr)
            return
        rows = np.nonzero(arr.any(axis=1))[0]
        top, bottom = rows.min(), rows.max() + 1
        self._blank(int(top))
        self.flush()
        left, right = (cols.min() // 8) * 8, -(-(cols.max() + 1) // 8) * 8
        body = raster.encode_raster(arr[top:bottom, left:right], self.p.image_command, trim=False)
        self.out += b"\x1ba\x01" + body + b"\x1ba\x00"
        self._blank(int(arr.shape[0] - bottom))

    # -- elements ------------------------------------------------------------------------------
    def element(self, el) -> None:
        if isinstance(el, (Text, Row)) and self.text_mode == "codepage":
            data = self._codepage(el)
            if data is not None:
                self.flush()
                self.out += data
                return
            self.fallbacks += 1
        if isinstance(el, Text):
            self._text(el)
        elif isinstance(el, Row):
            self._row(el)
        elif isinstance(el, Rule):
            img = self._canvas(9)
            arr = np.array(img, dtype=bool)
            arr[4, MARGIN: self.width - MARGIN] = True
            arr[4, MARGIN: self.width - MARGIN: 8] = False  # a light dotted rule
            self.rows.append(arr)
        elif isinstance(el, Space):
            self._blank(el.dots)
        elif isinstance(el, QR):
            self._qr(el)
        elif isinstance(el, Cut):
            self.flush()
            self.out += raster.feed_lines(CUT_FEED_LINES) + b"\x1dV\x01"  # GS V 1: partial cut
        else:
            raise TypeError(f"unknown receipt element {type(el).__name__}")

    def _text(self, el: Text) -> None:
        f = raster.face(el.style)
        avail = self.width - 2 * MARGIN - el.indent
        for line in raster.wrap(el.text, el.style, avail):
            img = self._canvas(f.height)
            w = f.width(line)
            if el.align == "center":
                x = (self.width - w) // 2
            elif el.align == "right":
                x = self.width - MARGIN - w
            else:
                x = MARGIN + el.indent
            raster.draw_line(img, x, 0, line, el.style)
            self.drawn.append((line, el.style))
            if el.align == "center":
                self._push_centered(img)
            else:
                self._push(img)

    def _row(self, el: Row) -> None:
        lf = raster.face("body")
        vf = raster.face(el.style)
        label = el.label
        value_x = self.tab
        label_lines = raster.wrap(label, "body", self.width - 2 * MARGIN)
        value_w = self.width - MARGIN - value_x
        if any(vf.width(word) > value_w for word in el.value.split()):
            # a word (a dossier code, a URL) too long for the value column: never cut it,
            # put the value under the label, across the paper
            value_x = MARGIN + 16
            label_lines = label_lines + [""] if len(label_lines) == 1 else label_lines
        if len(label_lines) > 1 or lf.width(label) > self.tab - MARGIN - 10:
            # long label: label lines, then the value under it, slightly indented
            value_x = MARGIN + 16
            for line in label_lines:
                if not line:
                    continue
                img = self._canvas(lf.height)
                raster.draw_line(img, MARGIN, 0, line, "body")
                self.drawn.append((line, "body"))
                self._push(img)
            label_lines = []
        values = raster.wrap(el.value, el.style, self.width - MARGIN - value_x)
        n = max(len(values), 1)
        line_h = max(lf.height if label_lines else 0, vf.height)
        img = self._canvas(line_h * n)
        if label_lines:
            raster.draw_line(img, MARGIN, line_h - lf.height, label_lines[0], "body")
            self.drawn.append((label_lines[0], "body"))
        for i, v in enumerate(values):
            raster.draw_line(img, value_x, i * line_h, v, el.style)
            self.drawn.append((v, el.style))
        self._push(img)

    def _qr(self, el: QR) -> None:
        if self.native_qr:
            self.flush()
            self.out += qr_native_bytes(el.payload, el.module or QR_MODULE_NATIVE)
            return
        module = el.module or (QR_MODULE_IMAGE if self.width > 400 else QR_MODULE_IMAGE - 1)
        matrix = qr_matrix(el.payload)
        size = matrix.shape[0] * module
        arr = np.zeros((size + 2 * 4 * module, self.width), dtype=bool)
        big = np.kron(matrix, np.ones((module, module), dtype=bool))
        x = MARGIN + 4 * module
        arr[4 * module: 4 * module + size, x: x + size] = big
        self.rows.append(arr)

    # -- code-page text ------------------------------------------------------------------------
    def _codepage(self, el) -> bytes | None:
        """Bytes for a Text/Row in Font A code-page text, or None if not exactly printable."""
        cols = self.p.columns_a
        lines: list[tuple[str, str, str]] = []  # (text, style, align)
        if isinstance(el, Text):
            style = el.style
            width = cols // 2 if style in ("large", "title") else cols
            indent = " " * min(el.indent // 12, 8)
            for line in _wrap_cols(el.text, width - len(indent)):
                lines.append((indent + line, style, el.align))
        else:
            tab = cols * 2 // 5
            double = el.style in ("large", "title")
            fits = all(len(w) <= cols - tab for w in el.value.split())
            if len(el.label) + 1 < tab and not double and fits:
                vals = _wrap_cols(el.value, cols - tab)
                lines.append((el.label.ljust(tab) + vals[0], el.style, "left"))
                lines += [(" " * tab + v, el.style, "left") for v in vals[1:]]
            else:
                lines.append((el.label, "body", "left"))
                width = (cols // 2 if double else cols) - 2
                lines += [("  " + v, el.style, "left") for v in _wrap_cols(el.value, width)]
        out = bytearray(b"\x1b2")  # default 1/6-inch line spacing (ESC 3 units vary by model)
        for text, style, align in lines:
            enc = codepage.encode(text, self.p)
            if enc is None:
                return None
            out += b"\x1ba" + bytes([{"left": 0, "center": 1, "right": 2}[align]])
            if style in ("bold", "large", "title"):
                out += b"\x1bE\x01"
            if style in ("large", "title"):
                out += b"\x1d!\x11"
            out += enc + b"\n"
            if style in ("large", "title"):
                out += b"\x1d!\x00"
            if style in ("bold", "large", "title"):
                out += b"\x1bE\x00"
        out += b"\x1ba\x00"
        return bytes(out)


def _wrap_cols(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        cand = f"{line} {word}" if line else word
        if len(cand) <= width:
            line = cand
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def qr_matrix(payload: str, ec: str = "M") -> np.ndarray:
    """QR modules (True = dark) without quiet zone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

    level = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}[ec]
    q = qrcode.QRCode(error_correction=level, border=0)
    q.add_data(payload.encode("utf-8"))
    q.make(fit=True)
    return np.array(q.get_matrix(), dtype=bool)


def qr_native_bytes(payload: str, module: int = QR_MODULE_NATIVE, ec: str = "M") -> bytes:
    """GS ( k: model 2, module size, error correction, store data, print; centred."""
    data = payload.encode("utf-8")
    p = len(data) + 3
    ec_byte = {"L": 48, "M": 49, "Q": 50, "H": 51}[ec]
    return (
        b"\x1ba\x01"
        + b"\x1d(k\x04\x00\x31\x41\x32\x00"  # fn 65: model 2
        + b"\x1d(k\x03\x00\x31\x43" + bytes([module])  # fn 67: module size
        + b"\x1d(k\x03\x00\x31\x45" + bytes([ec_byte])  # fn 69: error correction
        + b"\x1d(k" + bytes([p & 255, p >> 8]) + b"\x31\x50\x30" + data  # fn 80: store
        + b"\x1d(k\x03\x00\x31\x51\x30"  # fn 81: print
        + b"\n\x1ba\x00"
    )
