"""A provisional reference (TAM-…) from a receipt printed while the gateway was down is answered
from the kiosk's encrypted outbox, not sent to the gateway as a dossier code."""

from kiosk.drive import to_lookup, type_code
from kiosk.gateway.outbox import new_reference


def test_provisional_reference_is_answered_from_the_outbox(app):
    drv = app
    outbox = drv.app.core.gateway.wait() and drv.app.core.gateway.outbox
    ref = new_reference()
    outbox.enqueue("rating", {"score": 5, "journey": "lookup"}, reference=ref)
    assert outbox.provisional_status(ref) is not None
    to_lookup(drv)
    type_code(drv, ref)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the provisional status")
    assert drv.has_text(ref)
    assert drv.find_text("Hồ sơ đã") is not None  # saved at the kiosk, or sent
    assert drv.screen.print_button.disabled
