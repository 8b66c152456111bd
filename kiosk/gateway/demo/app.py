"""The demo gateway: a FastAPI app honouring the kiosk gateway contract (docs/openapi.json).

State lives in SQLite (kiosk.gateway.demo.store).  Many kiosks can use one demo gateway at
once: each is identified by its bearer token (when ``tokens`` are configured) or by its
``X-Kiosk-Id`` header, and idempotency keys are scoped per kiosk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.gateway import models as M
from kiosk.gateway.demo.store import IdempotencyConflict, Store, iso_utc, load_json

log = logging.getLogger("kiosk.gateway.demo")

API_VERSION = "1.0.0"
_CODE_RX = re.compile(M.DOSSIER_CODE_PATTERN)
_KIOSK_RX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_\-]{8,80}$"
PAYMENT_TTL = 15 * 60.0
DEMO_BANK_BIN = "970436"          # a NAPAS member BIN (demo)
DEMO_ACCOUNT = "DEMO0000000001"   # no real account: payments are simulated


class ApiError(Exception):
    def __init__(self, status: int, type_: str, title: str, detail: str | None = None):
        self.status, self.type, self.title, self.detail = status, type_, title, detail


def problem(status: int, type_: str, title: str, detail: str | None = None, headers=None) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _r(*codes: int) -> dict:
    text = {400: "Malformed request", 401: "Missing or refused kiosk credentials", 404: "No such resource",
            409: "Idempotency-Key reused with another request, or a state conflict",
            422: "Request fails validation"}
    return {c: {"model": M.Problem, "description": text[c]} for c in sorted(set(codes) | {400, 422})}


def read_token_map(path: str | Path) -> dict[str, str]:
    """A tokens file: one 'KIOSK_ID TOKEN' per line ('#' comments). Returns token → kiosk id."""
    out: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kiosk_id, token = line.split(None, 1)
        out[token.strip()] = kiosk_id
    return out


def kiosk_identity(request: Request, authorization: Annotated[str | None, Header()] = None,
                   x_kiosk_id: Annotated[str | None, Header(max_length=40)] = None) -> str:
    """Which kiosk is calling: from its bearer token when tokens are configured, else from the
    X-Kiosk-Id header (demo mode), else 'anonymous'."""
    tokens = request.app.state.tokens
    if tokens is not None:
        token = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
        if not token or token not in tokens:
            raise ApiError(401, "unauthorized", "A valid kiosk bearer token is required")
        return tokens[token]
    if x_kiosk_id and _KIOSK_RX.fullmatch(x_kiosk_id):
        return x_kiosk_id
    return "anonymous"


Kiosk = Annotated[str, Depends(kiosk_identity)]
DossierCode = Annotated[str, PathParam(pattern=M.DOSSIER_CODE_PATTERN, description="Dossier code (upper case)")]
PaymentId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
ProcedureCode = Annotated[str, PathParam(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,19}$")]
HelpId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
IdemKey = Annotated[str, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_PATTERN,
                                description="Client-chosen unique key (e.g. a UUID) for this operation")]


def _vietqr_builder(payment_id: str, amount: int) -> str:
    from kiosk import vietqr

    return vietqr.build(vietqr.VietQr(bank_bin=DEMO_BANK_BIN, account=DEMO_ACCOUNT, amount=amount,
                                      purpose=f"LE PHI {payment_id}"[:25], reference=payment_id,
                                      bill_number=payment_id))


def create_app(db_path: str | Path | None = None, *, clock: Callable[[], float] | None = None,
               catalog_dir: Path | None = None, bank_delay: float = 20.0,
               tokens: dict[str, str] | None = None, progress_step: float = 120.0) -> FastAPI:
    """The demo gateway.

    ``bank_delay``: seconds before the simulated bank confirms a VietQR payment.
    ``tokens``: bearer token → kiosk id; when given, every /v1 call but /v1/health needs one.
    ``progress_step``: seconds between the status steps of a submitted dossier.
    """
    kwargs = {"catalog_dir": catalog_dir}
    if clock is not None:
        kwargs["clock"] = clock
    store = Store(db_path, **kwargs)
    units = load_json("units.json", store.catalog_dir)["provinces"]
    province_names = {u["name"] for u in units}
    app = FastAPI(
        title="Kiosk public-service gateway",
        version=API_VERSION,
        description=(
            "The contract between a post-office self-service kiosk and the public-service systems it serves. "
            "An integrator implements it (or adapts to it); the kiosk ships a demo gateway that honours it. "
            "Authentication: per-kiosk bearer token (Authorization: Bearer …) or mutual TLS. "
            "Every POST that creates something takes an Idempotency-Key header: the same key with the same body "
            "returns the first answer again (header Idempotent-Replayed: true); with another body, 409. "
            "Errors are application/problem+json with a stable 'type'. See docs/gateway.md."
        ),
        servers=[{"url": "/", "description": "this gateway"}],
    )
    app.state.store = store
    app.state.tokens = tokens

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return problem(exc.status, exc.type, exc.title, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        types = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return problem(exc.status_code, types.get(exc.status_code, "error"), str(exc.detail),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors()[:5])
        return problem(422, "invalid_request", "Request fails validation", f"fields: {fields}")

    def once(kiosk: str, key: str, request_body: dict, path: str, produce) -> JSONResponse:
        digest = hashlib.sha256((path + "\n" + json.dumps(request_body, sort_keys=True, ensure_ascii=False))
                                .encode()).hexdigest()
        try:
            status, body, replayed = store.idempotent(kiosk, key, digest, produce)
        except IdempotencyConflict:
            raise ApiError(409, "idempotency_conflict",
                           "This Idempotency-Key was used with another request") from None
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return JSONResponse(body, status_code=status, headers=headers)

    def dossier_or_404(code: str) -> dict:
        if not _CODE_RX.fullmatch(code):
            raise ApiError(400, "invalid_request", "Malformed dossier code")
        found = store.dossier(code)
        if found is None:
            raise ApiError(404, "not_found", "No dossier with this code")
        return found

    # -- health and kiosks --------------------------------------------------------------------

    @app.get("/v1/health", response_model=M.Health, tags=["kiosk"], summary="Liveness probe (no auth)")
    def health() -> dict:
        return {"status": "ok", "api_version": API_VERSION}

    @app.post("/v1/kiosks/heartbeat", response_model=M.HeartbeatAck, responses=_r(401, 422), tags=["kiosk"],
              summary="A kiosk reports it is alive, with its device states")
    def heartbeat(body: M.Heartbeat, kiosk: Kiosk) -> dict:
        store.heartbeat(kiosk if kiosk != "anonymous" else body.kiosk_id, M.dump(body))
        return {"server_time": iso_utc(store.clock()), "api_version": API_VERSION}

    @app.get("/v1/kiosks/audit-head", response_model=M.AuditHead, responses=_r(401, 404), tags=["kiosk"],
             summary="The newest audit-log head this kiosk sent with a heartbeat (for kiosk audit verify)")
    def audit_head(kiosk: Kiosk) -> dict:
        found = store.audit_head(kiosk)
        if found is None:
            raise ApiError(404, "not_found", "No audit head received from this kiosk")
        return found

    # -- catalog ------------------------------------------------------------------------------

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
        return units

    # -- dossiers -----------------------------------------------------------------------------

    @app.post("/v1/dossiers", status_code=201, response_model=M.SubmissionReceipt,
              responses=_r(401, 404, 409, 422), tags=["dossiers"], summary="Submit a dossier")
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
            if body.delivery.address.province not in province_names:
                raise ApiError(422, "invalid_province", "Unknown province (use /v1/units/provinces)")
        data = M.dump(body)
        for doc in body.documents:
            _check_document(doc)
        return once(kiosk, idempotency_key, data, "/v1/dossiers",
                    lambda: (201, store.new_dossier(kiosk, data, progress_step)))

    @app.get("/v1/dossiers/{code:path}", response_model=M.Dossier, responses=_r(400, 401, 404), tags=["dossiers"],
             summary="Status and timeline of a dossier (a '/' in a code is sent as %2F)")
    def get_dossier(code: Annotated[str, PathParam(description="Dossier code (upper case)",
                                                   json_schema_extra={"pattern": M.DOSSIER_CODE_PATTERN})],
                    kiosk: Kiosk) -> dict:
        # {code:path} lets a '/' inside a code through; a GET on …/delivery is the wrong method
        if code.endswith("/delivery"):
            raise StarletteHTTPException(405, "Method Not Allowed", headers={"Allow": "POST"})
        return dossier_or_404(code)

    @app.post("/v1/dossiers/{code}/delivery", status_code=201, response_model=M.DeliveryConfirmation,
              responses=_r(400, 401, 404, 409, 422), tags=["delivery"],
              summary="Book delivery of the result by post (province + ward/commune + street)")
    def book_delivery(code: DossierCode, body: M.DeliveryBooking, kiosk: Kiosk,
                      idempotency_key: IdemKey) -> JSONResponse:
        dossier = dossier_or_404(code)
        if body.address.province not in province_names:
            raise ApiError(422, "invalid_province", "Unknown province (use /v1/units/provinces)")
        if dossier["status"] in ("delivered", "collected", "rejected"):
            raise ApiError(409, "conflict", "The result was already handed over or the dossier was rejected")
        data = M.dump(body)

        def book():
            # checked only for a new request: a replay of a booking that was made gets its answer
            if dossier["status"] != "result_ready":
                raise ApiError(409, "not_ready", "The result is not ready yet: nothing to post")
            if (dossier.get("delivery") or {}).get("method") == "post":
                raise ApiError(409, "already_booked", "Delivery of this result is already booked")
            return 201, store.book_delivery(kiosk, code, data)

        return once(kiosk, idempotency_key, data, f"/v1/dossiers/{code}/delivery", book)

    # -- payments -----------------------------------------------------------------------------

    @app.post("/v1/payments", status_code=201, response_model=M.Payment, responses=_r(401, 404, 409, 422),
              tags=["payments"], summary="Create a fee payment: a VietQR payload with its expiry, or a cash slip")
    def create_payment(body: M.PaymentRequest, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        dossier = dossier_or_404(body.dossier_code)
        amount = dossier["fee"]["amount_vnd"]
        if dossier["fee"]["paid"] or amount == 0:
            raise ApiError(409, "already_paid", "Nothing to pay for this dossier")
        data = M.dump(body)
        return once(kiosk, idempotency_key, data, "/v1/payments",
                    lambda: (201, store.new_payment(kiosk, body.dossier_code, body.method, amount, bank_delay,
                                                    PAYMENT_TTL, _vietqr_builder)))

    @app.get("/v1/payments/{payment_id}", response_model=M.Payment, responses=_r(401, 404), tags=["payments"],
             summary="Payment status (pending, paid, expired, cancelled)")
    def payment_status(payment_id: PaymentId, kiosk: Kiosk) -> dict:
        found = store.payment(payment_id)
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        return found

    @app.post("/v1/payments/{payment_id}/cash-confirmation", response_model=M.Payment,
              responses=_r(401, 404, 409, 422), tags=["payments"],
              summary="Post-office staff confirm they took the fee in cash")
    def confirm_cash(payment_id: PaymentId, body: M.CashConfirmation, kiosk: Kiosk,
                     idempotency_key: IdemKey) -> JSONResponse:
        found = store.payment(payment_id)
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        if body.amount_vnd != found["amount_vnd"]:
            raise ApiError(422, "amount_mismatch", "The amount does not match the payment")
        if found["status"] not in ("pending", "paid"):
            raise ApiError(409, "conflict", f"The payment is {found['status']}")
        data = M.dump(body)
        return once(kiosk, idempotency_key, data, f"/v1/payments/{payment_id}/cash-confirmation",
                    lambda: (200, store.confirm_payment(payment_id, f"staff:{body.staff_id}")))

    @app.post("/v1/demo/payments/{payment_id}/confirm", response_model=M.Payment, responses=_r(401, 404),
              tags=["demo"], summary="DEMO ONLY: the simulated bank confirms a payment now")
    def demo_confirm(payment_id: PaymentId, kiosk: Kiosk) -> dict:
        found = store.confirm_payment(payment_id, "bank")
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        return found

    # -- help requests ------------------------------------------------------------------------

    @app.post("/v1/help-requests", status_code=201, response_model=M.HelpTicket, responses=_r(401, 422),
              tags=["help"], summary="A citizen asks post-office staff for help; returns a ticket number")
    def create_help(body: M.HelpRequestIn, kiosk: Kiosk) -> dict:
        return store.new_help(kiosk, M.dump(body))

    @app.get("/v1/help-requests", response_model=list[M.HelpTicket], responses=_r(401, 422), tags=["help"],
             summary="The staff queue of help requests")
    def list_help(kiosk: Kiosk, status: Annotated[M.HelpStatus | None, Query()] = None,
                  kiosk_id: Annotated[str | None, Query(max_length=40)] = None) -> list:
        return store.helps(status, kiosk_id)

    @app.post("/v1/help-requests/{help_id}/status", response_model=M.HelpTicket, responses=_r(401, 404, 422),
              tags=["help"], summary="Staff take a ticket, close or cancel it")
    def help_status(help_id: HelpId, body: M.HelpStatusChange, kiosk: Kiosk) -> dict:
        found = store.set_help_status(help_id, body.status)
        if found is None:
            raise ApiError(404, "not_found", "No help request with this id")
        return found

    # -- ratings ------------------------------------------------------------------------------

    @app.post("/v1/ratings", status_code=201, response_model=M.RatingAck, responses=_r(401, 409, 422),
              tags=["ratings"], summary="Satisfaction rating (1 to 5) after a journey")
    def rate(body: M.RatingIn, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        data = M.dump(body)
        return once(kiosk, idempotency_key, data, "/v1/ratings", lambda: (201, store.rate(kiosk, data)))

    def custom_openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        doc = get_openapi(title=app.title, version=app.version, description=app.description,
                          routes=app.routes, servers=app.servers)
        doc.setdefault("components", {})["securitySchemes"] = {
            "kioskBearer": {"type": "http", "scheme": "bearer",
                            "description": "Per-kiosk token ([gateway] token_file in kiosk.ini)"},
            "kioskMutualTls": {"type": "mutualTLS",
                               "description": "Per-kiosk client certificate ([gateway] client_cert/client_key)"},
        }
        doc["security"] = [{"kioskBearer": []}, {"kioskMutualTls": []}]
        doc["paths"]["/v1/health"]["get"]["security"] = []
        for item in doc["paths"].values():  # errors are RFC 9457 problem documents
            for op in item.values():
                for code, resp in op.get("responses", {}).items():
                    if code[0] in "45" and "application/json" in resp.get("content", {}):
                        resp["content"] = {"application/problem+json": resp["content"].pop("application/json")}
        app.openapi_schema = doc
        return doc

    app.openapi = custom_openapi
    return app


def _check_document(doc: M.DocumentPhoto) -> None:
    import base64
    import binascii

    try:
        raw = base64.b64decode(doc.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid_document", "A document is not valid base64") from None
    if hashlib.sha256(raw).hexdigest() != doc.sha256:
        raise ApiError(422, "invalid_document", "A document's sha256 does not match its content")


def openapi_document() -> dict:
    """The contract exactly as the demo gateway serves it at /openapi.json."""
    return create_app(None).openapi()
