"""Who is at the screen, and PIN checks for staff and technicians.

PINs are stored only as salted scrypt hashes (``scrypt$N$r$p$salt$hash``, base64).  A stored
hash is parsed and its parameters checked before any hashing (``parse_pin_hash``): N a power of
two from 2^14 (weaker ones fall in a fraction of a second on a laptop) up to what verifies in
``SCRYPT_MAX_MEMORY``, a salt of at least 16 bytes and a digest of 32 to 64.  ``kiosk config
check`` refuses a hash that fails this, and ``verify_pin`` never accepts one; hashlib is given
a ``maxmem`` that fits the parameters, so a hash that passes always verifies.

``max_attempts`` wrong tries lock entry for ``lockout_seconds``; each lock that follows another
within a day lasts twice as long, up to ``MAX_LOCKOUT_SECONDS`` (or ``lockout_seconds`` when
that is longer).  The lock is per role.  With a ``PinLockStore`` the failures and the lock's end
(wall clock) are on disk, so a restart (or pulling the plug during a check) forgets nothing:
a try is counted before the PIN is checked and forgotten only when it was right.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

log = logging.getLogger("kiosk.roles")


class Role(str, Enum):
    CITIZEN = "citizen"
    STAFF = "staff"
    TECHNICIAN = "technician"


SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_MIN_N = 2**14
SCRYPT_MIN_R = 8
SCRYPT_MAX_P = 16
SCRYPT_MAX_MEMORY = 256 * 1024 * 1024  # bytes scrypt may use for one check (128·r·N)
MIN_SALT, MIN_DIGEST, MAX_DIGEST = 16, 32, 64
MAX_LOCKOUT_SECONDS = 3600
ALL_LOCKED = "all_locked_until"  # in the lock file: every role locked until then (it was unreadable)
STREAK_FORGOTTEN_AFTER = 86400  # a lock that ended a day ago no longer makes the next one longer

_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    @property
    def maxmem(self) -> int:
        return scrypt_maxmem(self.n, self.r, self.p)


def scrypt_maxmem(n: int, r: int, p: int) -> int:
    """Memory scrypt needs for these parameters (OpenSSL: 128·r·(N+p+2)) plus room."""
    return 128 * r * (n + p + 2) + 1024 * 1024


def _b64(text: str, what: str) -> bytes:
    if not _B64.fullmatch(text) or len(text) % 4:
        raise ValueError(f"its {what} is not base64")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"its {what} is not base64") from None


def parse_pin_hash(stored: str) -> PinHash:
    """The parameters of a stored hash, or ValueError saying what is wrong with it."""
    parts = (stored or "").split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a hash made by 'kiosk config hash-pin' (scrypt$N$r$p$salt$hash)")
    if not all(part.isdigit() and len(part) <= 10 for part in parts[1:4]):
        raise ValueError("its N, r and p are not whole numbers")
    n, r, p = (int(part) for part in parts[1:4])
    if n < SCRYPT_MIN_N or n & (n - 1):
        raise ValueError(f"N={n} is too weak or not a power of two (at least 2^14 = {SCRYPT_MIN_N})")
    if r < SCRYPT_MIN_R or not 1 <= p <= SCRYPT_MAX_P:
        raise ValueError(f"r={r}, p={p}: expected r of at least {SCRYPT_MIN_R} and p from 1 to {SCRYPT_MAX_P}")
    if 128 * r * n > SCRYPT_MAX_MEMORY:
        raise ValueError(f"N={n}, r={r} need {128 * r * n // 2**20} MiB: more than the "
                         f"{SCRYPT_MAX_MEMORY // 2**20} MiB a check may use")
    salt, digest = _b64(parts[4], "salt"), _b64(parts[5], "hash")
    if len(salt) < MIN_SALT:
        raise ValueError(f"its salt has {len(salt)} bytes (at least {MIN_SALT})")
    if not MIN_DIGEST <= len(digest) <= MAX_DIGEST:
        raise ValueError(f"its hash has {len(digest)} bytes ({MIN_DIGEST} to {MAX_DIGEST})")
    return PinHash(n, r, p, salt, digest)


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    if not re.fullmatch(r"\d{4,12}", pin or ""):
        raise ValueError("a PIN is 4 to 12 digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=scrypt_maxmem(n, r, p))
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    stored = f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"
    parse_pin_hash(stored)  # parameters a check would refuse are never handed out
    return stored


def verify_pin(pin: str, stored: str) -> bool:
    """True only for the right PIN against a well-formed hash; the whole digest is compared
    in constant time."""
    try:
        params = parse_pin_hash(stored)
    except ValueError:
        return False
    if not isinstance(pin, str):
        return False
    try:
        actual = hashlib.scrypt(pin.encode(), salt=params.salt, n=params.n, r=params.r, p=params.p,
                                dklen=len(params.digest), maxmem=params.maxmem)
    except (ValueError, MemoryError):  # parameters were checked: this is the machine, never a yes
        log.error("PIN check could not run scrypt")
        return False
    return hmac.compare_digest(actual, params.digest)


class PinResult(str, Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"  # no hash configured: this role cannot be entered


class PinLockStore:
    """Each role's failures, lock end (wall clock) and lock streak in one small JSON file in the
    data folder, replaced atomically and readable by the kiosk user only (0600)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self, role: str) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get(role, {}), dict):
                raise ValueError("not a PIN lock file")
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # an unreadable file (or JSON that is not one) must not open the gate: one lock for
            # every role, written down so that it ends (a lock renewed on every read would keep
            # staff and the technician out for good)
            log.error("PIN lock file unreadable: entry locked", extra={"path": str(self.path)})
            until = time.time() + MAX_LOCKOUT_SECONDS
            try:
                self._replace({ALL_LOCKED: until})
            except OSError:
                pass  # cannot write either: locked on every read, as before
            return {"failures": 0, "locked_until": until, "streak": 1}
        state = data.get(role, {})
        until = data.get(ALL_LOCKED)
        if isinstance(until, (int, float)) and not isinstance(until, bool) and until > time.time():
            try:
                state = {**state, "locked_until": max(until, float(state.get("locked_until", 0) or 0)),
                         "streak": max(1, int(state.get("streak", 0) or 0))}
            except (TypeError, ValueError):
                state = {"failures": 0, "locked_until": until, "streak": 1}
        return state

    def save(self, role: str, state: dict, clear_all: bool = False) -> None:
        """Store ``role``'s state; ``clear_all`` also ends the lock an unreadable file set for
        every role (a technician's reset)."""
        with self._lock:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    data = {}
            except (OSError, ValueError):
                data = {}
            data[role] = state
            if clear_all:
                data.pop(ALL_LOCKED, None)
            self._replace(data)

    def _replace(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(data, sort_keys=True).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


@dataclass
class PinGate:
    """Checks PINs for one role with a lockout after repeated failures (see the module doc)."""

    pin_hash: str
    max_attempts: int = 5
    lockout_seconds: int = 300
    clock: Callable[[], float] = time.time  # wall clock: the lock's end survives a restart
    store: PinLockStore | None = None
    role: str = "staff"
    _failures: int = 0
    _locked_until: float = field(default=0.0)
    _streak: int = 0

    def remember(self, store: PinLockStore, role: str) -> None:
        """Keep this gate's state in ``store`` (under ``role``) from now on."""
        self.store, self.role = store, role
        self._load()

    def _load(self) -> None:
        if self.store is None:
            return
        state = self.store.load(self.role)
        try:
            self._failures = max(0, int(state.get("failures", 0)))
            self._locked_until = float(state.get("locked_until", 0.0))
            self._streak = max(0, int(state.get("streak", 0)))
        except (TypeError, ValueError):
            self._failures, self._locked_until, self._streak = 0, self.clock() + MAX_LOCKOUT_SECONDS, 1

    def _save(self, clear_all: bool = False) -> None:
        if self.store is not None:
            self.store.save(self.role, {"failures": self._failures, "locked_until": self._locked_until,
                                        "streak": self._streak}, clear_all=clear_all)

    def lock_seconds(self, streak: int) -> int:
        """How long the ``streak``-th lock in a row lasts: doubling, capped."""
        cap = max(self.lockout_seconds, MAX_LOCKOUT_SECONDS)
        return int(min(self.lockout_seconds * 2 ** max(0, min(streak, 32) - 1), cap))

    def locked_for(self) -> float:
        self._load()
        left = self._locked_until - self.clock()
        # a clock set back must not stretch the lock beyond its own length
        return max(0.0, min(left, float(self.lock_seconds(max(1, self._streak)))))

    @property
    def streak(self) -> int:
        """Locks in a row so far (each one twice as long as the one before)."""
        return self._streak

    def attempts_left(self) -> int:
        self._load()
        return max(0, self.max_attempts - self._failures)

    def reset(self) -> None:
        """Forget failures and any lock (a right PIN; a technician's entry for the staff gate)."""
        self._failures, self._locked_until, self._streak = 0, 0.0, 0
        self._save(clear_all=True)

    def check(self, pin: str) -> PinResult:
        if not self.pin_hash:
            return PinResult.DISABLED
        if self.locked_for() > 0:
            return PinResult.LOCKED
        # counted before the (slow) check: pulling the plug during it does not win a free try
        self._failures += 1
        self._save()
        if verify_pin(pin, self.pin_hash):
            self.reset()
            return PinResult.OK
        if self._failures >= self.max_attempts:
            now = self.clock()
            if now - self._locked_until > STREAK_FORGOTTEN_AFTER:
                self._streak = 0
            self._streak += 1
            self._failures = 0
            self._locked_until = now + self.lock_seconds(self._streak)
            self._save()
            return PinResult.LOCKED
        return PinResult.WRONG
