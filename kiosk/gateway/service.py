"""The kiosk's one way to the gateway: ``GatewayService``, a facade over the client, the offline
outbox, its delivery worker and the reachability monitor.

The parts start in the background so the kiosk's first frame never waits.  Every method
blocks (call it from a worker thread, never the UI thread) and first waits for the service to
be ready, as ``wait()`` does.

The outbox policy lives here and nowhere else:

- ``submit``, ``confirm_cash`` and ``rate`` send at once, or queue in the outbox (and return a
  ``ProvisionalReceipt``) when the gateway is unreachable or answers 5xx, or when the outbox
  already holds older items (nothing overtakes them).  Other errors (refused input, TLS…)
  are raised: queueing would not help.
- Write-ahead: with an outbox, the call is written to it *before* it is first sent (state
  ``sending``); the answer deletes it, a failure that a later try may fix queues it, a refusal
  of the citizen's input forgets it.  A kiosk killed mid-send replays it after the restart, so
  a dossier whose answer was lost with the kiosk still resolves, once.  Failures queued: the
  gateway unreachable, slow, 5xx, an answer that cannot be read (the gateway may have acted on
  it: only a replay can tell), TLS and refused credentials (the kiosk's problem, not the
  citizen's; the technician is told by the monitor and the queue waits for the repair).
- What is queued is byte-for-byte what was (or would have been) sent under the call's
  idempotency key: the body is encoded once, and the provisional reference is kept beside it
  in the outbox row, never added to it, so a replay is the same call and the gateway answers
  it with the first result.
- Delivering the backlog is the ``OutboxWorker``'s job, on its own thread; a citizen's send
  only kicks it.
- ``lookup_dossier`` answers a provisional reference (``TAM-…``) from the outbox while the
  item waits there, so it works while the gateway is down.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import UTC, datetime

from kiosk.config import Settings
from kiosk.devices.base import StatusBoard
from kiosk.gateway import errors as E
from kiosk.gateway.outbox import Outbox, OutboxError

log = logging.getLogger("kiosk.gateway.service")

_OFFLINE = (E.GatewayUnavailable, E.GatewayTimeout)
# the outcome is unknown or the kiosk is at fault: the outbox replays the call later
_QUEUE = (*_OFFLINE, E.GatewayBadResponse, E.GatewayTlsError, E.GatewayAuthError)
# …but a refusal that concerns the citizen (a 403 about the applicant's proof) is told, not queued
_CITIZEN = tuple(getattr(E, name) for name in ("ApplicantProofRefused",) if hasattr(E, name))


class GatewayNotReady(E.GatewayError):
    """The service did not come up (its start failed or is taking too long)."""

    message_key = "gateway.unavailable"
    next_step = "next.ask_staff"
    transient = True


class GatewayService:
    def __init__(self, settings: Settings, board: StatusBoard | None = None, *,
                 outbox: Outbox | None | bool = None, start: bool = True, monitor_interval: float = 30.0,
                 client=None, background: bool = True):
        """``outbox``: the kiosk's one outbox, shared with staff mode (its owner closes it); when
        none is given the service opens one from the settings (and closes it on ``stop()``);
        ``False``: no outbox, every call goes straight to the gateway.
        ``client``: a ready-made client (tests, tools); no embedded gateway is started then.
        ``background=False``: no outbox worker and no monitor (tests, one-shot tools)."""
        self.settings = settings
        self.board = board or StatusBoard()
        self.monitor_interval = monitor_interval
        self.worker = None
        self.monitor = None
        self.audit_head = None  # callable → the audit log's head, sent with each heartbeat (the runtime sets it)
        self._client = client
        self._outbox = outbox or None
        self._owns_outbox = outbox is None
        self._background = background
        self._server = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        if start:
            threading.Thread(target=self._start, name="gateway-start", daemon=True).start()

    def _start(self) -> None:
        try:
            from kiosk.gateway.client import GatewayClient
            from kiosk.gateway.monitor import GatewayMonitor
            from kiosk.gateway.outbox import OutboxWorker

            if self._owns_outbox:
                try:
                    self._outbox = Outbox.from_settings(self.settings)
                except Exception:  # noqa: BLE001 - a broken outbox must not stop look-ups
                    log.exception("offline outbox unavailable")
            if self._client is None:
                base_url = None
                if self.demo:
                    from kiosk.gateway.embedded import EmbeddedGateway

                    self._server = EmbeddedGateway(self.settings)
                    base_url = self._server.start()
                self._client = GatewayClient.from_settings(self.settings, base_url=base_url)
            if self._background:
                if self._outbox is not None:
                    self.worker = OutboxWorker(self._outbox, self._client)
                    self.worker.start()
                self.monitor = GatewayMonitor(self._client, self.board, interval=self.monitor_interval,
                                              outbox=self._outbox,
                                              on_reachable=self.worker.kick if self.worker is not None else None,
                                              audit_head=lambda: self.audit_head() if self.audit_head else None)
                self.monitor.start()
        except BaseException as exc:  # noqa: BLE001
            log.exception("gateway client could not start")
            self._error = exc
        finally:
            self._ready.set()

    # -- state ----------------------------------------------------------------------------------

    def wait(self, timeout: float = 15.0):
        """The ready client (blocking; for tests and diagnostics).  ``GatewayNotReady`` when the
        service did not come up in time or could not start."""
        if not self._ready.wait(timeout):
            raise GatewayNotReady("gateway start timed out")
        if self._client is None:
            raise GatewayNotReady(f"gateway start failed: {type(self._error).__name__}")
        return self._client

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._client is not None

    @property
    def outbox(self) -> Outbox | None:
        """The one offline outbox (None when there is none, or before the service opened it)."""
        return self._outbox

    @property
    def demo(self) -> bool:
        """True when the kiosk runs the embedded demo gateway (``[gateway] url = embedded``)."""
        return self.settings.gateway.url == "embedded"

    def stop(self) -> None:
        for part in (self.monitor, self.worker):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001
                    log.exception("gateway part did not stop cleanly")
        if self._owns_outbox and self._outbox is not None:
            self._outbox.close()
        if self._server is not None:
            self._server.stop()

    # -- dossiers -------------------------------------------------------------------------------

    def lookup_dossier(self, code: str):
        """A ``Dossier``; for a provisional reference still in the outbox, its ``ProvisionalStatus``
        (once delivered, the real dossier).  Anything else the gateway refuses is a typed
        ``GatewayError``."""
        status = self._provisional_status(code)
        if status is not None:
            if status.state == "delivered" and status.dossier_code:
                return self.wait().lookup_dossier(status.dossier_code)
            return status
        return self.wait().lookup_dossier(code)

    def _provisional_status(self, code):
        from kiosk.text import InvalidDossierCode, normalize_dossier_code

        if self._outbox is None:
            return None
        try:
            normalized = normalize_dossier_code(code)
        except (InvalidDossierCode, TypeError):
            return None  # the client refuses it with a typed InvalidRequest
        if not normalized.startswith("TAM-"):
            return None
        return self._outbox.provisional_status(normalized)

    def submit(self, submission, idempotency_key: str):
        """Submit a dossier: a ``SubmissionReceipt`` (sent) or a ``ProvisionalReceipt`` (queued)."""
        from kiosk.gateway.client import submission_body
        from kiosk.gateway.models import to_jsonable

        client = self.wait()
        if not isinstance(submission, (bytes, bytearray, dict)) and not hasattr(submission, "to_json"):
            submission = to_jsonable(submission)
        body = submission_body(submission)  # encoded once: sent and queued as these bytes
        return self._send_or_queue("submission", None, body, idempotency_key,
                                   lambda: client.submit_dossier(body, idempotency_key))

    def _send_or_queue(self, kind: str, payload: dict | None, body: bytes, idempotency_key: str, send):
        """Send now through the outbox's write-ahead, or queue (see the module's docstring)."""
        outbox = self._outbox
        if outbox is None:
            return send()
        if outbox.depth():  # older items wait: nothing overtakes them
            receipt = outbox.enqueue(kind, payload, idempotency_key=idempotency_key, body=body)
            self._kick()
            return receipt
        try:
            receipt, fresh = outbox.begin(kind, payload, idempotency_key=idempotency_key, body=body)
        except (OutboxError, sqlite3.Error, OSError):
            # a disk that cannot take the write-ahead (full, failing) must not stop a citizen whose
            # gateway is there: the call goes out as it is, and only a lost answer is lost with it
            log.exception("outbox write-ahead failed: the %s is sent without it", kind)
            return send()
        if not fresh:
            return receipt  # this key is already in the outbox: it stands, nothing is sent twice
        try:
            answer = send()
        except _QUEUE as exc:
            if isinstance(exc, _CITIZEN):
                outbox.drop(idempotency_key)
                raise
            log.warning("gateway away or answer unreadable (%s): the %s goes to the outbox", exc.message_key, kind)
            outbox.release(idempotency_key, f"{exc.message_key}: {exc.detail}" if exc.detail else exc.message_key)
            return receipt
        except E.GatewayError:
            outbox.drop(idempotency_key)  # refused for good (the input): the caller tells the citizen
            raise
        except BaseException:
            outbox.release(idempotency_key, "outbox.error: the send failed unexpectedly")
            raise
        try:
            outbox.sent(idempotency_key)
        except (sqlite3.Error, OSError):  # the row stays: replayed after a restart, answered the same
            log.exception("outbox: a sent %s could not be cleared", kind)
        return answer

    def _kick(self) -> None:
        """Older items wait: the worker delivers them (and this one after them) on its thread."""
        if self.worker is not None:
            self.worker.kick()

    # -- catalog --------------------------------------------------------------------------------

    def life_events(self):
        return self.wait().life_events()

    def list_procedures(self, life_event: str | None = None, *, level: str | None = None, limit: int = 50,
                        offset: int = 0):
        return self.wait().list_procedures(life_event=life_event, level=level, limit=limit, offset=offset)

    def search_procedures(self, query: str, *, life_event: str | None = None, limit: int = 50):
        return self.wait().search_procedures(query, life_event=life_event, limit=limit)

    def get_procedure(self, code: str):
        return self.wait().get_procedure(code)

    def provinces(self):
        return self.wait().provinces()

    # -- payments -------------------------------------------------------------------------------

    def create_payment(self, dossier_code: str, method: str = "vietqr", *, idempotency_key: str | None = None,
                       proof=None):
        """``proof``: an ``ApplicantProof`` (the gateway refuses to take payment without one)."""
        return self.wait().create_payment(dossier_code, method, idempotency_key=idempotency_key, proof=proof)

    def payment_status(self, payment_id: str):
        return self.wait().payment_status(payment_id)

    def demo_confirm_payment(self, payment_id: str, *, proof=None):
        """Demo gateway only: the simulated bank confirms now."""
        return self.wait().demo_confirm_payment(payment_id, proof=proof)

    def confirm_cash(self, payment_id: str, staff_id: str, amount_vnd: int, *, receipt_number: str | None = None,
                     idempotency_key: str):
        """Staff took the cash: a ``Payment`` (told now) or a ``ProvisionalReceipt`` (queued)."""
        from kiosk.gateway.client import cash_body

        client = self.wait()
        body = cash_body(staff_id, amount_vnd, receipt_number)
        return self._send_or_queue("cash_confirmation", {"payment_id": payment_id}, body, idempotency_key,
                                   lambda: client.confirm_cash_body(payment_id, body, idempotency_key))

    # -- delivery, help, ratings, heartbeat -----------------------------------------------------

    def book_delivery(self, dossier_code: str, address, recipient_name: str, phone: str, *,
                      note: str | None = None, idempotency_key: str, proof=None):
        """``proof``: an ``ApplicantProof`` (the gateway refuses the booking without one)."""
        return self.wait().book_delivery(dossier_code, address, recipient_name, phone, note=note,
                                         idempotency_key=idempotency_key, proof=proof)

    def create_help_request(self, reason: str, *, procedure_code: str | None = None, note: str | None = None):
        return self.wait().create_help_request(reason, procedure_code=procedure_code, note=note)

    def list_help_requests(self, status: str | None = "waiting", *, kiosk_id: str | None = None):
        return self.wait().list_help_requests(status, kiosk_id=kiosk_id)

    def update_help_request(self, help_id: int, status: str, *, staff_id: str | None = None):
        return self.wait().update_help_request(help_id, status, staff_id=staff_id)

    def heartbeat(self, status: dict | None = None):
        """Tell the gateway this kiosk is alive (the monitor does it on its own thread)."""
        return self.wait().heartbeat(status)

    def rate(self, score: int, journey: str = "other", *, dossier_code: str | None = None,
             comment: str | None = None, idempotency_key: str):
        """A rating now, or later: the rating id, or the ``ProvisionalReceipt`` of the queued one.

        Never raises because the gateway is away (down, 5xx, or the service never came up):
        the rating is queued, or, with no outbox at all, dropped with a log line (None).
        """
        from kiosk.gateway.client import rating_body

        rated_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        body = rating_body(score, journey, dossier_code=dossier_code, comment=comment, rated_at=rated_at)
        try:
            client = self.wait()
            return self._send_or_queue("rating", None, body, idempotency_key,
                                       lambda: client.rate_body(body, idempotency_key))
        except (*_QUEUE, GatewayNotReady) as exc:
            outbox = self._outbox  # the start may have opened it meanwhile
            if outbox is None:
                log.warning("rating dropped: gateway away (%s) and no outbox", exc.message_key)
                return None
            return outbox.enqueue("rating", idempotency_key=idempotency_key, body=body)
