"""Small drawings that show a citizen where to look, drawn with Kivy graphics (no image files):
where the QR is on the dossier receipt, and where the ID number's last six digits are on each
generation of the chip ID card (the 2021 CCCD and the 2024 căn cước card both print the
12-digit number on the front; the CCCD's QR is on the front too, the new card's on the back).

Each picture keeps its proportions inside the size it is given and redraws when it changes
size or the theme changes (high contrast)."""

from __future__ import annotations

from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.widgets import theme as th

# the QR's finder patterns and a few modules, on a 7x7 grid (enough to read as "a QR code")
_QR_MODULES = [(0, 0), (0, 1), (1, 0), (1, 1), (5, 0), (5, 1), (6, 0), (6, 1), (0, 5), (0, 6), (1, 5), (1, 6),
               (3, 3), (4, 2), (2, 4), (5, 5), (6, 4), (3, 6), (4, 4), (2, 2)]


class _Drawing(Widget):
    aspect = 1.0  # width / height of what is drawn

    def __init__(self, **kw):
        t = th.get_theme()
        kw.setdefault("size_hint", (None, None))
        super().__init__(**kw)
        t.follow(high_contrast=self._redraw, unit=self._redraw)
        self.bind(pos=self._redraw, size=self._redraw)

    def frame(self) -> tuple[float, float, float, float]:
        """x, y, w, h of the drawing: the largest box of ``aspect`` centred in the widget."""
        w, h = self.width, self.height
        if w / max(h, 1) > self.aspect:
            w = h * self.aspect
        else:
            h = w / self.aspect
        return self.center_x - w / 2, self.center_y - h / 2, w, h

    def _redraw(self, *_):
        self.canvas.before.clear()  # (the canvas itself holds the children's)
        x, y, w, h = self.frame()
        with self.canvas.before:
            self.draw(th.get_theme().palette, x, y, w, h)

    def draw(self, p, x: float, y: float, w: float, h: float) -> None:
        raise NotImplementedError


def _bars(p, x, y, w, rows: list[float], gap: float, height: float) -> None:
    """Grey lines of text: ``rows`` are fractions of ``w``, drawn downwards from ``y``."""
    Color(*p.muted[:3], 0.45)
    for i, frac in enumerate(rows):
        Rectangle(pos=(x, y - i * gap - height), size=(w * frac, height))


def _qr(p, x, y, side) -> None:
    Color(*p.text)
    m = side / 7
    for cx, cy in _QR_MODULES:
        Rectangle(pos=(x + cx * m, y + side - (cy + 1) * m), size=(m, m))


class ReceiptQrPicture(_Drawing):
    """The dossier receipt, with its QR (under the dossier code, in the upper part) ringed."""

    aspect = 0.62

    def __init__(self, **kw):
        t = th.get_theme()
        kw.setdefault("size", (t.px(150), t.px(240)))
        super().__init__(**kw)

    def draw(self, p, x, y, w, h) -> None:
        Color(*p.surface)
        Rectangle(pos=(x, y), size=(w, h))
        Color(*p.muted)
        Line(rectangle=(x, y, w, h), width=1.2)
        pad = w * 0.1
        top = y + h - pad
        _bars(p, x + pad, top, w - 2 * pad, [0.6, 0.9], h * 0.045, h * 0.022)
        # the dossier code, bold
        Color(*p.text)
        Rectangle(pos=(x + pad, top - h * 0.16), size=((w - 2 * pad) * 0.8, h * 0.03))
        side = w * 0.42
        qx, qy = x + (w - side) / 2, top - h * 0.2 - side
        _qr(p, qx, qy, side)
        # the ring that says "here"
        Color(*p.accent)
        ring = w * 0.06
        Line(rectangle=(qx - ring, qy - ring, side + 2 * ring, side + 2 * ring), width=max(2.0, w * 0.025))
        _bars(p, x + pad, qy - 2 * ring, w - 2 * pad, [0.9, 0.7, 0.8, 0.5, 0.9], h * 0.06, h * 0.022)


class CardNumberPicture(_Drawing):
    """The front of a chip ID card with the ID number's last six digits ringed.  ``generation``
    "2021" (CCCD: QR top right on the front) or "2024" (căn cước card: no QR on the front)."""

    aspect = 85.6 / 54

    def __init__(self, generation: str = "2021", number: str = "001189012345", **kw):
        t = th.get_theme()
        kw.setdefault("size", (t.px(300), t.px(190)))
        self.generation = generation
        self.number = number
        self.digits = Label(markup=True, bold=True, halign="left", valign="middle")
        super().__init__(**kw)
        self.add_widget(self.digits)

    def draw(self, p, x, y, w, h) -> None:
        new = self.generation == "2024"
        # the card: the CCCD is pale blue-green, the new card pale blue with a darker band
        Color(*((0.84, 0.91, 0.95, 1) if new else (0.86, 0.94, 0.90, 1)))
        RoundedRectangle(pos=(x, y), size=(w, h), radius=[w * 0.05])
        Color(*p.muted)
        Line(rounded_rectangle=(x, y, w, h, w * 0.05), width=1.2)
        if new:
            Color(*p.primary[:3], 0.35)
            Rectangle(pos=(x, y + h * 0.8), size=(w, h * 0.2))
        # the photo on the left
        Color(*p.muted[:3], 0.55)
        Rectangle(pos=(x + w * 0.05, y + h * 0.14), size=(w * 0.24, h * 0.5))
        if not new:
            _qr(p, x + w * 0.8, y + h * 0.72, h * 0.2)
        _bars(p, x + w * 0.05, y + h * 0.9, w * 0.55, [0.9, 0.6], h * 0.07, h * 0.035)
        # the ID number, right of the photo, its last six digits ringed
        lx, ly, lw, lh = x + w * 0.34, y + h * 0.5, w * 0.62, h * 0.15
        head, tail = self.number[:-6], self.number[-6:]
        text = get_text_hex(p)
        self.digits.text = f"[color={text}]{head}[/color][color={accent_hex(p)}]{tail}[/color]"
        self.digits.font_size = min(lh * 0.9, lw / (len(self.number) * 0.62))
        self.digits.texture_update()
        tw, tht = self.digits.texture_size
        self.digits.size = (tw, tht)
        self.digits.pos = (lx, ly + (lh - tht) / 2)
        head_w = tw * len(head) / max(1, len(self.number))
        Color(*p.accent)
        Line(rounded_rectangle=(lx + head_w - w * 0.01, ly - h * 0.015, tw - head_w + w * 0.02, lh + h * 0.03,
                                h * 0.03), width=max(2.0, w * 0.01))
        _bars(p, x + w * 0.34, y + h * 0.4, w * 0.6, [0.8, 0.6, 0.7], h * 0.08, h * 0.035)


def get_text_hex(p) -> str:
    from kivy.utils import get_hex_from_color

    return get_hex_from_color(p.text)


def accent_hex(p) -> str:
    from kivy.utils import get_hex_from_color

    return get_hex_from_color(p.accent)
