"""Use without sight (issue 14 item 11, EN 301 549 §5.1.3): a tactile keypad (key events on the
window) moves a focus ring over every control, OK does what a tap does, and speech says the
focused control and each screen's prompt; nothing personal is said before the headset is
confirmed.  What a citizen would hear is taken at the speaker's lowest boundary (its sink)."""

from __future__ import annotations

import pytest

from kiosk import config
from kiosk.drive.keypad import focus_on, press
from kiosk.drive.lookup import to_status
from kiosk.samples import SAMPLE_DOSSIER
from kiosk.text import localized


@pytest.fixture
def heard(app):
    """Every prompt the speaker gets, as (text, lang); espeak-ng is never started."""
    got: list[tuple[str, str]] = []
    speaker = app.app.speaker
    speaker.sink = lambda text, lang: got.append((text, lang))
    yield got
    speaker.sink = None


def said(heard) -> str:
    return "\n".join(text for text, _lang in heard)


def start_by_keypad(drv, heard) -> None:
    """From the attract screen: the first press asks for the headset, OK confirms it, OK on the
    big "touch to start" button opens the menu."""
    press(drv, "down")
    assert "tai nghe" in said(heard) and drv.app.keypad.active and not drv.app.keypad.headset
    press(drv, "ok")
    assert drv.app.keypad.headset and drv.app.current == "attract"
    focus_on(drv, drv.screen.prompt)
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "menu", what="the menu")


def test_lookup_journey_by_keypad_only(app, heard):
    drv = app
    start_by_keypad(drv, heard)
    focus_on(drv, drv.screen.tiles["lookup"])
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "lookup_code", what="the look-up screen")
    drv.frames(4)
    assert drv.app.t("lookup.title") in said(heard)  # the new screen's prompt is said
    screen = drv.screen
    if screen.mode == "scan":  # the scan state: the way to the keyboard is a control like any other
        assert drv.app.keypad.target() in drv.app.keypad.controls()
    heard.clear()
    for key in screen.keys_for(SAMPLE_DOSSIER):  # the keys a finger would tap, reached by keypad
        focus_on(drv, key)
        press(drv, "ok")
    assert screen.code == SAMPLE_DOSSIER
    assert "0, " in said(heard) or "0\n" in said(heard)  # keys are named as the ring reaches them
    focus_on(drv, screen.submit)
    assert drv.app.t("keypad.button", label=drv.app.t("lookup.submit")) in said(heard)
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier's status")
    drv.frames(6)
    dossier = drv.app.journeys.lookup.existing.dossier
    status = drv.app.t(f"dossier.status.{getattr(dossier.status, 'value', dossier.status)}")
    assert status in said(heard)  # the headset is in: the status is read out
    keypad = drv.app.keypad
    assert keypad.target() in keypad.controls() and keypad.ring.shown  # the ring followed the screen change
    focus_on(drv, drv.screen.done_button)
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "done", what="the end screen")


def test_call_staff_by_keypad_only(app, heard):
    drv = app
    start_by_keypad(drv, heard)
    focus_on(drv, drv.screen.tiles["help"])
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "help_reason", what="the reasons")
    drv.frames(4)
    assert drv.app.t("help.title") in said(heard)
    focus_on(drv, drv.screen.buttons["form_help"])
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "help_ticket", 20, "the ticket")
    drv.frames(6)
    ticket = drv.app.journeys.help.ticket
    assert ticket is not None and ticket.ticket in said(heard)  # the number is read out
    assert drv.app.t("help.ticket_title") in said(heard)


