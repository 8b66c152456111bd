"""The gateway contract as pydantic models: FastAPI turns them into docs/openapi.json.

These models describe what any gateway must accept and answer; the demo gateway is one
implementation.  Field names are the wire names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

DossierStatus = Literal[
    "received", "in_progress", "supplement_requested", "result_ready", "delivered", "collected", "rejected"
]
DeliveryMethod = Literal["pickup", "post"]

DOSSIER_CODE_PATTERN = r"^[A-Z0-9](?:[A-Z0-9.\-/]{4,38})[A-Z0-9]$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Model):
    """Error body (RFC 9457 style)."""

    type: str = Field(description="Stable machine-readable key, e.g. 'not_found', 'invalid_request'.")
    title: str
    status: int
    detail: Optional[str] = None


class ProcedureRef(Model):
    code: str = Field(description="National procedure code, e.g. 1.001193", examples=["1.001193"])
    name_vi: str
    name_en: str


class TimelineEvent(Model):
    status: DossierStatus
    at: datetime
    note_vi: str = ""
    note_en: str = ""


class DossierFee(Model):
    amount_vnd: int = Field(ge=0)
    paid: bool


class DeliveryInfo(Model):
    method: DeliveryMethod
    province: Optional[str] = None
    ward: Optional[str] = Field(None, description="Ward or commune (two-level units since 1 July 2025).")
    tracking_code: Optional[str] = None


class Dossier(Model):
    """What a status page shows. No personal data: no names, ID numbers or addresses
    beyond the province and ward a result is posted to."""

    code: str
    procedure: ProcedureRef
    status: DossierStatus
    timeline: list[TimelineEvent]
    submitted_at: datetime
    expected_date: Optional[date] = None
    agency_vi: str
    agency_en: str
    fee: DossierFee
    delivery: DeliveryInfo


class Heartbeat(Model):
    kiosk_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    sent_at: datetime
    devices: dict[str, str] = Field(default_factory=dict,
                                    description="Device kind → state, e.g. {'printer': 'online'}.")


class HeartbeatAck(Model):
    server_time: datetime
    api_version: str


class Health(Model):
    status: Literal["ok"]
    api_version: str
