"""Who is at the screen, and PIN checks for staff and technicians.

PINs are stored only as salted scrypt hashes (``scrypt$N$r$p$salt$hash``, base64).  Five wrong
tries (``max_attempts``) lock entry for ``lockout_seconds``; the lock is per role.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable


class Role(str, Enum):
    CITIZEN = "citizen"
    STAFF = "staff"
    TECHNICIAN = "technician"


SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    if not re.fullmatch(r"\d{4,12}", pin or ""):
        raise ValueError("a PIN is 4 to 12 digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


class PinResult(str, Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"  # no hash configured: this role cannot be entered


@dataclass
class PinGate:
    """Checks PINs for one role with a lockout after repeated failures."""

    pin_hash: str
    max_attempts: int = 5
    lockout_seconds: int = 300
    clock: Callable[[], float] = time.monotonic
    _failures: int = 0
    _locked_until: float = field(default=0.0)

    def locked_for(self) -> float:
        return max(0.0, self._locked_until - self.clock())

    def attempts_left(self) -> int:
        return max(0, self.max_attempts - self._failures)

    def check(self, pin: str) -> PinResult:
        if not self.pin_hash:
            return PinResult.DISABLED
        if self.locked_for() > 0:
            return PinResult.LOCKED
        if verify_pin(pin, self.pin_hash):
            self._failures = 0
            return PinResult.OK
        self._failures += 1
        if self._failures >= self.max_attempts:
            self._failures = 0
            self._locked_until = self.clock() + self.lockout_seconds
            return PinResult.LOCKED
        return PinResult.WRONG