def test_help_key_opens_the_panel_which_owns_the_focus(app, heard):
    """Help from the keypad is the navigation bar's "Gọi nhân viên": the panel over the screen
    takes the focus (nothing under it can be reached), and closing it gives it back."""
    drv = app
    start_by_keypad(drv, heard)
    focus_on(drv, drv.screen.tiles["lookup"])
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "lookup_code", what="the look-up screen")
    keypad = drv.app.keypad
    before = keypad.target()
    press(drv, "help")
    panel = drv.app.help_panel
    assert panel is not None and panel.parent is not None
    controls = keypad.controls()
    assert controls and all(keypad._inside(w, panel) for w in controls)
    assert keypad.target() in controls
    assert drv.app.t("help.panel_title") in said(heard)
    press(drv, "right", times=len(controls))  # round the panel and back: never out of it
    assert keypad._inside(keypad.target(), panel)
    focus_on(drv, panel.never_mind)
    press(drv, "ok")
    assert panel.parent is None and drv.app.current == "lookup_code"
    drv.frames(4)
    assert keypad.target() is before


def test_nothing_personal_before_the_headset(app, heard):
    """The status screen reached by touch (a helper, a scan): keypad presses before OK say the
    headset prompt, the title and the buttons, never the dossier's code, name, agency, status,
    dates or history; OK (the headset in) reads them."""
    drv = app
    to_status(drv)
    dossier = drv.app.journeys.lookup.existing.dossier
    lang = drv.app.translator.lang
    personal = [dossier.code, localized(dossier.procedure, "name", lang),
                drv.app.t(f"dossier.status.{getattr(dossier.status, 'value', dossier.status)}")]
    agency = localized(dossier, "agency", lang)
    if agency:
        personal.append(agency)
    if getattr(dossier, "expected_date", None):
        personal.append(drv.app.format_date(dossier.expected_date))
    personal += [localized(e, "note", lang) for e in dossier.timeline if localized(e, "note", lang)]
    assert all(drv.has_text(p) for p in personal[:3])  # shown on screen
    press(drv, "down")
    for action in ("down", "right", "right", "left", "up", "repeat", "volume_up", "volume_down"):
        press(drv, action)
    before = said(heard)
    assert "tai nghe" in before and drv.app.t("status.title") in before
    leaks = [p for p in personal if p in before]
    assert not leaks, leaks
    press(drv, "ok")  # the headset is in
    assert drv.app.keypad.headset
    after = said(heard)[len(before):]
    assert personal[2] in after and personal[1] in after


def test_back_volume_and_the_session_end(app, heard):
    drv = app
    start_by_keypad(drv, heard)
    focus_on(drv, drv.screen.tiles["help"])
    press(drv, "ok")
    drv.wait_until(lambda: drv.app.current == "help_reason", what="the reasons")
    speaker = drv.app.speaker
    volume = speaker.volume
    press(drv, "volume_up")
    assert speaker.volume == volume + 20
    assert drv.app.t("speech.volume_now", percent=volume + 20) in said(heard)
    press(drv, "volume_down", times=2)
    assert speaker.volume == volume - 20
    press(drv, "back")  # the navigation bar's back
    drv.wait_until(lambda: drv.app.current == "menu", what="back to the menu")
    drv.app.core.reset("test")
    drv.frames(3)
    keypad = drv.app.keypad
    assert not keypad.active and not keypad.headset and not keypad.ring.shown
    assert speaker.volume == volume


@pytest.mark.parametrize("high_contrast", [False, True])
def test_focus_ring_is_drawn_in_the_theme_accent(app, heard, tmp_path, high_contrast):
    from PIL import Image

    drv = app
    drv.tap(drv.screen.prompt)
    drv.app.theme.high_contrast = high_contrast
    try:
        press(drv, "down")
        target = drv.app.keypad.target()
        assert target is not None and drv.app.keypad.ring.shown
        shot = Image.open(drv.screenshot(tmp_path / "ring.png"))
        x, y = target.to_window(target.x, target.center_y)
        t = drv.app.theme
        # the middle of the ring's stroke, left of the control
        px = shot.getpixel((int(x - t.px(5) - t.px(7) / 2), int(drv.window.height - y)))
        want = tuple(round(c * 255) for c in t.palette.accent[:3])
        assert all(abs(a - b) <= 8 for a, b in zip(px, want, strict=True)), (px, want)
    finally:
        drv.app.theme.high_contrast = False


