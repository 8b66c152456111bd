"""Tests written against surviving mutants of the module's security checks (scripts/mutation)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests
from gw_faults import DOSSIER, closed_port
from urllib3 import exceptions as u3

from kiosk import config
from kiosk.gateway import client as C
from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.demo.samples import sample_submission

KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
CODE = "H26.99-241125-0001"
RECEIPT = {"code": CODE, "status": "received", "procedure": DOSSIER["procedure"],
           "received_at": "2026-11-29T08:00:00Z", "fee": DOSSIER["fee"]}
PAYMENT = {"id": "PAY_1-a", "dossier_code": CODE, "amount_vnd": 5, "method": "cash", "status": "paid",
           "qr_payload": None, "created_at": "2026-11-29T08:00:00Z", "expires_at": "2026-11-29T09:00:00Z"}
RECORD = {"key": KEY, "status": 201, "response": {"code": CODE, "status": "received"},
          "created_at": "2026-11-29T08:00:00Z"}


class Scripted(ThreadingHTTPServer):
    """A gateway on 127.0.0.1 that answers from a script: one ``(status, headers, body)`` per
    request (then 200 ``{"ok": true}``), or "cut" (the connection closed without a word);
    every request is recorded (method, path, headers, body)."""

    daemon_threads = True

    def __init__(self, script=()):
        self.script = list(script)
        self.seen: list[SimpleNamespace] = []
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _answer(self):
        server: Scripted = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.seen.append(SimpleNamespace(method=self.command, path=self.path, headers=dict(self.headers),
                                           body=body))
        step = server.script.pop(0) if server.script else (200, {}, {"ok": True})
        if step == "cut":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        status, headers, payload = step
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", **headers}
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer


def problem(status, type_="fault", **headers):
    return (status, {"Content-Type": "application/problem+json", **headers},
            json.dumps({"type": type_, "title": "t", "status": status}).encode())


@pytest.fixture
def gw():
    servers = []

    def start(*script):
        server = Scripted(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def make(url, **kw):
    sleeps: list[float] = []
    kw.setdefault("retries", 0)
    kw.setdefault("connect_timeout", 1)
    kw.setdefault("read_timeout", 5)
    client = C.GatewayClient(url, kiosk_id=kw.pop("kiosk_id", "KIOSK-G1"), sleep=sleeps.append, **kw)
    client.sleeps = sleeps
    return client


# -- what every request carries -----------------------------------------------------------------


def test_every_request_names_the_kiosk_its_token_and_asks_for_json(gw):
    server = gw()
    client = make(server.url + "/", token="s3cret-token")
    client.request("POST", "/v1/x", json_body={"a": 1}, idempotency_key=KEY)
    (seen,) = server.seen
    assert seen.path == "/v1/x"  # the base URL's trailing slash does not double
    assert seen.headers["Authorization"] == "Bearer s3cret-token"
    assert seen.headers["X-Kiosk-Id"] == "KIOSK-G1"
    assert seen.headers["User-Agent"] == "kiosk-gateway-client/1"
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["Idempotency-Key"] == KEY
    assert seen.body == b'{"a":1}'


def test_no_token_no_kiosk_id_no_body_sends_none_of_those_headers(gw):
    server = gw()
    C.GatewayClient(server.url).request("GET", "/v1/x")
    headers = server.seen[0].headers
    assert not {"Authorization", "X-Kiosk-Id", "Content-Type", "Idempotency-Key"} & set(headers)


def test_query_parameters_are_sent(gw):
    server = gw()
    make(server.url).request("GET", "/v1/procedures", params={"q": "khai sinh/&", "limit": 5})
    assert server.seen[0].path == "/v1/procedures?q=khai+sinh%2F%26&limit=5"


def test_only_http_urls(gw):
    for bad in ("ftp://gw.example", "gw.example", "file:///etc/passwd"):
        with pytest.raises(ValueError) as info:
            C.GatewayClient(bad)
        assert str(info.value) == "base_url must be an http(s) URL"
    # a base path keeps every character but its trailing slashes
    assert C.GatewayClient("https://gw.example/API-X//").base_url == "https://gw.example/API-X"


def test_a_client_made_without_options_verifies_tls_and_bounds_every_wait():
    """The constructor's defaults are the safe ones: whatever builds a client without settings
    (a tool, a test gateway, a future caller) still verifies the gateway's certificate, gives up
    on a silent gateway and retries only a few times."""
    client = C.GatewayClient("https://gw.example")
    assert client.session.verify is True
    assert client.timeout == (3.0, 15.0)
    assert (client.retries, client.backoff, client.max_backoff) == (3, 0.25, 4.0)
    assert client.kiosk_id is None and make("https://gw.example", kiosk_id="KIOSK-7").kiosk_id == "KIOSK-7"


@pytest.mark.parametrize("raised,error,message", [
    (requests.exceptions.SSLError("certificate verify failed"), E.GatewayTlsError, "TLS failure: SSLError"),
    (requests.exceptions.ConnectTimeout("connect"), E.GatewayTimeout, "connect timeout"),
    (requests.exceptions.ReadTimeout("read"), E.GatewayTimeout, "read timeout"),
    # the kernel gave up on the connection (SYNs unanswered): a timeout, not a refusal
    (requests.exceptions.ConnectionError("NewConnectionError: [Errno 110] Connection timed out"), E.GatewayTimeout,
     "timeout while reading"),
    (requests.exceptions.ConnectionError("[Errno 111] Connection refused"), E.GatewayUnavailable,
     "connection failed: ConnectionError"),
    (requests.exceptions.ProxyError("proxy"), E.GatewayUnavailable, "connection failed: ProxyError"),
    (requests.exceptions.ChunkedEncodingError("chunk"), E.GatewayUnavailable, "request failed: ChunkedEncodingError"),
])
def test_each_transport_failure_is_its_typed_error(monkeypatch, raised, error, message):
    """What the citizen and the technician read: a certificate that does not verify, a timeout
    (try again) and a gateway that cannot be reached are told apart, and the detail names only
    the kind of failure."""
    client = make("https://gw.example")

    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr(client.session, "request", fail)
    with pytest.raises(E.GatewayError) as info:
        client.request("GET", "/v1/x")
    assert type(info.value) is error and str(info.value) == message


def test_proxies_from_the_environment_are_ignored(gw, monkeypatch):
    """A proxy set in the environment (a tampered unit file, a shell) never sees the kiosk's
    calls: the client talks to the gateway it was given."""
    server = gw()
    dead_proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert make(server.url).request("GET", "/v1/x") == {"ok": True}


def test_a_redirect_is_not_followed(gw):
    """A 3xx could send the kiosk's token and the citizen's data elsewhere: it is a bad answer."""
    server = gw((302, {"Location": "/v1/elsewhere"}, b""), (300, {}, {"ok": True}))
    client = make(server.url)
    with pytest.raises(E.GatewayBadResponse, match="unexpected status 302") as info:
        client.request("POST", "/v1/dossiers", raw_body=b"{}", idempotency_key=KEY)
    assert info.value.status == 302
    with pytest.raises(E.GatewayBadResponse, match="unexpected status 300"):
        client.request("GET", "/v1/x")
    assert [s.path for s in server.seen] == ["/v1/dossiers", "/v1/x"]


def test_the_transport_never_retries_on_its_own(gw):
    """Only ``request`` decides what is repeated: a cut connection on a GET with no retries left
    is one request at the gateway, not one per urllib3 retry."""
    server = gw("cut", "cut")
    with pytest.raises(E.GatewayUnavailable):
        make(server.url, retries=0).request("GET", "/v1/x")
    assert len(server.seen) == 1


# -- settings ---------------------------------------------------------------------------------------


def test_from_settings_carries_timeouts_retries_kiosk_and_token(gw, tmp_path):
    server = gw()
    token = tmp_path / "token"
    token.write_text("\n  tok-en_1  \nsecond\n", encoding="utf-8")
    s = config.defaults(kiosk={"kiosk_id": "KIOSK-S1"},
                        gateway={"url": server.url, "connect_timeout": 2, "read_timeout": 7, "retries": 2,
                                 "token_file": str(token)})
    client = C.GatewayClient.from_settings(s)
    assert client.timeout == (2, 7) and client.retries == 2 and client.session.verify is True
    client.request("GET", "/v1/x")
    assert server.seen[0].headers["Authorization"] == "Bearer tok-en_1"
    assert server.seen[0].headers["X-Kiosk-Id"] == "KIOSK-S1"


def test_from_settings_tls_options(tmp_path):
    off = config.defaults(gateway={"url": "https://gw.example", "verify_tls": False, "ca_bundle": "ca.pem",
                                   "client_cert": "both.pem"})
    client = C.GatewayClient.from_settings(off)
    assert client.session.verify is False  # a CA bundle does not turn verification back on by itself
    assert client.session.cert == str(off.resolve_path("both.pem"))  # one PEM with certificate and key
    on = config.defaults(gateway={"url": "https://gw.example", "ca_bundle": "ca.pem"})
    assert C.GatewayClient.from_settings(on).session.verify == str(on.resolve_path("ca.pem"))
    assert C.GatewayClient.from_settings(on).session.cert is None


def test_url_embedded_starts_the_embedded_gateway_for_these_settings(monkeypatch):
    from kiosk.gateway import embedded

    started = []
    s = config.defaults(gateway={"url": "embedded"})
    monkeypatch.setattr(embedded, "shared", lambda settings: SimpleNamespace(
        start=lambda: started.append(settings) or "http://127.0.0.1:8765"))
    client = C.GatewayClient.from_settings(s)
    assert client.base_url == "http://127.0.0.1:8765" and started == [s]
    assert C.GatewayClient.from_settings(s, base_url="http://127.0.0.1:1").base_url == "http://127.0.0.1:1"
    assert len(started) == 1


EMPTY = "token_file: empty"
SPACED = "token_file: the token contains spaces or control characters"


@pytest.mark.parametrize("text,why", [("", EMPTY), ("\n \n", EMPTY), ("tok en", SPACED), ("tok\x01en", SPACED),
                                      ("tok\x7fen", None), ("!tok!", None), ("Đồng-ý", None)])
def test_read_token_refuses_blank_or_spaced_tokens(tmp_path, text, why):
    path = tmp_path / "token"
    path.write_text(text, encoding="utf-8")
    if why is None:
        assert C.read_token(path) == text  # DEL (0x7f) is printable enough for a bearer token
        return
    with pytest.raises(ValueError) as info:
        C.read_token(path)
    assert str(info.value) == why


# -- retries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_idempotent_methods_are_retried(gw, method):
    server = gw(problem(503), problem(503), (204, {}, b""))
    assert make(server.url, retries=2).request(method, "/v1/x") is None
    assert len(server.seen) == 3


def test_a_post_is_retried_only_under_a_key_and_never_beyond_the_retries(gw):
    server = gw(*[problem(502)] * 6)
    client = make(server.url, retries=2)
    with pytest.raises(E.GatewayUnavailable):
        client.request("POST", "/v1/x", json_body={})
    assert len(server.seen) == 1
    with pytest.raises(E.GatewayUnavailable):
        client.request("POST", "/v1/x", json_body={}, idempotency_key=KEY)
    assert len(server.seen) == 4


def test_negative_retries_mean_one_attempt(gw):
    server = gw(problem(503), problem(503))
    client = make(server.url, retries=-3)
    assert client.retries == 0
    with pytest.raises(E.GatewayUnavailable):
        client.request("GET", "/v1/x")
    assert len(server.seen) == 1 and client.sleeps == []


def test_backoff_doubles_with_jitter_and_is_capped(gw, monkeypatch):
    monkeypatch.setattr(C.random, "random", lambda: 0.5)  # jitter factor 0.75
    server = gw(*[problem(500)] * 4)
    client = make(server.url, retries=3, backoff=1.0, max_backoff=3.0)
    with pytest.raises(E.GatewayUnavailable):
        client.request("GET", "/v1/x")
    assert client.sleeps == [0.75, 1.5, 2.25]  # 1, 2, then 4 capped at 3; each × 0.75


def test_retry_after_is_obeyed_but_capped(gw):
    server = gw(problem(503, **{"Retry-After": "2"}), problem(429, **{"Retry-After": " 3600 "}),
                problem(503, **{"Retry-After": "soon"}), (200, {}, {"ok": True}))
    client = make(server.url, retries=3, backoff=0.0, max_backoff=10.0)
    assert client.request("GET", "/v1/x") == {"ok": True}
    assert client.sleeps == [2.0, 10.0, 0.0]  # an hour asked: the cap; not a number: the backoff (0 here)


def test_each_retry_is_logged_with_its_cause_and_count(gw, caplog):
    """What a technician reads in the log: which call, why it failed, which attempt of how many."""
    server = gw(problem(503), problem(504), (200, {}, {"ok": True}))
    with caplog.at_level("INFO", logger="kiosk.gateway.client"):
        assert make(server.url, retries=2).request("GET", "/v1/x") == {"ok": True}
    assert [r.getMessage() for r in caplog.records if r.name == "kiosk.gateway.client"] == [
        "gateway GET /v1/x failed (gateway.unavailable), attempt 1/3",
        "gateway GET /v1/x failed (gateway.unavailable), attempt 2/3"]
    # the last failure is raised, not logged as one more retry
    caplog.clear()
    server = gw(problem(503), problem(503))
    with caplog.at_level("INFO", logger="kiosk.gateway.client"), pytest.raises(E.GatewayUnavailable):
        make(server.url, retries=1).request("GET", "/v1/x")
    assert [r.getMessage() for r in caplog.records if r.name == "kiosk.gateway.client"] == [
        "gateway GET /v1/x failed (gateway.unavailable), attempt 1/2"]


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", ["\u00b2", "1\u00b3", "\u00b9\u00b2"])
def test_a_retry_after_of_superscript_digits_is_no_number_not_a_crash(gw, status, value):
    """Header values arrive as Latin-1, where '²' and '³' are digits to ``str.isdigit`` but not
    numbers to ``float``: such an answer is the gateway's typed refusal, never a ValueError."""
    server = gw(problem(status, **{"Retry-After": value}))
    with pytest.raises(E.GatewayUnavailable) as info:
        make(server.url).request("GET", "/v1/x")
    assert info.value.status == status and info.value.retry_after is None


