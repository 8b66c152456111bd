"""Every screen state ``kiosk screenshots`` renders, in order: (state name, how to get there).
A journey that adds screens adds its states here."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.drive.access import to_access_panel, to_menu_high_contrast
from kiosk.drive.common import to_attract, to_menu
from kiosk.drive.delivery import (
    to_delivery_address,
    to_delivery_address_card,
    to_delivery_address_error,
    to_delivery_code,
    to_delivery_code_booked,
    to_delivery_code_error,
    to_delivery_confirm,
    to_delivery_confirm_down,
    to_delivery_done,
    to_delivery_picker_province,
    to_delivery_picker_ward,
)
from kiosk.drive.help import (
    to_confirm_home,
    to_help,
    to_help_over_journey,
    to_help_over_journey_ask,
    to_help_ticket,
    to_technician_exit,
)
from kiosk.drive.identify import (
    to_attract_card_left,
    to_consent,
    to_done_card_left,
    to_identify_bac,
    to_identify_failed,
    to_identify_place,
    to_identify_result,
    to_identify_typed,
)
from kiosk.drive.keypad import to_lookup_code_focus
from kiosk.drive.lookup import (
    to_done,
    to_lookup_error,
    to_lookup_letters,
    to_lookup_other,
    to_lookup_scan,
    to_lookup_typed,
    to_status,
    to_status_paper_out,
    to_status_printed,
    to_timeout,
)
from kiosk.drive.pay import to_pay_amount, to_pay_cash, to_pay_code_error, to_pay_done, to_pay_qr, to_pay_qr_expired
from kiosk.drive.rating import to_done_rating_reasons, to_done_rating_thanks, to_help_ticket_rating
from kiosk.drive.staff import to_pin_staff, to_staff, to_staff_badge
from kiosk.drive.staff_proof import to_pay_identify_offer, to_pay_identify_staff
from kiosk.drive.statuses import to_status_of
from kiosk.drive.submit import (
    to_submit_delivery_post,
    to_submit_details,
    to_submit_event_list,
    to_submit_events,
    to_submit_find,
    to_submit_form,
    to_submit_form_datepad,
    to_submit_form_editor,
    to_submit_form_error,
    to_submit_photos_hint,
    to_submit_receipt,
    to_submit_results,
    to_submit_review,
    to_submit_sent,
    to_submit_sent_provisional,
)
from kiosk.drive.technician import (
    to_technician,
    to_technician_camera,
    to_technician_card_test,
    to_technician_gateway,
    to_technician_printer,
)

STATES: list[tuple[str, Callable]] = [
    # look up a dossier
    ("attract", to_attract),
    ("menu", to_menu),
    ("lookup_scan", to_lookup_scan),
    ("lookup_code", to_lookup_typed),
    ("lookup_code-letters", to_lookup_letters),
    ("lookup_code-other", to_lookup_other),
    ("lookup_code-error", to_lookup_error),
    ("lookup_code-focus", to_lookup_code_focus),  # the tactile keypad's focus ring
    ("lookup_status", to_status),
    # every other status a dossier can have ("cần bổ sung" with what to bring, where, by when)
    ("lookup_status-received", lambda drv: to_status_of(drv, "received")),
    ("lookup_status-additional", lambda drv: to_status_of(drv, "supplement_requested")),
    ("lookup_status-ready", lambda drv: to_status_of(drv, "result_ready")),
    ("lookup_status-delivered", lambda drv: to_status_of(drv, "delivered")),
    ("lookup_status-collected", lambda drv: to_status_of(drv, "collected")),
    ("lookup_status-rejected", lambda drv: to_status_of(drv, "rejected")),
    ("done", to_done),
    ("timeout", to_timeout),
    # pay a fee
    ("pay_code-error", to_pay_code_error),
    ("pay_amount", to_pay_amount),
    ("pay_qr", to_pay_qr),
    ("pay_qr-expired", to_pay_qr_expired),
    ("pay_done", to_pay_done),
    ("pay_cash", to_pay_cash),
    # identify with the chip ID card
    ("identify_key", to_identify_typed),
    ("identify_read", to_identify_place),
    ("identify_read-error", to_identify_failed),
    ("identify_result", to_identify_result),
    ("identify_key-bac", to_identify_bac),
    # staff confirm on the citizen's behalf (pay, delivery): the offer, then the clerk's entry
    ("identify_key-pay", to_pay_identify_offer),
    ("identify_key-staff", to_pay_identify_staff),
    ("consent", to_consent),
    ("done-card-left", to_done_card_left),
    # staff and technician modes
    ("pin-staff", to_pin_staff),
    ("staff", to_staff),
    ("staff-help", lambda drv: to_staff(drv, "help")),
    ("staff-outbox", lambda drv: to_staff(drv, "outbox")),
    ("staff-badge", to_staff_badge),
    ("technician", to_technician),
    ("technician-card-test", to_technician_card_test),  # the test read, a card on the reader
    ("technician-camera", to_technician_camera),
    ("technician-printer", to_technician_printer),
    ("technician-gateway", to_technician_gateway),
    ("technician-system", lambda drv: to_technician(drv, "system")),
    # the status slip on paper
    ("lookup_status-printed", to_status_printed),
    ("lookup_status-paper-out", to_status_paper_out),
    # a card left in the reader
    ("attract-card-left", to_attract_card_left),
    # call staff
    ("help_reason", to_help),
    ("help_ticket", to_help_ticket),
    ("help_over-journey-ask", to_help_over_journey_ask),
    ("help_over-journey", to_help_over_journey),
    # never lose work by one tap
    ("confirm_home", to_confirm_home),
    ("technician-exit-confirm", to_technician_exit),
    # easier to see
    ("access-panel", to_access_panel),
    ("menu-high-contrast", to_menu_high_contrast),
    # the rating at the end of a journey
    ("done-rating-reasons", to_done_rating_reasons),
    ("done-rating-thanks", to_done_rating_thanks),
    ("help_ticket-rating", to_help_ticket_rating),
    # submit a procedure
    ("submit_find", to_submit_find),
    ("submit_list", to_submit_results),
    ("submit_events", to_submit_events),
    ("submit_list-event", to_submit_event_list),
    ("submit_details", to_submit_details),
    ("submit_form", to_submit_form),
    ("submit_form-error", to_submit_form_error),
    ("submit_form-editor", to_submit_form_editor),
    ("submit_form-datepad", to_submit_form_datepad),
    ("submit_photos-hint", to_submit_photos_hint),
    ("submit_delivery", to_submit_delivery_post),
    ("submit_review", to_submit_review),
    ("submit_sent", to_submit_sent),
    ("submit_sent-provisional", to_submit_sent_provisional),
    ("submit_receipt", to_submit_receipt),
    # result delivery by post
    ("delivery_code", lambda drv: to_delivery_code(drv, typed=True)),
    ("delivery_code-error", to_delivery_code_error),
    ("delivery_code-booked", to_delivery_code_booked),
    ("delivery_address", to_delivery_address),
    ("delivery_address-error", to_delivery_address_error),
    ("delivery_address-card", to_delivery_address_card),
    ("delivery_address-picker-province", to_delivery_picker_province),
    ("delivery_address-picker-ward", to_delivery_picker_ward),
    ("delivery_confirm", to_delivery_confirm),
    ("delivery_confirm-gateway-down", to_delivery_confirm_down),
    ("delivery_done", to_delivery_done),
]
