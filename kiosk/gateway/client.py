"""Client of the public-service gateway contract (docs/openapi.json).

One ``requests.Session`` per client; connect and read timeouts from kiosk.ini; retries with
exponential backoff only for idempotent calls (GET, and POSTs that carry an Idempotency-Key);
TLS verification on; bearer token or mutual TLS per kiosk.  Every failure becomes a typed
``GatewayError`` (kiosk.gateway.errors) the UI can explain.  Calls block: the UI runs them off
its thread.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC
from typing import Any
from urllib.parse import quote

from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.text import InvalidDossierCode, normalize_dossier_code

log = logging.getLogger("kiosk.gateway.client")

API_PREFIX = "/v1"
MAX_BODY_BYTES = 4 * 1024 * 1024
RETRY_STATUSES = frozenset({500, 502, 503, 504})
USER_AGENT = "kiosk-gateway-client/1"


def _seg(value: str) -> str:
    """One URL path segment, fully quoted (a '/' inside a value can never add a segment)."""
    return quote(str(value), safe="")


class GatewayClient:
    def __init__(
        self,
        base_url: str,
        *,
        kiosk_id: str | None = None,
        connect_timeout: float = 3.0,
        read_timeout: float = 15.0,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 4.0,
        verify: bool | str = True,
        cert: tuple[str, str] | str | None = None,
        token: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        import requests

        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.timeout = (connect_timeout, read_timeout)
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._requests = requests
        self.session = requests.Session()
        self.session.verify = verify
        if cert:
            self.session.cert = cert
        self.session.trust_env = False  # no proxies or netrc from the environment
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if kiosk_id:
            self.session.headers["X-Kiosk-Id"] = kiosk_id
        # connection pool large enough for a UI thread, a monitor and an outbox worker
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings, base_url: str | None = None, **overrides) -> GatewayClient:
        """A client configured from kiosk.ini's [gateway] section.

        ``url = embedded`` with no ``base_url`` starts (once per process) the embedded demo
        gateway and points at it.
        """
        g = settings.gateway
        url = base_url or g.url
        if url == "embedded":
            from kiosk.gateway.embedded import shared

            url = shared(settings).start()
        verify: bool | str = bool(g.verify_tls)
        if verify and g.ca_bundle:
            verify = str(settings.resolve_path(g.ca_bundle))
        cert = None
        if g.client_cert:
            cert_path = str(settings.resolve_path(g.client_cert))
            cert = (cert_path, str(settings.resolve_path(g.client_key))) if g.client_key else cert_path
        token = None
        if g.token_file:
            token = read_token(settings.resolve_path(g.token_file))
        kwargs = dict(
            kiosk_id=settings.kiosk.kiosk_id,
            connect_timeout=g.connect_timeout,
            read_timeout=g.read_timeout,
            retries=g.retries,
            verify=verify,
            cert=cert,
            token=token,
        )
        kwargs.update(overrides)
        return cls(url, **kwargs)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw_body: bytes | None = None,
        params: dict | None = None,
        idempotency_key: str | None = None,
        retry: bool | None = None,
        not_found: type[E.GatewayError] = E.NotFound,
    ) -> Any:
        """Send one call; returns the decoded JSON (or None for 204).

        The body is ``json_body`` encoded by ``encode_body``, or ``raw_body`` sent as it is (the
        outbox replays the very bytes it first sent under an idempotency key).
        ``retry`` defaults to True for GET/HEAD/PUT/DELETE and for any call carrying an
        idempotency key; otherwise a failed call is never repeated (it might have arrived).
        """
        url = self.base_url + path
        headers = {}
        data = raw_body if raw_body is not None else (None if json_body is None else encode_body(json_body))
        if data is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if retry is None:
            retry = method.upper() in ("GET", "HEAD", "PUT", "DELETE") or bool(idempotency_key)
        attempts = 1 + (self.retries if retry else 0)
        last: E.GatewayError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(self._delay(attempt, last))
            try:
                return self._once(method, url, data, params, headers, not_found)
            except E.GatewayError as exc:
                last = exc
                if not exc.transient or attempt == attempts - 1:
                    raise
                log.info("gateway %s %s failed (%s), attempt %d/%d", method, path, exc.message_key,
                         attempt + 1, attempts)
        assert last is not None
        raise last

    def _delay(self, attempt: int, last: E.GatewayError | None) -> float:
        retry_after = getattr(last, "retry_after", None)
        if retry_after is not None:
            return min(self.max_backoff, retry_after)
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return base * (0.5 + random.random() / 2)  # jitter: many kiosks do not retry in step

    def _once(self, method, url, data, params, headers, not_found):
        rq = self._requests
        started = time.monotonic()
        try:
            resp = self.session.request(method, url, data=data, params=params, headers=headers,
                                        timeout=self.timeout, stream=True, allow_redirects=False)
            try:
                body = self._read_body(resp, started)
            finally:
                resp.close()
        except rq.exceptions.SSLError as exc:
            raise E.GatewayTlsError(f"TLS failure: {type(exc).__name__}") from None
        except rq.exceptions.ConnectTimeout:
            raise E.GatewayTimeout("connect timeout") from None
        except rq.exceptions.ReadTimeout:
            raise E.GatewayTimeout("read timeout") from None
        except rq.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise E.GatewayTimeout("timeout while reading") from None
            raise E.GatewayUnavailable(f"connection failed: {type(exc).__name__}") from None
        except rq.exceptions.RequestException as exc:
            raise E.GatewayUnavailable(f"request failed: {type(exc).__name__}") from None
        self.last_latency = time.monotonic() - started
        return self._decode(resp, body, not_found)

    def _read_body(self, resp, started: float) -> bytes:
        # read1 returns what has arrived, so an overall deadline holds even against a server
        # that trickles bytes just inside the read timeout
        from urllib3 import exceptions as u3

        deadline = started + self.timeout[0] + 2 * self.timeout[1]
        chunks, size = [], 0
        try:
            while True:
                chunk = resp.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise E.GatewayBadResponse("response too large")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise E.GatewayTimeout("response took too long")
        except u3.ReadTimeoutError:
            raise E.GatewayTimeout("read timeout") from None
        except u3.SSLError:
            raise E.GatewayTlsError("TLS failure while reading") from None
        except (u3.ProtocolError, u3.DecodeError, OSError) as exc:
            raise E.GatewayUnavailable(f"connection broken: {type(exc).__name__}") from None
        return b"".join(chunks)

    def _decode(self, resp, body: bytes, not_found) -> Any:
        status = resp.status_code
        if 200 <= status < 300:
            if status == 204 or not body:
                return None
            ctype = resp.headers.get("Content-Type", "")
            if "json" not in ctype:
                raise E.GatewayBadResponse(f"expected JSON, got {ctype or 'no content type'}", status=status)
            try:
                return json.loads(body)
            except _UNDECODABLE:
                raise E.GatewayBadResponse("malformed JSON", status=status) from None
        detail = _problem_type(body)
        if status == 404:
            raise not_found(detail, status=status)
        if status in (401, 403):
            refused = E.ApplicantProofRefused if detail in E.ApplicantProofRefused.PROBLEM_TYPES else E.GatewayAuthError
            raise refused(detail, status=status)
        if status == 409:
            raise E.Conflict(detail, status=status)
        if status == 429:
            exc = E.GatewayUnavailable("rate limited", status=status)
            exc.retry_after = _retry_after(resp)
            raise exc
        if 400 <= status < 500:
            raise E.InvalidRequest(detail, status=status)
        if status >= 500:
            exc = E.GatewayUnavailable(f"gateway answered {status}", status=status)
            exc.retry_after = _retry_after(resp)
            raise exc
        raise E.GatewayBadResponse(f"unexpected status {status}", status=status)

    def _get(self, path: str, *, params=None, not_found=E.NotFound) -> Any:
        return self.request("GET", path, params=params, not_found=not_found)

    @staticmethod
    def _parse(kind, data):
        """The answer as ``kind`` (a contract class or ``list[...]`` of one); an answer that
        breaks the contract is a GatewayBadResponse, whatever went wrong reading it."""
        try:
            if isinstance(kind, type) and issubclass(kind, M.Wire):
                return kind.from_dict(data)
            return M.parse(kind, data)
        except M.SchemaError as exc:
            raise E.GatewayBadResponse(f"response does not follow the contract: {exc}") from None
        except (RecursionError, MemoryError, TypeError, ValueError, AttributeError, KeyError) as exc:
            raise E.GatewayBadResponse(f"response does not follow the contract: {type(exc).__name__}") from None

    # -- dossiers -----------------------------------------------------------------------------

    def lookup_dossier(self, code: str) -> M.Dossier:
        """Status and timeline of a dossier; the code is shape-checked before any call."""
        try:
            code = normalize_dossier_code(code)
        except InvalidDossierCode as exc:
            raise E.InvalidRequest("malformed dossier code", reason=exc.reason) from None
        data = self._get(f"{API_PREFIX}/dossiers/{_seg(code)}", not_found=E.DossierNotFound)
        return self._parse(M.Dossier, data)

    # -- catalog ------------------------------------------------------------------------------

    def life_events(self) -> list[M.LifeEvent]:
        data = self._get(f"{API_PREFIX}/life-events")
        return self._parse(list[M.LifeEvent], data)

    def list_procedures(self, *, life_event: str | None = None, level: str | None = None,
                        limit: int = 50, offset: int = 0) -> M.ProcedurePage:
        params = {k: v for k, v in (("life_event", life_event), ("level", level)) if v}
        params.update(limit=int(limit), offset=int(offset))
        return self._parse(M.ProcedurePage, self._get(f"{API_PREFIX}/procedures", params=params))

    def search_procedures(self, query: str, *, life_event: str | None = None, limit: int = 50) -> M.ProcedurePage:
        from kiosk.text import nfc

        query = nfc(query or "").strip()[:100]
        params = {"q": query, "limit": int(limit)}
        if life_event:
            params["life_event"] = life_event
        return self._parse(M.ProcedurePage, self._get(f"{API_PREFIX}/procedures", params=params))

    def get_procedure(self, code: str) -> M.Procedure:
        code = _checked(code, r"[0-9A-Za-z][0-9A-Za-z.\-_]{0,19}", "procedure_code")
        return self._parse(M.Procedure, self._get(f"{API_PREFIX}/procedures/{_seg(code)}"))

    def provinces(self) -> list[M.Province]:
        data = self._get(f"{API_PREFIX}/units/provinces")
        return self._parse(list[M.Province], data)

    # -- submissions ------------------------------------------------------------------------

    def submit_dossier(self, submission: M.DossierSubmission | dict, idempotency_key: str) -> M.SubmissionReceipt:
        """Submit a dossier.  Retried (with backoff) because it carries its idempotency key: the
        gateway answers a repeat with the first receipt, so a dossier is never filed twice."""
        key = _idem(idempotency_key)
        data = self.request("POST", f"{API_PREFIX}/dossiers", raw_body=submission_body(submission),
                            idempotency_key=key)
        return self._parse(M.SubmissionReceipt, data)

    # -- payments ---------------------------------------------------------------------------

    def create_payment(self, dossier_code: str, method: str = "vietqr", *,
                       idempotency_key: str | None = None, proof: M.ApplicantProof | None = None) -> M.Payment:
        """``proof``: that the citizen is the dossier's applicant (the gateway answers 403,
        ``ApplicantProofRefused``, without it)."""
        if method not in ("vietqr", "cash"):
            raise ValueError("method must be vietqr or cash")
        code = _dossier_code(dossier_code)
        key = _idem(idempotency_key or new_idempotency_key())
        data = self.request("POST", f"{API_PREFIX}/payments",
                            json_body=M.body(M.PaymentRequest(code, method, self._proof(proof))), idempotency_key=key)
        return self._parse(M.Payment, data)

    def payment_status(self, payment_id: str) -> M.Payment:
        pid = _checked(payment_id, r"[A-Za-z0-9_\-]{1,64}", "payment_id")
        return self._parse(M.Payment, self._get(f"{API_PREFIX}/payments/{_seg(pid)}"))

    def confirm_cash(self, payment_id: str, staff_id: str, amount_vnd: int, *, receipt_number: str | None = None,
                     idempotency_key: str) -> M.Payment:
        return self.confirm_cash_body(payment_id, cash_body(staff_id, amount_vnd, receipt_number), idempotency_key)

    def confirm_cash_body(self, payment_id: str, body: bytes, idempotency_key: str) -> M.Payment:
        """``confirm_cash`` with a body already encoded (``cash_body``): what the outbox replays."""
        pid = _checked(payment_id, r"[A-Za-z0-9_\-]{1,64}", "payment_id")
        data = self.request("POST", f"{API_PREFIX}/payments/{_seg(pid)}/cash-confirmation", raw_body=body,
                            idempotency_key=_idem(idempotency_key))
        return self._parse(M.Payment, data)

    def demo_confirm_payment(self, payment_id: str, *, proof: M.ApplicantProof | None = None) -> M.Payment:
        """Demo gateway only: the simulated bank confirms now (for the applicant: ``proof``)."""
        pid = _checked(payment_id, r"[A-Za-z0-9_\-]{1,64}", "payment_id")
        data = self.request("POST", f"{API_PREFIX}/demo/payments/{_seg(pid)}/confirm",
                            json_body=M.body(M.DemoBankConfirmation(self._proof(proof))), retry=True)
        return self._parse(M.Payment, data)

    # -- delivery ---------------------------------------------------------------------------

    def book_delivery(self, dossier_code: str, address: M.Address | dict, recipient_name: str, phone: str, *,
                      note: str | None = None, idempotency_key: str,
                      proof: M.ApplicantProof | None = None) -> M.DeliveryConfirmation:
        """``proof``: that the citizen is the dossier's applicant (403 without it)."""
        code = _dossier_code(dossier_code)
        body = M.body(M.DeliveryBooking(address, recipient_name, phone, note or None, self._proof(proof)))
        data = self.request("POST", f"{API_PREFIX}/dossiers/{_seg(code)}/delivery", json_body=body,
                            idempotency_key=_idem(idempotency_key), not_found=E.DossierNotFound)
        return self._parse(M.DeliveryConfirmation, data)

    def _proof(self, proof: M.ApplicantProof | None) -> M.ApplicantProof | None:
        """An applicant's ID number (read from the chip, or typed by a clerk who checked the
        card: ``staff_check``) travels over TLS only (or to the embedded gateway on this
        machine); a claim code is a per-dossier secret of no use elsewhere."""
        carries_number = proof is not None and (proof.id_number or proof.staff_check is not None)
        if carries_number and self.base_url.startswith("http://"):
            from urllib.parse import urlsplit

            if urlsplit(self.base_url).hostname not in ("127.0.0.1", "::1", "localhost"):
                raise E.InvalidRequest("an ID number is sent over TLS only", reason="insecure-transport")
        return proof

    # -- help and ratings -------------------------------------------------------------------

    def create_help_request(self, reason: str, *, procedure_code: str | None = None,
                            note: str | None = None) -> M.HelpTicket:
        if reason not in M.HELP_REASONS:
            raise ValueError("unknown help reason")
        body = M.body(M.HelpRequestIn(reason, procedure_code or None, note or None))
        # not idempotent: a lost answer could mean a ticket exists, so never sent twice automatically
        data = self.request("POST", f"{API_PREFIX}/help-requests", json_body=body, retry=False)
        return self._parse(M.HelpTicket, data)

    def list_help_requests(self, status: str | None = "waiting", *, kiosk_id: str | None = None) -> list[M.HelpTicket]:
        params = {}
        if status:
            params["status"] = status
        if kiosk_id:
            params["kiosk_id"] = kiosk_id
        data = self._get(f"{API_PREFIX}/help-requests", params=params)
        return self._parse(list[M.HelpTicket], data)

    def update_help_request(self, help_id: int, status: str, *, staff_id: str | None = None) -> M.HelpTicket:
        if status not in M.HELP_STATUSES:
            raise ValueError("unknown help status")
        body = M.body(M.HelpStatusChange(status, staff_id or None))
        # setting a status is idempotent by nature
        data = self.request("POST", f"{API_PREFIX}/help-requests/{int(help_id)}/status", json_body=body, retry=True)
        return self._parse(M.HelpTicket, data)

    def rate(self, score: int, journey: str = "other", *, dossier_code: str | None = None,
             comment: str | None = None, rated_at=None, idempotency_key: str) -> int:
        return self.rate_body(rating_body(score, journey, dossier_code=dossier_code, comment=comment,
                                          rated_at=rated_at), idempotency_key)

    def rate_body(self, body: bytes, idempotency_key: str) -> int:
        """``rate`` with a body already encoded (``rating_body``): what the outbox replays."""
        data = self.request("POST", f"{API_PREFIX}/ratings", raw_body=body, idempotency_key=_idem(idempotency_key))
        return self._parse(M.RatingAck, data).id

    # -- reconciliation ---------------------------------------------------------------------

    def idempotency_record(self, idempotency_key: str) -> M.IdempotencyRecord | None:
        """What the gateway did with this kiosk's key: the first answer it gave, or None when it
        never completed anything under that key (the outbox asks after a 409 on a replay)."""
        key = _idem(idempotency_key)
        try:
            data = self._get(f"{API_PREFIX}/idempotency/{_seg(key)}")
        except E.NotFound:
            return None
        return self._parse(M.IdempotencyRecord, data)

    # -- kiosk ------------------------------------------------------------------------------

    def heartbeat(self, status: dict | None = None, *, audit_head: dict | None = None) -> M.HeartbeatAck:
        """Tell the gateway this kiosk is alive (with its device summary and the head of its
        audit log); measures latency.

        Never retried: a heartbeat is a probe, its failure is the answer.
        """
        head = M.AuditHead(int(audit_head["seq"]), str(audit_head["hash"])) if audit_head else None
        body = M.body(M.Heartbeat(self.kiosk_id or "unknown", _now(), status or {}, head))
        started = time.monotonic()
        data = self.request("POST", f"{API_PREFIX}/kiosks/heartbeat", json_body=body, retry=False)
        latency_ms = (time.monotonic() - started) * 1000
        return dataclasses.replace(self._parse(M.HeartbeatAck, data), latency_ms=latency_ms)