def test_a_429_is_unavailable_and_retried(gw):
    server = gw(problem(429), (200, {}, {"ok": True}))
    assert make(server.url, retries=1).request("GET", "/v1/x") == {"ok": True}
    with pytest.raises(E.GatewayUnavailable) as info:
        make(gw(problem(429, **{"Retry-After": "5"})).url).request("GET", "/v1/x")
    assert info.value.status == 429 and info.value.retry_after == 5.0


# -- answers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status,error", [
    (400, E.InvalidRequest), (401, E.GatewayAuthError), (402, E.InvalidRequest), (403, E.GatewayAuthError),
    (404, E.NotFound), (405, E.InvalidRequest), (409, E.Conflict), (410, E.InvalidRequest),
    (428, E.InvalidRequest), (429, E.GatewayUnavailable), (430, E.InvalidRequest), (499, E.InvalidRequest),
    (500, E.GatewayUnavailable), (501, E.GatewayUnavailable), (599, E.GatewayUnavailable)])
def test_each_status_is_its_typed_error(gw, status, error):
    server = gw(problem(status, "something_else"))
    with pytest.raises(E.GatewayError) as info:
        make(server.url).request("POST", "/v1/x", json_body={})
    assert type(info.value) is error and info.value.status == status
    # the gateway's problem type travels with a refusal (the outbox records it as the set-aside reason)
    detail = {429: "rate limited"}.get(status, f"gateway answered {status}" if status >= 500 else "something_else")
    assert info.value.detail == detail


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("type_", ["applicant_proof_required", "applicant_proof_mismatch"])
def test_a_refused_applicant_proof_is_its_own_error(gw, status, type_):
    server = gw(problem(status, type_))
    with pytest.raises(E.ApplicantProofRefused) as info:
        make(server.url).request("POST", "/v1/payments", json_body={})
    assert str(info.value) == type_


