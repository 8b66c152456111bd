"""Technician mode: the hidden corner held for 3 s, the PIN, the technician panel's tabs."""

from __future__ import annotations

from kiosk.drive.common import long_press, to_attract, type_pin
from kiosk.samples import TECHNICIAN_PIN


def to_technician(drv, tab: str = "card") -> None:
    to_attract(drv)
    long_press(drv, drv.app.technician_corner)
    type_pin(drv, TECHNICIAN_PIN)
    drv.wait_until(lambda: drv.app.current == "technician", what="technician panel")
    if tab != "card":
        drv.tap(drv.screen.tab_buttons[tab])
    drv.frames(3)
