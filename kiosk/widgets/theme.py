"""Colours, sizes and fonts for every screen, in one place.

Sizes are given for a 1080-pixel short side and scaled to the real window, so the same screens
lay out at 1080x1920 (portrait) and 1920x1080 (landscape).  ``text_scale`` is the large-text
mode (1.0 or ≥ 1.5); ``high_contrast`` switches to white on black with yellow accents.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from kivy.core.window import Window
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty


@dataclass(frozen=True)
class Palette:
    background: tuple
    surface: tuple
    text: tuple
    muted: tuple
    primary: tuple
    on_primary: tuple
    accent: tuple
    ok: tuple
    warn: tuple
    error: tuple
    disabled: tuple
    on_disabled: tuple
    bar: tuple
    on_bar: tuple
    # pale surfaces: information (never a button's fill) and good news (never an error's red)
    info: tuple = (0.89, 0.93, 0.98, 1.0)
    notice: tuple = (0.90, 0.96, 0.92, 1.0)


def _rgb(hex_: str, a: float = 1.0) -> tuple:
    hex_ = hex_.lstrip("#")
    return tuple(int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)) + (a,)


# Contrast ratios checked against WCAG AA (≥ 4.5:1 for body text) for every text/background pair.
STANDARD = Palette(
    background=_rgb("F4F6F8"),
    surface=_rgb("FFFFFF"),
    text=_rgb("14213D"),
    muted=_rgb("46546B"),
    primary=_rgb("0B5CAD"),
    on_primary=_rgb("FFFFFF"),
    accent=_rgb("C8102E"),
    ok=_rgb("1E7B34"),
    warn=_rgb("A05A00"),
    error=_rgb("B00020"),
    disabled=_rgb("D5DAE1"),
    on_disabled=_rgb("46546B"),
    bar=_rgb("14213D"),
    on_bar=_rgb("FFFFFF"),
    info=_rgb("E3EDF8"),
    notice=_rgb("E5F3E8"),
)

HIGH_CONTRAST = Palette(
    background=_rgb("000000"),
    surface=_rgb("000000"),
    text=_rgb("FFFFFF"),
    muted=_rgb("FFFFFF"),
    primary=_rgb("FFD400"),
    on_primary=_rgb("000000"),
    accent=_rgb("FFD400"),
    ok=_rgb("7CFF7C"),
    warn=_rgb("FFD400"),
    error=_rgb("FF8A8A"),
    disabled=_rgb("333333"),
    on_disabled=_rgb("FFFFFF"),
    bar=_rgb("000000"),
    on_bar=_rgb("FFFFFF"),
    info=_rgb("000000"),
    notice=_rgb("000000"),
)


class Theme(EventDispatcher):
    text_scale = NumericProperty(1.0)
    high_contrast = BooleanProperty(False)
    unit = NumericProperty(1.0)  # pixels per design pixel (1080 on the short side)
    landscape = BooleanProperty(False)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._followers: dict[str, weakref.WeakKeyDictionary] = {}
        for name in ("text_scale", "high_contrast", "unit", "landscape"):
            self.fbind(name, self._tell_followers, name)
        Window.bind(size=self._on_window)
        self._on_window(Window, Window.size)

    # -- widgets that follow the theme ------------------------------------------------------
    # ``follow(text_scale=widget.method)`` is ``bind`` for widgets made again and again (every
    # Text, Panel and button of a rebuilt screen).  Kivy's ``bind`` keeps a weak reference per
    # call that it drops only when the value next changes, and compares each new bind with every
    # one before it: as the kiosk served citizens the theme's lists grew without end and each
    # new label took longer to make (found by ``kiosk bench journeys``).  A follower that is
    # gone is forgotten at once here, and adding one costs the same on day one and day ninety.

    def follow(self, **callbacks) -> None:
        """Call ``callbacks[name](theme, value)`` when ``name`` changes, while its widget lives."""
        for name, method in callbacks.items():
            owner, func = method.__self__, method.__func__
            funcs = self._followers.setdefault(name, weakref.WeakKeyDictionary()).setdefault(owner, [])
            if func not in funcs:
                funcs.append(func)

    def _tell_followers(self, name: str, _theme, value) -> None:
        followers = self._followers.get(name)
        if followers:
            for owner, funcs in list(followers.items()):
                for func in funcs:
                    func(owner, self, value)

    def _on_window(self, _w, size) -> None:
        w, h = size
        self.unit = min(w, h) / 1080.0
        self.landscape = w > h

    @property
    def palette(self) -> Palette:
        return HIGH_CONTRAST if self.high_contrast else STANDARD

    def px(self, design_px: float) -> float:
        """A layout size (not text) in window pixels."""
        return design_px * self.unit

    def font(self, design_px: float) -> float:
        """A font size in window pixels, scaled by the large-text mode."""
        return design_px * self.unit * self.text_scale


# Type scale in design pixels (at 1080 px short side).  Body text of 40 px on a 27-inch
# portrait screen is about 8 mm tall: above the 4.8 mm that ADA §707 asks for.
FONT_DISPLAY = 88
FONT_TITLE = 64
FONT_HEADING = 50
FONT_BODY = 40
FONT_SMALL = 32
BUTTON_HEIGHT = 150  # touch targets well above 100 px
KEY_SIZE = 120

theme: Theme | None = None


def get_theme() -> Theme:
    global theme
    if theme is None:
        theme = Theme()
    return theme
