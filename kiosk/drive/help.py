"""Call staff: what it is about → a ticket number."""

from __future__ import annotations

from kiosk.drive.common import to_menu


def to_help(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["help"])
    drv.wait_until(lambda: drv.app.current == "help_reason", what="call-staff screen")


def to_help_ticket(drv) -> None:
    to_help(drv)
    drv.tap(drv.screen.buttons["form_help"])
    drv.wait_until(lambda: drv.app.current == "help_ticket", 20, "the help ticket")
