"""One service per journey, each in its own module with its flow, its typed draft and its rules:

- ``lookup.py``    look up a dossier by its code (typed or scanned)
- ``identify.py``  read the chip ID card (also the first part of submit)
- ``submit/``      submit a procedure (``draft.py``, ``form.py``, ``photos.py``, ``send.py``)
- ``pay.py``       pay a fee (VietQR or cash; also the pay steps of submit)
- ``delivery.py``  have a finished result delivered by post
- ``help.py``      call staff
- ``rating.py``    the five faces at the end of a journey
- ``catalog.py``   life events and provinces, shared

``Journeys`` builds them once over the core (``kiosk.runtime`` does this) and gives the core
their flows.  The services menu lists every service a post office offers.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core import KioskCore
from kiosk.journeys.catalog import Catalog
from kiosk.journeys.delivery import DeliveryService
from kiosk.journeys.help import HelpService
from kiosk.journeys.identify import IdentifyService
from kiosk.journeys.lookup import LookupService
from kiosk.journeys.pay import PayService
from kiosk.journeys.rating import RatingService
from kiosk.journeys.submit import SubmitService


@dataclass(frozen=True)
class Service:
    journey: str
    title_key: str
    subtitle_key: str
    icon: str  # a short glyph name drawn by the tile widget


SERVICES: tuple[Service, ...] = (
    Service("lookup", "menu.lookup", "menu.lookup.sub", "search"),
    Service("identify", "menu.identify", "menu.identify.sub", "card"),
    Service("submit", "menu.submit", "menu.submit.sub", "form"),
    Service("pay", "menu.pay", "menu.pay.sub", "pay"),
    Service("delivery", "menu.delivery", "menu.delivery.sub", "post"),
    Service("help", "menu.help", "menu.help.sub", "help"),
)


class Journeys:
    """Every journey service of one kiosk, over one core."""

    def __init__(self, core: KioskCore):
        self.core = core
        self.catalog = Catalog(core)
        self.lookup = LookupService(core)
        self.identify = IdentifyService(core)
        self.pay = PayService(core)
        self.delivery = DeliveryService(core)
        self.help = HelpService(core)
        self.submit = SubmitService(core, self.catalog, self.identify, self.pay)
        self.rating = RatingService(core, self.dossier_code)
        self.services = {s.name: s for s in (self.lookup, self.identify, self.pay, self.delivery, self.help,
                                             self.submit)}
        for service in self.services.values():
            core.flows[service.name] = service.flow
        core.journeys = self

    def dossier_code(self) -> str | None:
        """The dossier the current journey is about (for the rating), if any."""
        service = self.services.get(self.core.session.journey or "")
        return service.dossier_code if service is not None else None

    def is_available(self, journey: str) -> bool:
        return journey in self.core.flows
