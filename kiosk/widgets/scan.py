"""The camera preview a citizen aims with: the live picture, the found code outlined, and one
short prompt ("hold it closer", "hold still").  For scanners without a camera (HID, serial) it
says where to hold the code instead.  In the demo (simulated camera) a clearly labelled button
puts a sample code in front of the simulated camera, so a visitor can try the real decoding.
A ``guide`` (a small drawing, kiosk/widgets/pictures.py) beside the prompt shows where the code
is on the paper or card, with ``guide_key`` saying it in words."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.graphics.texture import Texture

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Picture, Text

PREVIEW_WIDTH = 640  # the preview is scaled down: the decoder sees full frames, the eye needs less


class ScanPanel(Panel):
    def __init__(self, app, *, height: float = 420, demo_key: str = "", demo_text: str = "", guide=None,
                 guide_key: str = "", **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", size_hint_y=None, padding=t.px(16), spacing=t.px(10),
                         role="surface", border_role="primary", **kw)
        self.app = app
        self.source = app.core.devices.qr_source
        self.image = Picture(fit_mode="contain")
        self.hint = Text("", size=th.FONT_BODY, halign="center", bold=True)
        self.add_widget(self.image)
        self.add_widget(self.hint)
        self.guide, self.guide_key = guide, guide_key
        if guide is not None:
            from kiosk.widgets.common import hbox

            self.guide_text = Text("", size=th.FONT_SMALL, role="text")
            row = hbox(guide, self.guide_text, spacing=24)
            row.size_hint_y = None
            row.height = guide.height
            self.add_widget(row)
        self.demo = None
        if demo_key and getattr(self.source, "simulated", False) and hasattr(self.source, "show_image"):
            self.demo = BigButton("", action=lambda: self.show_demo(demo_text), kind="quiet", size=th.FONT_SMALL)
            self.demo.min_height = 100
            self.demo_key = demo_key
            self.add_widget(self.demo)
        self.height = t.px(height)
        # two textures taking turns: a frame is written into the one not on screen, so the
        # upload never waits for the GPU (or Mesa's software renderer) to finish drawing the other
        self._textures: list = []
        self._turn = 0
        self._event = None
        self._hint_key = "qr.hint.show_code"
        with self.image.canvas.after:
            self._outline_color = Color(0, 0.75, 0.2, 1)
            self._outline = Line(points=[], width=max(2.0, t.px(5)), close=True)

    @property
    def has_camera(self) -> bool:
        return self.source.preview() is not None or getattr(self.source, "simulated", False)

    def relabel(self) -> None:
        self.hint.text = self.app.t(self._hint_key)
        if self.guide is not None:
            self.guide_text.text = self.app.t(self.guide_key)
        if self.demo is not None:
            self.demo.text = self.app.t(self.demo_key)

    def start(self) -> None:
        if self._event is None:
            self._event = Clock.schedule_interval(self.refresh, 1 / 10)
        self.refresh()

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if getattr(self.source, "simulated", False) and hasattr(self.source, "show_image"):
            self.source.show_image(None)  # the sample leaves the simulated desk
        self._outline.points = []

    def show_demo(self, text: str) -> None:
        from kiosk.devices.qr.simulated import make_code_image

        self.source.show_image(make_code_image(text))

    def refresh(self, *_):
        view = self.source.preview()
        if view is None:
            self._set_hint("qr.hint.scanner" if not getattr(self.source, "simulated", False) else "qr.hint.show_code")
            return
        frame, points, key = view
        self._set_hint(key or "qr.hint.show_code")
        if frame is None:
            return
        import cv2

        h, w = frame.shape[:2]
        scale = min(1.0, PREVIEW_WIDTH / float(w))
        if scale < 1:
            small = cv2.resize(frame, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
        else:
            small = frame
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        sh, sw = small.shape[:2]
        if not self._textures or self._textures[0].size != (sw, sh):
            self._textures = [Texture.create(size=(sw, sh), colorfmt="bgr") for _ in range(2)]
            for tex in self._textures:
                tex.flip_vertical()
        self._turn ^= 1
        tex = self._textures[self._turn]
        tex.blit_buffer(small.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
        self.image.texture = tex
        self.image.canvas.ask_update()
        self._draw_outline(points, w, h)

    def _set_hint(self, key: str) -> None:
        if key != self._hint_key:
            self._hint_key = key
            self.hint.text = self.app.t(key)

    def _draw_outline(self, points, w: int, h: int) -> None:
        if not points:
            self._outline.points = []
            return
        iw, ih = self.image.norm_image_size
        ox = self.image.center_x - iw / 2
        oy = self.image.center_y - ih / 2
        flat = []
        for x, y in points:
            flat += [ox + x / w * iw, oy + (1 - y / h) * ih]
        self._outline.points = flat
