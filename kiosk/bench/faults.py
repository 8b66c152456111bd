"""``kiosk bench faults``: exactly-once under a bad network and a kiosk killed at random.

A fault-injecting proxy on 127.0.0.1 stands in front of the demo gateway.  For every fault
(refused, reset mid-request, answer dropped after the gateway committed, slow, 500 with a body
nested 100,000 deep, 503, malformed JSON, TLS failure: a proxy speaking garbage on a port the
client was told is https) and every operation (submit, pay = create payment + cash
confirmation, delivery booking, rating), one run:

1. a kiosk child process (the real ``GatewayService`` and ``Outbox``, through the proxy) does
   the operations and is SIGKILLed at a random point;
2. a second kiosk process starts on the same data folder with a healthy gateway: it delivers the
   outbox and, for what the citizen was told had failed (and what was under way at the kill),
   tries again with the same idempotency key, as the journey's draft does;
3. the gateway's own tables are counted.

The table: sent (operations started), queued (in the outbox at the kill), told (the citizen was
told to try again: never queued, e.g. a delivery booking), delivered (done at the gateway),
duplicates at the gateway, lost (started, not done, not set aside), set aside, provisional
(TAM- receipts the citizen was given) and unresolved (those that did not resolve to a dossier
code, or to delivered for a payment or a rating).
Goal: 0 lost, 0 duplicated, 0 unresolved in every cell.  Loopback only; bounded in count and
time (``--quick``: fewer operations per cell).
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DESCRIPTION = "exactly-once through a fault-injecting proxy, with the kiosk SIGKILLed at random"

FAULTS = ("refused", "reset", "drop_answer", "slow", "500", "503", "malformed", "tls")
OPERATIONS = ("submit", "pay", "delivery", "rating")
# which requests each operation's fault hits (method, path prefix, path suffix)
_TARGETS = {
    "submit": [("POST", "/v1/dossiers", "/v1/dossiers")],
    "pay": [("POST", "/v1/payments", "/v1/payments"), ("POST", "/v1/payments/", "/cash-confirmation")],
    "delivery": [("POST", "/v1/dossiers/", "/delivery")],
    "rating": [("POST", "/v1/ratings", "/v1/ratings")],
}
APPLICANT_ID = "001099012345"
CLIENT_TIMEOUT = 0.6
SLOW_SECONDS = 1.5
DEEP = b"[" * 100_000 + b"]" * 100_000


# -- the fault-injecting proxy ------------------------------------------------------------------


class FaultProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 in front of ``upstream`` (http://127.0.0.1:PORT).

    ``fault`` (changeable at any time) applies to requests ``matches`` accepts (all, by default);
    the others pass through.  One request per connection (the answer closes it).  Faults:
    ``ok``, ``refused`` (nothing listens on the port), ``reset`` (RST after the request's head,
    before the gateway saw anything), ``drop_answer`` (the gateway answered; the kiosk gets a
    RST instead), ``slow`` (the answer comes ``slow_seconds`` late), ``500`` (a body nested
    100,000 deep), ``503`` (Retry-After: 0), ``malformed`` (the gateway acted; the answer is cut
    JSON), ``tls`` (garbage bytes: the client was told https).  ``seen`` records what passed:
    (method, path, idempotency key, body, fault)."""

    def __init__(self, upstream: str, fault: str = "ok", *, matches=None, slow_seconds: float = SLOW_SECONDS):
        if not upstream.startswith("http://127.0.0.1:"):
            raise ValueError("the proxy forwards to http://127.0.0.1 only")
        self.upstream_port = int(upstream.rsplit(":", 1)[1].split("/")[0])
        self.matches = matches or (lambda method, path, key: True)
        self.slow_seconds = slow_seconds
        self.seen: list[tuple[str, str, str | None, bytes, str]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._listener: socket.socket | None = None
        self.port = 0
        self._fault = "ok"
        self._listen()
        self.fault = fault

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def fault(self) -> str:
        return self._fault

    @fault.setter
    def fault(self, value: str) -> None:
        if value not in FAULTS and value != "ok":
            raise ValueError(f"unknown fault {value!r}")
        with self._lock:
            self._fault = value
            if value == "refused" and self._listener is not None:
                self._listener.close()  # the accept loop ends; connects are refused
                self._listener = None
            elif value != "refused" and self._listener is None and not self._closed:
                self._listen()

    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self.port))
        except OSError:  # the old port was taken meanwhile: a new one (``url`` says which)
            sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True, name="fault-proxy").start()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    # -- one connection ---------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            fault = self._fault
            if fault == "tls":
                conn.recv(4096)  # the client's hello
                conn.sendall(b"HTTP/1.1 200 OK\r\nthis is not TLS\r\n\r\n" + os.urandom(64))
                return
            head = _read_head(conn)
            if head is None:
                return
            method, path, headers, rest = head
            if not self.matches(method, path, headers.get("idempotency-key")):
                fault = "ok"
            if fault == "reset":
                self._note(method, path, headers, b"", fault)
                _reset(conn)
                return
            body = _read_body(conn, headers, rest)
            self._note(method, path, headers, body, fault)
            if fault == "500":
                _answer(conn, 500, "application/problem+json", DEEP)
                return
            if fault == "503":
                _answer(conn, 503, "application/problem+json",
                        b'{"type":"unavailable","title":"injected","status":503}', extra="Retry-After: 0\r\n")
                return
            answer = self._forward(method, path, headers, body)
            if fault == "drop_answer":
                _reset(conn)
                return
            if fault == "slow":
                time.sleep(self.slow_seconds)
            if fault == "malformed":
                _answer(conn, 200, "application/json", b'{"code": "H26.99-', status_text="OK")
                return
            conn.sendall(answer)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _note(self, method, path, headers, body, fault) -> None:
        with self._lock:
            self.seen.append((method, path, headers.get("idempotency-key"), body, fault))

    def _forward(self, method: str, path: str, headers: dict, body: bytes) -> bytes:
        up = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        try:
            lines = [f"{method} {path} HTTP/1.1"]
            for name, value in headers.items():
                if name not in ("connection", "keep-alive", "content-length", "host"):
                    lines.append(f"{name}: {value}")
            lines += [f"Host: 127.0.0.1:{self.upstream_port}", "Connection: close", f"Content-Length: {len(body)}"]
            up.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            chunks = []
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            up.close()


