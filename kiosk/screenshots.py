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
    reader = drv.app.core.devices.card_reader
    if hasattr(reader, "remove_card"):
        reader.remove_card()  # every state starts with an empty reader
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


# -- pay a fee ------------------------------------------------------------------------------------


def unpaid_dossier(drv) -> str:
    """A fresh dossier with a fee to pay (a fictional citizen's, sent to the demo gateway the way
    the submit journey does), so every run and language has something to pay."""
    from datetime import date, datetime, timezone

    from kiosk.gateway import models as M
    from kiosk.gateway.client import new_idempotency_key

    now = datetime.now(timezone.utc)
    sub = M.DossierSubmission(
        procedure_code="1.004873",
        applicant=M.Applicant("001099012345", "Nguyễn Văn An", date(1990, 5, 17), "chip",
                              M.PassiveAuthentication("chain_not_verified", True, True, None)),
        form={"purpose": "kết hôn", "marital_status": "chưa kết hôn"},
        delivery=M.DeliveryChoice("pickup"), consent_at=now, submitted_at=now,
        documents=[M.DocumentPhoto.from_bytes("Tờ khai", "image/jpeg", b"\xff\xd8\xff\xe0sample")],
    )
    return drv.app.core.gateway.wait().submit_dossier(sub, new_idempotency_key()).code


def to_pay_code(drv, code: str, typed: bool = False) -> None:
    """The pay journey's code screen with ``code`` in the field: typed key by key, or put there
    the way a scanned receipt puts it (quicker: these states are rendered many times)."""
    to_menu(drv)
    drv.tap(drv.screen.tiles["pay"])
    drv.wait_until(lambda: drv.app.current == "pay_code", what="pay code screen")
    if typed:
        type_code(drv, code)
        return
    if getattr(drv.screen, "mode", "type") == "scan":
        drv.tap(drv.screen.to_typing)
    drv.screen.set_code(code)
    drv.frames(2)


def to_pay_amount(drv, code: str | None = None) -> None:
    to_pay_code(drv, code or unpaid_dossier(drv))
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "pay_amount", 20, "the fee")


def to_pay_code_error(drv) -> None:
    to_pay_code(drv, SAMPLE_DOSSIER, typed=True)  # its fee is already paid
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the already-paid message")


def to_pay_qr(drv) -> None:
    to_pay_amount(drv)
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")


def to_pay_qr_expired(drv) -> None:
    import dataclasses

    to_pay_qr(drv)
    core = drv.app.core
    core.session.payment = dataclasses.replace(core.session.payment, status="expired")
    drv.screen.stop()
    drv.screen.render()


def to_pay_done(drv) -> None:
    to_pay_qr(drv)
    drv.tap(drv.screen.demo)
    drv.wait_until(lambda: drv.app.current == "pay_done" and drv.screen.result is not None, 20, "the paid receipt")


def to_pay_cash(drv) -> None:
    to_pay_amount(drv)
    drv.tap(drv.screen.cash)
    drv.wait_until(lambda: drv.app.current == "pay_cash", 20, "the cash ticket")


STATES += [
    ("pay_code-error", to_pay_code_error),
    ("pay_amount", to_pay_amount),
    ("pay_qr", to_pay_qr),
    ("pay_qr-expired", to_pay_qr_expired),
    ("pay_done", to_pay_done),
    ("pay_cash", to_pay_cash),
]


# -- identify with the chip ID card ------------------------------------------------------------


def to_identify(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["identify"])
    drv.wait_until(lambda: drv.app.current == "identify_key", what="identify screen")


def type_digits(drv, digits: str) -> None:
    for ch in digits:
        drv.tap(drv.screen.keyboard.keys[ch])


def to_identify_typed(drv) -> None:
    from kiosk.screens.identify import SAMPLE_PERSON_ID

    to_identify(drv)
    type_digits(drv, SAMPLE_PERSON_ID)


def to_identify_place(drv) -> None:
    drv.app.core.devices.card_reader.remove_card()
    to_identify_typed(drv)
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")


