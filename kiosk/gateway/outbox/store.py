"""Offline outbox: what must reach the gateway even when it is down.

When the gateway is unreachable or answers 5xx, dossier submissions, cash-payment
confirmations and ratings are queued here and delivered when it is back:

- **durable**: SQLite (WAL, ``synchronous=FULL``): an item whose ``enqueue`` returned survives
  kill -9 and power loss; an item is marked delivered in the same transaction that records
  the gateway's answer.
- **in order**: delivered oldest first; a transient failure stops the run (nothing overtakes).
- **exactly once**: every item carries its idempotency key, created before it is first sent,
  and the very bytes first sent under it (``body``): a replay is byte-for-byte the first call,
  so the gateway answers it with the first result ("already done") and the provisional
  receipt resolves to the dossier code.  The provisional reference travels *beside* the body
  (the ``reference`` column), never inside it.  A 409 on a replay is reconciled: the outbox
  asks the gateway what it did under the key (``GET /v1/idempotency/{key}``) and records that.
- **poison set aside**: an item the gateway refuses for good, or answers with something that
  breaks the contract, is set aside with its reason (state ``set_aside``) and the queue moves
  on; staff see it in the staff panel and retry (same key, same bytes) or export it.
- **encrypted at rest**: the payload (personal data) is AES-256-GCM encrypted with the key in
  ``[gateway] outbox_key_file`` (default ``data_dir/outbox.key``; it may live on another
  volume or be a systemd credential, ``$CREDENTIALS_DIRECTORY/…``); the kind and idempotency
  key are bound to the ciphertext as associated data.  The key fails loudly: when items wait
  that need it, a missing, short, wrong or group/other-readable key refuses to open the outbox
  (``OutboxKeyError``: the kiosk does not start); a new key is made only while no encrypted
  item waits.  The database, its -wal and -shm files are 0600, a data folder the outbox makes
  is 0700.

The citizen gets a ``ProvisionalReceipt`` (a provisional reference they can look up at the
kiosk); staff and technicians see ``depth()``, ``set_aside()`` and ``last_error()``.  When to
send and when to queue is decided in one place, ``kiosk.gateway.service.GatewayService``; the
backlog is delivered by ``OutboxWorker`` on its own thread.
"""

from __future__ import annotations

import fcntl
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.gateway import errors as E

log = logging.getLogger("kiosk.gateway.outbox")

KINDS = ("submission", "cash_confirmation", "rating")
STATES = ("sending", "queued", "delivered", "set_aside")
KEY_BYTES = 32
DB_NAME = "outbox.sqlite3"
KEY_NAME = "outbox.key"
WIRE_VERSION = 2  # payload {"v": 2, "body": <the exact JSON text sent>, "payment_id": …}
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back
# gateway errors that concern the kiosk, not the item: the run stops, the item stays queued
_STOP = (E.GatewayAuthError, E.GatewayTlsError)

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


class OutboxError(Exception):
    message_key = "outbox.error"
    next_step = "next.call_technician"


class OutboxKeyError(OutboxError):
    """The outbox key cannot be trusted or found while items need it: the kiosk must not start
    (a technician restores the key file; nothing is deleted)."""

    message_key = "outbox.key"


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
    state: str  # queued | delivered | set_aside
    dossier_code: str | None
    queued_at: datetime
    attempts: int
    last_error: str | None


