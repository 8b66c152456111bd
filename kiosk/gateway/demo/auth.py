"""Who is asking the demo gateway (docs/gateway.md, "Who is asking"): a bearer token or a client
certificate names the kiosk and its role (``Credential``); ``X-Kiosk-Id`` names it only in demo
mode with no credentials configured, and never overrides a credential (403 ``kiosk_id_mismatch``).
``kiosk_identity`` is the dependency every route takes; ``read_token_map`` reads a tokens file."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Header, Request

from kiosk.gateway.demo.problems import ApiError

KIOSK_RX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")
CLIENT_CERT_KIOSK = "kiosk.client_cert_kiosk"  # scope["state"] key set by kiosk.gateway.demo.tls

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
        if len(parts) not in (2, 3) or not KIOSK_RX.fullmatch(parts[0]) or len(parts[1]) < 16 \
                or (len(parts) == 3 and parts[2] not in ROLES):
            raise ValueError(f"{path}, line {n}: expected 'KIOSK_ID TOKEN [kiosk|staff]' with a token "
                             "of 16 or more characters")
        if parts[1] in out:
            raise ValueError(f"{path}, line {n}: this token is given twice")
        out[parts[1]] = Credential(parts[0], parts[2] if len(parts) == 3 else "kiosk")
    return out


def digest(token: str) -> str:
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
        by_token = auth.tokens.get(digest(token)) if token else None
        if by_token is None:
            raise _unauthorized("The bearer token is not valid")
        if cred is not None and cred.kiosk_id != by_token.kiosk_id:
            raise ApiError(403, "credential_mismatch", "The client certificate and the token name different kiosks")
        cred = by_token
    if cred is None:
        if auth.required:
            raise _unauthorized("Send the kiosk's bearer token or use its client certificate")
        return x_kiosk_id if x_kiosk_id and KIOSK_RX.fullmatch(x_kiosk_id) else "anonymous"
    if x_kiosk_id is not None and x_kiosk_id != cred.kiosk_id:
        raise ApiError(403, "kiosk_id_mismatch", "X-Kiosk-Id names another kiosk than the credential",
                       "a credential is bound to one kiosk: send its own id, or none")
    request.state.role = cred.role
    return cred.kiosk_id
