"""Errors as the demo gateway answers them: RFC 9457 problem documents (``application/problem+json``
with a stable ``type``).  A route raises ``ApiError``; ``add_handlers`` turns it, and FastAPI's
own errors, into a problem; ``problem_responses`` documents a route's error answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.gateway import models as M


class ApiError(Exception):
    def __init__(self, status: int, type_: str, title: str, detail: str | None = None, headers=None):
        self.status, self.type, self.title, self.detail, self.headers = status, type_, title, detail, headers


def problem(status: int, type_: str, title: str, detail: str | None = None, headers=None) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


_TEXT = {400: "Malformed request", 401: "Missing or refused kiosk credentials",
         403: "The credential names another kiosk than X-Kiosk-Id, or the caller may not do this "
              "(applicant_proof_required, applicant_proof_mismatch, kiosk_id_mismatch, not_your_ticket)",
         404: "No such resource", 409: "Idempotency-Key reused with another request, or a state conflict",
         413: "Request body over the limit (refused before it is read)",
         422: "Request fails validation", 429: "Too many look-ups from this kiosk: wait Retry-After seconds"}


def problem_responses(*codes: int) -> dict:
    """The error answers a route documents: ``codes`` and 400, 422 (403 too when 401 is one)."""
    wanted = set(codes) | {400, 422}
    if 401 in wanted:
        wanted.add(403)
    return {c: {"model": M.Problem, "description": _TEXT[c]} for c in sorted(wanted)}


def add_handlers(app: FastAPI) -> None:
    """Every error the app answers is a problem document."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return problem(exc.status, exc.type, exc.title, exc.detail, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        types = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return problem(exc.status_code, types.get(exc.status_code, "error"), str(exc.detail),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors()[:5])
        return problem(422, "invalid_request", "Request fails validation", f"fields: {fields}")
