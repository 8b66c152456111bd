"""The catalog: life events, procedures (summaries, details, pages of results) and provinces."""

from dataclasses import field
from typing import Annotated, Literal

from pydantic import Field

from kiosk.gateway.contract.fields import DeliveryMethod, Level, NonNegative
from kiosk.gateway.contract.wire import Wire, contract


@contract
class LifeEvent(Wire):
    id: str
    name_vi: str
    name_en: str


@contract
class RequiredDocument(Wire):
    name_vi: str
    name_en: str
    originals: NonNegative
    copies: NonNegative
    required: bool
    note_vi: str | None = None
    note_en: str | None = None


@contract
class ProcedureFee(Wire):
    name_vi: str
    name_en: str
    amount_vnd: Annotated[int, Field(ge=0, description="Amount at the counter/kiosk, VND.")]
    online_amount_vnd: Annotated[int | None, Field(ge=0, description="Amount when filed online, if different.")] = None
    unit_vi: str | None = None
    unit_en: str | None = None
    exemptions_vi: list[str] = field(default_factory=list)
    exemptions_en: list[str] = field(default_factory=list)
    note_vi: str | None = None
    note_en: str | None = None


@contract
class ProcedureSummary(Wire):
    code: Annotated[str, Field(description="National procedure code, e.g. 1.001193")]
    name_vi: str
    name_en: str
    level: Level
    life_event: str
    agency_vi: str
    agency_en: str
    processing_days: Annotated[int, Field(ge=0, description="Working days; 0 = the same day")]
    fee_vnd: Annotated[int, Field(ge=0, description="The main fee (first fee line), VND")]


@contract
class Procedure(ProcedureSummary):
    code_verified: Annotated[bool, Field(description="False when the code could not be confirmed from public sources")]
    field_vi: str
    field_en: str
    documents: list[RequiredDocument]
    fees: list[ProcedureFee]
    processing_vi: str
    processing_en: str
    result_vi: str
    result_en: str
    delivery_options: list[DeliveryMethod]
    legal_basis: list[str]
    sources: list[str]
    form: Annotated[dict, Field(description="JSON Schema (draft 2020-12 subset) of the procedure's form data.")]


@contract
class ProcedureList(Wire):
    items: list[ProcedureSummary]
    total: NonNegative


ProcedurePage = ProcedureList  # the kiosk's name for one page of results


@contract
class Province(Wire):
    code: str
    name: str
    kind: Literal["city", "province"]
