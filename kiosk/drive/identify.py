"""Identify with the chip ID card: the ID number → place the card → who the chip says you are →
consent; a number that does not open the card; a card left in the reader."""

from __future__ import annotations

from kiosk.drive.common import to_attract, to_menu, type_digits
from kiosk.samples import SAMPLE_PERSON_ID


def to_identify(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["identify"])
    drv.wait_until(lambda: drv.app.current == "identify_key", what="identify screen")


def to_identify_typed(drv) -> None:
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


def to_attract_card_left(drv) -> None:
    to_attract(drv)
    drv.app.core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.screen.card_left.opacity == 1, 10, "the card-left call-out")
