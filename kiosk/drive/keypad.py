"""The tactile keypad as a citizen without sight uses it: key presses on the window (what a USB
keypad sends), the keys taken from kiosk.ini's [accessibility] key map."""

from __future__ import annotations

from kiosk.drive.lookup import to_lookup


def press(drv, action: str, times: int = 1) -> None:
    """Press the keypad key for ``action`` (up, down, left, right, ok, back, help, repeat,
    volume_up, volume_down): key down and key up on the window, as SDL delivers them."""
    codes = getattr(drv.app.settings.accessibility, f"key_{action}")
    assert codes, f"no key for {action} in [accessibility]"
    for _ in range(times):
        drv.window.dispatch("on_key_down", codes[0], 0, None, [])
        drv.window.dispatch("on_key_up", codes[0], 0)
        drv.frames(4)  # the focus manager settles on a new screen or dialog


def focus_on(drv, widget, limit: int = 40) -> None:
    """Move the focus ring to ``widget`` with left or right, whichever is shorter (as a person
    listening to each control does)."""
    keypad = drv.app.keypad
    for _ in range(limit):
        target = keypad.target()
        if target is widget:
            return
        controls = keypad.controls()
        if widget not in controls:
            raise AssertionError(f"{getattr(widget, 'text', widget)!r} cannot be focused; "
                                 f"controls: {[getattr(w, 'text', w) for w in controls]}")
        ahead = (controls.index(widget) - (controls.index(target) if target in controls else -1)) % len(controls)
        press(drv, "right" if ahead <= len(controls) - ahead else "left")
    raise AssertionError(f"the focus never reached {getattr(widget, 'text', widget)!r}")


def to_lookup_code_focus(drv) -> None:
    """The code screen with the keypad in use: the headset confirmed, the ring on a key."""
    to_lookup(drv)
    press(drv, "down")  # the first press asks for the headset
    press(drv, "ok")  # headset confirmed
    focus_on(drv, drv.screen.to_typing)
    press(drv, "ok")
    focus_on(drv, drv.screen.keyboard.keys["2"])