def test_the_problem_type_is_read_only_from_a_json_object(gw):
    for body in (b'["applicant_proof_required"]', b'{"type": 7}', b"not json", b"\xff\xfe", b"[" * 5000):
        server = gw((403, {"Content-Type": "application/problem+json"}, body))
        with pytest.raises(E.GatewayAuthError) as info:
            make(server.url).request("GET", "/v1/x")
        assert type(info.value) is E.GatewayAuthError and info.value.detail == ""


def test_not_found_is_the_callers_kind(gw):
    server = gw(problem(404, "no_such_dossier"), problem(404))
    with pytest.raises(E.DossierNotFound):
        make(server.url).lookup_dossier(CODE)
    with pytest.raises(E.NotFound) as info:
        make(server.url).request("GET", "/v1/x")
    assert type(info.value) is E.NotFound and str(info.value) == "fault"


@pytest.mark.parametrize("answer", [(200, {"Content-Type": "application/json"}, b""), (204, {}, b"")])
def test_an_empty_success_is_none(gw, answer):
    assert make(gw(answer).url).request("POST", "/v1/x", json_body={}) is None


def test_an_answer_without_a_content_type_is_a_bad_response(gw):
    server = gw((200, {}, json.dumps(DOSSIER).encode()))
    with pytest.raises(E.GatewayBadResponse, match="no content type"):
        make(server.url).request("GET", "/v1/x")


