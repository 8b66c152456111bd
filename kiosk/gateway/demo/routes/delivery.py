"""The delivery route: book the posting of a ready result (needs proof that the caller acts for
the applicant; once per idempotency key)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, DossierCode, IdemKey, Kiosk


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.post("/v1/dossiers/{code}/delivery", status_code=201, response_model=M.DeliveryConfirmation,
              responses=_r(400, 401, 404, 409, 413, 422, 429), tags=["delivery"],
              summary="Book delivery of the result by post (province + ward/commune + street)",
              description="Needs applicant_proof (403 applicant_proof_required / applicant_proof_mismatch).")
    def book_delivery(code: DossierCode, body: M.DeliveryBooking, kiosk: Kiosk,
                      idempotency_key: IdemKey) -> JSONResponse:
        dossier = ctx.dossier_or_404(code, kiosk)
        code = dossier["code"]
        ctx.require_proof(kiosk, code, body.applicant_proof)
        if body.address.province not in ctx.province_names:
            raise ApiError(422, "invalid_province", "Unknown province (use /v1/units/provinces)")
        if dossier["status"] in ("delivered", "collected", "rejected"):
            raise ApiError(409, "conflict", "The result was already handed over or the dossier was rejected")
        data = ctx.fingerprinted(body)

        def book():
            # checked only for a new request: a replay of a booking that was made gets its answer
            if dossier["status"] != "result_ready":
                raise ApiError(409, "not_ready", "The result is not ready yet: nothing to post")
            if (dossier.get("delivery") or {}).get("method") == "post":
                raise ApiError(409, "already_booked", "Delivery of this result is already booked")
            return 201, store.book_delivery(kiosk, code, data)

        return ctx.once(kiosk, idempotency_key, data, f"/v1/dossiers/{code}/delivery", book)
