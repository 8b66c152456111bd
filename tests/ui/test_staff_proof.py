"""Staff confirm the applicant on the citizen's behalf, through the real app (issue 14 item 5):
a citizen with neither the chip card nor the receipt pays for their dossier after a clerk
entered the staff PIN, checked a document and typed the ID number on it (masked once
complete); the gateway keeps who attested it; the audit log says so without the number; a
wrong PIN or a lock behaves as the PIN pad does elsewhere; cancel goes back to the card; only
pay and delivery offer it; the delivery journey goes on to the address."""

from __future__ import annotations

from kiosk.drive.common import type_digits, type_pin
from kiosk.drive.pay import to_pay_identify
from kiosk.drive.staff_proof import (
    open_staff_entry,
    staff_confirms,
    to_delivery_address_by_staff,
    to_staff_pin,
)
from kiosk.journeys.identify import IdentifyDraft
from kiosk.roles import Role
from kiosk.samples import SAMPLE_PERSON_ID, STAFF_PIN
from kiosk.text import mask_id
from tests.ui.conftest import GateClock


def entries(drv, since: int = 0) -> list[dict]:
    return list(drv.app.audit.entries())[since:]


def store(drv):
    return drv.app.core.gateway._server.app.state.store


def test_a_citizen_pays_for_their_dossier_after_staff_confirm_it_is_them(staff_app):
    drv = staff_app
    seen = len(entries(drv))
    to_pay_identify(drv)  # a typed code, no card read, no receipt scanned: the identify step
    code = drv.app.journeys.pay.dossier_code
    to_staff_pin(drv)
    type_pin(drv, "111111")  # a wrong PIN: the pad says so, nothing opens
    assert drv.app.current == "pin" and drv.has_text("Mã PIN không đúng.")
    type_pin(drv, STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "identify_key" and drv.screen.phase == "staff", 20, "clerk's entry")
    screen = drv.screen
    assert drv.has_text("Nhân viên xác nhận giúp") and drv.has_text("Giấy tờ đã đối chiếu")
    assert screen.staff_go.disabled
    type_digits(drv, SAMPLE_PERSON_ID[:8])
    assert drv.has_text("001 189 01")  # large while typing, a wrong digit is seen
    type_digits(drv, SAMPLE_PERSON_ID[8:])
    said = " ".join(drv.texts())
    assert SAMPLE_PERSON_ID not in said.replace(" ", "") and mask_id(SAMPLE_PERSON_ID) in said  # masked once complete
    assert screen.staff_go.disabled  # which document was checked is asked too
    drv.tap(screen.staff_docs["passport"])
    assert screen.staff_docs["passport"].selected and not screen.staff_docs["id_card"].selected
    assert not screen.staff_go.disabled
    drv.tap(screen.staff_go)
    drv.wait_until(lambda: drv.app.current == "pay_amount", 20, "the fee")
    assert drv.app.staff.active is None and drv.app.core.session.role is Role.CITIZEN
    assert screen.digits == ""  # the number left the screen with the entry
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")
    payment = drv.app.journeys.pay.draft.payment
    drv.tap(drv.screen.demo)  # the demo bank pays, for the applicant staff confirmed
    drv.wait_until(lambda: drv.app.current == "pay_done", 20, "paid")
    attested = store(drv).attestation("payment", payment.id)
    assert attested is not None and attested["dossier_code"] == code
    assert (attested["staff_id"], attested["document"]) == (drv.app.staff.staff_id, "passport")
    got = entries(drv, seen)
    assert [(e["action"], e["outcome"]) for e in got if e["action"].startswith("staff.")] == \
        [("staff.enter", "wrong_pin"), ("staff.enter", "ok"), ("staff.applicant_confirmed", "ok"),
         ("staff.leave", "ok")]
    confirmed = next(e for e in got if e["action"] == "staff.applicant_confirmed")
    assert confirmed["detail"] == {"journey": "pay", "document": "passport"}
    assert SAMPLE_PERSON_ID not in str(got)
    # the check lives in the session only
    drv.app.core.reset("test")
    drv.frames(2)
    draft = drv.app.core.session.peek(IdentifyDraft)
    assert draft is None or draft.staff_check is None


