"""The demo gateway: a FastAPI app honouring the kiosk gateway contract (docs/openapi.json).

State lives in SQLite (kiosk.gateway.demo.store).  Many kiosks can use one demo gateway at
once, and idempotency keys are scoped per kiosk.

Who is asking (docs/gateway.md, "Who is asking"):

- a **credential** names the kiosk: a bearer token (``tokens``: token → kiosk id and role) or
  a client certificate (mutual TLS, ``client_certificates=True``: the certificate's common
  name, as ``kiosk.gateway.demo.tls`` passes it in).  ``X-Kiosk-Id`` never overrides it: a
  header naming another kiosk is refused (403 ``kiosk_id_mismatch``);
- credentials are **required** (401 without) unless the gateway runs in **demo mode**
  (``demo=True``: the embedded gateway, ``kiosk gateway serve --demo``) with none configured;
  only then does ``X-Kiosk-Id`` name the kiosk.  Outside demo mode ``create_app`` refuses to
  build a gateway with no credentials at all, and ``/v1/demo/*`` does not exist;
- paying for a dossier and booking delivery of its result need **proof that the caller acts
  for the applicant** (``ApplicantProof``: the ID number read from the applicant's chip, or the
  receipt's claim code), else 403 ``applicant_proof_required`` / ``applicant_proof_mismatch``;
- dossier look-ups (and every proof) are **rate-limited per kiosk** (429 with Retry-After); a
  wrong proof costs ``PROOF_FAILURE_COST`` look-ups;
- a request body over its limit is refused with 413 **before it is read** (``BodyLimit``);
- a help ticket is changed only by the kiosk that opened it, or by a staff credential.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Body, Depends, FastAPI, Header, Query, Request
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
LOOKUP_BURST = 60           # look-ups a kiosk may make at once …
LOOKUP_PER_SECOND = 1.0     # … and then one a second (a citizen needs a few a minute)
PROOF_FAILURE_COST = 10     # a wrong applicant proof costs this many look-ups
CLIENT_CERT_KIOSK = "kiosk.client_cert_kiosk"  # scope["state"] key set by kiosk.gateway.demo.tls
DEMO_BANK_BIN = "970436"          # a NAPAS member BIN (demo)
DEMO_ACCOUNT = "DEMO0000000001"   # no real account: payments are simulated


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


def _r(*codes: int) -> dict:
    wanted = set(codes) | {400, 422}
    if 401 in wanted:
        wanted.add(403)
    return {c: {"model": M.Problem, "description": _TEXT[c]} for c in sorted(wanted)}


ROLES = ("kiosk", "staff")


@dataclass(frozen=True)
class Credential:
    """Whom a credential names: one kiosk, and its role (``staff``: a post-office staff desk,
    which may change any help ticket)."""

    kiosk_id: str
    role: str = "kiosk"


def read_token_map(path: str | Path) -> dict[str, Credential]:
    """A tokens file: one 'KIOSK_ID TOKEN [ROLE]' per line ('#' comments; ROLE is kiosk, the
    default, or staff).  Returns token → Credential; a malformed line is a ValueError naming it."""
    out: dict[str, Credential] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) not in (2, 3) or not _KIOSK_RX.fullmatch(parts[0]) or len(parts[1]) < 16 \
                or (len(parts) == 3 and parts[2] not in ROLES):
            raise ValueError(f"{path}, line {n}: expected 'KIOSK_ID TOKEN [kiosk|staff]' with a token "
                             "of 16 or more characters")
        if parts[1] in out:
            raise ValueError(f"{path}, line {n}: this token is given twice")
        out[parts[1]] = Credential(parts[0], parts[2] if len(parts) == 3 else "kiosk")
    return out


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Auth:
    """What the gateway accepts as credentials."""

    tokens: dict[str, Credential]  # sha256(token) → credential: a token is never kept as such
    client_certificates: bool  # a verified client certificate's common name names the kiosk
    required: bool  # False only in demo mode with no credentials configured


def _unauthorized(detail: str) -> ApiError:
    return ApiError(401, "unauthorized", "Kiosk credentials are required", detail,
                    headers={"WWW-Authenticate": 'Bearer realm="kiosk-gateway"'})


def kiosk_identity(request: Request,
                   authorization: Annotated[str | None, Header(
                       description="Bearer token of the kiosk (or use a client certificate)")] = None,
                   x_kiosk_id: Annotated[str | None, Header(
                       max_length=40, description="The kiosk's id; must be the one its credential names "
                                                 "(403 otherwise). Names the kiosk only in demo mode.")] = None) -> str:
    """Which kiosk is calling: the one its credential names (a client certificate, a bearer
    token; both must name the same kiosk); with no credential, in demo mode only, the one
    X-Kiosk-Id names, else 'anonymous'.  Sets ``request.state.role``."""
    auth: Auth = request.app.state.auth
    request.state.role = "kiosk"
    cred: Credential | None = None
    cert_kiosk = (request.scope.get("state") or {}).get(CLIENT_CERT_KIOSK)
    if auth.client_certificates and cert_kiosk:
        cred = Credential(cert_kiosk)
    if authorization is not None and (auth.tokens or auth.required):
        token = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
        by_token = auth.tokens.get(_digest(token)) if token else None
        if by_token is None:
            raise _unauthorized("The bearer token is not valid")
        if cred is not None and cred.kiosk_id != by_token.kiosk_id:
            raise ApiError(403, "credential_mismatch", "The client certificate and the token name different kiosks")
        cred = by_token
    if cred is None:
        if auth.required:
            raise _unauthorized("Send the kiosk's bearer token or use its client certificate")
        return x_kiosk_id if x_kiosk_id and _KIOSK_RX.fullmatch(x_kiosk_id) else "anonymous"
    if x_kiosk_id is not None and x_kiosk_id != cred.kiosk_id:
        raise ApiError(403, "kiosk_id_mismatch", "X-Kiosk-Id names another kiosk than the credential",
                       "a credential is bound to one kiosk: send its own id, or none")
    request.state.role = cred.role
    return cred.kiosk_id


class RateLimiter:
    """A token bucket per key: ``burst`` at once, then ``per_second``.  Thread-safe."""

    def __init__(self, burst: float, per_second: float, clock: Callable[[], float] = time.monotonic):
        self.burst, self.per_second, self.clock = float(burst), float(per_second), clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        level, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, level + (now - at) * self.per_second)

    def take(self, key: str, cost: float = 1.0) -> float:
        """0 when allowed (and taken), else the seconds to wait before it would be."""
        with self._lock:
            now = self.clock()
            level = self._level(key, now)
            if level >= cost:
                self._buckets[key] = (level - cost, now)
                if len(self._buckets) > 10_000:  # forget the full ones: they hold nothing
                    self._buckets = {k: v for k, v in self._buckets.items() if self._level(k, now) < self.burst}
                return 0.0
            self._buckets[key] = (level, now)
            return (cost - level) / self.per_second if self.per_second > 0 else 3600.0

    def charge(self, key: str, cost: float) -> None:
        """Take ``cost`` whatever is left (down to one burst below empty): a penalty."""
        with self._lock:
            now = self.clock()
            self._buckets[key] = (max(-self.burst, self._level(key, now) - cost), now)


class BodyLimit:
    """ASGI middleware: a request whose body is over its limit is answered 413 before any of it
    is read (a Content-Length over the limit: at once, so a client sending ``Expect:
    100-continue`` never sends it), and a body without a length is cut off where it passes
    the limit.  ``limit_for(method, path)`` gives the limit."""

    def __init__(self, app, limit_for: Callable[[str, str], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["method"], scope["path"])
        length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
        if length is not None and length > limit:
            return await _too_large(limit, send)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge()
            return message

        async def watched_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except _BodyTooLarge:
            if started:
                raise
            await _too_large(limit, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(limit: int, send) -> None:
    body = json.dumps({"type": "too_large", "title": "Request body over the limit", "status": 413,
                       "detail": f"at most {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def body_limit(method: str, path: str) -> int:
    """The largest request body the gateway reads: a dossier submission carries its photos."""
    if method == "POST" and path.rstrip("/") == "/v1/dossiers":
        return M.MAX_SUBMISSION_BYTES
    return M.MAX_REQUEST_BYTES


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


class NoCredentials(ValueError):
    """A gateway outside demo mode with no way to tell kiosks apart."""


def create_app(db_path: str | Path | None = None, *, demo: bool = False, clock: Callable[[], float] | None = None,
               catalog_dir: Path | None = None, bank_delay: float = 20.0,
               tokens: dict[str, str | Credential] | None = None, client_certificates: bool = False,
               progress_step: float = 120.0, lookup_burst: float = LOOKUP_BURST,
               lookup_per_second: float = LOOKUP_PER_SECOND) -> FastAPI:
    """The demo gateway.

    ``demo``: demo mode: ``/v1/demo/*`` exists, and with no credentials configured kiosks are
    named by X-Kiosk-Id.  Outside demo mode credentials are required (``NoCredentials`` when
    none are configured).
    ``tokens``: bearer token → kiosk id (or ``Credential``); every /v1 call but /v1/health
    then needs a credential.  ``client_certificates``: a verified client certificate names the
    kiosk (the server runs TLS with ``kiosk.gateway.demo.tls``).
    ``bank_delay``: seconds before the simulated bank confirms a VietQR payment.
    ``progress_step``: seconds between the status steps of a submitted dossier.
    ``lookup_burst``, ``lookup_per_second``: the per-kiosk look-up rate limit.
    """
    if not demo and not tokens and not client_certificates:
        raise NoCredentials("outside demo mode the gateway needs kiosk credentials: bearer tokens "
                            "(--tokens FILE) or client certificates (--tls-cert/--tls-key/--client-ca); "
                            "--demo runs the open demo gateway")
    auth = Auth({_digest(t): (c if isinstance(c, Credential) else Credential(c)) for t, c in (tokens or {}).items()},
                client_certificates, required=not demo or bool(tokens) or client_certificates)
    limiter = RateLimiter(lookup_burst, lookup_per_second)
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
            "Authentication: per-kiosk bearer token (Authorization: Bearer …) or mutual TLS, required except on "
            "a demo gateway; a credential names one kiosk and X-Kiosk-Id never overrides it (403). "
            "Paying for a dossier and booking delivery of its result need an ApplicantProof (403 without). "
            f"Dossier look-ups are rate-limited per kiosk ({lookup_burst:g} at once, then {lookup_per_second:g}/s; "
            "429 with Retry-After). Request bodies: at most "
            f"{M.MAX_SUBMISSION_BYTES // (1024 * 1024)} MiB for POST /v1/dossiers, {M.MAX_REQUEST_BYTES // 1024} KiB "
            "for anything else (413, answered before the body is read). "
            "Every POST that creates something takes an Idempotency-Key header: the same key with the same body "
            "returns the first answer again (header Idempotent-Replayed: true); with another body, 409. "
            "Errors are application/problem+json with a stable 'type'. See docs/gateway.md."
        ),
        servers=[{"url": "/", "description": "this gateway"}],
    )
    app.state.store = store
    app.state.auth = auth
    app.state.demo = demo
    app.state.limiter = limiter
    app.add_middleware(BodyLimit, limit_for=body_limit)

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

    def dossier_or_404(code: str, viewer: str | None = None) -> dict:
        if not _CODE_RX.fullmatch(code):
            raise ApiError(400, "invalid_request", "Malformed dossier code")
        found = store.dossier(store.canonical_code(code), viewer)
        if found is None:
            raise ApiError(404, "not_found", "No dossier with this code")
        return found

    def limit(kiosk: str) -> None:
        wait = limiter.take(kiosk)
        if wait > 0:
            raise ApiError(429, "rate_limited", "Too many look-ups from this kiosk",
                           f"try again in {math.ceil(wait)} s", headers={"Retry-After": str(math.ceil(wait))})

    def require_proof(kiosk: str, code: str, proof) -> None:
        """The caller acts for the dossier's applicant, or 403 (a wrong proof also costs the
        kiosk PROOF_FAILURE_COST look-ups, so guessing runs into 429)."""
        limit(kiosk)
        verdict = store.check_proof(code, M.dump(proof) if proof is not None else None)
        if verdict == "missing":
            raise ApiError(403, "applicant_proof_required", "Proof that the caller acts for the applicant is required",
                           "send applicant_proof: the ID number read from the applicant's chip, or the claim code "
                           "printed on the dossier receipt")
        if verdict != "ok":
            limiter.charge(kiosk, PROOF_FAILURE_COST)
            raise ApiError(403, "applicant_proof_mismatch", "The proof does not match this dossier's applicant")

    def fingerprinted(body) -> dict:
        """A request as its idempotency fingerprint sees it: the proof authorises, it is not part
        of what is done (and is never stored, even hashed)."""
        data = M.dump(body)
        data.pop("applicant_proof", None)
        return data

    # -- health and kiosks --------------------------------------------------------------------

    @app.get("/v1/health", response_model=M.Health, tags=["kiosk"], summary="Liveness probe (no auth)")
    def health() -> dict:
        return {"status": "ok", "api_version": API_VERSION}

    @app.post("/v1/kiosks/heartbeat", response_model=M.HeartbeatAck, responses=_r(401, 413, 422), tags=["kiosk"],
              summary="A kiosk reports it is alive, with its device states")
    def heartbeat(body: M.Heartbeat, kiosk: Kiosk) -> dict:
        if auth.required and body.kiosk_id != kiosk:
            raise ApiError(403, "kiosk_id_mismatch", "The heartbeat names another kiosk than the credential")
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
            if body.delivery.address.province not in province_names:
                raise ApiError(422, "invalid_province", "Unknown province (use /v1/units/provinces)")
        data = M.dump(body)
        for doc in body.documents:
            _check_document(doc)
        return once(kiosk, idempotency_key, data, "/v1/dossiers",
                    lambda: (201, store.new_dossier(kiosk, data, progress_step)))

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
        limit(kiosk)
        return dossier_or_404(code, kiosk)

    @app.post("/v1/dossiers/{code}/delivery", status_code=201, response_model=M.DeliveryConfirmation,
              responses=_r(400, 401, 404, 409, 413, 422, 429), tags=["delivery"],
              summary="Book delivery of the result by post (province + ward/commune + street)",
              description="Needs applicant_proof (403 applicant_proof_required / applicant_proof_mismatch).")
    def book_delivery(code: DossierCode, body: M.DeliveryBooking, kiosk: Kiosk,
                      idempotency_key: IdemKey) -> JSONResponse:
        dossier = dossier_or_404(code, kiosk)
        code = dossier["code"]
        require_proof(kiosk, code, body.applicant_proof)
        if body.address.province not in province_names:
            raise ApiError(422, "invalid_province", "Unknown province (use /v1/units/provinces)")
        if dossier["status"] in ("delivered", "collected", "rejected"):
            raise ApiError(409, "conflict", "The result was already handed over or the dossier was rejected")
        data = fingerprinted(body)

        def book():
            # checked only for a new request: a replay of a booking that was made gets its answer
            if dossier["status"] != "result_ready":
                raise ApiError(409, "not_ready", "The result is not ready yet: nothing to post")
            if (dossier.get("delivery") or {}).get("method") == "post":
                raise ApiError(409, "already_booked", "Delivery of this result is already booked")
            return 201, store.book_delivery(kiosk, code, data)

        return once(kiosk, idempotency_key, data, f"/v1/dossiers/{code}/delivery", book)

    # -- payments -----------------------------------------------------------------------------

    @app.post("/v1/payments", status_code=201, response_model=M.Payment,
              responses=_r(401, 404, 409, 413, 422, 429), tags=["payments"],
              summary="Create a fee payment: a VietQR payload with its expiry, or a cash slip",
              description="Needs applicant_proof (403 applicant_proof_required / applicant_proof_mismatch).")
    def create_payment(body: M.PaymentRequest, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        dossier = dossier_or_404(body.dossier_code, kiosk)
        code = dossier["code"]
        require_proof(kiosk, code, body.applicant_proof)
        amount = dossier["fee"]["amount_vnd"]
        if dossier["fee"]["paid"] or amount == 0:
            raise ApiError(409, "already_paid", "Nothing to pay for this dossier")
        data = fingerprinted(body)
        return once(kiosk, idempotency_key, data, "/v1/payments",
                    lambda: (201, store.new_payment(kiosk, code, body.method, amount, bank_delay,
                                                    PAYMENT_TTL, _vietqr_builder)))

    @app.get("/v1/payments/{payment_id}", response_model=M.Payment, responses=_r(401, 404), tags=["payments"],
             summary="Payment status (pending, paid, expired, cancelled)")
    def payment_status(payment_id: PaymentId, kiosk: Kiosk) -> dict:
        found = store.payment(payment_id)
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        return found

    @app.post("/v1/payments/{payment_id}/cash-confirmation", response_model=M.Payment,
              responses=_r(401, 404, 409, 413, 422), tags=["payments"],
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

    if demo:  # outside demo mode the route does not exist (404)
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
            require_proof(kiosk, found["dossier_code"], body.applicant_proof if body is not None else None)
            return store.confirm_payment(payment_id, "bank")

    # -- help requests ------------------------------------------------------------------------

    @app.post("/v1/help-requests", status_code=201, response_model=M.HelpTicket, responses=_r(401, 413, 422),
              tags=["help"], summary="A citizen asks post-office staff for help; returns a ticket number")
    def create_help(body: M.HelpRequestIn, kiosk: Kiosk) -> dict:
        return store.new_help(kiosk, M.dump(body))

    @app.get("/v1/help-requests", response_model=list[M.HelpTicket], responses=_r(401, 422), tags=["help"],
             summary="The staff queue of help requests")
    def list_help(kiosk: Kiosk, status: Annotated[M.HelpStatus | None, Query()] = None,
                  kiosk_id: Annotated[str | None, Query(max_length=40)] = None) -> list:
        return store.helps(status, kiosk_id)

    @app.post("/v1/help-requests/{help_id}/status", response_model=M.HelpTicket,
              responses=_r(401, 404, 413, 422), tags=["help"], summary="Staff take a ticket, close or cancel it",
              description="Only the kiosk that opened the ticket, or a staff credential, may change it "
                          "(403 not_your_ticket).")
    def help_status(help_id: HelpId, body: M.HelpStatusChange, request: Request, kiosk: Kiosk) -> dict:
        if store.help(help_id) is None:
            raise ApiError(404, "not_found", "No help request with this id")
        if store.help_owner(help_id) != kiosk and request.state.role != "staff":
            raise ApiError(403, "not_your_ticket", "Only the kiosk that opened this ticket, or staff, may change it")
        return store.set_help_status(help_id, body.status)

    # -- ratings ------------------------------------------------------------------------------

    @app.post("/v1/ratings", status_code=201, response_model=M.RatingAck, responses=_r(401, 409, 413, 422),
              tags=["ratings"], summary="Satisfaction rating (1 to 5) after a journey")
    def rate(body: M.RatingIn, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        data = M.dump(body)
        return once(kiosk, idempotency_key, data, "/v1/ratings", lambda: (201, store.rate(kiosk, data)))

    # -- reconciliation -----------------------------------------------------------------------

    @app.get("/v1/idempotency/{key}", response_model=M.IdempotencyRecord, responses=_r(401, 404), tags=["kiosk"],
             summary="What was done under one of the calling kiosk's Idempotency-Keys (its first answer)")
    def idempotency_record(key: Annotated[str, PathParam(pattern=IDEMPOTENCY_PATTERN)], kiosk: Kiosk) -> dict:
        found = store.idempotency_record(kiosk, key)
        if found is None:
            raise ApiError(404, "not_found", "Nothing was done under this key")
        return found

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
    """The contract exactly as the demo gateway serves it at /openapi.json (in demo mode: the
    demo-only path is in the document, marked so)."""
    return create_app(None, demo=True).openapi()
