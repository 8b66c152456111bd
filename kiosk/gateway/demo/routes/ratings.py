"""The ratings route: a satisfaction rating (1 to 5) after a journey, once per idempotency key."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, IdemKey, Kiosk


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.post("/v1/ratings", status_code=201, response_model=M.RatingAck, responses=_r(401, 409, 413, 422),
              tags=["ratings"], summary="Satisfaction rating (1 to 5) after a journey")
    def rate(body: M.RatingIn, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        data = M.dump(body)
        return ctx.once(kiosk, idempotency_key, data, "/v1/ratings", lambda: (201, store.rate(kiosk, data)))