def _read_head(conn: socket.socket):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, path, headers, rest


def _read_body(conn: socket.socket, headers: dict, rest: bytes) -> bytes:
    length = int(headers.get("content-length") or 0)
    body = rest
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return body[:length]


def _reset(conn: socket.socket) -> None:
    import struct

    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _answer(conn: socket.socket, status: int, ctype: str, body: bytes, *, extra: str = "",
            status_text: str = "Injected") -> None:
    head = (f"HTTP/1.1 {status} {status_text}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"{extra}Connection: close\r\n\r\n")
    conn.sendall(head.encode("latin-1") + body)


def matcher(operation: str, keys: set[str] | None = None):
    """The requests an operation's fault hits (only those carrying one of ``keys``, if given)."""
    targets = _TARGETS[operation]

    def matches(method: str, path: str, key: str | None = None) -> bool:
        path = path.split("?", 1)[0]
        if keys is not None and key not in keys:
            return False
        return any(method == m and path.startswith(prefix) and path.endswith(suffix)
                   and (prefix != suffix or path == prefix) for m, prefix, suffix in targets)

    return matches


# -- the kiosk side (a child process) -------------------------------------------------------------


def _submission(marker: str) -> dict:
    from kiosk.gateway.demo.samples import sample_submission

    return sample_submission(marker, id_number=APPLICANT_ID).to_json()


def _proof():
    from kiosk.gateway import models as M

    return M.ApplicantProof(id_number=APPLICANT_ID)


def _service(cell: dict, url: str):
    from kiosk import config
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.outbox import Outbox
    from kiosk.gateway.service import GatewayService

    settings = config.defaults(kiosk={"data_dir": cell["dir"], "kiosk_id": cell["kiosk"]})
    outbox = Outbox.from_settings(settings)
    client = GatewayClient(url, kiosk_id=cell["kiosk"], retries=1, backoff=0.01, max_backoff=0.05,
                           connect_timeout=CLIENT_TIMEOUT, read_timeout=CLIENT_TIMEOUT)
    service = GatewayService(settings, outbox=outbox, client=client, background=False)
    service.wait(10)
    return service, outbox, client


def _do(service, item: dict) -> dict:
    """One operation as the journeys do it; what the citizen was told."""
    from kiosk.gateway import errors as E
    from kiosk.gateway.outbox import ProvisionalReceipt

    op = item["op"]
    try:
        if op == "submit":
            result = service.submit(_submission(item["marker"]), item["keys"][0])
        elif op == "pay":
            payment = service.create_payment(item["code"], "cash", idempotency_key=item["keys"][0], proof=_proof())
            result = service.confirm_cash(payment.id, "staff.bench", payment.amount_vnd,
                                          idempotency_key=item["keys"][1])
        elif op == "delivery":
            address = {"province": "Thành phố Hà Nội", "ward": "Phường Ba Đình", "street": "1 Điện Biên Phủ"}
            result = service.book_delivery(item["code"], address, "Nguyễn Văn An", "0912345678",
                                           idempotency_key=item["keys"][0], proof=_proof())
        else:
            result = service.rate(4, "submit", idempotency_key=item["keys"][0])
    except E.GatewayError as exc:
        return {"outcome": "told", "error": exc.message_key}
    if isinstance(result, ProvisionalReceipt):
        return {"outcome": "provisional", "reference": result.reference}
    if result is None:
        return {"outcome": "told", "error": "dropped"}
    return {"outcome": "done"}


def child(argv: list[str]) -> int:
    """``python -m kiosk.bench.faults PHASE CELL.json``: run (phase 1) or recover (phase 2)."""
    phase, cell_file = argv
    cell = json.loads(Path(cell_file).read_text(encoding="utf-8"))
    out = sys.stdout
    if phase == "run":
        service, outbox, _client = _service(cell, cell["url"])
        for i, item in enumerate(cell["items"]):
            out.write(json.dumps({"i": i, "event": "start"}) + "\n")
            out.flush()
            out.write(json.dumps({"i": i, "event": "end", **_do(service, item)}) + "\n")
            out.flush()
        out.write(json.dumps({"event": "finished"}) + "\n")
        out.flush()
        return 0
    # recover: a restarted kiosk and a healthy gateway
    service, outbox, client = _service(cell, cell["healthy_url"])
    at_kill = {r["idempotency_key"]: r["state"] for r in outbox.items()}
    for _ in range(5):
        outbox.deliver(client)
        if not outbox.depth():
            break
    retried = []
    for i in cell["retry"]:
        item = cell["items"][i]
        retried.append({"i": i, **_do(service, item)})
    for _ in range(5):
        outbox.deliver(client)
        if not outbox.depth():
            break
    statuses = {}
    for ref in cell["references"]:
        st = outbox.provisional_status(ref)
        statuses[ref] = None if st is None else {"state": st.state, "code": st.dossier_code}
    report = {"at_kill": at_kill, "retried": retried, "statuses": statuses,
              "set_aside": outbox.set_aside(), "left": outbox.depth()}
    out.write(json.dumps(report) + "\n")
    out.flush()
    return 0


# -- the runner ---------------------------------------------------------------------------------


def _seed(gateway_url: str, kiosk: str, op: str, n: int) -> list[str]:
    """Dossiers the pay and delivery operations act on (made directly, before any fault)."""
    from kiosk.gateway.client import GatewayClient

    if op not in ("pay", "delivery"):
        return [""] * n
    codes = []
    with GatewayClient(gateway_url, kiosk_id=kiosk, retries=1) as c:
        for i in range(n):
            codes.append(c.submit_dossier(_submission(f"seed-{kiosk}-{i}"), str(uuid.uuid4())).code)
    return codes


def _count(store, op: str, kiosk: str, codes: list[str], keys: list[list[str]]) -> tuple[int, int]:
    """(operations done at the gateway, duplicates) for one cell, from the gateway's tables."""
    if op == "submit":
        n = store.query("SELECT COUNT(*) AS n FROM dossiers WHERE kiosk_id=?", (kiosk,))[0]["n"]
        done = sum(1 for k in keys if store.query("SELECT 1 FROM idempotency WHERE kiosk_id=? AND key=?",
                                                  (kiosk, k[0])))
        return done, max(0, n - done)
    if op == "rating":
        n = store.query("SELECT COUNT(*) AS n FROM ratings WHERE kiosk_id=?", (kiosk,))[0]["n"]
        done = sum(1 for k in keys if store.query("SELECT 1 FROM idempotency WHERE kiosk_id=? AND key=?",
                                                  (kiosk, k[0])))
        return done, max(0, n - done)
    done = dup = 0
    for code in codes:
        if op == "pay":
            rows = store.query("SELECT status FROM payments WHERE dossier_code=?", (code,))
            done += any(r["status"] == "paid" for r in rows)
            dup += max(0, len(rows) - 1)
        else:
            rows = store.query("SELECT COUNT(*) AS n FROM deliveries WHERE dossier_code=?", (code,))
            n = rows[0]["n"]
            done += n >= 1
            dup += max(0, n - 1)
    return done, dup


def _spawn(phase: str, cell_file: Path) -> subprocess.Popen:
    env = {**os.environ, "KIVY_NO_ARGS": "1"}
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "kiosk.bench.faults", phase, str(cell_file)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def run_cell(gateway, fault: str, op: str, n: int, rng: random.Random, workdir: Path) -> dict:
    kiosk = f"BF-{fault}-{op}-{uuid.uuid4().hex[:6]}"[:40]
    cell_dir = workdir / kiosk
    cell_dir.mkdir(parents=True)
    codes = _seed(gateway.base_url, kiosk, op, n)
    keys = [[str(uuid.uuid4()), str(uuid.uuid4())] for _ in range(n)]
    items = [{"op": op, "keys": keys[i], "code": codes[i], "marker": f"{kiosk}-{i}"} for i in range(n)]
    # pay: the fault hits the payment's creation for half the items, the cash confirmation for the others
    faulted = {k[i % 2] for i, k in enumerate(keys)} if op == "pay" else None
    proxy = FaultProxy(gateway.base_url, "ok", matches=matcher(op, faulted))
    proxy.fault = fault
    cell = {"dir": str(cell_dir), "kiosk": kiosk, "items": items,
            "url": proxy.tls_url if fault == "tls" else proxy.url, "healthy_url": proxy.url}
    cell_file = cell_dir / "cell.json"
    cell_file.write_text(json.dumps(cell), encoding="utf-8")
    # phase 1: the faults, and a SIGKILL at a random event (and a random few ms after it)
    events: dict[int, dict] = {}
    started: set[int] = set()
    kill_at = rng.randint(1, 2 * n)
    proc = _spawn("run", cell_file)
    seen = 0
    killed = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            break
        msg = json.loads(line)
        if msg.get("event") == "finished":
            break
        seen += 1
        if msg["event"] == "start":
            started.add(msg["i"])
        else:
            events[msg["i"]] = msg
        if seen >= kill_at:
            time.sleep(rng.uniform(0, 0.25))
            proc.send_signal(signal.SIGKILL)
            killed = True
            # whatever it managed to print before dying counts
            for rest in proc.stdout.read().splitlines():
                msg = json.loads(rest)
                if msg.get("event") == "start":
                    started.add(msg["i"])
                elif msg.get("event") == "end":
                    events[msg["i"]] = msg
            break
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    # phase 2: the kiosk restarts, the gateway is healthy
    proxy.fault = "ok"
    cell["healthy_url"] = proxy.url
    provisional = [e["reference"] for e in events.values() if e["outcome"] == "provisional"]
    retry = sorted(i for i in started if i not in events or events[i]["outcome"] == "told")
    cell.update(retry=retry, references=provisional)
    cell_file.write_text(json.dumps(cell), encoding="utf-8")
    rec = _spawn("recover", cell_file)
    out, _ = rec.communicate(timeout=120)
    proxy.close()
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    report = json.loads(lines[-1]) if lines else {"at_kill": {}, "retried": [], "statuses": {}, "set_aside": -1,
                                                  "left": -1}
    store = gateway.app.state.store
    done, dup = _count(store, op, kiosk, codes, [keys[i] for i in sorted(started)])
    unresolved = 0
    for ref in provisional:
        st = report["statuses"].get(ref)
        if not st or st["state"] != "delivered" or (op == "submit" and not st["code"]):
            unresolved += 1
    queued = sum(1 for state in report["at_kill"].values() if state in ("queued", "sending", "set_aside"))
    told = sum(1 for e in events.values() if e["outcome"] == "told")
    sent = len(started)
    set_aside = report["set_aside"]
    return {"fault": fault, "op": op, "sent": sent, "queued": queued, "told": told, "delivered": done,
            "duplicates": dup, "lost": max(0, sent - done - max(0, set_aside)), "set_aside": set_aside,
            "provisional": len(provisional), "unresolved": unresolved, "killed": killed}


def add_arguments(p) -> None:
    p.add_argument("--quick", action="store_true", help="2 operations per cell instead of 10 (under a minute)")
    p.add_argument("--per-cell", type=int, help="operations per cell (default 10, --quick 2)")
    p.add_argument("--seed", type=int, default=15, help="random seed of the kill points")
    p.add_argument("--faults", default=",".join(FAULTS), help="comma-separated faults (default: all)")
    p.add_argument("--ops", default=",".join(OPERATIONS), help="comma-separated operations (default: all)")
    p.add_argument("--parallel", type=int, default=6, help="cells run at once (default 6)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON as well")


def run(args) -> int:
    from kiosk.gateway.embedded import EmbeddedGateway

    n = args.per_cell or (2 if args.quick else 10)
    faults = [f for f in args.faults.split(",") if f]
    ops = [o for o in args.ops.split(",") if o]
    bad = [f for f in faults if f not in FAULTS] + [o for o in ops if o not in OPERATIONS]
    if bad:
        print(f"kiosk bench faults: unknown {bad}; faults: {', '.join(FAULTS)}; operations: {', '.join(OPERATIONS)}",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-faults-") as tmp:
        workdir = Path(tmp)
        # results are ready at once (delivery can be booked), the simulated bank never pays by itself
        gateway = EmbeddedGateway(None, db_path=workdir / "gateway.sqlite3",
                                  app_kwargs={"bank_delay": 3600.0, "progress_step": 0.0})
        gateway.start()
        try:
            master = random.Random(args.seed)
            jobs = [(f, o, random.Random(master.random())) for f in faults for o in ops]
            with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
                rows = list(pool.map(lambda job: run_cell(gateway, job[0], job[1], n, job[2], workdir), jobs))
        finally:
            gateway.stop()
    elapsed = time.monotonic() - started
    print_table(rows, n, elapsed)
    if args.json:
        print(json.dumps(rows))
    return 0


COLUMNS = ("sent", "queued", "told", "delivered", "duplicates", "lost", "set_aside", "provisional", "unresolved")


def print_table(rows: list[dict], n: int, elapsed: float) -> None:
    print(f"kiosk bench faults: {n} operation(s) per cell, the kiosk SIGKILLed once per cell "
          f"at a random point, then restarted against a healthy gateway ({elapsed:.1f} s)")
    head = f"{'fault':<12} {'operation':<9} " + " ".join(f"{c:>10}" for c in COLUMNS)
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['fault']:<12} {r['op']:<9} " + " ".join(f"{r[c]:>10}" for c in COLUMNS))
    print("-" * len(head))
    total = {c: sum(r[c] for r in rows) for c in COLUMNS}
    print(f"{'total':<12} {'':<9} " + " ".join(f"{total[c]:>10}" for c in COLUMNS))
    bad = [r for r in rows if r["lost"] or r["duplicates"] or r["unresolved"]]
    print("goal met: 0 lost, 0 duplicated, every provisional receipt resolved, in every cell" if not bad
          else f"GOAL MISSED in {len(bad)} cell(s)")


if __name__ == "__main__":
    sys.exit(child(sys.argv[1:]))
