"""Retries never drop the Idempotency-Key: every attempt of a call that carries one sends the
same key and the very same body bytes, whatever went wrong before (a 503, a 502, a connection
cut before any answer).  The gateway recognises a repeat only by that key: a retry without it
would file the dossier twice.  Real HTTP on 127.0.0.1; the client's back-off sleeps are skipped."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.gateway import errors as E
from kiosk.gateway.client import GatewayClient

KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script):
        self.script = list(script)  # one entry per request: an HTTP status, or "cut"
        self.seen: list[dict] = []
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _answer(self):
        server: Recorder = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.seen.append({"method": self.command, "key": self.headers.get("Idempotency-Key"), "body": body})
        step = server.script.pop(0) if server.script else 200
        if step == "cut":  # read the request, then close without a word
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        payload = json.dumps({"ok": True} if step < 400 else {"type": "about:blank", "title": "busy",
                                                                 "status": step}).encode()
        self.send_response(step)
        self.send_header("Content-Type", "application/json" if step < 400 else "application/problem+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer


@pytest.fixture
def serve():
    servers = []

    def start(script):
        server = Recorder(script)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        client = GatewayClient(f"http://127.0.0.1:{server.server_address[1]}", kiosk_id="KIOSK-TEST", retries=3,
                               read_timeout=5, sleep=lambda _s: None)
        return server, client

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("script", [[503, 503, 200], [502, "cut", 200], ["cut", "cut", 503, 200]],
                         ids=["503s", "502-then-cut", "cuts-then-503"])
def test_every_retry_carries_the_same_key_and_body(serve, script):
    server, client = serve(script)
    body = {"procedure_code": "1.001193", "note": "Nguyễn"}
    assert client.request("POST", "/v1/dossiers", json_body=body, idempotency_key=KEY) == {"ok": True}
    assert len(server.seen) == len(script)  # it did retry
    assert [s["key"] for s in server.seen] == [KEY] * len(script)
    assert len({s["body"] for s in server.seen}) == 1 and server.seen[0]["body"]


def test_replayed_raw_body_keeps_its_key_on_retry(serve):
    server, client = serve([503, 200])
    raw = b'{"a":1}'
    client.request("POST", "/v1/dossiers", raw_body=raw, idempotency_key=KEY)
    assert [(s["key"], s["body"]) for s in server.seen] == [(KEY, raw), (KEY, raw)]


def test_a_post_without_a_key_is_never_repeated(serve):
    server, client = serve([503, 200])
    with pytest.raises(E.GatewayError):
        client.request("POST", "/v1/help-requests", json_body={"reason": "x"})
    assert len(server.seen) == 1 and server.seen[0]["key"] is None


def test_submit_dossier_retries_under_its_key(serve):
    server, client = serve([503, "cut", 503, 503])
    with pytest.raises(E.GatewayError):
        client.submit_dossier({"procedure_code": "1.001193"}, KEY)
    assert len(server.seen) == 4 and {s["key"] for s in server.seen} == {KEY}
