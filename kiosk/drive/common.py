"""Steps every journey script shares: back to the attract screen, the menu, typing on the
on-screen keyboards, a long press, a tap inside a scrolling staff or technician panel."""

from __future__ import annotations


def type_code(drv, code: str) -> None:
    """Type a dossier code on the on-screen keyboard, switching pads as a person would."""
    keys_for = getattr(drv.screen, "keys_for", None)
    if keys_for is not None:  # the screen knows the code's format: the keys a person taps there
        for key in keys_for(code):
            drv.tap(key)
        return
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


def type_digits(drv, digits: str) -> None:
    for ch in digits:
        drv.tap(drv.screen.keyboard.keys[ch])


def type_pin(drv, pin: str) -> None:
    for ch in pin:
        drv.tap(drv.screen.keyboard.keys[ch])
    drv.tap(drv.screen.submit)


def long_press(drv, widget, timeout: float = 15.0) -> None:
    """Hold a finger on ``widget`` until the PIN screen opens (staff: ~1 s, technician: ~3 s)."""
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    try:
        drv.wait_until(lambda: drv.app.current == "pin", timeout, "the technician PIN after a long press")
    finally:
        touch.touch_up()
        drv.frames(2)


def tap_in_panel(drv, widget) -> None:
    """Tap a control inside the staff/technician content area, scrolling it into view first."""
    scroll = drv.screen.scroll
    for _ in range(30):  # the content has its real height only after layout passes
        drv.frames(2)
        _, y = widget.to_window(*widget.center)
        _, bottom = scroll.to_window(scroll.x, scroll.y)
        if bottom + widget.height / 2 <= y <= bottom + scroll.height - widget.height / 2:
            break
        drv.screen.reveal(widget)
    drv.tap(widget)


def to_attract(drv) -> None:
    drv.app.core.reset("screenshots")
    reader = drv.app.core.devices.card_reader
    if hasattr(reader, "remove_card"):
        reader.remove_card()  # every state starts with an empty reader
    drv.frames(3)


def to_menu(drv) -> None:
    to_attract(drv)
    drv.tap(drv.screen.prompt)
    drv.wait_until(lambda: drv.app.current == "menu", what="menu")
