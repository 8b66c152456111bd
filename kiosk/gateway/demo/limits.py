"""The demo gateway's limits: ``RateLimiter`` (a token bucket per kiosk for dossier look-ups and
applicant proofs, 429 with Retry-After) and ``BodyLimit`` (ASGI middleware: a request body over
its limit is refused with 413 before it is read; ``body_limit`` gives the limit)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from kiosk.gateway import models as M

LOOKUP_BURST = 60           # look-ups a kiosk may make at once …
LOOKUP_PER_SECOND = 1.0     # … and then one a second (a citizen needs a few a minute)


class RateLimiter:
    """A token bucket per key: ``burst`` at once, then ``per_second``.  Thread-safe."""

    def __init__(self, burst: float, per_second: float, clock: Callable[[], float] = time.monotonic):
        self.burst, self.per_second, self.clock = float(burst), float(per_second), clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        level, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, level + (now - at) * self.per_second)

    def take(self, key: str, cost: float = 1.0) -> float:
        """0 when allowed (and taken), else the seconds to wait before it would be."""
        with self._lock:
            now = self.clock()
            level = self._level(key, now)
            if level >= cost:
                self._buckets[key] = (level - cost, now)
                if len(self._buckets) > 10_000:  # forget the full ones: they hold nothing
                    self._buckets = {k: v for k, v in self._buckets.items() if self._level(k, now) < self.burst}
                return 0.0
            self._buckets[key] = (level, now)
            return (cost - level) / self.per_second if self.per_second > 0 else 3600.0

    def charge(self, key: str, cost: float) -> None:
        """Take ``cost`` whatever is left (down to one burst below empty): a penalty."""
        with self._lock:
            now = self.clock()
            self._buckets[key] = (max(-self.burst, self._level(key, now) - cost), now)


class BodyLimit:
    """ASGI middleware: a request whose body is over its limit is answered 413 before any of it
    is read (a Content-Length over the limit: at once, so a client sending ``Expect:
    100-continue`` never sends it), and a body without a length is cut off where it passes
    the limit.  ``limit_for(method, path)`` gives the limit."""

    def __init__(self, app, limit_for: Callable[[str, str], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["method"], scope["path"])
        length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
        if length is not None and length > limit:
            return await _too_large(limit, send)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge()
            return message

        async def watched_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except _BodyTooLarge:
            if started:
                raise
            await _too_large(limit, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(limit: int, send) -> None:
    body = json.dumps({"type": "too_large", "title": "Request body over the limit", "status": 413,
                       "detail": f"at most {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def body_limit(method: str, path: str) -> int:
    """The largest request body the gateway reads: a dossier submission carries its photos."""
    if method == "POST" and path.rstrip("/") == "/v1/dossiers":
        return M.MAX_SUBMISSION_BYTES
    return M.MAX_REQUEST_BYTES