def _now():
    from datetime import datetime

    return datetime.now(UTC)


def _checked(value: str, pattern: str, what: str) -> str:
    import re

    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise E.InvalidRequest(f"malformed {what}", reason=f"bad-{what}")
    return value


def _idem(key: str | None) -> str:
    import re

    if not key or not re.fullmatch(r"[A-Za-z0-9_\-]{8,80}", key):
        raise ValueError("an idempotency key of 8-80 letters, digits, '-' or '_' is required (e.g. a UUID)")
    return key


def _dossier_code(code: str) -> str:
    try:
        return normalize_dossier_code(code)
    except InvalidDossierCode as exc:
        raise E.InvalidRequest("malformed dossier code", reason=exc.reason) from None


def read_token(path) -> str:
    """The bearer token from ``token_file``: first non-empty line, trimmed."""
    text = open(path, encoding="utf-8").read()
    for line in text.splitlines():
        if line.strip():
            token = line.strip()
            if any(ch.isspace() or ord(ch) < 33 for ch in token):
                raise ValueError("token_file: the token contains spaces or control characters")
            return token
    raise ValueError("token_file: empty")


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def encode_body(value: Any) -> bytes:
    """A request body as the client sends it: compact UTF-8 JSON, in the order given.  Encoded
    once: the same bytes are sent again on every retry and every outbox replay."""
    if hasattr(value, "to_json"):
        value = value.to_json()
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise E.InvalidRequest(f"the request is not JSON: {type(exc).__name__}", reason="not-json") from None


