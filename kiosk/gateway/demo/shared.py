"""What the demo gateway's route groups share: the path and header parameters every route
declares (``Kiosk``, ``DossierCode``, ``IdemKey``…) and the ``Context`` a route group is built
with: the store, the credentials, the look-up limiter and the units, with the steps routes
repeat (answer once per idempotency key, find a dossier, rate-limit look-ups, check that the
caller acts for the applicant)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Annotated

from fastapi import Depends, Header
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from kiosk.gateway import models as M
from kiosk.gateway.demo.auth import Auth, kiosk_identity
from kiosk.gateway.demo.limits import RateLimiter
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.store import IdempotencyConflict, Store

API_VERSION = "1.0.0"
_CODE_RX = re.compile(M.DOSSIER_CODE_PATTERN)
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_\-]{8,80}$"
PROOF_FAILURE_COST = 10     # a wrong applicant proof costs this many look-ups


Kiosk = Annotated[str, Depends(kiosk_identity)]
DossierCode = Annotated[str, PathParam(pattern=M.DOSSIER_CODE_PATTERN, description="Dossier code (upper case)")]
PaymentId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
ProcedureCode = Annotated[str, PathParam(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,19}$")]
HelpId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
IdemKey = Annotated[str, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_PATTERN,
                                description="Client-chosen unique key (e.g. a UUID) for this operation")]


class Context:
    """One demo gateway's state, as its routes see it."""

    def __init__(self, store: Store, auth: Auth, limiter: RateLimiter, units: list[dict], *,
                 bank_delay: float, progress_step: float):
        self.store, self.auth, self.limiter = store, auth, limiter
        self.units = units
        self.province_names = {u["name"] for u in units}
        self.bank_delay = bank_delay  # seconds before the simulated bank confirms a VietQR payment
        self.progress_step = progress_step  # seconds between the status steps of a submitted dossier

    def once(self, kiosk: str, key: str, request_body: dict, path: str, produce) -> JSONResponse:
        """``produce()`` once per (kiosk, key); a request body from ``fingerprinted`` whose proof
        was a staff check has the attestation recorded with what was produced (a payment, a
        booking), in the same transaction."""
        digest = hashlib.sha256((path + "\n" + json.dumps(request_body, sort_keys=True, ensure_ascii=False))
                                .encode()).hexdigest()
        attested = getattr(request_body, "attested", None)
        if attested is not None:
            inner = produce

            def produce():
                status, out = inner()
                if 200 <= status < 300:
                    self._attest(kiosk, out, attested)
                return status, out
        try:
            status, body, replayed = self.store.idempotent(kiosk, key, digest, produce)
        except IdempotencyConflict:
            raise ApiError(409, "idempotency_conflict",
                           "This Idempotency-Key was used with another request") from None
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return JSONResponse(body, status_code=status, headers=headers)

    def dossier_or_404(self, code: str, viewer: str | None = None) -> dict:
        if not _CODE_RX.fullmatch(code):
            raise ApiError(400, "invalid_request", "Malformed dossier code")
        found = self.store.dossier(self.store.canonical_code(code), viewer)
        if found is None:
            raise ApiError(404, "not_found", "No dossier with this code")
        return found

    def limit(self, kiosk: str) -> None:
        wait = self.limiter.take(kiosk)
        if wait > 0:
            raise ApiError(429, "rate_limited", "Too many look-ups from this kiosk",
                           f"try again in {math.ceil(wait)} s", headers={"Retry-After": str(math.ceil(wait))})

    def require_proof(self, kiosk: str, code: str, proof) -> None:
        """The caller acts for the dossier's applicant, or 403 (a wrong proof also costs the
        kiosk PROOF_FAILURE_COST look-ups, so guessing runs into 429)."""
        self.limit(kiosk)
        verdict = self.store.check_proof(code, M.dump(proof) if proof is not None else None)
        if verdict == "missing":
            raise ApiError(403, "applicant_proof_required", "Proof that the caller acts for the applicant is required",
                           "send applicant_proof: the ID number read from the applicant's chip, the claim code "
                           "printed on the dossier receipt, or staff's check of the applicant's document")
        if verdict != "ok":
            self.limiter.charge(kiosk, PROOF_FAILURE_COST)
            raise ApiError(403, "applicant_proof_mismatch", "The proof does not match this dossier's applicant")

    @staticmethod
    def fingerprinted(body) -> Fingerprinted:
        """A request as its idempotency fingerprint sees it: the proof authorises, it is not part
        of what is done (and is never stored, even hashed).  Called once ``require_proof`` let
        the request through: a staff check's attestation (who, which document; not the
        number) rides along outside the fingerprint, for ``once`` to record."""
        data = Fingerprinted(M.dump(body))
        proof = data.pop("applicant_proof", None) or {}
        check = proof.get("staff_check")
        if check:
            data.attested = {"staff_id": check["staff_id"], "document": check["document"]}
        return data

    def _attest(self, kiosk: str, produced: dict, attested: dict) -> None:
        if "booking_id" in produced:
            subject, subject_id = "delivery", produced["booking_id"]
        else:
            subject, subject_id = "payment", produced["id"]
        self.store.attest(kiosk, subject, subject_id, produced["dossier_code"], attested["staff_id"],
                          attested["document"])


class Fingerprinted(dict):
    """A request body without its proof (what the idempotency fingerprint hashes), and, when the
    proof was a staff check, who attested it (``attested``: staff id and document, never in
    the fingerprint)."""

    attested: dict | None = None
