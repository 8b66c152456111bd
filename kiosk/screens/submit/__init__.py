"""Submit a procedure, one module per step: find it (``find``: search without accents;
``events``: by life event; ``results``: what was found) → its ``details`` → the chip ID card
(the identify steps) → the ``form`` prefilled from the chip → ``photos`` of the documents →
pick-up here or ``delivery`` by post → ``review`` → ``sent`` (a provisional reference when the
gateway is down) → pay (the pay steps) → the dossier ``receipt`` prints.

Screens are thin: ``app.journeys.submit`` (``kiosk.journeys.submit.SubmitService``) does the
work, keeps the draft and moves the citizen on; here the draft is shown and touches forwarded.
``common`` holds what the steps share.
"""

from kiosk.screens.submit.delivery import SubmitDeliveryScreen
from kiosk.screens.submit.details import SubmitDetailsScreen
from kiosk.screens.submit.events import SubmitEventsScreen
from kiosk.screens.submit.find import SubmitFindScreen
from kiosk.screens.submit.form import SubmitFormScreen
from kiosk.screens.submit.photos import SubmitPhotosScreen
from kiosk.screens.submit.receipt import SubmitReceiptScreen
from kiosk.screens.submit.results import SubmitListScreen
from kiosk.screens.submit.review import SubmitReviewScreen
from kiosk.screens.submit.sent import SubmitSentScreen

__all__ = ["SubmitDeliveryScreen", "SubmitDetailsScreen", "SubmitEventsScreen", "SubmitFindScreen",
           "SubmitFormScreen", "SubmitListScreen", "SubmitPhotosScreen", "SubmitReceiptScreen",
           "SubmitReviewScreen", "SubmitSentScreen"]