def key_problem(path: str | os.PathLike) -> str | None:
    """Why the key file at ``path`` cannot be used (None: it can, or it does not exist)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"outbox key file {path} cannot be read ({type(exc).__name__})"
    if not stat.S_ISREG(st.st_mode):
        return f"outbox key file {path} is not a regular file"
    if st.st_mode & 0o077 and not _systemd_credential(path):
        return (f"outbox key file {path} is readable by group or others (mode {stat.S_IMODE(st.st_mode):04o});"
                " expected 0600 or 0400: chmod 600 it")
    if st.st_size != KEY_BYTES:
        return f"outbox key file {path} has {st.st_size} bytes, expected {KEY_BYTES} (wrong or damaged file)"
    return None


def _systemd_credential(path: Path) -> bool:
    """A credential systemd passed this service (``$CREDENTIALS_DIRECTORY``): systemd restricts
    it to the service's user itself (on some set-ups through an ACL, which shows in the group
    mode bits), so its mode is not ours to judge."""
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if not creds:
        return False
    try:
        return Path(path).resolve().parent == Path(creds).resolve()
    except OSError:
        return False


def read_key(path: str | os.PathLike) -> bytes:
    """The outbox key at ``path``: exactly 32 bytes, readable by its owner only.  Raises
    ``OutboxKeyError`` (FileNotFoundError when it does not exist)."""
    path = Path(path)
    problem = key_problem(path)
    if problem:
        raise OutboxKeyError(problem)
    data = path.read_bytes()  # FileNotFoundError passes through
    if len(data) != KEY_BYTES:
        raise OutboxKeyError(f"outbox key file {path} has {len(data)} bytes, expected {KEY_BYTES}")
    return data


def create_key(path: str | os.PathLike) -> bytes:
    """A new key (32 random bytes, mode 0600, written with O_EXCL: an existing file is never
    replaced); when another process won the race, its key."""
    path = Path(path)
    try:
        make_private_dir(path.parent)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return read_key(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutboxKeyError(f"outbox key file {path} cannot be created ({type(exc).__name__})") from None
    _fsync_dir(path.parent)
    log.warning("outbox: a new outbox key was created", extra={"path": str(path)})
    return key


def load_or_create_key(path: str | os.PathLike) -> bytes:
    """The outbox key; created when the file does not exist.  Only for an outbox that holds no
    encrypted item yet (tests, tools): ``Outbox.from_settings`` checks that first."""
    try:
        return read_key(path)
    except FileNotFoundError:
        return create_key(path)


def key_path(settings) -> Path:
    """Where the outbox key lives: ``[gateway] outbox_key_file`` (``$VARS`` expanded, e.g.
    ``$CREDENTIALS_DIRECTORY/outbox.key`` for a systemd credential), else ``data_dir/outbox.key``."""
    raw = settings.gateway.outbox_key_file
    if not raw:
        return settings.data_dir / KEY_NAME
    expanded = os.path.expandvars(raw)
    if "$" in expanded:
        raise OutboxKeyError(f"outbox_key_file {raw!r}: an environment variable in it is not set"
                             " (a systemd credential needs LoadCredential= in the unit)")
    return settings.resolve_path(expanded)


def pending_encrypted(db_path: str | os.PathLike) -> int:
    """How many encrypted items wait (queued or set aside) in the outbox database at ``db_path``
    (0 when there is none), read without creating anything."""
    db_path = Path(db_path)
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise OutboxError(f"the outbox database cannot be read ({type(exc).__name__})") from None
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='items'").fetchone():
            return 0
        return conn.execute("SELECT COUNT(*) FROM items WHERE nonce IS NOT NULL AND state != 'delivered'"
                            ).fetchone()[0]
    except sqlite3.Error as exc:
        raise OutboxError(f"the outbox database cannot be read ({type(exc).__name__}: {exc})") from None
    finally:
        conn.close()


def open_key(settings) -> bytes:
    """The outbox key for these settings, failing loudly.  A key is created only while no
    encrypted item waits; a missing key with items waiting is an ``OutboxKeyError``."""
    path = key_path(settings)
    try:
        return read_key(path)
    except FileNotFoundError:
        waiting = pending_encrypted(settings.data_dir / DB_NAME)
        if waiting:
            raise OutboxKeyError(
                f"outbox key file {path} is missing but {waiting} encrypted item(s) wait in the outbox:"
                " restore the key file (nothing was deleted); the kiosk does not start without it") from None
        return create_key(path)


def check(settings) -> str | None:
    """What stops the outbox from opening with these settings (for ``kiosk doctor`` and the
    technician screen), or None.  Opens nothing for writing."""
    try:
        path = key_path(settings)
        problem = key_problem(path)
        if problem:
            return problem
        waiting = pending_encrypted(settings.data_dir / DB_NAME)
        if not path.exists():
            return (f"outbox key file {path} is missing but {waiting} encrypted item(s) wait" if waiting else None)
        if waiting:
            with Outbox(settings.data_dir / DB_NAME, read_key(path), _check_only=True) as ob:
                ob.check_key()
    except OutboxError as exc:
        return str(exc)
    return None


def make_private_dir(path: Path) -> None:
    """``path`` and missing parents created 0700 (an existing folder is left as it is)."""
    if path.is_dir():
        return
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # whatever the umask


def _private_file(path: Path) -> None:
    """``path`` exists and is readable by its owner only (created 0600 before SQLite opens it)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        os.chmod(path, 0o600)


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
                _private_file(part)
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

    # -- staff: set-aside items -----------------------------------------------------------------

    def retry(self, seq: int | None = None) -> int:
        """Put set-aside items (one, or all) back in the queue, in their old place; they go again
        with their key and their bytes, so a retry never files anything twice."""
        with self._tx() as db:
            if seq is None:
                cur = db.execute("UPDATE items SET state='queued' WHERE state='set_aside'")
            else:
                cur = db.execute("UPDATE items SET state='queued' WHERE state='set_aside' AND seq=?", (int(seq),))
            return cur.rowcount

    def export(self, seq: int, folder: str | os.PathLike) -> Path:
        """Write one set-aside item to ``folder`` (e.g. a technician's USB stick) for the back
        office: what it is in clear (kind, provisional reference, idempotency key, reason, dates;
        no personal data) and the request sealed with the outbox key (AES-256-GCM), readable only
        with ``import_item`` on a kiosk holding that key.  The file is 0600."""
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE seq=?", (int(seq),)).fetchone()
        if row is None or row["state"] != "set_aside":
            raise OutboxError("no set-aside item with this number")
        payload = self._open(row)
        nonce, sealed = self._seal(row["kind"], row["idempotency_key"], payload)
        doc = {"format": "kiosk-outbox-item/1", "kind": row["kind"], "reference": row["reference"],
               "idempotency_key": row["idempotency_key"], "reason": row["last_error"], "attempts": row["attempts"],
               "queued_at": datetime.fromtimestamp(row["created_at"], UTC).isoformat(timespec="seconds"),
               "exported_at": datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds"),
               "nonce": nonce.hex() if nonce else None, "sealed": sealed.hex()}
        folder = Path(folder)
        make_private_dir(folder)
        dest = folder / f"outbox-{row['reference'] or row['seq']}-{row['idempotency_key'][:8]}.json"
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        return dest

    def import_item(self, path: str | os.PathLike) -> ProvisionalReceipt:
        """Queue an item written by ``export`` (same key needed; same idempotency key kept)."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if doc.get("format") != "kiosk-outbox-item/1" or doc.get("kind") not in KINDS:
            raise OutboxError("not an exported outbox item")
        row = {"kind": doc["kind"], "idempotency_key": doc["idempotency_key"],
               "nonce": bytes.fromhex(doc["nonce"]) if doc.get("nonce") else None,
               "payload": bytes.fromhex(doc["sealed"])}
        payload = self._open(row)
        return self.enqueue(doc["kind"], payload, idempotency_key=doc["idempotency_key"], reference=doc["reference"])

    # -- delivery -----------------------------------------------------------------------------

    def deliver(self, client, *, max_items: int | None = None,
                on_delivered: Callable[[dict], None] | None = None) -> int:
        """Send what is queued, oldest first; returns how many were delivered.

        Stops at the first failure that concerns the gateway or the network (down, timeout,
        5xx, TLS, credentials refused): the item stays queued and nothing overtakes it.  An
        item the gateway refuses for good (4xx), answers with something that breaks the
        contract, or that cannot be read, is set aside with its reason and delivery continues.
        A 409 is reconciled first: the gateway is asked what it did under the item's key.
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
                        result = self._attempt(client, row)
                    except E.GatewayError as exc:
                        if exc.transient or isinstance(exc, _STOP):
                            self._record_failure(row, _describe(exc))
                            log.warning("outbox: %s delivery failed (%s)", row["kind"], exc.message_key)
                            break
                        self._put_aside(row, _describe(exc))
                        continue
                    except OutboxError as exc:
                        self._put_aside(row, str(exc))
                        continue
                    except Exception as exc:  # noqa: BLE001 - one poison item must not stop the queue
                        log.exception("outbox: an item could not be sent")
                        self._put_aside(row, f"outbox.error: {type(exc).__name__}")
                        continue
                    with self._tx() as db:
                        # the citizen's data goes at once (secure_delete overwrites it); the row keeps
                        # what resolves the provisional receipt until purge_delivered
                        db.execute(
                            "UPDATE items SET state='delivered', attempts=attempts+1, delivered_at=?, result=?,"
                            " last_error=NULL, nonce=NULL, payload=X'' WHERE seq=? AND state='queued'",
                            (self.clock(), json.dumps(result, ensure_ascii=False), row["seq"]))
                        # the gateway works again: the error is old news, unless an item was set aside
                        if not db.execute("SELECT 1 FROM items WHERE state='set_aside' LIMIT 1").fetchone():
                            self._set_meta("last_error", None)
                    sent += 1
                    if on_delivered is not None:
                        on_delivered({"seq": row["seq"], "kind": row["kind"], "reference": row["reference"], **result})
            finally:
                fcntl.flock(lockfile, fcntl.LOCK_UN)
        return sent

    def _attempt(self, client, row) -> dict:
        """One item to the gateway: the summary of its answer (or of the first answer given
        under its key, when a replay meets a 409)."""
        payload = self._open(row)
        try:
            return _send(client, row["kind"], payload, row["idempotency_key"])
        except E.Conflict as conflict:
            record = client.idempotency_record(row["idempotency_key"])  # transient errors: stop the run
            if record is None or not 200 <= record.status < 300:
                raise  # a real conflict (already booked, cancelled…): set aside with its reason
            log.info("outbox: a %s was already done under its key (%s); recorded", row["kind"],
                     conflict.detail or "conflict")
            return {**_summary(client, row["kind"], record.response), "reconciled": True}

    def _record_failure(self, row, text: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET attempts=attempts+1, last_error=? WHERE seq=? AND state='queued'",
                       (text, row["seq"]))
            self._set_meta("last_error", text)

    def _put_aside(self, row, reason: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET state='set_aside', attempts=attempts+1, last_error=? WHERE seq=?"
                       " AND state='queued'", (reason, row["seq"]))
            self._set_meta("last_error", reason)
        log.warning("outbox: a %s was set aside for staff (%s)", row["kind"], reason.split(":")[0])

    def purge_delivered(self, older_than_seconds: float) -> int:
        """Forget delivered items (their encrypted payloads) after a while."""
        with self._lock:
            cur = self._db.execute("DELETE FROM items WHERE state='delivered' AND delivered_at < ?",
                                   (self.clock() - older_than_seconds,))
            return cur.rowcount


