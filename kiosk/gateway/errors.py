"""Typed gateway errors the UI can explain.

Every error carries a ``message_key`` (a short stable string the UI translates) and a
``next_step`` key (what the citizen or staff should do).  The technical detail stays in
``str(exc)`` for logs and never contains personal data.
"""

from __future__ import annotations

from kiosk.errors import KioskError


class GatewayError(KioskError):
    message_key = "gateway.error"
    next_step = "next.ask_staff"
    #: True when sending the same request again later may succeed (outbox-worthy).
    transient = False
    #: seconds the gateway asked us to wait (Retry-After), when it said so
    retry_after: float | None = None

    def __init__(self, detail: str = "", *, status: int | None = None):
        self.status = status
        super().__init__(detail=detail)
        self.args = (detail or self.message_key,)


class DossierNotFound(GatewayError):
    message_key = "gateway.not_found"
    next_step = "next.check_code"


class NotFound(GatewayError):
    """Some other resource (procedure, payment) does not exist."""

    message_key = "gateway.not_found"
    next_step = "next.ask_staff"


class GatewayUnavailable(GatewayError):
    """Connection refused, DNS failure, or a 5xx answer."""

    message_key = "gateway.unavailable"
    next_step = "next.try_again"
    transient = True


class GatewayTimeout(GatewayError):
    message_key = "gateway.timeout"
    next_step = "next.try_again"
    transient = True


class GatewayBadResponse(GatewayError):
    """The gateway answered, but not with what the contract promises."""

    message_key = "gateway.bad_response"
    next_step = "next.ask_staff"


class GatewayTlsError(GatewayError):
    """The gateway's certificate does not verify (or ours was refused)."""

    message_key = "gateway.tls"
    next_step = "next.call_technician"


class GatewayAuthError(GatewayError):
    """401/403: this kiosk's token or client certificate was refused."""

    message_key = "gateway.unauthorized"
    next_step = "next.call_technician"


class ApplicantProofRefused(GatewayAuthError):
    """403 ``applicant_proof_required`` / ``applicant_proof_mismatch``: paying for a dossier or
    booking delivery of its result needs proof that the citizen is its applicant (the ID card's
    chip, or the claim code on the dossier receipt), and none, or another person's, was sent.
    ``missing`` tells the two apart."""

    message_key = "gateway.proof_refused"
    next_step = "next.identify_or_receipt"
    PROBLEM_TYPES = ("applicant_proof_required", "applicant_proof_mismatch")

    @property
    def missing(self) -> bool:
        return self.detail == "applicant_proof_required"


class InvalidRequest(GatewayError):
    """We sent something the gateway refused (4xx other than 404/401/403/409), or input
    failed our own checks before any network call (``reason`` says which)."""

    message_key = "gateway.invalid_request"
    next_step = "next.check_input"

    def __init__(self, detail: str = "", *, status: int | None = None, reason: str | None = None):
        super().__init__(detail, status=status)
        self.reason = reason


class Conflict(GatewayError):
    """409: e.g. the same Idempotency-Key reused with a different body."""

    message_key = "gateway.conflict"
    next_step = "next.ask_staff"


__all__ = [
    "GatewayError",
    "DossierNotFound",
    "NotFound",
    "GatewayUnavailable",
    "GatewayTimeout",
    "GatewayBadResponse",
    "GatewayTlsError",
    "GatewayAuthError",
    "ApplicantProofRefused",
    "InvalidRequest",
    "Conflict",
]
