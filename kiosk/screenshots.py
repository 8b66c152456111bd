"""Renders every screen state of the kiosk to PNG, headless, by driving the real app.

Each state is reached the way a citizen reaches it (the journey scripts of ``kiosk.drive``: taps
on the real widgets, a real look-up against the embedded demo gateway), then the window is saved
as ``<state>-<lang>.png``.  Every picture is checked: not blank, no clipped, off-screen or
overlapping text, no touch target under 100x100 design pixels, no costly drawing and no
untranslated text.
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


def render_all(settings: Settings, out: Path, langs=("vi", "en"), size=None,
               only: set[str] | None = None, log: Callable[[str], None] = print) -> list[Shot]:
    from kiosk.drive.driver import AppDriver
    from kiosk.idle import ManualClock

    # a private data folder: screenshots never touch the kiosk's real logs or outbox
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    settings = settings.replace(kiosk={"data_dir": str(tmp), "fullscreen": False})
    clock = ManualClock()
    drv = AppDriver(settings, size=size, idle_clock=clock)
    shots: list[Shot] = []
    try:
        for lang in langs:
            for name, reach in STATES:
                if only and name not in only:
                    continue
                reach(drv)
                drv.app.set_language(lang)
                drv.frames(3)
                path = drv.screenshot(out / f"{name}-{lang}.png")
                problems = drv.layout_problems() + drv.small_targets() + untranslated(drv) + drv.costly_drawing()
                shot = Shot(name, path, problems, is_blank(path))
                shots.append(shot)
                flag = "BLANK " if shot.blank else ""
                log(f"{path}  {flag}{'; '.join(shot.problems) if shot.problems else 'ok'}")
                drv.app.set_language(settings.kiosk.language)
    finally:
        drv.close()
    return shots
