"""A misbehaving HTTP server on 127.0.0.1 for fault-injection tests.

``FaultServer(mode)``: every request gets the fault named by ``mode`` (changeable at run time):
  ok            valid dossier JSON
  status:NNN    that status with a problem+json body (``Retry-After: 0`` on 503)
  malformed     200, application/json, not JSON
  deep          200, application/json, JSON nested 100,000 deep (a recursive parser overflows)
  deep500       500, application/problem+json, the same body
  not_json      200, text/html
  wrong_schema  200, JSON that is not a dossier
  slow:SECONDS  waits, then answers ok (read timeout when longer than the client's)
  trickle       sends a valid answer one byte every 0.2 s (each read is quick, the whole is not)
  close         closes the connection without answering
``hanging_port()``: a port whose accept queue is full, so a new connection times out.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOSSIER = {
    "code": "H26.99-241125-0001",
    "procedure": {"code": "1.001193", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"},
    "status": "received",
    "timeline": [{"status": "received", "at": "2026-11-29T08:00:00Z", "note_vi": "", "note_en": ""}],
    "submitted_at": "2026-11-29T08:00:00Z",
    "expected_date": "2026-11-29",
    "agency_vi": "UBND phường", "agency_en": "Ward People's Committee",
    "fee": {"amount_vnd": 0, "paid": True},
    "delivery": {"method": "pickup"},
}


class FaultServer:
    def __init__(self, mode: str = "ok", *, ssl_context=None):
        self.mode = mode
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self):
                server.hits += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                mode = server.mode
                if mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode.startswith("slow:"):
                    time.sleep(float(mode.split(":", 1)[1]))
                    mode = "ok"
                if mode in ("deep", "deep500"):
                    body = b"[" * 100_000 + b"]" * 100_000
                    self.send_response(500 if mode == "deep500" else 200)
                    self.send_header("Content-Type", "application/problem+json" if mode == "deep500"
                                     else "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if mode.startswith("status:"):
                    status = int(mode.split(":", 1)[1])
                    body = json.dumps({"type": "fault", "title": "injected", "status": status}).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/problem+json")
                    if status == 503:
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                ctype, body = "application/json", json.dumps(DOSSIER).encode()
                if mode == "malformed":
                    body = b'{"code": "H26.99-241125-0001", "status": '
                elif mode == "not_json":
                    ctype, body = "text/html", b"<html>proxy error page</html>"
                elif mode == "wrong_schema":
                    body = json.dumps({**DOSSIER, "status": "lost", "timeline": "yesterday"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "trickle":
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(0.2)
                else:
                    self.wfile.write(body)

            do_GET = do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class HangingPort:
    """A listening socket that never accepts, with its accept queue filled: connects hang."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fillers = []
        for _ in range(8):  # fill the backlog; later SYNs are dropped
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(c)
        time.sleep(0.1)

    def close(self):
        for c in self.fillers:
            c.close()
        self.sock.close()