def test_keypad_keys_are_the_kiosks_own_never_kivys(app, heard):
    """F1 and the other Kivy shortcuts stay swallowed (tests/ui/test_lockdown.py); a keypad key
    with Ctrl or Alt is no keypad key."""
    from kivy.core.window import Window

    drv = app
    before = list(Window.children)
    Window.dispatch("on_key_down", 282, 58, None, [])
    Window.dispatch("on_key_down", 273, 82, None, ["ctrl"])
    drv.frames(2)
    assert not drv.app.keypad.active and list(Window.children) == before


def test_key_map_errors_are_clear():
    base = "[kiosk]\nkiosk_id = K\n[accessibility]\n"
    with pytest.raises(config.ConfigError) as bad:
        config.from_text(base + "key_ok = enter okay\n")
    assert "accessibility.key_ok: expected key names" in str(bad.value) and "okay" in str(bad.value)
    with pytest.raises(config.ConfigError) as clash:
        config.from_text(base + "key_back = enter\n")
    assert "accessibility.key_back: expected keys no other action uses, found 'enter' also in key_ok" \
        in str(clash.value)
    acc = config.from_text(base + "key_help = F4 numpad5\nkey_repeat =\n").accessibility
    assert acc.key_help == (285, 261) and acc.key_repeat == ()
    assert config.defaults().accessibility.key_ok == (13, 271)


def _keypad_on_the_form_error(drv, heard):
    """The form with a field to fix (reached by touch, as a helper might), then the keypad: the
    headset confirmed."""
    from kiosk.drive.submit import to_submit_form_error

    to_submit_form_error(drv)
    press(drv, "down")  # the first press asks for the headset
    press(drv, "ok")
    assert drv.app.keypad.headset
    return drv.screen


def test_the_keypad_reaches_the_error_summary_and_it_focuses_the_field(app, heard):
    """The error summary's "take me to the field" is a control like any other: the ring reaches
    it, OK runs it, and the ring lands on the field to fix (scrolled into view), whose name and
    problem are said; OK there opens its editor."""
    from kiosk.screens.submit.common import to_top
    from kiosk.widgets import entry

    drv = app
    screen = _keypad_on_the_form_error(drv, heard)
    keypad, field = drv.app.keypad, screen.entries["place_of_birth"]
    assert field.error.text
    focus_on(drv, screen.message)  # fails when the summary cannot be focused
    assert drv.app.t("message.goto") in said(heard)
    to_top(screen.scroll)  # the field scrolled away again
    drv.frames(3)
    heard.clear()
    press(drv, "ok")
    drv.advance(0.4)  # the page scrolls once its layout has settled
    assert keypad.target() is field.box and keypad.ring.shown
    assert drv.reachable(field.box) and drv.hidden_key_content() == []
    assert field.label.text in said(heard) and field.error.text in said(heard)
    assert entry.open_editor() is None  # with the keypad, the ring is the focus: OK opens the editor
    press(drv, "ok")
    editor = entry.open_editor()
    assert editor is not None and editor.field is field
    drv.tap(editor.cancel)


def test_continue_by_keypad_puts_the_ring_on_the_error_summary(app, heard):
    """OK on "Tiếp tục" with a field to fix: the ring moves to the summary and it is said once,
    so that one more OK takes the citizen to the field."""
    drv = app
    screen = _keypad_on_the_form_error(drv, heard)
    keypad = drv.app.keypad
    screen.hide_error()
    drv.frames(2)
    focus_on(drv, screen.go)
    heard.clear()
    press(drv, "ok")
    drv.frames(4)
    assert screen.message.parent is not None and keypad.target() is screen.message
    text = drv.app.t("message.goto")
    assert said(heard).count(text) == 1
    press(drv, "ok")
    drv.advance(0.4)
    assert keypad.target() is screen.entries["place_of_birth"].box