def to_identify_failed(drv) -> None:
    to_identify(drv)
    type_digits(drv, "001189999999")  # a number that does not open the sample card
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.screen.message.parent is not None, 30, "the access-denied message")


def to_identify_result(drv) -> None:
    to_identify_place(drv)
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")


def to_consent(drv) -> None:
    to_identify_result(drv)
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "consent", what="consent")


def to_done_card_left(drv) -> None:
    to_consent(drv)
    drv.tap(drv.screen.agree)
    drv.wait_until(lambda: drv.app.current == "done", what="done")


STATES += [
    ("identify_key", to_identify_typed),
    ("identify_read", to_identify_place),
    ("identify_read-error", to_identify_failed),
    ("identify_result", to_identify_result),
    ("consent", to_consent),
    ("done-card-left", to_done_card_left),
]


# -- staff and technician modes -------------------------------------------------------------------

STAFF_PIN, TECHNICIAN_PIN = "246810", "135790"  # the demo PINs of kiosk.ini


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


def to_pin_staff(drv) -> None:
    to_lookup(drv)
    long_press(drv, drv.app.staff_control)


def to_staff(drv, tab: str = "assist") -> None:
    to_pin_staff(drv)
    type_pin(drv, STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "staff", what="staff panel")
    if tab != "assist":
        drv.tap(drv.screen.tab_buttons[tab])
    drv.wait_until(lambda: drv.app.t("staff.working") not in drv.texts(), 20, "the staff tab")


def to_staff_badge(drv) -> None:
    to_staff(drv)
    tap_in_panel(drv, drv.screen.consent_button)
    drv.tap(drv.screen.back_button)
    drv.wait_until(lambda: drv.app.current == "lookup_code" and drv.app.staff_badge.parent is not None,
                   what="the journey with the staff badge")


def to_technician(drv, tab: str = "card") -> None:
    to_attract(drv)
    long_press(drv, drv.app.technician_corner)
    type_pin(drv, TECHNICIAN_PIN)
    drv.wait_until(lambda: drv.app.current == "technician", what="technician panel")
    if tab != "card":
        drv.tap(drv.screen.tab_buttons[tab])
    drv.frames(3)


STATES += [
    ("pin-staff", to_pin_staff),
    ("staff", to_staff),
    ("staff-help", lambda drv: to_staff(drv, "help")),
    ("staff-outbox", lambda drv: to_staff(drv, "outbox")),
    ("staff-badge", to_staff_badge),
    ("technician", to_technician),
    ("technician-printer", lambda drv: to_technician(drv, "printer")),
    ("technician-system", lambda drv: to_technician(drv, "system")),
]


def to_status_printed(drv) -> None:
    to_status(drv)
    drv.tap(drv.screen.print_button)
    drv.wait_until(lambda: drv.screen.printed.parent is not None, 20, "the printed message")


def to_status_paper_out(drv) -> None:
    printer = drv.app.core.devices.printer
    to_status(drv)
    printer.faults.set_faults(paper_out=True)
    try:
        drv.tap(drv.screen.print_button)
        drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the paper-out message")
    finally:
        printer.faults.clear_faults()
        printer.refresh()


STATES += [
    ("lookup_status-printed", to_status_printed),
    ("lookup_status-paper-out", to_status_paper_out),
]


def to_attract_card_left(drv) -> None:
    to_attract(drv)
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.screen.card_left.opacity == 1, 10, "the card-left call-out")


STATES += [("attract-card-left", to_attract_card_left)]


def to_help(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["help"])
    drv.wait_until(lambda: drv.app.current == "help_reason", what="call-staff screen")


def to_help_ticket(drv) -> None:
    to_help(drv)
    drv.tap(drv.screen.buttons["form_help"])
    drv.wait_until(lambda: drv.app.current == "help_ticket", 20, "the help ticket")


STATES += [("help_reason", to_help), ("help_ticket", to_help_ticket)]
