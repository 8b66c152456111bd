"""The dossiers' routes: submit a dossier (once per idempotency key; its form checked against the
procedure's schema, its document photos against their sha256) and look one up (rate-limited)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import FastAPI
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, IdemKey, Kiosk


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.post("/v1/dossiers", status_code=201, response_model=M.SubmissionReceipt,
              responses=_r(401, 404, 409, 413, 422), tags=["dossiers"], summary="Submit a dossier",
              description="The receipt carries the dossier's claim code, printed on the dossier receipt. "
                          "Dossier codes end in a random part (8 of Crockford's base-32 digits).")
    def submit(body: M.DossierSubmission, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        from kiosk.gateway.formschema import validate

        proc = store.procedures.get(body.procedure_code)
        if proc is None:
            raise ApiError(404, "not_found", "No procedure with this code")
        problems = validate(proc["form"], body.form)
        if problems:
            raise ApiError(422, "invalid_form", "Form data does not match the procedure's form",
                           "; ".join(f"{f}: {k}" for f, k in problems[:10]))
        if body.delivery.method not in proc["delivery_options"]:
            raise ApiError(422, "invalid_request", "This procedure does not offer that delivery method")
        if body.delivery.method == "post":
            if body.delivery.address is None:
                raise ApiError(422, "invalid_request", "Delivery by post needs an address")
            if body.delivery.address.province not in ctx.province_names:
                raise ApiError(422, "invalid_province", "Unknown province (use /v1/units/provinces)")
        data = M.dump(body)
        for doc in body.documents:
            _check_document(doc)
        return ctx.once(kiosk, idempotency_key, data, "/v1/dossiers",
                        lambda: (201, store.new_dossier(kiosk, data, ctx.progress_step)))

    @app.get("/v1/dossiers/{code:path}", response_model=M.Dossier, responses=_r(400, 401, 404, 429),
             tags=["dossiers"], summary="Status and timeline of a dossier (a '/' in a code is sent as %2F)",
             description="Rate-limited per kiosk (429 with Retry-After). Any kiosk may look a dossier up (a citizen "
                         "may ask at another post office); where its result is posted (province, ward, tracking "
                         "code) is shown only to the kiosk that filed it or booked the delivery.")
    def get_dossier(code: Annotated[str, PathParam(description="Dossier code (upper case)",
                                                   json_schema_extra={"pattern": M.DOSSIER_CODE_PATTERN})],
                    kiosk: Kiosk) -> dict:
        # {code:path} lets a '/' inside a code through; a GET on …/delivery is the wrong method
        if code.endswith("/delivery"):
            raise StarletteHTTPException(405, "Method Not Allowed", headers={"Allow": "POST"})
        ctx.limit(kiosk)
        return ctx.dossier_or_404(code, kiosk)


def _check_document(doc: M.DocumentPhoto) -> None:
    import base64
    import binascii

    try:
        raw = base64.b64decode(doc.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid_document", "A document is not valid base64") from None
    if hashlib.sha256(raw).hexdigest() != doc.sha256:
        raise ApiError(422, "invalid_document", "A document's sha256 does not match its content")
