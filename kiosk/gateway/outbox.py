"""Offline outbox: what must reach the gateway even when it is down.

When the gateway is unreachable or answers 5xx, dossier submissions, cash-payment
confirmations and ratings are queued here and delivered when it is back:

- **durable**: SQLite (WAL, ``synchronous=FULL``): an item whose ``enqueue`` returned survives
  kill -9 and power loss; an item is marked delivered in the same transaction that records
  the gateway's answer.
- **in order**: delivered oldest first; a transient failure stops the run (nothing overtakes).
- **exactly once**: every item carries its idempotency key, created before it is first sent.
  If the kiosk dies after the gateway accepted an item but before it was marked delivered,
  the resend carries the same key and the gateway answers with the first result.
- **encrypted at rest**: the payload (personal data) is AES-256-GCM encrypted with the key in
  ``[gateway] outbox_key_file`` (created mode 0600 when missing); the kind and idempotency key
  are bound to the ciphertext as associated data.

The citizen gets a ``ProvisionalReceipt`` (a provisional reference they can look up at the
kiosk); staff and technicians see ``depth()`` and ``last_error()``.  When to send and when to
queue is decided in one place, ``kiosk.gateway.service.GatewayService``; the backlog is
delivered by ``OutboxWorker`` on its own thread.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.gateway import errors as E

log = logging.getLogger("kiosk.gateway.outbox")

KINDS = ("submission", "cash_confirmation", "rating")
KEY_BYTES = 32
DB_NAME = "outbox.sqlite3"
KEY_NAME = "outbox.key"
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    reference TEXT,
    nonce BLOB,                 -- NULL: stored without encryption (benchmarks only)
    payload BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',   -- queued | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    delivered_at REAL,
    result TEXT                 -- the gateway's answer summary (dossier code…): no personal data
);
CREATE INDEX IF NOT EXISTS items_state ON items(state, seq);
CREATE INDEX IF NOT EXISTS items_reference ON items(reference);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class OutboxError(Exception):
    message_key = "outbox.error"
    next_step = "next.call_technician"


@dataclass(frozen=True)
class ProvisionalReceipt:
    """What the citizen takes home when their dossier could not be sent yet."""

    reference: str
    kind: str
    queued_at: datetime
    message_key: str = "gateway.provisional_receipt"
    next_step: str = "next.check_later"

    @property
    def provisional(self) -> bool:
        return True


@dataclass(frozen=True)
class ProvisionalStatus:
    reference: str
    state: str  # queued | delivered | failed
    dossier_code: str | None
    queued_at: datetime
    attempts: int
    last_error: str | None


def load_or_create_key(path: str | os.PathLike) -> bytes:
    """The outbox key; created (32 random bytes, mode 0600) when the file does not exist."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            return load_or_create_key(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(path.parent)
        return key
    if len(data) != KEY_BYTES:
        raise OutboxError(f"outbox key file has {len(data)} bytes, expected {KEY_BYTES}")
    if os.stat(path).st_mode & 0o077:
        log.warning("outbox key file is readable by group/others; expected mode 0600")
    return data


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_reference() -> str:
    """A provisional reference: 'TAM-' + 8 unambiguous characters (a valid dossier-code shape)."""
    return "TAM-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