def test_an_undecodable_success_is_a_bad_response_that_keeps_its_status(gw):
    server = gw((200, {}, json.dumps(DOSSIER).encode()), (201, {"Content-Type": "application/json"}, b'{"a": '),
                (202, {"Content-Type": "text/html"}, b"<html>"))
    client = make(server.url)
    for status, message in ((200, "expected JSON, got no content type"), (201, "malformed JSON"),
                            (202, "expected JSON, got text/html")):
        with pytest.raises(E.GatewayBadResponse) as info:
            client.request("GET", "/v1/x")
        assert (info.value.status, str(info.value)) == (status, message)


def test_a_gzip_answer_is_decoded_and_measured_decoded(gw):
    small = gzip.compress(json.dumps(DOSSIER).encode())
    bomb = gzip.compress(b" " * (C.MAX_BODY_BYTES + 1) + b"{}")  # 4 KB on the wire, 4 MB inside
    server = gw((200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, small),
                (200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, bomb))
    client = make(server.url)
    assert client.lookup_dossier(CODE).code == CODE
    with pytest.raises(E.GatewayBadResponse) as info:
        client.request("GET", "/v1/x")
    assert str(info.value) == "response too large"


def test_the_size_limit_is_on_the_whole_body_not_each_read(gw):
    at_limit = b'"' + b"a" * (C.MAX_BODY_BYTES - 2) + b'"'
    server = gw((200, {"Content-Type": "application/json"}, at_limit),
                (200, {"Content-Type": "application/json"}, at_limit[:-1] + b'a"'),
                problem(500, **{"X-Pad": "x"}))
    client = make(server.url)
    assert len(client.request("GET", "/v1/x")) == C.MAX_BODY_BYTES - 2
    with pytest.raises(E.GatewayBadResponse) as info:
        client.request("GET", "/v1/x")
    assert str(info.value) == "response too large"


