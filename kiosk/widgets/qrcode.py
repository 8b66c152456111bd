"""A QR code drawn on screen from its payload: crisp square modules on white, with the quiet
zone phone cameras need, as large as the widget allows.

The matrix comes from zxing-cpp (made here, no external service); it is uploaded once as a
texture with one texel per module and drawn with nearest-neighbour filtering at a whole number
of pixels per module, so every module has sharp edges at any size.
"""

from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

QUIET_MODULES = 4  # ISO/IEC 18004 quiet zone


def qr_matrix(payload: str, ec_level: str = "M"):
    """The QR symbol of ``payload`` as a 2-D uint8 array, 0 = dark module, 255 = light, without
    the quiet zone."""
    import numpy as np
    import zxingcpp

    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    return np.asarray(code.to_image(scale=1, add_quiet_zones=False), dtype=np.uint8)


class QrCode(Widget):
    """``QrCode(payload)``: the code fills the largest square that fits, centred."""

    payload = StringProperty("")

    def __init__(self, payload: str = "", **kw):
        super().__init__(**kw)
        self.modules = 0  # modules per side including the quiet zone (0: nothing drawn)
        self.texture: Texture | None = None
        with self.canvas:
            self._white = Color(1, 1, 1, 1)
            self._paper = Rectangle()
            self._ink = Color(1, 1, 1, 1)
            self._code = Rectangle()
        self.bind(payload=self._make, pos=self._place, size=self._place)
        self.payload = payload
        self._make()

    def _make(self, *_):
        if not self.payload:
            self.texture = None
            self.modules = 0
            self._code.texture = None
            self._place()
            return
        import numpy as np

        matrix = qr_matrix(self.payload)
        padded = np.pad(matrix, QUIET_MODULES, constant_values=255)
        n = padded.shape[0]
        rgba = np.repeat(padded[:, :, None], 4, axis=2)
        rgba[:, :, 3] = 255
        tex = Texture.create(size=(n, n), colorfmt="rgba")
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
        # Kivy textures start at the bottom row: flip so the code is not mirrored
        tex.blit_buffer(np.ascontiguousarray(rgba[::-1]).tobytes(), colorfmt="rgba", bufferfmt="ubyte")
        self.texture = tex
        self.modules = n
        self._code.texture = tex
        self._place()

    @property
    def drawn_size(self) -> int:
        """Side of the drawn code in window pixels (whole pixels per module)."""
        if not self.modules:
            return 0
        side = min(self.width, self.height)
        return int(side // self.modules) * self.modules

    def _place(self, *_):
        side = self.drawn_size
        if not side and self.modules:
            side = min(self.width, self.height)  # smaller than one pixel per module: still show it
        x = int(self.center_x - side / 2)
        y = int(self.center_y - side / 2)
        self._paper.pos, self._paper.size = (x, y), (side, side)
        self._code.pos, self._code.size = (x, y), (side, side)
        self._white.a = 1 if self.modules else 0
        self._ink.a = 1 if self.modules else 0
