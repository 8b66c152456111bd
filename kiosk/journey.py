"""Journeys: which step follows which.  Plain Python, testable without a window.

A journey is an ordered list of steps; each step names the screen that shows it.  Branches
(e.g. "the gateway is down → provisional receipt") are explicit ``goto`` calls by the core,
never screens deciding on their own.  The services menu lists every service a post office
offers; a service whose journey is not built yet is shown disabled, never faked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    journey: str  # key in JOURNEYS when built
    title_key: str
    subtitle_key: str
    icon: str  # a short glyph name drawn by the tile widget


# Steps are screen names.  "done" is the shared end screen (rating, take your card).
JOURNEYS: dict[str, tuple[str, ...]] = {
    "lookup": ("lookup_code", "lookup_status", "done"),
    # pay_qr → pay_done when the bank confirms; pay_amount → pay_cash (goto) for cash at the counter
    "pay": ("pay_code", "pay_amount", "pay_qr", "pay_done", "pay_cash", "done"),
    # Identify with the chip ID card: also the first part of every journey that needs identity.
    "identify": ("identify_key", "identify_read", "identify_result", "consent", "done"),
    "help": ("help_reason", "help_ticket"),
    # Result delivery by post for a finished dossier: the code (only result_ready dossiers not
    # yet booked go on) → recipient, phone and address → summary, fee, confirm → booked:
    # tracking code and slip → done.
    "delivery": ("delivery_code", "delivery_address", "delivery_confirm", "delivery_done", "done"),
    # Submit a procedure: find it (search, or submit_events → submit_list by life event) →
    # details → the chip ID card (identify steps; skipped when already read) → form → photos →
    # pick-up or post → review → sent (no way back to editing) → pay (skipped without a fee,
    # or when the receipt is provisional) → the dossier receipt → done.
    "submit": ("submit_find", "submit_events", "submit_list", "submit_details",
               "identify_key", "identify_read", "identify_result", "consent",
               "submit_form", "submit_photos", "submit_delivery", "submit_review", "submit_sent",
               "pay_amount", "pay_qr", "pay_done", "pay_cash", "submit_receipt", "done"),
}

SERVICES: tuple[Service, ...] = (
    Service("lookup", "menu.lookup", "menu.lookup.sub", "search"),
    Service("identify", "menu.identify", "menu.identify.sub", "card"),
    Service("submit", "menu.submit", "menu.submit.sub", "form"),
    Service("pay", "menu.pay", "menu.pay.sub", "pay"),
    Service("delivery", "menu.delivery", "menu.delivery.sub", "post"),
    Service("help", "menu.help", "menu.help.sub", "help"),
)


def is_available(journey: str) -> bool:
    return journey in JOURNEYS


class JourneyError(ValueError):
    pass


class Journey:
    def __init__(self, name: str):
        if name not in JOURNEYS:
            raise JourneyError(f"no such journey: {name}")
        self.name = name
        self.steps = JOURNEYS[name]
        self.index = 0
        self.history: list[int] = []

    @property
    def current(self) -> str:
        return self.steps[self.index]

    @property
    def at_end(self) -> bool:
        return self.index == len(self.steps) - 1

    @property
    def progress(self) -> tuple[int, int]:
        """(step number from 1, number of steps) for the progress indicator."""
        return self.index + 1, len(self.steps)

    def next(self) -> str:
        if self.at_end:
            raise JourneyError(f"{self.name}: already at the last step")
        self.history.append(self.index)
        self.index += 1
        return self.current

    def back(self) -> str | None:
        """The previous step, or None when back leaves the journey (to the menu)."""
        if not self.history:
            return None
        self.index = self.history.pop()
        return self.current

    def goto(self, step: str) -> str:
        if step not in self.steps:
            raise JourneyError(f"{self.name}: no step {step}")
        self.history.append(self.index)
        self.index = self.steps.index(step)
        return self.current
