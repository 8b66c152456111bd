"""Receipt printer (ESC/POS over python-escpos): Vietnamese that really prints.

Public API::

    build(settings, board, simulated=None) -> PrinterDevice
    PrinterDevice.print_receipt(receipt) -> PrintResult     (blocking; failures are results
                                                             with message_key/next_step, and
                                                             the receipt stays in reprint_store)
    PrinterDevice.refresh() -> DeviceStatus                  (DLE EOT; silence = unknown)
    PrinterDevice.reprint_store.list() / .failed() / .reprint(id)
    PrinterDevice.last_paper() -> Paper                      (simulated: image, lines, qr_payloads)
    PrinterDevice.faults.set_faults(paper_out=True, ...)     (simulated fault switches)

Settings: devices.printer (usb|serial|network|file|simulated), printer_profile (a
python-escpos capabilities profile), printer_paper_mm (58|80), printer_text_mode
(raster|codepage) and the connection keys.
"""

from __future__ import annotations

import logging

from kiosk.devices.printer.device import NEXT_COLLECT, PrinterDevice, PrinterError, PrintResult, ReprintStore

log = logging.getLogger("kiosk.printer")

__all__ = ["build", "PrinterDevice", "PrinterError", "PrintResult", "ReprintStore", "NEXT_COLLECT"]


def build(settings, board=None, simulated: bool | None = None) -> PrinterDevice:
    from kiosk.devices.base import StatusBoard
    from kiosk.devices.printer.profile import UnknownProfile, load_profile
    from kiosk.devices.printer.simulated import SimulatedPrinter
    from kiosk.devices.printer.transport import from_settings

    d = settings.devices
    board = board or StatusBoard()
    try:
        profile = load_profile(d.printer_profile, d.printer_paper_mm)
    except UnknownProfile:
        log.error("unknown printer profile in kiosk.ini; using 'default'")
        profile = load_profile("default", d.printer_paper_mm)
    text_mode = d.printer_text_mode
    if text_mode == "codepage" and profile.codepage_text is None:
        log.warning("profile has no Vietnamese code page: printing text as raster")
        text_mode = "raster"
    use_sim = d.printer == "simulated" if simulated is None else simulated
    transport = SimulatedPrinter() if use_sim else from_settings(settings)
    return PrinterDevice(transport, profile, text_mode=text_mode, board=board, simulated=use_sim)
