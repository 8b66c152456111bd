"""Renders every screen state of the kiosk to PNG, headless, by driving the real app.

Each state is reached the way a citizen reaches it (taps on the real widgets, a real look-up
against the embedded demo gateway), then the window is saved as ``<state>-<lang>.png``.
Every picture is checked: not blank, no clipped, off-screen or overlapping text, no touch target
under 100x100 design pixels and no untranslated text.
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
                problems = drv.layout_problems() + drv.small_targets() + untranslated(drv) + drv.costly_drawing()
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


# -- easier to see: larger text and high contrast ------------------------------------------------


def to_access_panel(drv) -> None:
    to_menu(drv)
    drv.tap(drv.app.nav.access)
    drv.wait_until(lambda: drv.app.access_panel.parent is not None, 5, "the easier-to-see panel")


def to_menu_high_contrast(drv) -> None:
    to_access_panel(drv)
    drv.tap(drv.app.access_panel.contrast)
    drv.tap(drv.app.access_panel.close)
    drv.wait_until(lambda: drv.app.access_panel.parent is None, 5, "the panel to close")


STATES += [("access-panel", to_access_panel), ("menu-high-contrast", to_menu_high_contrast)]


# -- rating (five faces at the end of each journey) -----------------------------------------------


def to_done_rating_reasons(drv) -> None:
    to_done(drv)
    drv.tap(drv.screen.rating.faces[2])
    drv.wait_until(lambda: drv.screen.rating.state == "why", 5, "the reasons")


def to_done_rating_thanks(drv) -> None:
    to_done_rating_reasons(drv)
    drv.tap(drv.screen.rating.reason_buttons["too_slow"])
    drv.wait_until(lambda: drv.screen.rating.state == "thanks", 5, "the thanks")


def to_help_ticket_rating(drv) -> None:
    to_help_ticket(drv)
    drv.tap(drv.screen.rating.faces[5])
    drv.wait_until(lambda: drv.screen.rating.state == "why", 5, "the reasons")


STATES += [
    ("done-rating-reasons", to_done_rating_reasons),
    ("done-rating-thanks", to_done_rating_thanks),
    ("help_ticket-rating", to_help_ticket_rating),
]


# -- submit a procedure -------------------------------------------------------------------------

SUBMIT_QUERY = "dang ky khai sinh"
SUBMIT_PROCEDURE = "Đăng ký khai sinh"
# what a parent types for a newborn (fictional)
SUBMIT_FORM = {"child_full_name": "Nguyễn Minh An", "child_date_of_birth": "2026-11-20", "child_sex": "Nam",
               "place_of_birth": "Bệnh viện Phụ sản Hà Nội", "requester_relation": "mẹ"}


def to_submit_find(drv, query: str = "khai sinh") -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["submit"])
    drv.wait_until(lambda: drv.app.current == "submit_find", what="the find-a-procedure screen")
    if query:
        drv.screen.set_query(query)
        drv.frames(2)


def to_submit_results(drv, query: str = SUBMIT_QUERY) -> None:
    to_submit_find(drv, query)
    drv.tap(drv.screen.search)
    drv.wait_until(lambda: drv.app.current == "submit_list", 20, "the procedures found")


def to_submit_events(drv) -> None:
    to_submit_find(drv, "")
    drv.tap(drv.screen.browse)
    drv.wait_until(lambda: drv.app.current == "submit_events" and drv.screen.tiles, 20, "the life events")


def to_submit_event_list(drv) -> None:
    to_submit_events(drv)
    drv.tap(drv.screen.tiles["birth"])
    drv.wait_until(lambda: drv.app.current == "submit_list", 20, "the procedures of a life event")


def to_submit_details(drv) -> None:
    to_submit_results(drv)
    drv.tap(drv.screen.tile_for(SUBMIT_PROCEDURE))
    drv.wait_until(lambda: drv.app.current == "submit_details", 20, "the procedure's details")


def submit_identify(drv) -> None:
    """From the details through the chip ID card (the identify steps) to the form."""
    from kiosk.screens.identify import SAMPLE_PERSON_ID

    reader = drv.app.core.devices.card_reader
    reader.remove_card()
    drv.tap(drv.screen.start)
    drv.wait_until(lambda: drv.app.current == "identify_key", what="the identify step")
    type_digits(drv, SAMPLE_PERSON_ID)
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")
    reader.place_card()
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    drv.tap(drv.screen.go)
    drv.tap(drv.screen.agree)
    drv.wait_until(lambda: drv.app.current == "submit_form" and drv.screen.entries, 20, "the form")


def sample_identity():
    """The demo card's person as the chip gives them (the card read itself is shown by the
    identify states; the submit states start after it, so rendering them stays quick)."""
    import json
    from datetime import date

    from kiosk.config import PROJECT_ROOT
    from kiosk.devices.cardreader.sod import PassiveAuthResult
    from kiosk.identity import Identity

    p = json.loads((PROJECT_ROOT / "assets" / "cards" / "sample-person.json").read_text(encoding="utf-8"))
    return Identity(id_number=p["id_number"], full_name=p["full_name"],
                    date_of_birth=date.fromisoformat(p["date_of_birth"]), sex=p["sex"], nationality=p["nationality"],
                    ethnicity=p["ethnicity"], residence=p["residence"], passive_auth=PassiveAuthResult("authentic"),
                    access_method="pace")


def submit_at(drv, step: str, *, form: bool = True, pages: bool = True, post: bool = False,
              code: str = "1.001193") -> None:
    """The submit journey at ``step`` for the demo's person: identified (consent given), the
    procedure chosen, the form filled, a page photographed, delivery chosen, as asked."""
    from kiosk.devices.qr.simulated import make_document_page
    from kiosk.submit import capture

    to_submit_find(drv, "")
    core = drv.app.core
    core.session.identity = sample_identity()
    core.session.consent_given = True
    chosen: list = []
    core.submit_choose(code, chosen.append, chosen.append)
    drv.wait_until(lambda: chosen, 20, "the procedure")
    draft = core.submit_draft()
    if form:
        draft.values.update({"nationality": "Việt Nam", "ethnicity": "Kinh", **SUBMIT_FORM})
    if pages:
        slot = draft.photo_documents[0]
        slot.pages.append(capture(make_document_page(slot.doc.name_vi[:28])))
    if post:
        draft.delivery.update({"method": "post", "recipient": core.session.identity.full_name,
                               "phone": "0912345678", "province": "ha-noi", "province_name": "Thành phố Hà Nội",
                               "ward": "Phường Ba Đình", "street": "Số 5 phố Hoàng Hoa Thám"})
    elif form:
        draft.delivery["method"] = "pickup"
    core.goto(step)
    drv.wait_until(lambda: drv.app.current == step, 10, step)


def to_submit_form(drv) -> None:
    submit_at(drv, "submit_form", form=False, pages=False)
    drv.wait_until(lambda: drv.screen.entries, 20, "the form")


def fill_submit_form(drv, values: dict | None = None) -> None:
    for name, value in (values or SUBMIT_FORM).items():
        drv.screen.entries[name].set_value(value)
    drv.frames(2)


def to_submit_form_error(drv) -> None:
    to_submit_form(drv)
    fill_submit_form(drv, {k: v for k, v in SUBMIT_FORM.items() if k != "place_of_birth"})
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 5, "the form's message")
    drv.advance(0.5)  # the first field with a message scrolls into view


def take_page(drv, **page) -> None:
    """A generated page of the shown document on the simulated desk, then "take a photo"."""
    screen = drv.screen
    before = len(screen.slot.pages)
    drv.app.core.devices.qr_source.show_document(screen.slot.doc.name_vi[:28], **page)
    drv.advance(0.4)  # a few camera frames: the preview shows the page
    drv.tap(screen.take)
    drv.wait_until(lambda: len(screen.slot.pages) == before + 1 and not screen.busy, 20, "the photo")


def to_submit_photos_hint(drv) -> None:
    submit_at(drv, "submit_photos", pages=False)
    take_page(drv, dark=True)


def to_submit_delivery_post(drv) -> None:
    submit_at(drv, "submit_delivery")
    drv.tap(drv.screen.post)
    drv.wait_until(lambda: drv.screen.address.province_names, 20, "the provinces")


def to_submit_review(drv) -> None:
    submit_at(drv, "submit_review", post=True)


def to_submit_sent(drv) -> None:
    to_submit_review(drv)
    drv.tap(drv.screen.send)
    drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the dossier sent")


def to_submit_sent_provisional(drv) -> None:
    from kiosk.gateway.errors import GatewayUnavailable

    submit_at(drv, "submit_review", code="1.004873", pages=False, form=False)
    drv.app.core.submit_draft().values.update({"purpose": "kết hôn", "marital_status": "chưa kết hôn"})
    drv.app.core.submit_draft().delivery["method"] = "pickup"
    drv.screen.render()
    client = drv.app.core.gateway.wait()
    real = client.submit_dossier

    def down(*a, **kw):
        raise GatewayUnavailable("connection refused")

    client.submit_dossier = down
    try:
        drv.tap(drv.screen.send)
        drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the provisional receipt")
    finally:
        client.submit_dossier = real


def to_submit_receipt(drv) -> None:
    to_submit_sent(drv)
    drv.tap(drv.screen.go)  # no fee for a birth registration: straight to the receipt
    drv.wait_until(lambda: drv.app.current == "submit_receipt" and drv.screen.result is not None, 20,
                   "the dossier receipt")


STATES += [
    ("submit_find", to_submit_find),
    ("submit_list", to_submit_results),
    ("submit_events", to_submit_events),
    ("submit_list-event", to_submit_event_list),
    ("submit_details", to_submit_details),
    ("submit_form", to_submit_form),
    ("submit_form-error", to_submit_form_error),
    ("submit_photos-hint", to_submit_photos_hint),
    ("submit_delivery", to_submit_delivery_post),
    ("submit_review", to_submit_review),
    ("submit_sent", to_submit_sent),
    ("submit_sent-provisional", to_submit_sent_provisional),
    ("submit_receipt", to_submit_receipt),
]


# -- result delivery by post ----------------------------------------------------------------------


def finished_dossier(drv) -> str:
    """A fresh dossier whose result is ready (sent to the demo gateway as the submit journey
    does, then its timeline moved into the past in the demo's database), so every run and
    language has a result to post."""
    import json
    import time

    from kiosk.gateway.demo.store import iso_utc

    code = unpaid_dossier(drv)
    store = drv.app.core.gateway._server.app.state.store
    with store.tx() as db:
        events = json.loads(db.execute("SELECT events FROM dossiers WHERE code=?", (code,)).fetchone()["events"])
        now = time.time()
        for i, event in enumerate(events):
            event["at"] = iso_utc(now - (len(events) - i) * 3600)
        db.execute("UPDATE dossiers SET events=? WHERE code=?", (json.dumps(events, ensure_ascii=False), code))
    return code


def to_delivery_code(drv, code: str | None = None, typed: bool = False) -> str:
    code = code or finished_dossier(drv)
    to_menu(drv)
    drv.tap(drv.screen.tiles["delivery"])
    drv.wait_until(lambda: drv.app.current == "delivery_code", what="delivery code screen")
    if typed:
        type_code(drv, code)
        return code
    if getattr(drv.screen, "mode", "type") == "scan":
        drv.tap(drv.screen.to_typing)
    drv.screen.set_code(code)
    drv.frames(2)
    return code


def to_delivery_code_error(drv) -> None:
    to_delivery_code(drv, SAMPLE_DOSSIER, typed=True)  # still being processed
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the not-ready message")


def to_delivery_code_booked(drv) -> None:
    from kiosk.gateway.client import new_idempotency_key
    from kiosk.gateway.models import Address

    code = finished_dossier(drv)
    drv.app.core.gateway.wait().book_delivery(code, Address("Thành phố Hà Nội", "Phường Láng", "Số 1 phố Chùa Láng"),
                                              "Nguyễn Văn An", "0912345678", idempotency_key=new_idempotency_key())
    to_delivery_code(drv, code)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the already-booked message")


SAMPLE_ADDRESS = {"recipient": "Nguyễn Văn An", "phone": "0912345678", "province": "ha-noi",
                  "ward": "Phường Láng", "street": "Số 12, ngõ 34, đường Láng"}


def to_delivery_address(drv, fill: bool = True) -> None:
    to_delivery_code(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "delivery_address", 20, "the address screen")
    form = drv.screen.form
    drv.wait_until(lambda: bool(form.province_names), 20, "the provinces")
    if fill:  # as the editors leave them (typing is scripted once, in the delivery test)
        for name, value in SAMPLE_ADDRESS.items():
            form.fields[name].set_value(value, user=True)
        drv.frames(2)


def to_delivery_address_error(drv) -> None:
    to_delivery_address(drv, fill=False)
    form = drv.screen.form
    for name in ("recipient", "phone", "province"):  # the ward and the street forgotten
        form.fields[name].set_value(SAMPLE_ADDRESS[name], user=True)
    drv.tap(drv.screen.cont)
    drv.wait_until(lambda: form.fields["ward"].error.parent is not None, 5, "the missing-details notes")


def to_delivery_confirm(drv) -> None:
    to_delivery_address(drv)
    drv.tap(drv.screen.cont)
    drv.wait_until(lambda: drv.app.current == "delivery_confirm", 5, "the summary")


def to_delivery_confirm_down(drv) -> None:
    from kiosk.gateway.errors import GatewayUnavailable

    to_delivery_confirm(drv)
    client = drv.app.core.gateway.wait()

    def down(*a, **kw):
        raise GatewayUnavailable("connection refused")

    client.book_delivery = down
    try:
        drv.tap(drv.screen.confirm)
        drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the not-booked message")
    finally:
        del client.book_delivery


def to_delivery_done(drv) -> None:
    to_delivery_confirm(drv)
    drv.tap(drv.screen.confirm)
    drv.wait_until(lambda: drv.app.current == "delivery_done" and drv.screen.result is not None, 20, "the slip")


STATES += [
    ("delivery_code", lambda drv: to_delivery_code(drv, typed=True)),
    ("delivery_code-error", to_delivery_code_error),
    ("delivery_code-booked", to_delivery_code_booked),
    ("delivery_address", to_delivery_address),
    ("delivery_address-error", to_delivery_address_error),
    ("delivery_confirm", to_delivery_confirm),
    ("delivery_confirm-gateway-down", to_delivery_confirm_down),
    ("delivery_done", to_delivery_done),
]
