"""QR sources: camera, HID keyboard-wedge scanner, serial scanner, simulated.

``build(settings, board, simulated=None) -> QrSourceDevice`` picks the one kiosk.ini names
(``devices.qr_source``), or the simulated twin when ``simulated=True``.  Every source delivers
the same ``Scan`` events to ``start(on_scan)``; parse ``scan.payload`` with
``kiosk.payloads.parse_payload``.  Decoding: ``kiosk.devices.qr.decode.decode_image``.
"""

from __future__ import annotations

from kiosk.devices.qr.scan import Scan
from kiosk.devices.qr.source import QrSourceDevice

__all__ = ["build", "QrSourceDevice", "Scan"]


def build(settings, board=None, simulated: bool | None = None) -> QrSourceDevice:
    d = settings.devices
    kind = "simulated" if simulated else d.qr_source
    if kind == "simulated":
        from kiosk.devices.qr.simulated import SimulatedQrSource

        images = d.qr_simulated_images
        if images not in ("", "generated"):
            images = settings.resolve_path(images)
        return SimulatedQrSource(images, size=d.qr_camera_size, fps=d.qr_camera_fps, board=board)
    if kind == "camera":
        from kiosk.devices.qr.camera import CameraQrSource

        return CameraQrSource(d.qr_camera, size=d.qr_camera_size, fps=d.qr_camera_fps, board=board)
    if kind == "hid":
        from kiosk.devices.qr.hid import HidQrSource

        return HidQrSource(d.qr_hid_device, board=board)
    if kind == "serial":
        from kiosk.devices.qr.serial_scanner import SerialQrSource

        return SerialQrSource(d.qr_serial_port, d.qr_serial_baud, board=board)
    raise ValueError(f"unknown qr_source {kind!r}")
