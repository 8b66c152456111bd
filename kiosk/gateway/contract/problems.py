"""When a call goes wrong: the error body every gateway error carries, and what a gateway did
under an idempotency key (asked when a replay is refused with 409 idempotency_conflict)."""

from typing import Annotated, Any

from pydantic import Field

from kiosk.gateway.contract.fields import Instant
from kiosk.gateway.contract.wire import Wire, contract


@contract
class Problem(Wire):
    """Error body (RFC 9457 style)."""

    type: Annotated[str, Field(description="Stable machine-readable key, e.g. 'not_found', 'invalid_request'.")]
    title: str
    status: int
    detail: str | None = None


@contract
class IdempotencyRecord(Wire):
    """What the gateway did with one of the calling kiosk's idempotency keys: the first answer it
    gave under that key (a kiosk asks when a replay is refused with 409 idempotency_conflict)."""

    key: str
    status: Annotated[int, Field(description="HTTP status of the first answer")]
    response: Annotated[Any, Field(description="The first answer's body, as it was sent")]
    created_at: Instant