class Outbox:
    def __init__(self, path: str | os.PathLike, key: bytes | None, *, synchronous: str = "FULL",
                 encrypt: bool = True, clock: Callable[[], float] = time.time):
        if encrypt and (not key or len(key) != KEY_BYTES):
            raise OutboxError("an outbox key of 32 bytes is needed")
        if synchronous not in ("FULL", "NORMAL", "EXTRA", "OFF"):
            raise ValueError("synchronous must be FULL, NORMAL, EXTRA or OFF")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.encrypt = encrypt
        self.clock = clock
        self._aead = None
        if encrypt:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._aead = AESGCM(key)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(SCHEMA)
        try:
            os.chmod(self.path, 0o600)
        except OSError:
            pass
        self._lock_path = self.path.with_suffix(self.path.suffix + ".deliver-lock")

    @classmethod
    def from_settings(cls, settings, **kwargs) -> Outbox:
        data_dir = settings.data_dir
        key_path = settings.resolve_path(settings.gateway.outbox_key_file) or data_dir / KEY_NAME
        return cls(data_dir / DB_NAME, load_or_create_key(key_path), **kwargs)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- encryption ---------------------------------------------------------------------------

    def _seal(self, kind: str, idem: str, payload: Any) -> tuple[bytes | None, bytes]:
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if not self.encrypt:
            return None, raw
        nonce = secrets.token_bytes(12)
        return nonce, self._aead.encrypt(nonce, raw, f"{kind}\n{idem}".encode())

    def _open(self, row) -> Any:
        if row["nonce"] is None:
            if self.encrypt:
                raise OutboxError("an unencrypted item in an encrypted outbox")
            raw = row["payload"]
        else:
            if self._aead is None:
                raise OutboxError("an encrypted item, but no key")
            from cryptography.exceptions import InvalidTag

            try:
                associated = f"{row['kind']}\n{row['idempotency_key']}".encode()
                raw = self._aead.decrypt(row["nonce"], row["payload"], associated)
            except InvalidTag:
                raise OutboxError("an outbox item does not decrypt with this key (wrong key or tampered)") from None
        return json.loads(raw)

    # -- queueing -----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict, *, idempotency_key: str | None = None,
                reference: str | None = None) -> ProvisionalReceipt:
        """Queue one call; returns once it is durably on disk."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        idem = idempotency_key or str(uuid.uuid4())
        reference = reference or new_reference()
        nonce, blob = self._seal(kind, idem, payload)
        now = self.clock()
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO items(kind, idempotency_key, reference, nonce, payload, created_at)"
                    " VALUES (?,?,?,?,?,?)",
                    (kind, idem, reference, nonce, blob, now))
            except sqlite3.IntegrityError:
                # the same operation queued twice (e.g. a retried tap): keep the first
                row = self._db.execute("SELECT reference, created_at FROM items WHERE idempotency_key=?",
                                       (idem,)).fetchone()
                reference, now = row["reference"], row["created_at"]
        log.info("outbox: queued a %s", kind)
        return ProvisionalReceipt(reference, kind, datetime.fromtimestamp(now, UTC))

    def depth(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items WHERE state='queued'").fetchone()[0]

    def failed(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items WHERE state='failed'").fetchone()[0]

    def last_error(self) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='last_error'").fetchone()
        return row[0] if row else None

    def _tx(self):
        """``with self._tx():`` one write transaction (rolled back on error), under the lock."""
        outbox = self

        class _Tx:
            def __enter__(self_inner):
                outbox._lock.acquire()
                try:
                    outbox._db.execute("BEGIN IMMEDIATE")
                except BaseException:
                    outbox._lock.release()
                    raise
                return outbox._db

            def __exit__(self_inner, exc_type, exc, tb):
                try:
                    outbox._db.execute("ROLLBACK" if exc_type else "COMMIT")
                finally:
                    outbox._lock.release()
                return False

        return _Tx()

    def _set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)", (key, value))

    def provisional_status(self, reference: str) -> ProvisionalStatus | None:
        """What became of a provisional receipt (the citizen typed or scanned its reference)."""
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE reference=? ORDER BY seq LIMIT 1",
                                   (reference.strip().upper(),)).fetchone()
        if row is None:
            return None
        code = None
        if row["result"]:
            code = json.loads(row["result"]).get("code")
        return ProvisionalStatus(row["reference"], row["state"], code,
                                 datetime.fromtimestamp(row["created_at"], UTC), row["attempts"],
                                 row["last_error"])

    def items(self, state: str | None = None) -> list[dict]:
        """Staff view: one dict per item, without payloads."""
        sql = "SELECT seq, kind, reference, state, attempts, last_error, created_at, delivered_at, result FROM items"
        args: tuple = ()
        if state:
            sql += " WHERE state=?"
            args = (state,)
        with self._lock:
            return [dict(r) for r in self._db.execute(sql + " ORDER BY seq", args).fetchall()]

    # -- delivery -----------------------------------------------------------------------------

    def deliver(self, client, *, max_items: int | None = None,
                on_delivered: Callable[[dict], None] | None = None) -> int:
        """Send what is queued, oldest first; returns how many were delivered.

        Stops at the first transient failure (gateway down, timeout, TLS/auth problem), so
        nothing overtakes an older item.  An item the gateway refuses for good (4xx) is
        marked failed, for staff to see, and delivery continues with the next.
        Only one deliverer runs at a time (across processes too).
        """
        sent = 0
        with open(self._lock_path, "a+") as lockfile:
            fcntl.flock(lockfile, fcntl.LOCK_EX)
            try:
                while max_items is None or sent < max_items:
                    with self._lock:
                        row = self._db.execute(
                            "SELECT * FROM items WHERE state='queued' ORDER BY seq LIMIT 1").fetchone()
                    if row is None:
                        break
                    try:
                        payload = self._open(row)
                        result = _send(client, row["kind"], payload, row["idempotency_key"])
                    except E.GatewayError as exc:
                        text = f"{exc.message_key}: {exc.detail}" if exc.detail else exc.message_key
                        permanent = isinstance(exc, (E.InvalidRequest, E.Conflict, E.NotFound))
                        with self._tx() as db:
                            db.execute("UPDATE items SET attempts=attempts+1, last_error=?, state=? WHERE seq=?",
                                       (text, "failed" if permanent else "queued", row["seq"]))
                            self._set_meta("last_error", text)
                        log.warning("outbox: %s delivery failed (%s)", row["kind"], exc.message_key)
                        if permanent:
                            continue
                        break
                    except OutboxError as exc:
                        with self._tx() as db:
                            db.execute("UPDATE items SET state='failed', last_error=? WHERE seq=?",
                                       (str(exc), row["seq"]))
                            self._set_meta("last_error", str(exc))
                        continue
                    with self._tx() as db:
                        db.execute(
                            "UPDATE items SET state='delivered', attempts=attempts+1, delivered_at=?, result=?,"
                            " last_error=NULL WHERE seq=? AND state='queued'",
                            (self.clock(), json.dumps(result, ensure_ascii=False), row["seq"]))
                        # the gateway works again: the error is old news, unless an item was set aside
                        if not db.execute("SELECT 1 FROM items WHERE state='failed' LIMIT 1").fetchone():
                            self._set_meta("last_error", None)
                    sent += 1
                    if on_delivered is not None:
                        on_delivered({"seq": row["seq"], "kind": row["kind"], "reference": row["reference"], **result})
            finally:
                fcntl.flock(lockfile, fcntl.LOCK_UN)
        return sent

    def purge_delivered(self, older_than_seconds: float) -> int:
        """Forget delivered items (their encrypted payloads) after a while."""
        with self._lock:
            cur = self._db.execute("DELETE FROM items WHERE state='delivered' AND delivered_at < ?",
                                   (self.clock() - older_than_seconds,))
            return cur.rowcount


def _send(client, kind: str, payload: dict, idem: str) -> dict:
    """One queued item to the gateway; returns a summary without personal data."""
    if kind == "submission":
        receipt = client.submit_dossier(payload, idem)
        return {"code": receipt.code, "status": receipt.status}
    if kind == "cash_confirmation":
        payment = client.confirm_cash(payload["payment_id"], payload["staff_id"], payload["amount_vnd"],
                                      receipt_number=payload.get("receipt_number"), idempotency_key=idem)
        return {"payment_id": payment.id, "status": payment.status}
    if kind == "rating":
        rid = client.rate(payload["score"], payload.get("journey", "other"), dossier_code=payload.get("dossier_code"),
                          comment=payload.get("comment"), rated_at=payload.get("rated_at"), idempotency_key=idem)
        return {"rating_id": rid}
    raise OutboxError(f"unknown kind {kind}")


class OutboxWorker:
    """Delivers the outbox in the background: every ``interval`` seconds while items wait,
    backing off (up to ``max_interval``) while the gateway stays away."""

    def __init__(self, outbox: Outbox, client, *, interval: float = 10.0, max_interval: float = 300.0,
                 on_delivered: Callable[[dict], None] | None = None, keep_delivered_days: float = 7.0):
        self.outbox, self.client = outbox, client
        self.keep_delivered = keep_delivered_days * 86400  # then even the encrypted copy goes
        self.interval, self.max_interval = interval, max_interval
        self.on_delivered = on_delivered
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Try now (e.g. the monitor saw the gateway come back)."""
        self._wake.set()

    def _run(self) -> None:
        delay = self.interval
        while not self._stop.is_set():
            try:
                if self.outbox.depth():
                    self.outbox.deliver(self.client, on_delivered=self.on_delivered)
                self.outbox.purge_delivered(self.keep_delivered)
                delay = self.interval if not self.outbox.depth() else min(self.max_interval, delay * 2)
            except Exception:  # noqa: BLE001 - the worker must survive anything
                log.exception("outbox worker failed")
                delay = min(self.max_interval, delay * 2)
            self._wake.wait(delay)
            self._wake.clear()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        self._thread = None
