"""Run the demo gateway inside the kiosk process (``[gateway] url = embedded``).

``EmbeddedGateway(settings).start()`` binds 127.0.0.1 (``[gateway] embedded_port``, 0 = any
free port), serves the demo app with uvicorn in a daemon thread and returns the base URL once
the server answers.  ``stop()`` shuts it down.

It runs in **demo mode** (``app_kwargs`` may say ``demo=False``, with credentials): the
simulated bank's ``/v1/demo/*`` exists and, with no tokens given, kiosks are named by their
X-Kiosk-Id.  ``tls`` (``{"certfile", "keyfile", "client_ca"}``) serves HTTPS, with mutual TLS
when a client CA is given (the client certificate's common name names the kiosk).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path

log = logging.getLogger("kiosk.gateway.embedded")

DB_NAME = "demo-gateway.sqlite3"


class EmbeddedGateway:
    def __init__(self, settings=None, *, db_path: str | Path | None = None, host: str = "127.0.0.1",
                 port: int | None = None, app_kwargs: dict | None = None, tls: dict | None = None):
        self.settings = settings
        self.host = host
        if port is None:
            port = settings.gateway.embedded_port if settings is not None else 0
        self.port = port
        if db_path is None and settings is not None:
            db_path = self._db_in_data_dir(settings)
        self.db_path = db_path  # None → in-memory
        self.app_kwargs = {"demo": True, **(app_kwargs or {})}
        self.tls = tls
        self.base_url: str | None = None
        self.app = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @staticmethod
    def _db_in_data_dir(settings) -> Path | None:
        try:
            data_dir = settings.data_dir
            data_dir.mkdir(parents=True, exist_ok=True)
            return data_dir / DB_NAME
        except OSError:
            log.warning("data_dir not writable; the embedded gateway keeps its state in memory")
            return None

    def start(self, timeout: float = 15.0) -> str:
        if self.base_url:
            return self.base_url
        import uvicorn

        from kiosk.gateway.demo import create_app

        kwargs = dict(self.app_kwargs)
        if self.tls and self.tls.get("client_ca"):
            kwargs.setdefault("client_certificates", True)
        self.app = create_app(self.db_path, **kwargs)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        self._sock = sock
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_keep_alive=30, **self._tls_config())
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="embedded-gateway", daemon=True)
        self._thread.start()
        base = f"{'https' if self.tls else 'http'}://{self.host}:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._server.started and (self.tls or _answers(self.host, port)):
                self.base_url = base
                log.info("embedded demo gateway listening on %s", base)
                return base
            if not self._thread.is_alive():
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("the embedded gateway did not start")

    def _tls_config(self) -> dict:
        if not self.tls:
            return {}
        from kiosk.gateway.demo.tls import uvicorn_tls

        return uvicorn_tls(self.tls["certfile"], self.tls["keyfile"], self.tls.get("client_ca"))

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        if self.app is not None:
            try:
                self.app.state.store.close()
            except Exception:  # noqa: BLE001 - closing best effort
                pass
        self._server = self._thread = self._sock = None
        self.base_url = None

    def __enter__(self) -> EmbeddedGateway:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as conn:
            conn.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return conn.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


_shared: EmbeddedGateway | None = None
_shared_lock = threading.Lock()


def shared(settings) -> EmbeddedGateway:
    """The process-wide embedded gateway (created on first use; ``start()`` is idempotent)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EmbeddedGateway(settings)
        return _shared
