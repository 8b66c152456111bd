"""Our own ESC/POS decoder: bytes -> a picture of the paper, its text lines and QR payloads.

Understands what the kiosk sends and what common printers accept: text under the active code
page (ESC t) with ESC ! / GS ! / ESC E / ESC a, raster images (GS v 0), graphics
(GS ( L / GS 8 L fn 112 + fn 50), column images (ESC *), QR codes (GS ( k), barcodes (GS k),
feeds (LF, ESC J, ESC d), cuts (GS V) and real-time status requests (DLE EOT).  Anything it
does not understand, or a command cut short, is listed in ``Paper.problems`` with its offset.

The picture uses 1 px per printer dot; text sent as text is drawn with a monospaced font in
12x24 cells (Font A), so previews of code-page receipts look like the printer's own font.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kiosk.devices.printer import codepage
from kiosk.devices.printer.profile import PrinterProfile, load_profile


@dataclass
class Paper:
    image: Image.Image  # mode "L", black ink on white, 1 px per dot
    lines: list[str] = field(default_factory=list)  # text printed as text, one per printed line
    qr_payloads: list[str] = field(default_factory=list)  # from GS ( k
    barcodes: list[tuple[int, str]] = field(default_factory=list)  # (symbology m, data)
    cuts: int = 0
    status_requests: list[int] = field(default_factory=list)  # DLE EOT n
    problems: list[str] = field(default_factory=list)
    images: int = 0  # raster/graphics/column image commands

    @property
    def ink(self) -> np.ndarray:
        """Bool array, True = black dot."""
        return np.array(self.image) < 128

    def scan_qr(self) -> list[str]:
        """QR codes decoded from the picture itself (zxing-cpp)."""
        import zxingcpp

        img = self.image.convert("L")
        # a quiet white border helps codes printed at the paper edge
        framed = Image.new("L", (img.width + 40, img.height + 40), 255)
        framed.paste(img, (20, 20))
        found = zxingcpp.read_barcodes(framed, formats=zxingcpp.BarcodeFormat.QRCode)
        return [r.text for r in sorted(found, key=lambda r: r.position.top_left.y)]

    def as_dict(self) -> dict:
        return {
            "width": self.image.width,
            "height": self.image.height,
            "lines": self.lines,
            "qr_payloads": self.qr_payloads,
            "barcodes": [{"m": m, "data": d} for m, d in self.barcodes],
            "cuts": self.cuts,
            "status_requests": self.status_requests,
            "images": self.images,
            "problems": self.problems,
        }


class _Truncated(Exception):
    pass


class _Sheet:
    """Growing picture of the paper (uint8, 1 = ink)."""

    def __init__(self, width: int):
        self.width = width
        self.buf = np.zeros((1024, width), dtype=np.uint8)
        self.y = 0
        self.used = 0

    def ensure(self, bottom: int) -> None:
        if bottom > self.buf.shape[0]:
            new = np.zeros((max(bottom, self.buf.shape[0] * 2), self.width), dtype=np.uint8)
            new[: self.buf.shape[0]] = self.buf
            self.buf = new
        self.used = max(self.used, bottom)

    def blit(self, arr: np.ndarray, x: int, y: int) -> None:
        h, w = arr.shape
        if x < 0:
            arr = arr[:, -x:]
            w += x
            x = 0
        w = min(w, self.width - x)
        if w <= 0 or h <= 0:
            self.ensure(y + h)
            return
        self.ensure(y + h)
        self.buf[y: y + h, x: x + w] |= arr[:, :w].astype(np.uint8)

    def feed(self, dots: int) -> None:
        self.y += dots
        self.ensure(self.y)

    def image(self) -> Image.Image:
        h = max(self.used, self.y, 1)
        return Image.fromarray(np.where(self.buf[:h] > 0, 0, 255).astype(np.uint8), "L")


_font_cache: dict[int, ImageFont.FreeTypeFont] = {}


def _mono(size: int) -> ImageFont.FreeTypeFont:
    if size not in _font_cache:
        from kiosk.devices.printer.raster import MONO, font_file

        _font_cache[size] = ImageFont.truetype(font_file(MONO), size)
    return _font_cache[size]


class Decoder:
    def __init__(self, profile: PrinterProfile):
        self.profile = profile
        self.sheet = _Sheet(profile.dot_width)
        self.paper = Paper(image=None)  # type: ignore[arg-type]
        self.reset()
        self.qr = {"module": 3, "ec": "L", "data": None}

    def reset(self) -> None:
        self.page = 0
        self.align = 0
        self.bold = False
        self.wmul = self.hmul = 1
        self.font_b = False
        self.motion_y = self.profile.motion_unit_y
        self.line_spacing = self._default_spacing()
        self.line: list[tuple[bytes, int, bool, int, int]] = []  # runs: (bytes, page, bold, w, h)
        self.run = bytearray()

    def _default_spacing(self) -> int:
        return round(self.profile.dpi / 6)  # ESC 2: 1/6 inch

    def _units(self, n: int) -> int:
        """ESC J / ESC 3 amounts are in vertical motion units (GS P), not dots."""
        return round(n * self.profile.dpi / self.motion_y)

    # -- text buffer ---------------------------------------------------------------------------
    def _cell(self) -> tuple[int, int]:
        return (9, 17) if self.font_b else (12, 24)

    def _close_run(self) -> None:
        if self.run:
            self.line.append((bytes(self.run), self.page, self.bold, self.wmul, self.hmul))
            self.run = bytearray()

    def _text_byte(self, b: int) -> None:
        # a style change closes the current run (checked lazily in _style)
        self.run.append(b)

    def _style(self) -> None:
        self._close_run()

    def _print_line(self, feed: int | None) -> None:
        """Print the line buffer, then feed ``feed`` dots (None: line spacing)."""
        self._close_run()
        height = 0
        if self.line:
            cw, ch = self._cell()
            pieces = []
            text_all = []
            for data, page, bold, wm, hm in self.line:
                text = codepage.decode_page(data, self.profile.encoding_at(page))
                text_all.append(text)
                pieces.append((text, bold, wm, hm))
            line_text = "".join(text_all)
            if "\ufffd" in line_text:
                self.paper.problems.append(
                    f"line {len(self.paper.lines) + 1}: byte(s) undefined in the active code page")
            self.paper.lines.append(line_text.rstrip())
            height = max(ch * hm for _, _, _, hm in pieces)
            total_w = sum(len(t) * cw * wm for t, _, _, wm in pieces)
            img = Image.new("1", (max(total_w, 1), height), 0)
            draw = ImageDraw.Draw(img)
            x = 0
            for text, bold, wm, hm in pieces:
                font = _mono(int(ch * hm * 0.82))
                for c in text:
                    w = cw * wm
                    ox = x + max(0.0, (w - font.getlength(c)) / 2)
                    draw.text((ox, height - ch * hm + 1), c, font=font, fill=1)
                    if bold:
                        draw.text((ox + 1, height - ch * hm + 1), c, font=font, fill=1)
                    x += w
            arr = np.array(img, dtype=np.uint8)
            self.sheet.blit(arr, self._x_for(arr.shape[1]), self.sheet.y)
        self.line = []
        if feed is None:
            feed = max(self.line_spacing, height)
        else:
            feed = max(feed, height)
        self.sheet.feed(feed)

    def _x_for(self, width: int) -> int:
        if self.align == 1:
            return max(0, (self.sheet.width - width) // 2)
        if self.align == 2:
            return max(0, self.sheet.width - width)
        return 0

    def _has_text(self) -> bool:
        return bool(self.line or self.run)

    def _image(self, arr: np.ndarray) -> None:
        """Print an image at the start of a line (flushes pending text first)."""
        if self._has_text():
            self._print_line(None)
        self.sheet.blit(arr, self._x_for(arr.shape[1]), self.sheet.y)
        self.sheet.feed(arr.shape[0])
        self.paper.images += 1

    # -- main loop -----------------------------------------------------------------------------
    def feed(self, data: bytes) -> Paper:
        i = 0
        n = len(data)

        def need(k: int) -> bytes:
            if i + k > n:
                raise _Truncated
            return data[i: i + k]

        while i < n:
            b = data[i]
            start = i
            try:
                if b == 0x0A:  # LF
                    self._print_line(None)
                    i += 1
                elif b == 0x0D:  # CR: ignored (LF does the work)
                    i += 1
                elif b == 0x09:  # HT: next 8-column stop
                    self.run += b" " * (8 - (self._column() % 8))
                    i += 1
                elif b == 0x10:
                    i = self._dle(data, i, need)
                elif b == 0x1B:
                    i = self._esc(data, i, need)
                elif b == 0x1D:
                    i = self._gs(data, i, need)
                elif b == 0x1C:
                    i = self._fs(data, i, need)
                elif b < 0x20:
                    self.paper.problems.append(f"offset {i}: unknown control byte 0x{b:02X}")
                    i += 1
                else:
                    cw = self._cell()[0] * self.wmul
                    if (self._column() * self._cell()[0] + cw > self.sheet.width
                            and self._display_column() * self._cell()[0] + cw > self.sheet.width
                            and not self._combining(b)):
                        self._print_line(None)  # no room left on the line: the printer wraps
                    self._text_byte(b)
                    i += 1
            except _Truncated:
                self.paper.problems.append(f"offset {start}: command 0x{data[start]:02X} cut short at end of data")
                break
        if self._has_text():
            self.paper.problems.append("text left in the line buffer at end of data (no LF): not printed")
        self.paper.image = self.sheet.image()
        return self.paper

    def _combining(self, b: int) -> bool:
        ch = codepage.decode_page(bytes([b]), self.profile.encoding_at(self.page))
        return len(ch) == 1 and unicodedata.combining(ch) != 0

    def _display_column(self) -> int:
        """Cells used so far: combining tone marks (CP1258) share their letter's cell."""
        runs = self.line + [(bytes(self.run), self.page, self.bold, self.wmul, self.hmul)]
        return sum(len(codepage.decode_page(d, self.profile.encoding_at(p))) * wm for d, p, _, wm, _ in runs)

    def _column(self) -> int:
        return sum(len(d) * wm for d, _, _, wm, _ in self.line) + len(self.run) * self.wmul

    def _dle(self, data, i, need) -> int:
        cmd = need(3)
        if cmd[1] == 0x04:  # DLE EOT n
            self.paper.status_requests.append(cmd[2])
            return i + 3
        if cmd[1] == 0x05:  # DLE ENQ n
            return i + 3
        if cmd[1] == 0x14:  # DLE DC4 fn m t
            need(5)
            return i + 5
        self.paper.problems.append(f"offset {i}: unknown command DLE 0x{cmd[1]:02X}")
        return i + 2

    def _esc(self, data, i, need) -> int:
        c = need(2)[1]
        ch = chr(c)
        if ch == "@":
            self._close_run()
            if self.line:
                self.line = []  # ESC @ clears the buffer
            self.reset()
            return i + 2
        one_arg = {"!", "E", "G", "-", "a", "t", "R", "M", "3", "J", "d", "=", " ", "{", "V", "%", "U", "r", "e", "c"}
        if ch in one_arg:
            arg = need(3)[2]
            if ch == "c":  # ESC c 3/4/5 n
                need(4)
                return i + 4
            if ch == "!":
                self._style()
                self.font_b = bool(arg & 1)
                self.bold = bool(arg & 8)
                self.hmul = 2 if arg & 16 else 1
                self.wmul = 2 if arg & 32 else 1
            elif ch == "E" or ch == "G":
                self._style()
                self.bold = bool(arg & 1)
            elif ch == "a":
                self.align = arg % 48 if arg >= 48 else arg
                if self.align > 2:
                    self.paper.problems.append(f"offset {i}: ESC a {arg} out of range")
                    self.align = 0
            elif ch == "t":
                self._style()
                self.page = arg
                if self.profile.encoding_at(arg) is None:
                    self.paper.problems.append(f"offset {i}: ESC t {arg}: code page not in profile {self.profile.name}")
            elif ch == "M":
                self._style()
                self.font_b = arg in (1, 49)
            elif ch == "3":
                self.line_spacing = self._units(arg)
            elif ch == "J":
                dots = self._units(arg)
                self._print_line(dots) if self._has_text() else self.sheet.feed(dots)
            elif ch == "d":
                if self._has_text():
                    self._print_line(None)
                    arg -= 1
                self.sheet.feed(max(arg, 0) * self.line_spacing)
            return i + 3
        if ch == "2":
            self.line_spacing = self._default_spacing()
            return i + 2
        if ch in ("$", "\\"):
            need(4)
            return i + 4
        if ch == "p":
            need(5)
            return i + 5
        if ch == "D":  # tab stops, NUL-terminated
            j = i + 2
            while True:
                if j >= len(data):
                    raise _Truncated
                if data[j] == 0:
                    return j + 1
                j += 1
        if ch == "*":
            hdr = need(5)
            m, cols = hdr[2], hdr[3] | hdr[4] << 8
            rows = 3 if m in (32, 33) else 1
            raw = need(5 + cols * rows)[5:]
            if m not in (0, 1, 32, 33):
                self.paper.problems.append(f"offset {i}: ESC * mode {m} unknown")
            arr = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(cols, rows), axis=1).T
            if m in (0, 32):  # single density: each column twice as wide
                arr = np.repeat(arr, 2, axis=1)
            if self._has_text():
                self._print_line(None)
            self.sheet.blit(arr, self._x_for(arr.shape[1]), self.sheet.y)
            self.paper.images += 1
            self._column_image_pending = True
            return i + 5 + cols * rows
        if ch == "&":
            hdr = need(5)
            y, c1, c2 = hdr[2], hdr[3], hdr[4]
            j = i + 5
            for _ in range(max(0, c2 - c1 + 1)):
                x = need(j - i + 1)[j - i]
                j += 1 + x * y
                if j > len(data):
                    raise _Truncated
            self.paper.problems.append(f"offset {i}: user-defined characters (ESC &) not drawn")
            return j
        if ch == "i" or ch == "m":
            self.paper.cuts += 1
            return i + 2
        self.paper.problems.append(f"offset {i}: unknown command ESC 0x{c:02X}")
        return i + 2

    def _fs(self, data, i, need) -> int:
        c = need(2)[1]
        if c in (ord("."), ord("&")):
            return i + 2
        if c == ord("C"):
            need(3)
            return i + 3
        self.paper.problems.append(f"offset {i}: unknown command FS 0x{c:02X}")
        return i + 2

    def _gs(self, data, i, need) -> int:
        c = need(2)[1]
        ch = chr(c)
        if ch == "!":
            arg = need(3)[2]
            self._style()
            self.wmul = (arg >> 4 & 7) + 1
            self.hmul = (arg & 7) + 1
            return i + 3
        if ch in ("B", "H", "h", "w", "f", "a", "r", "I", "b"):
            need(3)
            return i + 3
        if ch == "P":
            x, y = need(4)[2:4]
            self.motion_y = y or self.profile.motion_unit_y
            return i + 4
        if ch in ("L", "W"):
            need(4)
            return i + 4
        if ch == "V":
            m = need(3)[2]
            if self._has_text():
                self._print_line(None)
            if m in (65, 66, 97, 98, 103, 104):
                self.sheet.feed(self._units(need(4)[3]))
                self.paper.cuts += 1
                return i + 4
            if m not in (0, 1, 48, 49):
                self.paper.problems.append(f"offset {i}: GS V {m} unknown")
            self.paper.cuts += 1
            return i + 3
        if ch == "v":
            hdr = need(8)
            if hdr[2] != 0x30:
                self.paper.problems.append(f"offset {i}: unknown command GS v 0x{hdr[2]:02X}")
                return i + 3
            m = hdr[3] % 48 if hdr[3] >= 48 else hdr[3]
            xb, y = hdr[4] | hdr[5] << 8, hdr[6] | hdr[7] << 8
            raw = need(8 + xb * y)[8:]
            arr = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(y, xb), axis=1)
            if m in (1, 3):
                arr = np.repeat(arr, 2, axis=1)
            if m in (2, 3):
                arr = np.repeat(arr, 2, axis=0)
            self._image(arr)
            return i + 8 + xb * y
        if ch == "(":
            hdr = need(5)
            sub, p = chr(hdr[2]), hdr[3] | hdr[4] << 8
            body = need(5 + p)[5:]
            if sub == "L":
                self._graphics(body, i)
            elif sub == "k":
                self._symbol(body, i)
            else:
                self.paper.problems.append(f"offset {i}: GS ( {sub} not understood")
            return i + 5 + p
        if ch == "8":
            hdr = need(7)
            if chr(hdr[2]) != "L":
                self.paper.problems.append(f"offset {i}: GS 8 {chr(hdr[2])} not understood")
                return i + 3
            p = int.from_bytes(hdr[3:7], "little")
            body = need(7 + p)[7:]
            self._graphics(body, i)
            return i + 7 + p
        if ch == "k":
            m = need(3)[2]
            if m <= 6:
                j = i + 3
                while True:
                    if j >= len(data):
                        raise _Truncated
                    if data[j] == 0:
                        break
                    j += 1
                payload = data[i + 3: j]
                end = j + 1
            else:
                k = need(4)[3]
                payload = need(4 + k)[4:]
                end = i + 4 + k
            self.paper.barcodes.append((m, payload.decode("latin-1")))
            self._barcode_box(payload.decode("latin-1"))
            return end
        self.paper.problems.append(f"offset {i}: unknown command GS 0x{c:02X}")
        return i + 2

    def _graphics(self, body: bytes, at: int) -> None:
        if len(body) < 2:
            self.paper.problems.append(f"offset {at}: GS ( L too short")
            return
        fn = body[1]
        if fn in (50, 2):  # print the graphics buffer
            if getattr(self, "_graphic", None) is None:
                self.paper.problems.append(f"offset {at}: GS ( L print with an empty buffer")
                return
            self._image(self._graphic)
            self._graphic = None
            return
        if fn in (112, 67):
            if fn != 112 or len(body) < 10:
                self.paper.problems.append(f"offset {at}: GS ( L fn {fn} not understood")
                return
            a, bx, by = body[2], body[3], body[4]  # body[5], the colour, is not drawn
            w, h = body[6] | body[7] << 8, body[8] | body[9] << 8
            wb = (w + 7) // 8
            raw = body[10:]
            if a != 48 or len(raw) != wb * h:
                self.paper.problems.append(
                    f"offset {at}: GS ( L fn 112 malformed (tone {a}, {len(raw)} bytes for {w}x{h})")
                return
            arr = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(h, wb), axis=1)[:, :w]
            arr = np.repeat(np.repeat(arr, max(bx, 1), axis=1), max(by, 1), axis=0)
            self._graphic = arr
            return
        if fn in (48, 49, 65, 69):  # queries / density settings: no paper output
            return
        self.paper.problems.append(f"offset {at}: GS ( L fn {fn} not understood")

    def _symbol(self, body: bytes, at: int) -> None:
        if len(body) < 2:
            self.paper.problems.append(f"offset {at}: GS ( k too short")
            return
        cn, fn = body[0], body[1]
        if cn != 49:
            self.paper.problems.append(f"offset {at}: GS ( k symbol cn={cn} not drawn")
            return
        if fn == 65:
            return
        if fn == 67:
            self.qr["module"] = max(1, min(16, body[2]))
            return
        if fn == 69:
            self.qr["ec"] = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(body[2], "L")
            return
        if fn == 80:
            self.qr["data"] = bytes(body[3:])
            return
        if fn == 81:
            data = self.qr["data"]
            if data is None:
                self.paper.problems.append(f"offset {at}: QR print with no stored data")
                return
            from kiosk.devices.printer.render import qr_matrix

            text = data.decode("utf-8", errors="replace")
            self.paper.qr_payloads.append(text)
            matrix = qr_matrix(text, self.qr["ec"])
            arr = np.kron(matrix, np.ones((self.qr["module"],) * 2, dtype=bool)).astype(np.uint8)
            quiet = np.zeros((arr.shape[0] + 8 * self.qr["module"], arr.shape[1] + 8 * self.qr["module"]), np.uint8)
            q = 4 * self.qr["module"]
            quiet[q: q + arr.shape[0], q: q + arr.shape[1]] = arr
            self._image(quiet)
            return
        if fn in (66, 82):  # size queries
            return
        self.paper.problems.append(f"offset {at}: GS ( k fn {fn} not understood")

    def _barcode_box(self, text: str) -> None:
        """Barcodes are listed in Paper.barcodes; the picture shows a marked box and the data."""
        img = Image.new("1", (min(self.sheet.width, 16 + 12 * len(text)), 60), 0)
        d = ImageDraw.Draw(img)
        d.rectangle([0, 0, img.width - 1, 39], outline=1)
        d.text((4, 42), text, font=_mono(16), fill=1)
        self._image(np.array(img, dtype=np.uint8))


def decode(data: bytes, profile: PrinterProfile | str | None = None, paper_mm: int = 80) -> Paper:
    """Decode an ESC/POS byte stream as ``profile`` would print it."""
    if profile is None:
        profile = load_profile("TM-T88V", paper_mm)
    elif isinstance(profile, str):
        profile = load_profile(profile, paper_mm)
    return Decoder(profile).feed(bytes(data))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