def _describe(exc: E.GatewayError) -> str:
    return f"{exc.message_key}: {exc.detail}" if exc.detail else exc.message_key


def _send(client, kind: str, payload: dict, idem: str) -> dict:
    """One queued item to the gateway; returns a summary without personal data."""
    if payload.get("v") == WIRE_VERSION:
        body = payload["body"].encode("utf-8")
        if kind == "submission":
            return _summary(client, kind, client.submit_dossier(body, idem))
        if kind == "cash_confirmation":
            return _summary(client, kind, client.confirm_cash_body(payload["payment_id"], body, idem))
        if kind == "rating":
            return _summary(client, kind, client.rate_body(body, idem))
        raise OutboxError(f"unknown kind {kind}")
    # items queued before bodies were kept as sent
    if kind == "submission":
        return _summary(client, kind, client.submit_dossier(payload, idem))
    if kind == "cash_confirmation":
        payment = client.confirm_cash(payload["payment_id"], payload["staff_id"], payload["amount_vnd"],
                                      receipt_number=payload.get("receipt_number"), idempotency_key=idem)
        return _summary(client, kind, payment)
    if kind == "rating":
        rid = client.rate(payload["score"], payload.get("journey", "other"), dossier_code=payload.get("dossier_code"),
                          comment=payload.get("comment"), rated_at=payload.get("rated_at"), idempotency_key=idem)
        return _summary(client, kind, rid)
    raise OutboxError(f"unknown kind {kind}")


def _summary(client, kind: str, answer) -> dict:
    """The gateway's answer (a contract object, or the raw JSON of a reconciled one) reduced to
    what the outbox keeps: codes and ids, no personal data."""
    from kiosk.gateway import models as M

    if isinstance(answer, (dict, list)):
        cls = {"submission": M.SubmissionReceipt, "cash_confirmation": M.Payment, "rating": M.RatingAck}[kind]
        answer = client._parse(cls, answer)
    if kind == "submission":
        return {"code": answer.code, "status": answer.status}
    if kind == "cash_confirmation":
        return {"payment_id": answer.id, "status": answer.status}
    return {"rating_id": answer if isinstance(answer, int) else answer.id}


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