class _Raw:
    """A response body arriving in chunks, each at a time of a fake clock."""

    def __init__(self, clock, chunks):
        self.clock, self.chunks = clock, list(chunks)

    def read1(self, amt, decode_content=False):
        if not self.chunks:
            return b""
        at, chunk = self.chunks.pop(0)
        self.clock[0] = at
        return chunk


def test_the_whole_answer_must_arrive_by_connect_plus_twice_read_timeout(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(C.time, "monotonic", lambda: clock[0])
    client = make("http://127.0.0.1:9", connect_timeout=1.0, read_timeout=2.0)  # deadline: 100 + 1 + 2 × 2
    ok = SimpleNamespace(raw=_Raw(clock, [(101.0, b"a"), (105.0, b"b")]))
    assert client._read_body(ok, 100.0) == b"ab"
    late = SimpleNamespace(raw=_Raw(clock, [(101.0, b"a"), (105.001, b"b"), (105.002, b"c")]))
    with pytest.raises(E.GatewayTimeout) as info:
        client._read_body(late, 100.0)
    assert str(info.value) == "response took too long"


def test_each_read_asks_for_a_bounded_piece_of_the_decoded_body():
    """A compressed answer is decoded a piece at a time: with no size asked (``read1(None)``) one
    read could inflate a whole gzip bomb in memory before the size limit is checked."""
    asked: list = []

    class Counting(_Raw):
        def read1(self, amt, decode_content=False):
            asked.append((amt, decode_content))
            return super().read1(amt, decode_content)

    clock = [0.0]
    client = make("http://127.0.0.1:9")
    body = Counting(clock, [(0.0, b"a"), (0.0, b"b")])
    assert client._read_body(SimpleNamespace(raw=body), C.time.monotonic()) == b"ab"
    assert len(asked) == 3 and all(amt is not None and 0 < amt <= 64 * 1024 and decode for amt, decode in asked)


class _Breaking:
    """A response body whose reading fails with ``error`` after a first chunk."""

    def __init__(self, error):
        self.error, self.sent = error, False

    def read1(self, amt, decode_content=False):
        if self.sent:
            raise self.error
        self.sent = True
        return b'{"a": '


@pytest.mark.parametrize("error,kind,message", [
    (u3.ReadTimeoutError(None, "/v1/x", "read timed out"), E.GatewayTimeout, "read timeout"),
    (u3.SSLError("bad record mac"), E.GatewayTlsError, "TLS failure while reading"),
    (u3.ProtocolError("connection reset"), E.GatewayUnavailable, "connection broken: ProtocolError"),
    (u3.DecodeError("bad gzip"), E.GatewayUnavailable, "connection broken: DecodeError"),
    (ConnectionResetError(104, "reset"), E.GatewayUnavailable, "connection broken: ConnectionResetError"),
])
def test_a_body_broken_off_midway_is_its_typed_error(error, kind, message):
    """An answer cut in the middle of its body (timeout, TLS record error, reset, bad
    compression) is never half-read as a success, and says which failure it was."""
    client = make("http://127.0.0.1:9")
    with pytest.raises(E.GatewayError) as info:
        client._read_body(SimpleNamespace(raw=_Breaking(error)), C.time.monotonic())
    assert type(info.value) is kind and str(info.value) == message


def test_latency_is_measured(gw):
    client = make(gw().url)
    client.request("GET", "/v1/x")
    assert 0 <= client.last_latency < 5


def test_a_list_answer_is_checked_against_the_contract(gw):
    province = {"code": "01", "name": "Hà Nội", "kind": "city"}
    server = gw((200, {}, [province]), (200, {}, [province, {"code": "02"}]), (200, {}, {"not": "a list"}))
    client = make(server.url)
    assert client.provinces()[0].name == "Hà Nội"
    for _ in range(2):
        with pytest.raises(E.GatewayBadResponse, match="contract"):
            client.provinces()


def test_parse_turns_any_reading_failure_into_a_bad_response():
    deep: list = []
    for _ in range(5_000):  # deeper than the recursion limit
        deep = [deep]
    for kind, data in ((M.Dossier, None), (M.Dossier, {"code": 1}), (list[M.Province], deep),
                       (M.RatingAck, {"id": "x"})):
        with pytest.raises(E.GatewayBadResponse, match="does not follow the contract"):
            C.GatewayClient._parse(kind, data)
    # a failure that is not the schema's own names its kind only (no data from the answer)
    with pytest.raises(E.GatewayBadResponse) as info:
        C.GatewayClient._parse(list[M.Province], deep)
    assert str(info.value) == "response does not follow the contract: RecursionError"


# -- input checks before any call -------------------------------------------------------------------


def test_idempotency_keys_are_8_to_80_safe_characters(gw):
    server = gw(*[(200, {}, RECORD)] * 4)
    client = make(server.url)
    for good in ("a" * 8, "A-z_0-9" + "x" * 73, KEY):
        assert client.idempotency_record(good).status == 201
    for bad in (None, "", "a" * 7, "a" * 81, "abc def12", "abc/../x", "ключ-ключ-ключ", KEY + "\n"):
        with pytest.raises(ValueError) as info:
            client.idempotency_record(bad)
        assert str(info.value) == "an idempotency key of 8-80 letters, digits, '-' or '_' is required (e.g. a UUID)"
        with pytest.raises(ValueError):
            client.rate_body(b"{}", bad)
        with pytest.raises(ValueError):
            client.submit_dossier(b"{}", bad)
    assert [s.path for s in server.seen] == [f"/v1/idempotency/{k}" for k in ("a" * 8, "A-z_0-9" + "x" * 73, KEY)]


def test_idempotency_record_none_only_when_the_gateway_never_completed_the_key(gw):
    server = gw(problem(404, "no_record"), (200, {}, RECORD), (200, {}, {"key": KEY}), problem(503))
    client = make(server.url)
    assert client.idempotency_record(KEY) is None
    record = client.idempotency_record(KEY)
    assert (record.key, record.status, record.response) == (KEY, 201, RECORD["response"])
    with pytest.raises(E.GatewayBadResponse):
        client.idempotency_record(KEY)
    with pytest.raises(E.GatewayUnavailable):  # a gateway down is not "never completed"
        client.idempotency_record(KEY)


@pytest.mark.parametrize("pid", ["", "a" * 65, "p/../x", "p x", "p\n", None, 7])
def test_payment_ids_are_checked_before_any_call(gw, pid):
    server = gw()
    client = make(server.url)
    for call in (lambda: client.payment_status(pid), lambda: client.confirm_cash_body(pid, b"{}", KEY)):
        with pytest.raises(E.InvalidRequest) as info:
            call()
        assert info.value.reason == "bad-payment_id" and "malformed payment_id" in str(info.value)
    assert server.seen == []


def test_a_replayed_cash_body_goes_as_it_is_under_its_key(gw):
    server = gw((200, {}, PAYMENT), (200, {}, PAYMENT), (200, {}, {"id": 7}), (201, {}, RECEIPT))
    client = make(server.url)
    assert client.confirm_cash_body("a" * 64, b'{"x": 1}', KEY).status == "paid"
    assert client.confirm_cash_body("PAY_1-Z", b'{"x": 1}', KEY).status == "paid"
    assert client.rate_body(b'{"score":5}', KEY) == 7
    client.submit_dossier(bytearray(b'{"s":1}'), KEY)
    assert [(s.method, s.path, s.body, s.headers["Idempotency-Key"]) for s in server.seen] == [
        ("POST", f"/v1/payments/{'a' * 64}/cash-confirmation", b'{"x": 1}', KEY),
        ("POST", "/v1/payments/PAY_1-Z/cash-confirmation", b'{"x": 1}', KEY),
        ("POST", "/v1/ratings", b'{"score":5}', KEY), ("POST", "/v1/dossiers", b'{"s":1}', KEY)]


def test_dossier_codes_are_checked_before_any_call(gw):
    server = gw()
    client = make(server.url)
    for bad in ("", "H26/../x", "bad code!", None):
        with pytest.raises(E.InvalidRequest) as info:
            client.create_payment(bad, "cash", idempotency_key=KEY)
        assert info.value.reason and str(info.value) == "malformed dossier code"
    assert server.seen == []


def test_a_path_segment_can_never_add_a_segment():
    assert C._seg("a/b") == "a%2Fb" and C._seg("../x") == "..%2Fx" and C._seg(7) == "7"
    assert C._seg("a b?c#d%") == "a%20b%3Fc%23d%25"


def test_an_id_number_travels_over_tls_or_to_this_machine_only():
    proof = M.ApplicantProof(id_number="001099012345")
    claim = M.ApplicantProof(claim_code="ABCD-EFGH")
    port = closed_port()
    for url in ("http://127.0.0.2", "http://gw.example", "http://10.0.0.1:8080"):
        client = make(url, connect_timeout=0.2)
        for call in (lambda c=client: c.create_payment(CODE, "cash", idempotency_key=KEY, proof=proof),
                     lambda c=client: c.demo_confirm_payment("PAY1", proof=proof)):
            with pytest.raises(E.InvalidRequest) as info:
                call()
            assert info.value.reason == "insecure-transport" and str(info.value) == "an ID number is sent over TLS only"
    # to this machine, over TLS, or with a claim code only: it goes (to a closed port here)
    for url, p in ((f"http://127.0.0.1:{port}", proof), (f"http://localhost:{port}", proof),
                   (f"http://[::1]:{port}", proof), (f"https://127.0.0.2:{port}", proof),
                   (f"http://127.0.0.2:{port}", claim), (f"http://127.0.0.2:{port}", None)):
        with pytest.raises((E.GatewayUnavailable, E.GatewayTimeout)):
            make(url, connect_timeout=0.5).create_payment(CODE, "cash", idempotency_key=KEY, proof=p)


# -- bodies -------------------------------------------------------------------------------------------


def test_a_body_is_compact_utf8_json_or_refused():
    assert C.encode_body({"tên": "Nguyễn", "n": [1, 2]}) == '{"tên":"Nguyễn","n":[1,2]}'.encode()
    assert C.submission_body(b"raw") == b"raw" and C.submission_body(bytearray(b"ra")) == b"ra"
    assert C.submission_body({"a": None}) == b'{"a":null}'
    submission = sample_submission("guard")  # a contract object: its JSON form, not the object
    sent = C.submission_body(submission)
    assert sent == C.encode_body(submission.to_json()) and b'"guard"' in sent
    loop: list = []
    loop.append(loop)
    for bad, error in (({"x": float("nan")}, "ValueError"), ({"x": float("inf")}, "ValueError"),
                       ({"x": object()}, "TypeError"), ({1j: 2}, "TypeError"), (loop, "ValueError")):
        with pytest.raises(E.InvalidRequest) as info:
            C.encode_body(bad)
        assert info.value.reason == "not-json" and str(info.value) == f"the request is not JSON: {error}"
