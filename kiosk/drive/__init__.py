"""Journey scripts: the real app driven the way a person drives it, for the tests, the
``kiosk screenshots`` gallery and ``kiosk bench journeys``.

- ``driver``: ``AppDriver`` steps the real Kivy app frame by frame and taps real widgets.
- ``common``, ``lookup``, ``pay``, ``identify``, ``submit``, ``delivery``, ``help``, ``staff``,
  ``technician``, ``rating``, ``access``: one module per journey, each a set of ``to_<state>``
  scripts (from the attract screen to that state) and the steps they share.
- ``fixtures``: what is set up behind the screens (fresh dossiers in the demo gateway, the sample
  card's person) and ``gateway_down()``.
- ``states``: ``STATES``, every state the gallery renders, in order.

The sample data (dossier codes, PINs, a form) is plain constants in ``kiosk.samples``.
Nothing in the kiosk itself imports this package: only the screenshot tool, the benchmarks and
the tests do.
"""

from kiosk.drive.access import to_access_panel, to_menu_high_contrast
from kiosk.drive.common import long_press, tap_in_panel, to_attract, to_menu, type_code, type_digits, type_pin
from kiosk.drive.delivery import (
    to_delivery_address,
    to_delivery_address_error,
    to_delivery_code,
    to_delivery_code_booked,
    to_delivery_code_error,
    to_delivery_confirm,
    to_delivery_confirm_down,
    to_delivery_done,
)
from kiosk.drive.driver import AppDriver, UiTimeout
from kiosk.drive.fixtures import finished_dossier, gateway_down, sample_identity, unpaid_dossier
from kiosk.drive.help import to_help, to_help_ticket
from kiosk.drive.identify import (
    to_attract_card_left,
    to_consent,
    to_done_card_left,
    to_identify,
    to_identify_failed,
    to_identify_place,
    to_identify_result,
    to_identify_typed,
)
from kiosk.drive.lookup import (
    to_done,
    to_lookup,
    to_lookup_error,
    to_lookup_letters,
    to_lookup_scan,
    to_lookup_typed,
    to_status,
    to_status_paper_out,
    to_status_printed,
    to_timeout,
)
from kiosk.drive.pay import (
    to_pay_amount,
    to_pay_cash,
    to_pay_code,
    to_pay_code_error,
    to_pay_done,
    to_pay_qr,
    to_pay_qr_expired,
)
from kiosk.drive.rating import to_done_rating_reasons, to_done_rating_thanks, to_help_ticket_rating
from kiosk.drive.staff import to_pin_staff, to_staff, to_staff_badge
from kiosk.drive.states import STATES
from kiosk.drive.submit import (
    fill_submit_form,
    submit_at,
    submit_identify,
    take_page,
    to_submit_delivery_post,
    to_submit_details,
    to_submit_event_list,
    to_submit_events,
    to_submit_find,
    to_submit_form,
    to_submit_form_error,
    to_submit_photos_hint,
    to_submit_receipt,
    to_submit_results,
    to_submit_review,
    to_submit_sent,
    to_submit_sent_provisional,
)
from kiosk.drive.technician import to_technician
from kiosk.samples import (
    SAMPLE_ADDRESS,
    SAMPLE_DOSSIER,
    SAMPLE_PERSON_ID,
    STAFF_PIN,
    SUBMIT_FORM,
    SUBMIT_PROCEDURE,
    SUBMIT_QUERY,
    TECHNICIAN_PIN,
    UNKNOWN_DOSSIER,
)

__all__ = [
    "STATES", "AppDriver", "UiTimeout",
    # sample data (kiosk.samples), here too for scripts that take everything from one place
    "SAMPLE_ADDRESS", "SAMPLE_DOSSIER", "SAMPLE_PERSON_ID", "STAFF_PIN", "SUBMIT_FORM", "SUBMIT_PROCEDURE",
    "SUBMIT_QUERY", "TECHNICIAN_PIN", "UNKNOWN_DOSSIER",
    # steps and fixtures
    "fill_submit_form", "finished_dossier", "gateway_down", "long_press", "sample_identity", "submit_at",
    "submit_identify", "take_page", "tap_in_panel", "type_code", "type_digits", "type_pin", "unpaid_dossier",
    # journeys
    "to_access_panel", "to_attract", "to_attract_card_left", "to_consent", "to_delivery_address",
    "to_delivery_address_error", "to_delivery_code", "to_delivery_code_booked", "to_delivery_code_error",
    "to_delivery_confirm", "to_delivery_confirm_down", "to_delivery_done", "to_done", "to_done_card_left",
    "to_done_rating_reasons", "to_done_rating_thanks", "to_help", "to_help_ticket", "to_help_ticket_rating",
    "to_identify", "to_identify_failed", "to_identify_place", "to_identify_result", "to_identify_typed",
    "to_lookup", "to_lookup_error", "to_lookup_letters", "to_lookup_scan", "to_lookup_typed", "to_menu",
    "to_menu_high_contrast",
    "to_pay_amount", "to_pay_cash", "to_pay_code", "to_pay_code_error", "to_pay_done", "to_pay_qr",
    "to_pay_qr_expired", "to_pin_staff", "to_staff", "to_staff_badge", "to_status", "to_status_paper_out",
    "to_status_printed", "to_submit_delivery_post", "to_submit_details", "to_submit_event_list",
    "to_submit_events", "to_submit_find", "to_submit_form", "to_submit_form_error", "to_submit_photos_hint",
    "to_submit_receipt", "to_submit_results", "to_submit_review", "to_submit_sent", "to_submit_sent_provisional",
    "to_technician", "to_timeout",
]
