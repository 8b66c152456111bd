"""Staff confirm the applicant on the citizen's behalf: from the identify step of the pay (or
delivery) journey, "Nhân viên xác nhận giúp" → the staff PIN → the clerk's entry (the document
checked, the 12-digit ID number on it, masked once complete) → on to the amount (or the
address)."""

from __future__ import annotations

from kiosk.drive.common import type_digits, type_pin
from kiosk.drive.delivery import to_delivery_code
from kiosk.drive.pay import to_pay_identify
from kiosk.samples import SAMPLE_PERSON_ID, STAFF_PIN


def past_consent(drv) -> None:
    """At the identify step: consent given, the card's key asked, staff's offer beside it."""
    drv.wait_until(lambda: drv.app.current == "identify_key", 20, "the identify step")
    if drv.screen.phase == "consent":
        drv.tap(drv.screen.agree)
    drv.wait_until(lambda: drv.screen.phase == "can", what="the card's key")


def to_staff_pin(drv) -> None:
    """"Nhân viên xác nhận giúp" tapped: the staff PIN pad."""
    past_consent(drv)
    drv.tap(drv.screen.by_staff)
    drv.wait_until(lambda: drv.app.current == "pin", what="the staff PIN pad")


def open_staff_entry(drv) -> None:
    """From the identify step: staff's offer, the right PIN, the clerk's entry."""
    to_staff_pin(drv)
    type_pin(drv, STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "identify_key" and drv.screen.phase == "staff", 20,
                   "the clerk's entry")


def staff_confirms(drv, number: str = SAMPLE_PERSON_ID, document: str = "id_card",
                   then: str = "pay_amount") -> None:
    """The clerk's entry: the document checked, the number typed, confirmed; on to ``then``."""
    drv.tap(drv.screen.staff_docs[document])
    type_digits(drv, number)
    drv.tap(drv.screen.staff_go)
    drv.wait_until(lambda: drv.app.current == then, 20, then)


def to_pay_identify_offer(drv) -> None:
    """The pay journey's identify step after consent: the card's key, and staff's offer."""
    to_pay_identify(drv)
    past_consent(drv)


def to_pay_identify_staff(drv) -> None:
    """The pay journey's identify step as staff fill it in: the document chosen, the number
    typed (masked once complete)."""
    to_pay_identify(drv)
    open_staff_entry(drv)
    drv.tap(drv.screen.staff_docs["id_card"])
    type_digits(drv, SAMPLE_PERSON_ID)


def to_pay_amount_by_staff(drv) -> None:
    to_pay_identify(drv)
    open_staff_entry(drv)
    staff_confirms(drv)


def to_delivery_address_by_staff(drv) -> None:
    to_delivery_code(drv)
    drv.tap(drv.screen.submit)
    open_staff_entry(drv)
    staff_confirms(drv, document="vneid", then="delivery_address")
