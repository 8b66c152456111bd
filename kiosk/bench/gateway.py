"""``kiosk bench gateway``: dossier-lookup latency with 1 and N concurrent simulated kiosks
against the demo gateway, and the outbox's enqueue/deliver throughput with the cost of its
durability (synchronous=FULL vs NORMAL, with and without encryption).  Prints; never asserts."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

DESCRIPTION = "gateway lookup latency (1 and 32 kiosks) and outbox throughput"

CODES = [f"H26.99-241125-000{i}" for i in range(1, 8)]


def add_arguments(parser) -> None:
    parser.add_argument("--url", default=None, help="benchmark this gateway instead of a fresh demo gateway")
    parser.add_argument("--kiosks", default="1,32", help="comma-separated concurrency levels (default 1,32)")
    parser.add_argument("--requests", type=int, default=200, help="lookups per simulated kiosk (default 200)")
    parser.add_argument("--outbox-items", type=int, default=300, help="items per outbox run (default 300)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # demo mode (open, as the kiosks here name themselves), with no look-up limit: latency is measured
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway", "serve", "--demo", "--port", str(port),
                             "--lookup-burst", "1000000", "--lookup-rate", "1000000",
                             "--db", str(tmp / "bench-gateway.sqlite3")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/v1/health", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the demo gateway did not start")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def _lookups(url: str, kiosks: int, per_kiosk: int) -> dict:
    from kiosk.gateway.client import GatewayClient

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(kiosks)

    def kiosk(n: int) -> None:
        client = GatewayClient(url, kiosk_id=f"BENCH-{n:02d}", retries=0, read_timeout=30)
        mine = []
        client.lookup_dossier(CODES[0])  # warm the connection
        barrier.wait()
        for i in range(per_kiosk):
            t = time.perf_counter()
            try:
                client.lookup_dossier(CODES[(n + i) % len(CODES)])
            except Exception:  # noqa: BLE001 - counted, not fatal
                with lock:
                    errors[0] += 1
                continue
            mine.append((time.perf_counter() - t) * 1000)
        client.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(kiosks)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"kiosks": kiosks, "n": len(latencies), "errors": errors[0], "p50": _pct(latencies, 50),
            "p99": _pct(latencies, 99), "mean": statistics.fmean(latencies) if latencies else 0.0,
            "rps": len(latencies) / wall if wall else 0.0}


def _submission_body(i: int) -> dict:
    from kiosk.gateway.demo.samples import sample_submission

    return sample_submission(f"bench {i}").to_json()


def _outbox_runs(tmp: Path, url: str, items: int) -> list[dict]:
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.outbox import Outbox, load_or_create_key

    key = load_or_create_key(tmp / "bench-outbox.key")
    body = _submission_body(0)
    rows = []
    for sync in ("FULL", "NORMAL"):
        for encrypt in (True, False):
            path = tmp / f"outbox-{sync}-{encrypt}.sqlite3"
            ob = Outbox(path, key if encrypt else None, synchronous=sync, encrypt=encrypt)
            t = time.perf_counter()
            for _ in range(items):
                ob.enqueue("submission", body)
            enq = time.perf_counter() - t
            deliver_rate = None
            if sync == "FULL":  # delivery is network-bound: measure it for the two encryption modes
                client = GatewayClient(url, kiosk_id=f"BENCH-OB-{uuid.uuid4().hex[:6]}", retries=0)
                t = time.perf_counter()
                sent = ob.deliver(client)
                deliver_rate = sent / (time.perf_counter() - t)
                client.close()
            ob.close()
            rows.append({"sync": sync, "encrypt": encrypt, "enqueue_rate": items / enq,
                         "enqueue_ms": enq / items * 1000, "deliver_rate": deliver_rate})
    return rows


def run(args) -> int:
    levels = [int(x) for x in str(args.kiosks).split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-gw-") as d:
        tmp = Path(d)
        proc = None
        url = args.url
        if not url:
            proc, url = _start_server(tmp)
        try:
            print(f"gateway: {url}  ({'external' if args.url else 'demo gateway in its own process, SQLite file'})")
            print(f"dossier lookup, {args.requests} lookups per simulated kiosk (one thread + session each)")
            print(f"{'kiosks':>7} {'lookups':>8} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'req/s':>8}")
            for level in levels:
                r = _lookups(url, level, args.requests)
                print(f"{r['kiosks']:>7} {r['n']:>8} {r['errors']:>7} {r['p50']:>8.2f} {r['p99']:>8.2f} "
                      f"{r['mean']:>8.2f} {r['rps']:>8.0f}")
            print()
            print(f"outbox, {args.outbox_items} dossier submissions per run (WAL journal)")
            print(f"{'synchronous':>11} {'encrypted':>9} {'enqueue/s':>10} {'ms/enqueue':>11} {'deliver/s':>10}")
            for r in _outbox_runs(tmp, url, args.outbox_items):
                dr = f"{r['deliver_rate']:>10.0f}" if r["deliver_rate"] is not None else f"{'-':>10}"
                print(f"{r['sync']:>11} {('yes' if r['encrypt'] else 'no'):>9} {r['enqueue_rate']:>10.0f} "
                      f"{r['enqueue_ms']:>11.3f} {dr}")
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 0