def test_a_locked_pin_pad_and_cancel_go_back_to_the_card(staff_app):
    drv = staff_app
    clock = GateClock()
    drv.app.core.staff_gate.clock = clock
    to_pay_identify(drv)
    to_staff_pin(drv)
    for _ in range(5):
        type_pin(drv, "111111")
    assert drv.app.current == "pin" and drv.has_text("Đã khóa do nhập sai nhiều lần.")
    type_pin(drv, STAFF_PIN)  # the right PIN does nothing while locked
    assert drv.app.current == "pin"
    drv.tap(drv.screen.cancel)
    drv.wait_until(lambda: drv.app.current == "identify_key", what="back at the identify step")
    assert drv.screen.phase == "can" and drv.screen.by_staff.parent is not None
    clock.t += 301
    open_staff_entry(drv)
    type_digits(drv, SAMPLE_PERSON_ID[:5])
    drv.tap(drv.screen.staff_cancel)  # the clerk's entry closed: back to the card, the PIN asked again
    drv.wait_until(lambda: drv.screen.phase == "can", what="the card's key again")
    assert drv.app.staff.active is None and drv.app.journeys.pay.proof() is None
    assert drv.screen.digits == ""


def test_delivery_goes_on_to_the_address_and_other_journeys_do_not_offer_it(staff_app):
    drv = staff_app
    to_delivery_address_by_staff(drv)
    check = drv.app.journeys.identify.staff_check
    assert check is not None and check.document == "vneid" and drv.app.journeys.delivery.proof().staff_check is check
    drv.app.core.reset("test")
    drv.frames(2)
    # identifying for its own sake (or to submit a dossier) is the chip's: no staff offer
    from kiosk.drive.identify import to_identify_can

    to_identify_can(drv)
    assert drv.screen.by_staff.parent is None


def test_staff_confirms_helper_is_what_the_gallery_uses(staff_app):
    drv = staff_app
    to_pay_identify(drv)
    open_staff_entry(drv)
    staff_confirms(drv)
    assert drv.app.journeys.pay.proof().staff_check.id_number == SAMPLE_PERSON_ID


def test_the_number_staff_typed_is_in_no_log_file_or_screen(staff_app):
    import logging

    from kiosk import logs
    from kiosk.drive.staff_proof import to_pay_amount_by_staff
    from kiosk.gateway.embedded import DB_NAME

    drv = staff_app
    path = logs.setup(drv.data_dir, "debug")
    try:
        to_pay_amount_by_staff(drv)
        drv.tap(drv.screen.cash)
        drv.wait_until(lambda: drv.app.current == "pay_cash", 20, "the cash ticket")
        drv.clock.advance(drv.app.core.idle.warn_after + drv.app.core.idle.countdown + 1)
        drv.wait_until(lambda: drv.app.current == "attract", 5, "the timeout reset")
    finally:
        for handler in logging.getLogger("kiosk").handlers:
            handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "journey started" in text and "session reset" in text  # it did log
    secrets = (SAMPLE_PERSON_ID, SAMPLE_PERSON_ID[-9:], mask_id(SAMPLE_PERSON_ID))
    assert not [s for s in secrets if s in text]
    # the kiosk's own files (audit, outbox…; the embedded gateway's database stands for the remote one)
    for file in drv.data_dir.rglob("*"):
        if file.is_file() and not file.name.startswith(DB_NAME):
            data = file.read_bytes()
            assert not [s for s in secrets if s.encode() in data], file.name
    for screen in drv.app.screens.values():
        for widget in drv.walk(screen):
            said = str(getattr(widget, "text", "")).replace(" ", "")
            assert not [s for s in secrets if s in said], (screen.name, said)
    assert not drv.app.core.session.holds_data()
