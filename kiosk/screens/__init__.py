"""One module per screen.  Screens are thin: show the core's state, forward touches.

``SCREENS`` maps a step name (what the core's journeys use) to its screen class; the app
creates a screen the first time its step is reached.  ``EXTENSIONS`` are callables
``install(app)`` run once when the app is built (after its screens and bars exist): modes such
as staff assistance add their discreet entry controls and badges through them.
"""

from __future__ import annotations

from kiosk.screens import staff as _staff
from kiosk.screens import submit as _submit
from kiosk.screens import technician as _technician
from kiosk.screens.attract import AttractScreen
from kiosk.screens.delivery import DeliveryAddressScreen, DeliveryCodeScreen, DeliveryConfirmScreen, DeliveryDoneScreen
from kiosk.screens.done import DoneScreen
from kiosk.screens.help import HelpReasonScreen, HelpTicketScreen
from kiosk.screens.identify import IdentifyKeyScreen, IdentifyReadScreen, IdentifyResultScreen
from kiosk.screens.lookup import LookupCodeScreen, LookupStatusScreen
from kiosk.screens.menu import MenuScreen
from kiosk.screens.pay import PayAmountScreen, PayCashScreen, PayCodeScreen, PayDoneScreen, PayQrScreen
from kiosk.screens.pin import PinScreen
from kiosk.widgets import speechbar as _speech

SCREENS = {
    "attract": AttractScreen,
    "menu": MenuScreen,
    "lookup_code": LookupCodeScreen,
    "lookup_status": LookupStatusScreen,
    "done": DoneScreen,
    "identify_key": IdentifyKeyScreen,
    "identify_read": IdentifyReadScreen,
    "identify_result": IdentifyResultScreen,
    "help_reason": HelpReasonScreen,
    "help_ticket": HelpTicketScreen,
    "pay_code": PayCodeScreen,
    "pay_amount": PayAmountScreen,
    "pay_qr": PayQrScreen,
    "pay_done": PayDoneScreen,
    "pay_cash": PayCashScreen,
    "submit_find": _submit.SubmitFindScreen,
    "submit_events": _submit.SubmitEventsScreen,
    "submit_list": _submit.SubmitListScreen,
    "submit_details": _submit.SubmitDetailsScreen,
    "submit_form": _submit.SubmitFormScreen,
    "submit_photos": _submit.SubmitPhotosScreen,
    "submit_delivery": _submit.SubmitDeliveryScreen,
    "submit_review": _submit.SubmitReviewScreen,
    "submit_sent": _submit.SubmitSentScreen,
    "submit_receipt": _submit.SubmitReceiptScreen,
    "delivery_code": DeliveryCodeScreen,
    "delivery_address": DeliveryAddressScreen,
    "delivery_confirm": DeliveryConfirmScreen,
    "delivery_done": DeliveryDoneScreen,
    "pin": PinScreen,
    "staff": _staff.StaffScreen,
    "technician": _technician.TechnicianScreen,
}

EXTENSIONS: list = [
    _staff.install,  # "staff assisting" badge, discreet staff control
    _technician.install,  # hidden technician corner
    _speech.install,  # "listen", repeat and volume on every screen; spoken prompts through espeak-ng
]
