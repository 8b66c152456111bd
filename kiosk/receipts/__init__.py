"""Receipts: layouts built from plain values, printable and previewable.

Builders (each takes a dataclass or an equivalent dict, plus ``office``, ``kiosk_id``,
``printed_at`` and ``lang`` = "vi" | "en"):

- ``dossier_receipt(DossierInfo, ...)``   the receipt a citizen keeps until the result arrives
- ``payment_receipt(PaymentInfo, ...)``
- ``status_slip(StatusInfo, ...)``
- ``help_ticket(TicketInfo, ...)``
- ``delivery_slip(DeliverySlipInfo, ...)``  a result's delivery by post: tracking code, masked recipient
- ``self_test(devices, profile=, paper_mm=, text_mode=, ...)``

Printing goes through ``kiosk.receipts.service.ReceiptService``: one method per receipt taking
plain values and the language, and the one "print once" rule (``print_once``/``forget``).

``render_preview(receipt, paper_mm=80)`` returns a PIL image of the paper, made by rendering
the receipt to ESC/POS bytes and decoding them back: the preview is what the printer gets.
Strings come from the gettext catalogs, msgids ``receipt.*`` (``kiosk.receipts.strings``).
"""

from __future__ import annotations

from kiosk.devices.printer.layout import KINDS, QR, Cut, Receipt, Row, Rule, Space, Text
from kiosk.receipts.builders import (
    DeliverySlipInfo,
    DossierInfo,
    PaymentInfo,
    StatusInfo,
    TicketInfo,
    delivery_slip,
    dossier_receipt,
    help_ticket,
    payment_receipt,
    self_test,
    status_slip,
    vietnamese_letters,
)

__all__ = [
    "KINDS", "QR", "Cut", "Receipt", "Row", "Rule", "Space", "Text",
    "DeliverySlipInfo", "DossierInfo", "PaymentInfo", "StatusInfo", "TicketInfo",
    "delivery_slip", "dossier_receipt", "help_ticket", "payment_receipt", "self_test", "status_slip",
    "vietnamese_letters", "render_preview",
]


def render_preview(receipt: Receipt, paper_mm: int = 80, profile: str = "TM-T88V", text_mode: str = "raster"):
    """PIL image of the receipt as it will come out of the printer (decoded from the bytes)."""
    from kiosk.devices.printer.decoder import decode
    from kiosk.devices.printer.profile import load_profile
    from kiosk.devices.printer.render import render

    prof = load_profile(profile, paper_mm)
    data = render(receipt, prof, text_mode=text_mode).data
    return decode(data, prof).image
