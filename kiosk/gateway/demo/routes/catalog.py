"""The catalog's routes: life events, procedures (listed, searched, one in full) and provinces."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, Kiosk, ProcedureCode


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.get("/v1/life-events", response_model=list[M.LifeEvent], responses=_r(401), tags=["catalog"],
             summary="Life events the catalog is grouped by")
    def life_events(kiosk: Kiosk) -> list:
        return store.catalog["life_events"]

    @app.get("/v1/procedures", response_model=M.ProcedureList, responses=_r(401, 422), tags=["catalog"],
             summary="List or search procedures (diacritic-insensitive)")
    def procedures(kiosk: Kiosk,
                   q: Annotated[str | None, Query(max_length=100, description="Words to look for")] = None,
                   life_event: Annotated[str | None, Query(max_length=40)] = None,
                   level: Annotated[M.Level | None, Query()] = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Annotated[int, Query(ge=0, le=10_000)] = 0) -> dict:
        found = store.search(q, life_event, level)
        return {"items": found[offset:offset + limit], "total": len(found)}

    @app.get("/v1/procedures/{code}", response_model=M.Procedure, responses=_r(401, 404), tags=["catalog"],
             summary="A procedure: documents, fees, processing time, delivery options, form schema")
    def procedure(code: ProcedureCode, kiosk: Kiosk) -> dict:
        p = store.procedures.get(code)
        if p is None:
            raise ApiError(404, "not_found", "No procedure with this code")
        return {**store.summary(p), **{k: p[k] for k in (
            "code_verified", "field_vi", "field_en", "documents", "fees", "processing_vi", "processing_en",
            "result_vi", "result_en", "delivery_options", "legal_basis", "sources", "form")}}

    @app.get("/v1/units/provinces", response_model=list[M.Province], responses=_r(401), tags=["catalog"],
             summary="Provinces and centrally-run cities in force (two-level government since 1 July 2025)")
    def provinces(kiosk: Kiosk) -> list:
        return ctx.units
