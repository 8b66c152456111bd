"""The reconciliation route: what was done under one of the calling kiosk's idempotency keys (its
first answer), asked by a kiosk whose replay was refused with 409 idempotency_conflict."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI
from fastapi import Path as PathParam

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import IDEMPOTENCY_PATTERN, Context, Kiosk


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.get("/v1/idempotency/{key}", response_model=M.IdempotencyRecord, responses=_r(401, 404), tags=["kiosk"],
             summary="What was done under one of the calling kiosk's Idempotency-Keys (its first answer)")
    def idempotency_record(key: Annotated[str, PathParam(pattern=IDEMPOTENCY_PATTERN)], kiosk: Kiosk) -> dict:
        found = store.idempotency_record(kiosk, key)
        if found is None:
            raise ApiError(404, "not_found", "Nothing was done under this key")
        return found