def submission_body(submission) -> bytes:
    """The body of a dossier submission (a DossierSubmission, its JSON dict, or encoded bytes)."""
    return bytes(submission) if isinstance(submission, (bytes, bytearray)) else encode_body(submission)


def cash_body(staff_id: str, amount_vnd: int, receipt_number: str | None = None) -> bytes:
    return encode_body(M.body(M.CashConfirmation(staff_id, int(amount_vnd), receipt_number or None)))


def rating_body(score: int, journey: str = "other", *, dossier_code: str | None = None, comment: str | None = None,
                rated_at=None) -> bytes:
    return encode_body(M.body(M.RatingIn(int(score), journey, dossier_code or None, (comment or "")[:500] or None,
                                         rated_at)))


# whatever a JSON parser can raise on hostile bytes: bad syntax, bad UTF-8, nesting too deep
_UNDECODABLE = (ValueError, UnicodeDecodeError, RecursionError, MemoryError)


def _problem_type(body: bytes) -> str:
    try:
        data = json.loads(body)
    except _UNDECODABLE:
        return ""
    if isinstance(data, dict):
        t = data.get("type")
        return t if isinstance(t, str) else ""
    return ""


def _retry_after(resp) -> float | None:
    """Retry-After in seconds (RFC 9110: ASCII digits; an HTTP date is not used here)."""
    raw = resp.headers.get("Retry-After")
    # ASCII digits only: headers arrive as Latin-1, where '²' passes isdigit() but float() refuses it
    if raw and raw.strip().isascii() and raw.strip().isdigit():
        return float(raw.strip())
    return None


from kiosk.gateway.monitor import GatewayMonitor  # noqa: E402  (re-exported for the UI)

__all__ = ["GatewayClient", "GatewayMonitor", "cash_body", "encode_body", "new_idempotency_key", "rating_body",
           "read_token", "submission_body"]
