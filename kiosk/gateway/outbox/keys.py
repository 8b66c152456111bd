"""The outbox key, kept apart from the data folder, and the outbox's files kept private.

The key (32 bytes, AES-256-GCM) lives in ``[gateway] outbox_key_file`` (default
``data_dir/outbox.key``; it may live on another volume or be a systemd credential,
``$CREDENTIALS_DIRECTORY/…``).  It fails loudly: when encrypted items wait, a missing, short
or group/other-readable key is an ``OutboxKeyError`` (the kiosk does not start; nothing is
deleted); a new key is made only while no encrypted item waits (``open_key``).  Folders the
outbox makes are 0700 and its files 0600.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import stat
from pathlib import Path

log = logging.getLogger("kiosk.gateway.outbox")

KEY_BYTES = 32
DB_NAME = "outbox.sqlite3"
KEY_NAME = "outbox.key"


class OutboxError(Exception):
    message_key = "outbox.error"
    next_step = "next.call_technician"


class OutboxKeyError(OutboxError):
    """The outbox key cannot be trusted or found while items need it: the kiosk must not start
    (a technician restores the key file; nothing is deleted)."""

    message_key = "outbox.key"



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
    fsync_dir(path.parent)
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


def private_file(path: Path) -> None:
    """``path`` exists and is readable by its owner only (created 0600 before SQLite opens it)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        os.chmod(path, 0o600)


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


