"""Pay a fee: the dossier's code → (the chip ID card) → the fee → VietQR (or cash at the counter)
→ the paid receipt; a dossier already paid; a QR that expired.

Only the dossier's applicant pays: the fixtures' dossiers are the demo card's person's, and the
scripts either go through the identify steps with the demo card (``drive.identify.identify_with_demo_card``)
or, to render a later state quickly, start as that person identified (``identified``)."""

from __future__ import annotations

from kiosk.drive.common import to_menu, type_code
from kiosk.drive.fixtures import unpaid_dossier
from kiosk.drive.identify import identified
from kiosk.samples import SAMPLE_DOSSIER


def to_pay_code(drv, code: str, typed: bool = False) -> None:
    """The pay journey's code screen with ``code`` in the field: typed key by key, or put there
    the way a scanned receipt puts it (quicker: these states are rendered many times)."""
    to_menu(drv)
    drv.tap(drv.screen.tiles["pay"])
    drv.wait_until(lambda: drv.app.current == "pay_code", what="pay code screen")
    if typed:
        type_code(drv, code)
        return
    if getattr(drv.screen, "mode", "type") == "scan":
        drv.tap(drv.screen.to_typing)
    drv.screen.set_code(code)
    drv.frames(2)


def to_pay_identify(drv) -> None:
    """A code typed with no receipt to scan and no card read yet: the identify step first."""
    to_pay_code(drv, unpaid_dossier(drv))
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "identify_key", 20, "the identify step")


def to_pay_amount(drv, code: str | None = None) -> None:
    to_pay_code(drv, code or unpaid_dossier(drv))
    identified(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "pay_amount", 20, "the fee")


def to_pay_code_error(drv) -> None:
    to_pay_code(drv, SAMPLE_DOSSIER, typed=True)  # its fee is already paid
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the already-paid message")


def to_pay_qr(drv) -> None:
    to_pay_amount(drv)
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")


def to_pay_qr_expired(drv) -> None:
    import dataclasses

    to_pay_qr(drv)
    pay = drv.app.journeys.pay
    # as the gateway answers for a code whose time ran out: no more polling, "get a new code"
    pay.draft.payment = dataclasses.replace(pay.draft.payment, status="expired")
    pay.start_polling()
    drv.screen.render()


def to_pay_done(drv) -> None:
    to_pay_qr(drv)
    drv.tap(drv.screen.demo)
    drv.wait_until(lambda: drv.app.current == "pay_done" and drv.screen.result is not None, 20, "the paid receipt")


def to_pay_cash(drv) -> None:
    to_pay_amount(drv)
    drv.tap(drv.screen.cash)
    drv.wait_until(lambda: drv.app.current == "pay_cash", 20, "the cash ticket")


def to_pay_code_rejected(drv) -> None:
    """The code of a dossier the agency rejected: no fee is taken for it."""
    to_pay_code(drv, "H26.99-241125-0006")
    identified(drv)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the refusal")
