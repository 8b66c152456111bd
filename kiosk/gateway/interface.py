"""What the kiosk needs of its gateway, as a typed interface.

``kiosk.gateway.service.GatewayService`` is the kiosk's one implementation: every call blocks
(the journeys run them on worker threads) and the service decides itself whether to send now
or queue in the offline outbox (``submit``, ``rate``, ``confirm_cash``).  Tests may hand the
core any object with these methods.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Gateway(Protocol):
    # look-ups and the catalog
    def lookup_dossier(self, code: str) -> Any: ...

    def life_events(self) -> list: ...

    def list_procedures(self, life_event: str | None = None, *, level: str | None = None, limit: int = 50,
                        offset: int = 0) -> Any: ...

    def search_procedures(self, query: str, *, life_event: str | None = None, limit: int = 50) -> Any: ...

    def get_procedure(self, code: str) -> Any: ...

    def provinces(self) -> list: ...

    # what a citizen files or pays: sent now, or queued while the gateway is away
    def submit(self, submission: Any, idempotency_key: str) -> Any: ...

    def rate(self, score: int, journey: str = "other", *, dossier_code: str | None = None,
             comment: str | None = None, idempotency_key: str) -> Any: ...

    def confirm_cash(self, payment_id: str, staff_id: str, amount_vnd: int, *, receipt_number: str | None = None,
                     idempotency_key: str) -> Any: ...

    # payments, delivery, staff
    def create_payment(self, dossier_code: str, method: str = "vietqr", *,
                       idempotency_key: str | None = None, proof: Any = None) -> Any: ...

    def payment_status(self, payment_id: str) -> Any: ...

    def demo_confirm_payment(self, payment_id: str, *, proof: Any = None) -> Any: ...

    def book_delivery(self, dossier_code: str, address: Any, recipient_name: str, phone: str, *,
                      note: str | None = None, idempotency_key: str, proof: Any = None) -> Any: ...

    def create_help_request(self, reason: str, *, procedure_code: str | None = None,
                            note: str | None = None) -> Any: ...

    def list_help_requests(self, status: str | None = "waiting", *, kiosk_id: str | None = None) -> list: ...

    def update_help_request(self, help_id: int, status: str, *, staff_id: str | None = None) -> Any: ...
