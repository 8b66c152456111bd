"""Result delivery by post: the dossier's code → (the chip ID card) → the address → the summary
with the fee → the slip; a dossier not ready or already booked; a gateway that is down at the
booking.  The fixtures' dossiers are the demo card's person's (see ``kiosk.drive.pay``)."""

from __future__ import annotations

from kiosk.drive.common import to_menu, type_code
from kiosk.drive.fixtures import finished_dossier, gateway_down
from kiosk.drive.identify import identified
from kiosk.samples import SAMPLE_ADDRESS, SAMPLE_DOSSIER, SAMPLE_PERSON_ID

FINISHED_SAMPLE = "H26.99-241125-0004"  # the demo's dossier whose result is ready


def to_delivery_code(drv, code: str | None = None, typed: bool = False) -> str:
    # typed for the gallery: the sample whose result is ready (a fresh code ends in random letters,
    # which leaves the letters pad up: see the report on issue 15 about that pad in landscape)
    code = code or (FINISHED_SAMPLE if typed else finished_dossier(drv))
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
    from kiosk.gateway.models import Address, ApplicantProof

    code = finished_dossier(drv)
    drv.app.core.gateway.wait().book_delivery(code, Address("Thành phố Hà Nội", "Phường Láng", "Số 1 phố Chùa Láng"),
                                              "Nguyễn Văn An", "0912345678", idempotency_key=new_idempotency_key(),
                                              proof=ApplicantProof(id_number=SAMPLE_PERSON_ID))
    to_delivery_code(drv, code)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the already-booked message")


def to_delivery_address(drv, fill: bool = True) -> None:
    """The address screen for the demo card's person, the address on the card offered as one
    tap; ``fill``: as the editors leave the sample address (typing is scripted in
    ``to_delivery_done``)."""
    to_delivery_code(drv)
    identified(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "delivery_address", 20, "the address screen")
    form = drv.screen.form
    drv.wait_until(lambda: bool(form.province_names) and form.from_card.parent is not None, 20,
                   "the provinces and the card's address")
    if fill:
        form.type_other()  # the sample address, not the card's
        form.set_province(SAMPLE_ADDRESS["province"])
        for name, value in SAMPLE_ADDRESS.items():
            if name != "province":
                form.fields[name].set_value(value, user=True)
        drv.frames(2)


def to_delivery_picker_province(drv) -> None:
    """The province list open on the address screen."""
    to_delivery_address(drv, fill=False)
    drv.tap(drv.screen.form.other_address)  # not the card's address: the fields
    drv.tap(drv.screen.form.fields["province"].box)
    drv.frames(3)


def to_delivery_picker_ward(drv) -> None:
    """The ward list of Hà Nội open, narrowed by two typed words."""
    from kiosk.widgets import entry

    to_delivery_address(drv, fill=False)
    form = drv.screen.form
    drv.tap(form.other_address)  # not the card's address: the fields
    form.set_province("ha-noi")
    drv.tap(form.fields["ward"].box)
    picker = entry.open_editor()
    for key in ("b", "a", "space", "d"):
        drv.tap(picker.keyboard.keys[key])
    drv.frames(3)


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
    to_delivery_confirm(drv)
    with gateway_down(drv, "book_delivery"):
        drv.tap(drv.screen.confirm)
        drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the not-booked message")


def to_delivery_done(drv) -> None:
    """The whole journey as a citizen does it: the receipt's code (as its QR gives it) → the chip
    card (its front QR gives the key) → the address on the card in one tap, a 10-digit phone
    typed → the summary with the fee → confirm → the tracking code and the slip."""
    from kiosk.drive.submit import identify_by_card

    to_delivery_code(drv)
    drv.app.core.devices.card_reader.remove_card()
    drv.tap(drv.screen.submit)
    identify_by_card(drv, "delivery_address")
    form = drv.screen.form
    drv.wait_until(lambda: form.from_card.parent is not None, 20, "the card's address offered")
    drv.tap(form.from_card)
    pad = open_field_in(drv, form.fields["phone"])
    for digit in SAMPLE_ADDRESS["phone"]:
        drv.tap(pad.keyboard.keys[digit])
    drv.tap(pad.ok)
    drv.wait_until(lambda: form.fields["phone"].value == SAMPLE_ADDRESS["phone"], 5, "the phone number")
    drv.tap(drv.screen.cont)
    drv.wait_until(lambda: drv.app.current == "delivery_confirm", 5, "the summary")
    drv.tap(drv.screen.confirm)
    drv.wait_until(lambda: drv.app.current == "delivery_done" and drv.screen.result is not None, 20, "the slip")


def open_field_in(drv, field):
    """Tap a field of the address screen (brought into view first) and return its editor."""
    from kiosk.widgets import entry

    scroller = getattr(drv.screen, "scroller", None)
    if scroller is not None and not drv.reachable(field.box):
        scroller.scroll_to(field, padding=40, animate=False)
        drv.frames(3)
    drv.tap(field.box)
    editor = entry.open_editor()
    assert editor is not None and editor.field is field
    return editor


def to_delivery_address_card(drv) -> None:
    """The address screen as it opens for a citizen identified by chip: the card's address,
    converted to today's province and ward, offered as one tap."""
    to_delivery_address(drv, fill=False)
