"""The demo gateway: a FastAPI app honouring the kiosk gateway contract."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kiosk.gateway.demo import schemas as s
from kiosk.gateway.demo.store import Store, iso_utc

log = logging.getLogger("kiosk.gateway.demo")

API_VERSION = "1.0.0"
_CODE_RX = re.compile(s.DOSSIER_CODE_PATTERN)


class ApiError(Exception):
    def __init__(self, status: int, type_: str, title: str, detail: str | None = None):
        self.status, self.type, self.title, self.detail = status, type_, title, detail


def problem(status: int, type_: str, title: str, detail: str | None = None) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


ERRORS = {
    400: {"model": s.Problem, "description": "Malformed request"},
    401: {"model": s.Problem, "description": "Missing or refused kiosk credentials"},
    404: {"model": s.Problem, "description": "No such resource"},
    422: {"model": s.Problem, "description": "Request fails validation"},
}


def create_app(db_path: str | Path | None = None, *, clock: Callable[[], float] | None = None,
               catalog_dir: Path | None = None, bank_delay: float = 20.0,
               tokens: dict[str, str] | None = None) -> FastAPI:
    """The demo gateway.

    ``bank_delay``: seconds before the simulated bank confirms a VietQR payment.
    ``tokens``: bearer token → kiosk id; when given, every /v1 call but /v1/health needs one.
    """
    kwargs = {"catalog_dir": catalog_dir}
    if clock is not None:
        kwargs["clock"] = clock
    store = Store(db_path, **kwargs)
    app = FastAPI(
        title="Kiosk public-service gateway",
        version=API_VERSION,
        description=(
            "The contract between a post-office self-service kiosk and the public-service "
            "systems it serves. An integrator implements it (or adapts to it); the kiosk ships "
            "a demo gateway that honours it. See docs/gateway.md."
        ),
    )
    app.state.store = store

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return problem(exc.status, exc.type, exc.title, exc.detail)

    @app.get("/v1/dossiers/{code:path}", response_model=s.Dossier, responses=ERRORS, tags=["dossiers"],
             summary="Status and timeline of a dossier")
    def get_dossier(code: str) -> dict:
        if not _CODE_RX.fullmatch(code):
            raise ApiError(400, "invalid_request", "Malformed dossier code")
        found = store.dossier(code)
        if found is None:
            raise ApiError(404, "not_found", "No dossier with this code")
        return found

    @app.get("/v1/health", response_model=s.Health, tags=["kiosk"], summary="Liveness probe (no auth)")
    def health() -> dict:
        return {"status": "ok", "api_version": API_VERSION}

    @app.post("/v1/kiosks/heartbeat", response_model=s.HeartbeatAck, responses=ERRORS, tags=["kiosk"],
              summary="A kiosk reports it is alive, with its device states")
    def heartbeat(body: s.Heartbeat) -> dict:
        store.heartbeat(body.kiosk_id, body.model_dump(mode="json"))
        return {"server_time": iso_utc(store.clock()), "api_version": API_VERSION}

    return app


def openapi_document() -> dict:
    """The contract exactly as the demo gateway serves it at /openapi.json."""
    return create_app(None).openapi()
