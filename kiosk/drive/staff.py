"""Staff mode: the discreet control, the PIN, the staff panel's tabs, the staff badge on a
journey the clerk assists."""

from __future__ import annotations

from kiosk.drive.common import long_press, tap_in_panel, type_pin
from kiosk.drive.lookup import to_lookup
from kiosk.samples import STAFF_PIN


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
