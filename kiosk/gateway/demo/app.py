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
  for the applicant** (``ApplicantProof``: the ID number read from the applicant's chip, the
  receipt's claim code, or a ``StaffCheck``: the number a clerk typed after checking the
  citizen's document, recorded with who attested it), else 403 ``applicant_proof_required`` /
  ``applicant_proof_mismatch``;
- dossier look-ups (and every proof) are **rate-limited per kiosk** (429 with Retry-After); a
  wrong proof costs ``PROOF_FAILURE_COST`` look-ups;
- a request body over its limit is refused with 413 **before it is read** (``BodyLimit``);
- a help ticket is changed only by the kiosk that opened it, or by a staff credential.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from kiosk.gateway import models as M
from kiosk.gateway.demo.auth import CLIENT_CERT_KIOSK, KIOSK_RX, Auth, Credential, digest, read_token_map
from kiosk.gateway.demo.limits import LOOKUP_BURST, LOOKUP_PER_SECOND, BodyLimit, RateLimiter, body_limit
from kiosk.gateway.demo.problems import ApiError, add_handlers, problem
from kiosk.gateway.demo.routes import add_routes
from kiosk.gateway.demo.routes.payments import vietqr_builder
from kiosk.gateway.demo.shared import API_VERSION, Context
from kiosk.gateway.demo.store import Store, load_json

log = logging.getLogger("kiosk.gateway.demo")

# where these lived before the demo gateway was split by concern (tests and commands import them from here)
_KIOSK_RX = KIOSK_RX
_vietqr_builder = vietqr_builder
__all__ = ["API_VERSION", "CLIENT_CERT_KIOSK", "LOOKUP_BURST", "LOOKUP_PER_SECOND", "ApiError", "Auth", "BodyLimit",
           "Credential", "NoCredentials", "RateLimiter", "body_limit", "create_app", "openapi_document", "problem",
           "read_token_map"]


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
    auth = Auth({digest(t): (c if isinstance(c, Credential) else Credential(c)) for t, c in (tokens or {}).items()},
                client_certificates, required=not demo or bool(tokens) or client_certificates)
    limiter = RateLimiter(lookup_burst, lookup_per_second)
    kwargs = {"catalog_dir": catalog_dir}
    if clock is not None:
        kwargs["clock"] = clock
    store = Store(db_path, **kwargs)
    units = load_json("units.json", store.catalog_dir)["provinces"]
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
    add_handlers(app)
    add_routes(app, Context(store, auth, limiter, units, bank_delay=bank_delay, progress_step=progress_step),
               demo=demo)

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


def openapi_document() -> dict:
    """The contract exactly as the demo gateway serves it at /openapi.json (in demo mode: the
    demo-only path is in the document, marked so)."""
    return create_app(None, demo=True).openapi()

