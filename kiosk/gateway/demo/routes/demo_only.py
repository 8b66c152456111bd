"""DEMO ONLY routes, added in demo mode alone (404 elsewhere): the simulated bank confirms a
payment now, for a caller acting for the applicant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, FastAPI

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, Kiosk, PaymentId


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.post("/v1/demo/payments/{payment_id}/confirm", response_model=M.Payment,
              responses=_r(401, 404, 413, 429), tags=["demo"],
              summary="DEMO ONLY: the simulated bank confirms a payment now",
              description="Exists only on a demo gateway (404 elsewhere). Needs applicant_proof for the "
                          "payment's dossier, as creating the payment does.")
    def demo_confirm(payment_id: PaymentId, kiosk: Kiosk,
                     body: Annotated[M.DemoBankConfirmation | None, Body()] = None) -> dict:
        found = store.payment(payment_id)
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        ctx.require_proof(kiosk, found["dossier_code"], body.applicant_proof if body is not None else None)
        return store.confirm_payment(payment_id, "bank")
