"""Technician mode: the hidden corner held for 3 s, the PIN, the technician panel's tabs, and
each panel's own check done the way a technician does it (the card reader's test read with a
card on the reader, the camera's rates, the printer's paper sensor, the gateway's check)."""

from __future__ import annotations

from kiosk.drive.common import long_press, tap_in_panel, to_attract, type_pin
from kiosk.samples import TECHNICIAN_PIN


def to_technician(drv, tab: str = "card") -> None:
    to_attract(drv)
    long_press(drv, drv.app.technician_corner)
    type_pin(drv, TECHNICIAN_PIN)
    drv.wait_until(lambda: drv.app.current == "technician", what="technician panel")
    if tab != "card":
        drv.tap(drv.screen.tab_buttons[tab])
    drv.frames(3)


def _checked(drv, tab: str, button: str, result: str, timeout: float = 30.0) -> None:
    """Open ``tab``, tap its check ``button`` and wait until the panel shows ``result``."""
    to_technician(drv, tab)
    drv.screen.results.pop(result, None)
    tap_in_panel(drv, getattr(drv.screen, button))
    drv.wait_until(lambda: result in drv.screen.results and drv.app.t("staff.working") not in drv.texts(),
                   timeout, f"the technician's {tab} check")
    drv.frames(3)


def to_technician_card_test(drv) -> None:
    """The card reader's test read, a card on the reader: passed, with the redacted APDU log."""
    to_technician(drv, "card")
    drv.app.core.devices.card_reader.place_card()
    drv.frames(3)
    drv.screen.show_tab("card")  # the reader's line now says a card is present
    drv.frames(2)
    tap_in_panel(drv, drv.screen.test_read_button)
    drv.wait_until(lambda: "card" in drv.screen.results and drv.app.t("staff.working") not in drv.texts(),
                   30, "the test read")
    drv.frames(3)


def to_technician_camera(drv) -> None:
    """The camera tab after 'measure': frames per second, decode rate and time, scans counted."""
    _checked(drv, "camera", "measure_button", "camera")


def to_technician_printer(drv) -> None:
    """The printer tab after asking the paper sensor."""
    _checked(drv, "printer", "printer_check_button", "printer")


def to_technician_gateway(drv) -> None:
    """The gateway tab after its check: reachable, latency, certificate, the outbox."""
    _checked(drv, "gateway", "gateway_button", "gateway")


def to_technician_actions(drv) -> None:
    to_technician(drv, "actions")
