"""What a kiosk says about itself and asks for besides dossiers: heartbeat, health and the
audit-log head; help requests to post-office staff; satisfaction ratings."""

from dataclasses import field
from typing import Annotated, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from kiosk.gateway.contract.fields import (
    DOSSIER_CODE_PATTERN,
    HelpReason,
    HelpStatus,
    Instant,
    IsoDateTime,
    Journey,
    KioskId,
    whole,
)
from kiosk.gateway.contract.wire import Wire, contract

# --- kiosks ----------------------------------------------------------------------------------


@contract
class AuditHead(Wire):
    """The last entry of the kiosk's audit log: the gateway keeps the newest it received, so a
    log rewritten or wiped on the kiosk no longer matches (``kiosk audit verify --gateway``)."""

    seq: Annotated[int, Field(ge=0)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


@contract
class Heartbeat(Wire):
    kiosk_id: KioskId
    sent_at: IsoDateTime
    devices: Annotated[dict[str, str], Field(description="Device kind → state, e.g. {'printer': 'online'}.")] = \
        field(default_factory=dict)
    audit_head: AuditHead | None = None


@contract
class HeartbeatAck(Wire):
    server_time: Instant
    api_version: str
    # measured by the client, not sent by the gateway
    latency_ms: Annotated[SkipJsonSchema[float], Field(exclude=True)] = 0.0


@contract
class Health(Wire):
    status: Literal["ok"]
    api_version: str


# --- help and ratings ------------------------------------------------------------------------


@contract
class HelpRequestIn(Wire):
    reason: HelpReason
    procedure_code: Annotated[str | None, Field(max_length=20)] = None
    note: Annotated[str | None, Field(max_length=300)] = None


@contract
class HelpTicket(Wire):
    id: int
    ticket: Annotated[str, Field(description="Ticket number the citizen sees, e.g. H-007")]
    kiosk_id: str
    reason: HelpReason
    status: HelpStatus
    created_at: Instant
    position: Annotated[int | None, Field(description="Place in the waiting queue (1 = next)")] = None


@contract
class HelpStatusChange(Wire):
    status: HelpStatus
    staff_id: Annotated[str | None, Field(max_length=40)] = None


@contract
class RatingIn(Wire):
    score: whole(ge=1, le=5)
    journey: Journey
    dossier_code: Annotated[str | None, Field(pattern=DOSSIER_CODE_PATTERN)] = None
    comment: Annotated[str | None, Field(max_length=500)] = None
    rated_at: IsoDateTime | None = None


@contract
class RatingAck(Wire):
    id: int
