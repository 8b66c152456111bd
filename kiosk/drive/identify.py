"""Identify with the chip ID card: consent → the last 6 digits of the ID number → place the card
→ who the chip says you are; digits that do not open the card; a chip that refuses PACE (the
full number and birth date asked); a card left in the reader."""

from __future__ import annotations

from kiosk.drive.common import to_attract, to_menu, type_digits
from kiosk.drive.fixtures import sample_identity
from kiosk.samples import SAMPLE_PERSON_ID


def identified(drv) -> None:
    """The session as after reading the demo card and consenting (the card read itself is shown
    by the identify states)."""
    session = drv.app.core.session
    session.identity = sample_identity()
    session.consent_given = True


def identify_with_demo_card(drv, then: str) -> None:
    """From the identify step a journey sent the citizen to: consent, the last 6 digits of the
    demo card's number (the sixth moves on), the card on the reader, who the chip says; on to
    the journey's step ``then``."""
    reader = drv.app.core.devices.card_reader
    drv.wait_until(lambda: drv.app.current == "identify_key", 20, "the identify step")
    reader.remove_card()
    if drv.screen.phase == "consent":
        drv.tap(drv.screen.agree)
    type_digits(drv, SAMPLE_PERSON_ID[-6:])
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")
    reader.place_card()
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == then, 20, then)


def to_identify(drv) -> None:
    """The identify step as it opens: consent first."""
    to_menu(drv)
    drv.tap(drv.screen.tiles["identify"])
    drv.wait_until(lambda: drv.app.current == "identify_key", what="identify screen")


def to_consent(drv) -> None:
    """Consent, before anything is typed or read: who receives the data, under which law."""
    to_identify(drv)
    assert drv.screen.phase == "consent"


def to_identify_can(drv) -> None:
    """Consent given: the last 6 digits asked, with where they are on each card."""
    to_identify(drv)
    drv.tap(drv.screen.agree)
    drv.wait_until(lambda: drv.screen.phase == "can", what="the CAN step")


def to_identify_typed(drv) -> None:
    """Four of the six digits typed: shown large while typing (the sixth moves on)."""
    to_identify_can(drv)
    type_digits(drv, SAMPLE_PERSON_ID[-6:-2])


def to_identify_place(drv) -> None:
    drv.app.core.devices.card_reader.remove_card()
    to_identify_can(drv)
    type_digits(drv, SAMPLE_PERSON_ID[-6:])
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")


def to_identify_failed(drv) -> None:
    drv.app.core.devices.card_reader.remove_card()
    to_identify_can(drv)
    type_digits(drv, "999999")  # digits that do not open the sample card
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.screen.message.parent is not None, 30, "the access-denied message")


def to_identify_bac(drv) -> None:
    """A chip that refuses PACE: back at the key step, the full number and the birth date asked."""
    reader = drv.app.core.devices.card_reader
    reader.remove_card()
    to_identify_can(drv)
    type_digits(drv, SAMPLE_PERSON_ID[-6:])
    drv.wait_until(lambda: drv.app.current == "identify_read", what="place-card screen")
    reader.place_card(faults=("no-pace",))
    drv.wait_until(lambda: drv.app.current == "identify_key" and drv.screen.phase == "bac", 30, "the BAC key step")


def to_identify_result(drv) -> None:
    to_identify_place(drv)
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")


def to_done_card_left(drv) -> None:
    to_identify_result(drv)
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "done", what="done")


def to_attract_card_left(drv) -> None:
    to_attract(drv)
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.screen.card_left.opacity == 1, 10, "the card-left call-out")
