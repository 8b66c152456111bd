"""Renders every screen state of the kiosk to PNG, headless, by driving the real app.

Each state is reached the way a citizen reaches it (the journey scripts of ``kiosk.drive``: taps
on the real widgets, a real look-up against the embedded demo gateway), then the window is saved
as ``<state>-<lang>.png``.  Every picture is checked: not blank, no clipped, off-screen or
overlapping text, no touch target under 100x100 design pixels, no costly drawing and no
untranslated text.

Variants (``VARIANTS``): the same state with the citizen's "easier to see" settings turned on
the way the access panel turns them on (``app.toggle_large_text``: the theme's text scale from
kiosk.ini's ``[accessibility] large_text_scale``; ``app.toggle_high_contrast``), saved as
``<state>-large-<lang>.png`` and ``<state>-contrast-<lang>.png`` and checked the same way.  In
large text a page may scroll (``KioskScreen.must_fit``): then its scroll bar must show.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Settings
from kiosk.drive import STATES


@dataclass
class Shot:
    name: str
    path: Path
    problems: list[str]
    blank: bool


KEY_RX = re.compile(r"^[a-z_]+(\.[a-z0-9_\-]+)+$")


def untranslated(drv) -> list[str]:
    """Message keys shown instead of text, and keys missing from a catalog."""
    found = [f"untranslated: {text!r}" for text in drv.texts() if KEY_RX.match(text)]
    found += [f"missing translation: {lang}:{key}" for lang, key in sorted(drv.app.translator.missing)]
    drv.app.translator.missing.clear()
    return found


def is_blank(path: Path) -> bool:
    from PIL import Image, ImageStat

    with Image.open(path) as im:
        stat = ImageStat.Stat(im.convert("L"))
        return stat.stddev[0] < 4.0


# variant name -> suffix of the picture's name; "plain" is the kiosk as it starts
VARIANTS = {"plain": "", "large": "-large", "contrast": "-contrast"}


def parse_variants(text: str) -> tuple[str, ...]:
    """``"large,contrast"`` -> ("large", "contrast"); unknown names refused with the known ones."""
    names = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    unknown = [v for v in names if v not in VARIANTS]
    if unknown or not names:
        raise ValueError(f"unknown variant {', '.join(unknown) or '(none)'}: choose from {', '.join(VARIANTS)}")
    return names


def picture_name(state: str, variant: str, lang: str) -> str:
    return f"{state}{VARIANTS[variant]}-{lang}.png"


def set_variant(drv, variant: str, reached: tuple[bool, bool]) -> None:
    """Turn on ``variant`` through the app, as the access panel does, over what the state
    itself turned on (``reached``: large text, high contrast, as the state was reached)."""
    theme, app = drv.app.theme, drv.app
    large, contrast = reached
    if (theme.text_scale > 1) != (large or variant == "large"):
        app.toggle_large_text()
    if bool(theme.high_contrast) != (contrast or variant == "contrast"):
        app.toggle_high_contrast()
    drv.frames(3)


def hidden_scroll_bars(drv) -> list[str]:
    """A page that scrolls (allowed only where it need not fit: large text) must show that it
    does: its scroll bar is drawn, wide enough to see, and its content is not already whole."""
    from kivy.uix.scrollview import ScrollView

    from kiosk.widgets import theme as th

    problems = []
    for widget in drv.walk():
        if not isinstance(widget, ScrollView) or not drv.visible(widget) or not widget.children:
            continue
        content = widget.children[0]
        if content.height <= widget.height + 2 or not widget.do_scroll_y:
            continue
        colour = widget.bar_inactive_color if widget.bar_inactive_color else widget.bar_color
        if widget.bar_width < th.get_theme().px(8) or (colour and colour[3] <= 0):
            problems.append(f"scrolls without a scroll bar: {type(widget).__name__} in {drv.screen.name} "
                            f"({content.height:.0f} px in {widget.height:.0f})")
    return problems


def render_all(settings: Settings, out: Path, langs=("vi", "en"), size=None,
               only: set[str] | None = None, log: Callable[[str], None] = print,
               variants: tuple[str, ...] = ("plain",)) -> list[Shot]:
    from kiosk.drive.driver import AppDriver
    from kiosk.idle import ManualClock

    # a private data folder: screenshots never touch the kiosk's real logs or outbox
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    settings = settings.replace(kiosk={"data_dir": str(tmp), "fullscreen": False})
    clock = ManualClock()
    drv = AppDriver(settings, size=size, idle_clock=clock)
    shots: list[Shot] = []
    try:
        for name, reach in STATES:
            if only and name not in only:
                continue
            reach(drv)  # once per state: each variant and language is then set on that screen
            reached = (drv.app.theme.text_scale > 1, bool(drv.app.theme.high_contrast))
            for variant in variants:
                set_variant(drv, variant, reached)
                for lang in langs:
                    drv.app.set_language(lang)
                    drv.frames(3)
                    path = drv.screenshot(out / picture_name(name, variant, lang))
                    problems = (drv.layout_problems() + drv.small_targets() + untranslated(drv)
                                + drv.costly_drawing() + hidden_scroll_bars(drv))
                    shot = Shot(f"{name}{VARIANTS[variant]}", path, problems, is_blank(path))
                    shots.append(shot)
                    flag = "BLANK " if shot.blank else ""
                    log(f"{path}  {flag}{'; '.join(shot.problems) if shot.problems else 'ok'}")
                    drv.app.set_language(settings.kiosk.language)
            set_variant(drv, "plain", reached)
    finally:
        drv.close()
    return shots
