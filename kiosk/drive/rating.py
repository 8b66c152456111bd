"""The rating at the end of each journey: five faces, the reasons, the thanks."""

from __future__ import annotations

from kiosk.drive.help import to_help_ticket_helped
from kiosk.drive.lookup import to_done


def to_done_rating_reasons(drv) -> None:
    to_done(drv)
    drv.tap(drv.screen.rating.faces[2])
    drv.wait_until(lambda: drv.screen.rating.state == "why", 5, "the reasons")


def to_done_rating_thanks(drv) -> None:
    to_done_rating_reasons(drv)
    drv.tap(drv.screen.rating.reason_buttons["too_slow"])
    drv.wait_until(lambda: drv.screen.rating.state == "thanks", 5, "the thanks")


def to_help_ticket_rating(drv) -> None:
    to_help_ticket_helped(drv)  # the faces ask once staff helped, never right after the call
    drv.tap(drv.screen.rating.faces[5])
    drv.wait_until(lambda: drv.screen.rating.state == "why", 5, "the reasons")
