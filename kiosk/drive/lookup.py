"""Look up a dossier: scan the receipt's QR or type the code → its status → print a slip → done;
an unknown code; the idle timeout's warning."""

from __future__ import annotations

from kiosk.drive.common import to_menu, type_code
from kiosk.samples import SAMPLE_DOSSIER, UNKNOWN_DOSSIER


def to_lookup(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["lookup"])
    drv.wait_until(lambda: drv.app.current == "lookup_code", what="lookup screen")


def to_lookup_scan(drv) -> None:
    to_lookup(drv)
    drv.tap(drv.screen.scan.demo)  # the demo's sample receipt in front of the simulated camera
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the scanned dossier")
    drv.app.core.back()
    drv.wait_until(lambda: drv.app.current == "lookup_code", 5, "back to the scan screen")
    drv.screen.scan.show_demo(SAMPLE_DOSSIER)
    drv.wait_until(lambda: drv.screen.scan._outline.points != [], 10, "the outline of the code")


def to_lookup_typed(drv) -> None:
    to_lookup(drv)
    type_code(drv, SAMPLE_DOSSIER)


def to_lookup_letters(drv) -> None:
    """The code being typed, on the letter pad of its last part (a new code's random part holds
    Crockford's letters, no I, L, O or U): the pad must fit beside the field in landscape too."""
    to_lookup(drv)
    type_code(drv, "H26.99-251125-7")
    drv.tap(drv.screen.keyboard.keys["ABC"])


def to_lookup_other(drv) -> None:
    """A code of another shape (a provisional TAM-… reference) on the full pad."""
    to_lookup(drv)
    type_code(drv, "TAM-7KQ2")


def to_lookup_error(drv) -> None:
    to_lookup(drv)
    type_code(drv, UNKNOWN_DOSSIER)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the not-found message")


def to_status(drv) -> None:
    to_lookup_typed(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier status")


def to_done(drv) -> None:
    to_status(drv)
    drv.tap(drv.screen.done_button)
    drv.wait_until(lambda: drv.app.current == "done", what="done screen")


def to_timeout(drv) -> None:
    to_lookup_typed(drv)
    clock = drv.app.core.idle.clock
    clock.advance(drv.app.core.idle.warn_after + 2)
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, what="timeout warning")


def to_status_printed(drv) -> None:
    to_status(drv)
    drv.tap(drv.screen.print_button)
    drv.wait_until(lambda: drv.screen.printed.parent is not None, 20, "the printed message")


def to_status_paper_out(drv) -> None:
    printer = drv.app.core.devices.printer
    to_status(drv)
    printer.faults.set_faults(paper_out=True)
    try:
        drv.tap(drv.screen.print_button)
        drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the paper-out message")
    finally:
        printer.faults.clear_faults()
        printer.refresh()
