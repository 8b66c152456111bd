"""Renders every screen state of the kiosk to PNG, headless, by driving the real app.

Each state is reached the way a citizen reaches it (taps on the real widgets, a real look-up
against the embedded demo gateway), then the window is saved as ``<state>-<lang>.png``.
Every picture is checked: not blank, and no clipped, off-screen or overlapping text.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.config import Settings

SAMPLE_DOSSIER = "H26.99-241125-0002"
UNKNOWN_DOSSIER = "H26.99-000000-0000"


@dataclass
class Shot:
    name: str
    path: Path
    problems: list[str]
    blank: bool


def type_code(drv, code: str) -> None:
    """Type a dossier code on the on-screen keyboard, switching pads as a person would."""
    if getattr(drv.screen, "mode", "type") == "scan":
        drv.tap(drv.screen.to_typing)
    kb = drv.screen.keyboard
    for ch in code:
        if ch.isalpha() and kb.mode != "letters":
            drv.tap(kb.keys["ABC"])
        elif (ch.isdigit() or ch == "/") and kb.mode == "letters" and ch not in kb.keys:
            drv.tap(kb.keys["123"])
        elif ch.isdigit() and kb.mode != "digits":
            drv.tap(kb.keys["123"])
        drv.tap(kb.keys[ch])


def to_attract(drv) -> None:
    drv.app.core.reset("screenshots")
    drv.frames(3)


def to_menu(drv) -> None:
    to_attract(drv)
    drv.tap(drv.screen.prompt)
    drv.wait_until(lambda: drv.app.current == "menu", what="menu")


def to_lookup(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["lookup"])
    drv.wait_until(lambda: drv.app.current == "lookup_code", what="lookup screen")


def to_lookup_scan(drv) -> None:
    to_lookup(drv)
    drv.tap(drv.screen.scan.demo)  # the demo's sample receipt in front of the simulated camera
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the scanned dossier")
    drv.app.core.back()
    drv.wait_until(lambda: drv.app.current == "lookup_code", 5, "back to the scan screen")
    drv.screen.scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.screen.scan._outline.points != [], 10, "the outline of the code")


def to_lookup_typed(drv) -> None:
    to_lookup(drv)
    type_code(drv, SAMPLE_DOSSIER)


def to_lookup_error(drv) -> None:
    to_lookup(drv)
    type_code(drv, UNKNOWN_DOSSIER)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the not-found message")


def to_status(drv) -> None:
    to_lookup_typed(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier status")


def to_done(drv) -> None:
    to_status(drv)
    drv.tap(drv.screen.done_button)
    drv.wait_until(lambda: drv.app.current == "done", what="done screen")


def to_timeout(drv) -> None:
    to_lookup_typed(drv)
    clock = drv.app.core.idle.clock
    clock.advance(drv.app.core.idle.warn_after + 2)
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, what="timeout warning")


# state name → how to get there.  Journeys add their states here.
STATES: list[tuple[str, Callable]] = [
    ("attract", to_attract),
    ("menu", to_menu),
    ("lookup_scan", to_lookup_scan),
    ("lookup_code", to_lookup_typed),
    ("lookup_code-error", to_lookup_error),
    ("lookup_status", to_status),
    ("done", to_done),
    ("timeout", to_timeout),
]


KEY_RX = __import__("re").compile(r"^[a-z_]+(\.[a-z0-9_\-]+)+$")


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
    from kiosk.appdriver import AppDriver
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
                problems = drv.layout_problems() + untranslated(drv)
                shot = Shot(name, path, problems, is_blank(path))
                shots.append(shot)
                flag = "BLANK " if shot.blank else ""
                log(f"{path}  {flag}{'; '.join(shot.problems) if shot.problems else 'ok'}")
                drv.app.set_language(settings.kiosk.language)
    finally:
        drv.close()
    return shots
