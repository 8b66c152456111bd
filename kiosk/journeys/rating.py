"""The five faces at the end of a journey ("Đánh giá sự hài lòng").

Rules: the first face tapped is final; it waits in the draft (score, the gateway's journey
name, the dossier code, one idempotency key per session-journey) until the citizen picks a
reason or "skip", or leaves (finish, another service, timeout, staff end): then it is sent
once, off the UI thread, and queued by the gateway service when the gateway is down.  No
personal data is in it.  A rating given just before leaving still goes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from kiosk.core import KioskCore
from kiosk.gateway.client import new_idempotency_key

log = logging.getLogger("kiosk.journeys.rating")

# kiosk journeys → the journey names the gateway's ratings accept (others: "other")
GATEWAY_JOURNEYS = {"lookup": "lookup", "pay": "payment", "submit": "submit", "help": "help"}


@dataclass(repr=False, eq=False)
class RatingDraft:
    score: int = 0
    journey: str = "other"
    dossier_code: str | None = None
    key: str = ""
    reason: str | None = None
    sent: bool = False

    @property
    def given(self) -> bool:
        return self.score > 0

    def wipe(self) -> None:
        self.score, self.dossier_code, self.reason, self.key, self.sent = 0, None, None, "", False


class RatingService:
    name = "rating"

    def __init__(self, core: KioskCore, dossier_code: Callable[[], str | None] = lambda: None):
        self.core = core
        self._dossier_code = dossier_code  # the dossier this visit was about, if any
        self.last_send: Future | None = None
        core.on_wipe(lambda _reason: self.flush())

    @property
    def draft(self) -> RatingDraft:
        return self.core.session.draft(RatingDraft)

    @property
    def current(self) -> RatingDraft:
        """The rating so far, for showing it: reading never puts a draft in the session."""
        return self.core.session.peek(RatingDraft) or RatingDraft()

    def rate(self, score: int) -> bool:
        """The citizen tapped a face.  False when this journey was already rated."""
        if self.current.given:
            return False
        if score not in (1, 2, 3, 4, 5):
            raise ValueError(f"score {score!r} out of 1..5")
        journey = self.core.session.journey or "other"
        d = self.draft
        d.score, d.journey = int(score), GATEWAY_JOURNEYS.get(journey, "other")
        d.dossier_code, d.key = self._dossier_code(), new_idempotency_key()
        log.info("rating given", extra={"journey": journey, "score": score})
        return True

    def give_reason(self, reason: str | None) -> Future | None:
        """A reason chip (a short key such as "too_slow"), or None for "skip": the rating goes."""
        if not self.current.given or self.current.sent:
            return None
        self.draft.reason = reason
        return self._send()

    def flush(self) -> None:
        """The citizen leaves: a face without a reason is sent as it is."""
        try:
            self._send()
        except Exception:  # noqa: BLE001 - leaving must never fail because of a rating
            log.exception("rating flush failed")

    def _send(self) -> Future | None:
        d, gateway = self.current, self.core.gateway
        if not d.given or d.sent or gateway is None:
            return None
        d.sent = True
        # plain values only: the session may be wiped before the worker runs
        score, journey, code, reason, key = d.score, d.journey, d.dossier_code, d.reason, d.key

        def work():
            result = gateway.rate(score, journey, dossier_code=code, comment=reason, idempotency_key=key)
            log.info("rating sent", extra={"journey": journey, "queued": not isinstance(result, int)})
            return result

        self.last_send = self.core.worker.detached(work, "rating")
        return self.last_send
