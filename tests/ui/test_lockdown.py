"""A locked-down kiosk: Escape, Alt+F4 and the window's close button do not exit."""


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
