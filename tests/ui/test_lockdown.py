"""A locked-down kiosk: Escape, Alt+F4, the window's close button, F1 and every other Kivy shortcut
do nothing, and Kivy's own configuration never overrides kiosk.ini."""

from pathlib import Path


def test_close_request_and_escape_are_refused(app):
    drv = app
    win = drv.window
    assert drv.app.locked
    # Alt+F4 and the close button both arrive as on_request_close; a handler returning True
    # keeps the window open
    assert win.dispatch("on_request_close") is True
    assert win.dispatch("on_keyboard", 27, 0, None, []) is True
    drv.frames(2)
    assert drv.app.current == "attract" and drv.app.root is not None
    # touches still work afterwards
    drv.tap(drv.screen.prompt)
    assert drv.app.current == "menu"


def test_targets_are_large_enough(app):
    """Every button a citizen can touch is at least 100×100 px at 1080x1920."""
    from kivy.uix.behaviors import ButtonBehavior

    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    drv.tap(drv.screen.to_typing)
    for mode in ("digits", "letters"):
        drv.screen.keyboard.set_mode(mode)
        drv.frames(2)
        buttons = [w for w in drv.walk() if isinstance(w, ButtonBehavior) and drv.visible(w)]
        assert len(buttons) > 15
        small = [(getattr(b, "text", ""), b.size) for b in buttons if b.width < 100 or b.height < 100]
        assert not small, small


def test_primary_controls_are_in_the_lower_two_thirds(app):
    drv = app
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["lookup"])
    drv.tap(drv.screen.to_typing)
    h = drv.window.height
    for widget in [drv.screen.submit, *drv.screen.keyboard.keys.values()]:
        _x, top = widget.to_window(widget.x, widget.top)
        assert top <= h * 2 / 3 + 1, getattr(widget, "text", widget)


KIVY_KEYS = [  # (key, scancode, modifiers): what Kivy and its modules listen for
    (282, 58, []),          # F1: the settings panel (fullscreen, rotation, logging, keyboard mode)
    (292, 68, []),          # F11: rotate (keybinding module)
    (292, 68, ["shift"]),   # Shift+F11: portrait/landscape
    (293, 69, []),          # F12: screenshot
    (101, 101, ["ctrl"]),   # Ctrl+E: the inspector, the console
    (27, 41, []),           # Escape: exit
]


def test_kivy_shortcuts_open_nothing(app, tmp_path, monkeypatch):
    from kivy.core.window import Window

    drv = app
    monkeypatch.chdir(tmp_path)  # where an F12 screenshot would land
    before = list(Window.children)
    size, rotation = tuple(Window.size), Window.rotation
    for key, scancode, modifiers in KIVY_KEYS:
        Window.dispatch("on_key_down", key, scancode, None, modifiers)
        Window.dispatch("on_keyboard", key, scancode, None, modifiers)
        Window.dispatch("on_key_up", key, scancode)
        drv.frames(2)
    assert list(Window.children) == before and drv.app._app_settings is None  # no panel, no inspector
    assert (tuple(Window.size), Window.rotation) == (size, rotation)
    assert not list(tmp_path.iterdir())  # no screenshot
    assert drv.app.root is not None and drv.app.current == "attract"
    import os

    assert not (Path(os.environ["KIVY_HOME"]) / "config.ini").exists()  # Kivy writes no config of its own


KIVY_USER_CONFIG = """[kivy]
exit_on_escape = 1
keyboard_mode = dock
[graphics]
rotation = 180
[modules]
keybinding =
inspector =
monitor =
"""

PROBE = r"""
import json, sys
from kiosk import config
from kiosk.app import build_app, prepare_kivy
settings = config.load(sys.argv[1])
prepare_kivy(settings, headless=True)
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.config import Config
from kivy.modules import Modules
app = build_app(settings, locked=True)
def probe(_dt):
    for key, scancode, mods in [(282, 58, []), (292, 68, []), (101, 101, ["ctrl"]), (27, 41, [])]:
        Window.dispatch("on_keyboard", key, scancode, None, mods)
    Config.write()
    facts = {"rotation": Window.rotation, "modules": sorted(n for n, m in Modules.mods.items() if m["activated"]),
             "keyboard_mode": Config.get("kivy", "keyboard_mode"), "settings": app._app_settings is not None,
             "children": len(Window.children), "screen": app.current}
    print("FACTS " + json.dumps(facts))
    app.exit_kiosk()
Clock.schedule_once(probe, 1)
app.run()
"""


def test_kivys_own_user_config_never_overrides_kiosk_ini(tmp_path):
    """A config.ini in KIVY_HOME (the data folder) asking for a 180° rotation, the inspector,
    keybinding and monitor modules and a docked keyboard: a real kiosk process ignores it all,
    and leaves the file as it found it."""
    import json
    import os
    import re
    import subprocess
    import sys

    from tests.conftest import ROOT

    data = tmp_path / "data"
    (data / "kivy").mkdir(parents=True)
    user_config = data / "kivy" / "config.ini"
    user_config.write_text(KIVY_USER_CONFIG, encoding="utf-8")
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    ini = tmp_path / "kiosk.ini"
    ini.write_text(re.sub(r"(?m)^data_dir = .*$", f"data_dir = {data}", text), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIVY_", "KCFG_", "DISPLAY"))}
    env.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KCFG_GRAPHICS_ROTATION="90")
    run = subprocess.run([sys.executable, "-c", PROBE, str(ini)], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    lines = [line for line in run.stdout.splitlines() if line.startswith("FACTS ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    facts = json.loads(lines[-1][6:])
    assert facts == {"rotation": 0, "modules": [], "keyboard_mode": "", "settings": False,
                     "children": facts["children"], "screen": "attract"}, facts
    assert user_config.read_text(encoding="utf-8") == KIVY_USER_CONFIG
