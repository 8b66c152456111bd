"""The outbox store: ``Outbox``, one SQLite database (WAL, ``synchronous=FULL``, 0600) whose
items are sealed with the outbox key (AES-256-GCM, the kind and idempotency key bound as
associated data).  Queueing (``enqueue``, the write-ahead ``begin``/``sent``/``release``/``drop``)
and the views staff and technicians see live here; delivery (``kiosk.gateway.outbox.delivery``)
and set-aside items (``kiosk.gateway.outbox.set_aside``) are mixed in."""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.gateway.outbox.delivery import OutboxDelivery
from kiosk.gateway.outbox.items import KINDS, WIRE_VERSION, ProvisionalReceipt, ProvisionalStatus, new_reference
from kiosk.gateway.outbox.keys import (
    DB_NAME,
    KEY_BYTES,
    OutboxError,
    OutboxKeyError,
    make_private_dir,
    open_key,
    private_file,
)
from kiosk.gateway.outbox.set_aside import SetAsideItems

log = logging.getLogger("kiosk.gateway.outbox")

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    reference TEXT,
    nonce BLOB,                 -- NULL: stored without encryption (benchmarks only)
    payload BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',   -- sending | queued | delivered | set_aside
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



class Outbox(OutboxDelivery, SetAsideItems):
    def __init__(self, path: str | os.PathLike, key: bytes | None, *, synchronous: str = "FULL",
                 encrypt: bool = True, clock: Callable[[], float] = time.time, _check_only: bool = False):
        if encrypt and (not key or len(key) != KEY_BYTES):
            raise OutboxKeyError("an outbox key of 32 bytes is needed")
        if synchronous not in ("FULL", "NORMAL", "EXTRA", "OFF"):
            raise ValueError("synchronous must be FULL, NORMAL, EXTRA or OFF")
        self.path = Path(path)
        make_private_dir(self.path.parent)
        self.encrypt = encrypt
        self.clock = clock
        self._aead = None
        if encrypt:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._aead = AESGCM(key)
        self._lock = threading.RLock()
        # SQLite makes -wal and -shm with the database file's mode: the file exists 0600 first
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if suffix == "":
                private_file(part)
            elif part.exists() and stat.S_IMODE(part.stat().st_mode) & 0o077:
                os.chmod(part, 0o600)
        try:
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout=30000")
            if not _check_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(f"PRAGMA synchronous={synchronous}")
                self._db.executescript(SCHEMA)
                self._db.execute("PRAGMA secure_delete=ON")  # a forgotten payload is overwritten, not left
                self._db.execute("UPDATE items SET state='set_aside' WHERE state='failed'")  # older outboxes
                # a send that was under way when the kiosk died: its outcome is unknown, so it is
                # replayed (same key, same bytes: the gateway answers with the first result)
                self._db.execute("UPDATE items SET state='queued' WHERE state='sending'")
        except sqlite3.DatabaseError as exc:
            raise OutboxError(f"the outbox database cannot be opened ({type(exc).__name__}: {exc})") from None
        self._lock_path = self.path.with_suffix(self.path.suffix + ".deliver-lock")
        if encrypt and not _check_only:
            try:
                self.check_key()
            except OutboxKeyError:
                self._db.close()
                raise

    @classmethod
    def from_settings(cls, settings, **kwargs) -> Outbox:
        """The kiosk's outbox in ``data_dir``, its key per ``open_key`` (fails loudly)."""
        return cls(settings.data_dir / DB_NAME, open_key(settings), **kwargs)

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
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise OutboxError("an outbox item is not readable JSON") from None

    def check_key(self) -> None:
        """``OutboxKeyError`` when items wait that this key cannot open (a replaced or wrong key
        file): the first few waiting items are tried; one that opens proves the key (a single
        tampered item is set aside when its turn comes, it does not stop the kiosk)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM items WHERE nonce IS NOT NULL AND state != 'delivered'"
                                    " ORDER BY seq DESC LIMIT 8").fetchall()
        if not rows:
            return
        for row in rows:
            try:
                self._open(row)
                return
            except OutboxError:
                continue
        raise OutboxKeyError(f"the outbox key does not open any of the {len(rows)} newest waiting item(s):"
                             " a wrong or replaced key file; restore the original (nothing was deleted)")

    # -- queueing -----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict | None = None, *, idempotency_key: str | None = None,
                reference: str | None = None, body: bytes | None = None) -> ProvisionalReceipt:
        """Queue one call; returns once it is durably on disk.

        ``body``: the exact request body already sent (or about to be) under
        ``idempotency_key``; every delivery attempt sends these bytes.  ``payload`` then holds
        only what is not in the body (a cash confirmation's payment id).  Without ``body`` the
        payload holds the call's arguments (older items, tools)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        idem = idempotency_key or str(uuid.uuid4())
        reference = reference or new_reference()
        if body is not None:
            payload = {**(payload or {}), "v": WIRE_VERSION, "body": bytes(body).decode("utf-8")}
        elif payload is None:
            raise ValueError("a payload or a body is needed")
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
                if row is None:  # refused for another reason than the key being there
                    raise
                reference, now = row["reference"], row["created_at"]
        log.info("outbox: queued a %s", kind)
        return ProvisionalReceipt(reference, kind, datetime.fromtimestamp(now, UTC))

    def begin(self, kind: str, payload: dict | None = None, *, idempotency_key: str, body: bytes,
              reference: str | None = None) -> tuple[ProvisionalReceipt, bool]:
        """Write a call down *before* it is first sent (state ``sending``, not delivered by the
        worker), so a kiosk that dies mid-send replays it after its restart.  Returns its
        provisional receipt and True when the caller should send it now; False when the key is
        already in the outbox (a repeated tap: the existing item stands, nothing is sent twice)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        reference = reference or new_reference()
        payload = {**(payload or {}), "v": WIRE_VERSION, "body": bytes(body).decode("utf-8")}
        nonce, blob = self._seal(kind, idempotency_key, payload)
        now = self.clock()
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO items(kind, idempotency_key, reference, nonce, payload, created_at, state)"
                    " VALUES (?,?,?,?,?,?,'sending')", (kind, idempotency_key, reference, nonce, blob, now))
                fresh = True
            except sqlite3.IntegrityError:
                row = self._db.execute("SELECT reference, created_at FROM items WHERE idempotency_key=?",
                                       (idempotency_key,)).fetchone()
                if row is None:  # refused for another reason than the key being there
                    raise
                reference, now, fresh = row["reference"], row["created_at"], False
        return ProvisionalReceipt(reference, kind, datetime.fromtimestamp(now, UTC)), fresh

    def sent(self, idempotency_key: str) -> None:
        """The immediate send of a ``begin`` item got its answer: the item (and its encrypted
        copy of the citizen's data) is gone; nothing waited, so no receipt needs resolving."""
        with self._lock:
            self._db.execute("DELETE FROM items WHERE idempotency_key=? AND state='sending'", (idempotency_key,))

    def release(self, idempotency_key: str, error: str) -> None:
        """The immediate send failed in a way a later try may fix: the item joins the queue."""
        with self._tx() as db:
            db.execute("UPDATE items SET state='queued', attempts=attempts+1, last_error=? WHERE idempotency_key=?"
                       " AND state='sending'", (error, idempotency_key))
            self._set_meta("last_error", error)

    def drop(self, idempotency_key: str) -> None:
        """The gateway refused the immediate send for good (the citizen's input): forget it."""
        self.sent(idempotency_key)

    def depth(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items WHERE state='queued'").fetchone()[0]

    def set_aside(self) -> int:
        """How many items wait for staff (refused for good, or answered with nonsense)."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items WHERE state='set_aside'").fetchone()[0]

    failed = set_aside  # the name metrics and reports used before items were set aside

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
        state = "queued" if row["state"] == "sending" else row["state"]
        return ProvisionalStatus(row["reference"], state, code,
                                 datetime.fromtimestamp(row["created_at"], UTC), row["attempts"],
                                 row["last_error"])

    def items(self, state: str | None = None) -> list[dict]:
        """Staff view: one dict per item, without payloads."""
        sql = ("SELECT seq, kind, reference, idempotency_key, state, attempts, last_error, created_at, delivered_at,"
               " result FROM items")
        args: tuple = ()
        if state:
            sql += " WHERE state=?"
            args = (state,)
        with self._lock:
            return [dict(r) for r in self._db.execute(sql + " ORDER BY seq", args).fetchall()]
