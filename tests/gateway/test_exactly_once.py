"""Exactly once, end to end (issue 15, findings 1 and 3): lost answers, a killed kiosk, a gateway
restarted mid-delivery, two deliverers on one outbox file, poison answers and 409s on replays.

Real HTTP on 127.0.0.1 (the demo gateway, behind the fault-injecting proxy of ``kiosk bench
faults``), real SQLite, real processes killed with SIGKILL.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from kiosk import config
from kiosk.bench.faults import FaultProxy, matcher
from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.client import GatewayClient, rating_body, submission_body
from kiosk.gateway.outbox import Outbox, ProvisionalReceipt, load_or_create_key
from kiosk.gateway.service import GatewayService

CHILD = Path(__file__).with_name("outbox_child.py")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(CHILD.parent))
from outbox_child import submission  # noqa: E402


def kiosk_id() -> str:
    return f"ONCE-{uuid.uuid4().hex[:8]}"


def client_for(url, kiosk, retries=0):
    return GatewayClient(url, kiosk_id=kiosk, retries=retries, backoff=0.01, connect_timeout=1, read_timeout=2)


def facade(client, outbox) -> GatewayService:
    svc = GatewayService(config.defaults(), outbox=outbox, client=client, background=False)
    svc.wait(10)
    return svc


@pytest.fixture
def outbox(tmp_path):
    ob = Outbox(tmp_path / "outbox.sqlite3", load_or_create_key(tmp_path / "outbox.key"))
    yield ob
    ob.close()


def dossiers_of(store, kiosk) -> list[str]:
    return [r["code"] for r in store.query("SELECT code FROM dossiers WHERE kiosk_id=?", (kiosk,))]


def _spawn(*args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(ROOT))


# -- finding 1: the lost answer ------------------------------------------------------------------


def test_what_is_queued_is_byte_for_byte_what_was_first_sent(outbox, gateway):
    kiosk = kiosk_id()
    proxy = FaultProxy(gateway.base_url, "drop_answer", matches=matcher("submit"))
    try:
        key = str(uuid.uuid4())
        receipt = facade(client_for(proxy.url, kiosk), outbox).submit(submission(1), key)
        assert isinstance(receipt, ProvisionalReceipt)  # the gateway filed it; the answer was lost
        assert len(dossiers_of(gateway.app.state.store, kiosk)) == 1
        proxy.fault = "ok"
        assert outbox.deliver(client_for(proxy.url, kiosk)) == 1
        bodies = [body for method, path, k, body, _ in proxy.seen if k == key]
        assert len(bodies) == 2 and bodies[0] == bodies[1]  # the replay is the very same call
        assert b"provisional_reference" not in bodies[1] and receipt.reference.encode() not in bodies[1]
        status = outbox.provisional_status(receipt.reference)
        assert status.state == "delivered" and outbox.set_aside() == 0
        assert [status.dossier_code] == dossiers_of(gateway.app.state.store, kiosk)  # resolved, filed once
    finally:
        proxy.close()


def test_answers_lost_then_the_kiosk_is_killed_every_receipt_resolves_once(tmp_path, gateway):
    """The issue's reproduction: a submission the gateway filed whose answer was lost (and the
    ones queued behind it), the kiosk killed, restarted and delivering to a healthy gateway:
    every provisional receipt resolves to a dossier code, and nothing is filed twice."""
    kiosk = kiosk_id()
    db, keyfile = tmp_path / "o.sqlite3", tmp_path / "o.key"
    proxy = FaultProxy(gateway.base_url, "drop_answer", matches=matcher("submit"))
    try:
        proc = _spawn("submit", db, keyfile, proxy.url, kiosk, 1000)
        receipts = []
        while len(receipts) < 6:
            line = proc.stdout.readline()
            assert line, "the child died early"
            receipts.append(line.split())
        proc.send_signal(signal.SIGKILL)  # likely mid-send of the 7th: write-ahead keeps it
        proc.wait(10)
        assert all(ref.startswith("TAM-") for _, ref in receipts)
        store = gateway.app.state.store
        filed_before = dossiers_of(store, kiosk)
        assert len(filed_before) == 1  # the first went (answer lost); the others queued behind it
        proxy.fault = "ok"
        ob = Outbox(db, load_or_create_key(keyfile))
        ob.deliver(client_for(proxy.url, kiosk, retries=1))
        assert ob.depth() == 0 and ob.set_aside() == 0
        codes = [ob.provisional_status(ref).dossier_code for _, ref in receipts]
        assert all(codes) and len(set(codes)) == 6
        filed = dossiers_of(store, kiosk)
        assert set(filed_before) <= set(filed) and len(filed) in (6, 7)  # 7: the one in flight at the kill
        assert set(codes) <= set(filed)
        keys = {r["key"] for r in store.query("SELECT key FROM idempotency WHERE kiosk_id=?", (kiosk,))}
        assert len(filed) == len(keys)  # one dossier per key: nothing filed twice
        ob.close()
    finally:
        proxy.close()


def test_killed_while_waiting_for_the_answer_the_write_ahead_delivers_it_once(tmp_path, gateway):
    """The kiosk dies while the gateway is answering its first send: the submission was written
    to the outbox before it went, so the restarted kiosk replays it and learns the code."""
    kiosk = kiosk_id()
    db, keyfile = tmp_path / "o.sqlite3", tmp_path / "o.key"
    proxy = FaultProxy(gateway.base_url, "slow", matches=matcher("submit"), slow_seconds=20)
    try:
        proc = _spawn("submit", db, keyfile, proxy.url, kiosk, 1, 60)
        store = gateway.app.state.store
        deadline = time.monotonic() + 30
        while not dossiers_of(store, kiosk) and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)  # filed at the gateway, the answer not yet back
        proc.wait(10)
        (filed,) = dossiers_of(store, kiosk)
        proxy.fault = "ok"
        with Outbox(db, load_or_create_key(keyfile)) as ob:
            assert ob.depth() == 1  # the send under way when it died is queued again
            assert ob.deliver(client_for(proxy.url, kiosk)) == 1
            (item,) = ob.items()
            assert item["state"] == "delivered" and f'"code": "{filed}"' in item["result"]
        assert dossiers_of(store, kiosk) == [filed]
    finally:
        proxy.close()


def test_a_disk_that_refuses_the_write_ahead_does_not_stop_a_submission(outbox, gateway):
    kiosk = kiosk_id()
    outbox._db.execute("CREATE TRIGGER full BEFORE INSERT ON items BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    receipt = facade(client_for(gateway.base_url, kiosk), outbox).submit(submission(5), str(uuid.uuid4()))
    assert isinstance(receipt, M.SubmissionReceipt) and dossiers_of(gateway.app.state.store, kiosk) == [receipt.code]


def test_a_409_on_a_replay_is_reconciled_never_failed(outbox, gateway):
    """An item queued the old way (its body changed after the first send): the gateway answers
    409 idempotency_conflict; the outbox asks what was done under the key and records it."""
    kiosk = kiosk_id()
    client = client_for(gateway.base_url, kiosk)
    key = str(uuid.uuid4())
    body = submission(2)
    first = client.submit_dossier(body, key)  # filed; pretend the answer never came
    receipt = outbox.enqueue("submission", {**body, "provisional_reference": "TAM-ABCDEFGH"}, idempotency_key=key)
    with pytest.raises(E.Conflict):
        client.submit_dossier({**body, "provisional_reference": "TAM-ABCDEFGH"}, key)
    assert outbox.deliver(client) == 1
    status = outbox.provisional_status(receipt.reference)
    assert status.state == "delivered" and status.dossier_code == first.code
    assert outbox.set_aside() == 0 and dossiers_of(gateway.app.state.store, kiosk) == [first.code]


def test_a_real_conflict_is_set_aside_with_its_reason(outbox, gateway):
    kiosk = kiosk_id()
    client = client_for(gateway.base_url, kiosk)
    # a cash confirmation for a payment that was cancelled meanwhile: 409, and no record under the key
    code = client.submit_dossier(submission(3), str(uuid.uuid4())).code
    proof = M.ApplicantProof(id_number="001099012345")
    pay = client.create_payment(code, "cash", idempotency_key=str(uuid.uuid4()), proof=proof)
    gateway.app.state.store.query("UPDATE payments SET status='cancelled' WHERE id=?", (pay.id,))
    outbox.enqueue("cash_confirmation", {"payment_id": pay.id, "staff_id": "staff.x", "amount_vnd": pay.amount_vnd})
    outbox.enqueue("rating", body=rating_body(5, "payment"))
    assert outbox.deliver(client) == 1  # the rating behind it still went
    (item,) = outbox.items("set_aside")
    assert item["kind"] == "cash_confirmation" and item["last_error"].startswith("gateway.conflict")


# -- findings 3: poison items and undecodable answers ---------------------------------------------


def test_a_malformed_answer_is_set_aside_and_the_next_item_still_goes(outbox, gateway):
    kiosk = kiosk_id()
    keys = [str(uuid.uuid4()) for _ in range(3)]
    refs = [outbox.enqueue("submission", idempotency_key=k, body=submission_body(submission(i))).reference
            for i, k in enumerate(keys)]
    proxy = FaultProxy(gateway.base_url, "malformed", matches=matcher("submit", {keys[0]}))
    try:
        assert outbox.deliver(client_for(proxy.url, kiosk)) == 2  # the head is set aside, the rest go
        assert outbox.set_aside() == 1 and outbox.depth() == 0
        (aside,) = outbox.items("set_aside")
        assert aside["reference"] == refs[0] and aside["last_error"].startswith("gateway.bad_response")
        assert outbox.provisional_status(refs[0]).state == "set_aside"
        # staff retry it once the gateway answers properly: the same key and bytes, filed once
        proxy.fault = "ok"
        assert outbox.retry(aside["seq"]) == 1
        assert outbox.deliver(client_for(proxy.url, kiosk)) == 1
        codes = [outbox.provisional_status(r).dossier_code for r in refs]
        assert all(codes) and sorted(codes) == sorted(dossiers_of(gateway.app.state.store, kiosk))
    finally:
        proxy.close()


def test_an_item_that_cannot_be_read_is_set_aside_and_the_queue_moves(outbox, gateway):
    kiosk = kiosk_id()
    bad = outbox.enqueue("rating", body=rating_body(3, "lookup"))
    outbox.enqueue("rating", body=rating_body(4, "lookup"))
    outbox._db.execute("UPDATE items SET payload=X'00112233' WHERE reference=?", (bad.reference,))  # tampered
    assert outbox.deliver(client_for(gateway.base_url, kiosk)) == 1
    assert outbox.provisional_status(bad.reference).state == "set_aside"


# -- the gateway restarted mid-delivery; two deliverers ------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway", "serve", "--demo", "--port", str(port),
                             "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("gateway did not start")


def test_gateway_restarted_mid_delivery_delivers_everything_once(outbox, tmp_path):
    kiosk, port, gwdb = kiosk_id(), _free_port(), tmp_path / "gw.sqlite3"
    refs = [outbox.enqueue("submission", body=submission_body(submission(i))).reference for i in range(30)]
    gw = _serve(port, gwdb)
    proxy = FaultProxy(f"http://127.0.0.1:{port}")
    delivered = []
    try:
        client = client_for(proxy.url, kiosk)
        runner = threading.Thread(target=lambda: delivered.append(outbox.deliver(client)))
        runner.start()
        while len(proxy.seen) < 8 and runner.is_alive():
            time.sleep(0.005)
        gw.send_signal(signal.SIGKILL)  # mid-delivery: whatever it was doing is cut short
        gw.wait(10)
        runner.join(60)
        assert outbox.depth() > 0 and outbox.set_aside() == 0  # the run stopped; nothing set aside
        gw = _serve(port, gwdb)
        assert outbox.deliver(client_for(proxy.url, kiosk, retries=2)) + delivered[0] == 30
        codes = [outbox.provisional_status(r).dossier_code for r in refs]
        conn = sqlite3.connect(gwdb)
        filed = [r[0] for r in conn.execute("SELECT code FROM dossiers WHERE kiosk_id=?", (kiosk,))]
        conn.close()
        assert all(codes) and len(set(codes)) == 30 and sorted(filed) == sorted(codes)
    finally:
        proxy.close()
        gw.kill()
        gw.wait(10)


def test_two_processes_delivering_one_outbox_file_send_each_item_once(tmp_path, gateway):
    db, keyfile = tmp_path / "o.sqlite3", tmp_path / "o.key"
    kiosk = kiosk_id()
    with Outbox(db, load_or_create_key(keyfile)) as ob:
        refs = [ob.enqueue("submission", body=submission_body(submission(i))).reference for i in range(30)]
    proxy = FaultProxy(gateway.base_url)
    try:
        procs = [_spawn("deliver", db, keyfile, proxy.url, kiosk) for _ in range(2)]
        outs = [p.communicate(timeout=120)[0].split() for p in procs]
        assert all(p.returncode == 0 for p in procs)
        sent = [r for out in outs for r in out if r.startswith("TAM-")]
        assert sorted(sent) == sorted(refs)  # each delivered by exactly one of the two
        posts = [k for method, path, k, _, _ in proxy.seen if method == "POST"]
        assert len(posts) == 30 and len(set(posts)) == 30  # no key ever sent twice
        assert len(dossiers_of(gateway.app.state.store, kiosk)) == 30
    finally:
        proxy.close()


@pytest.mark.parametrize("fault,operation", [("drop_answer", "submit"), ("500", "rating"), ("malformed", "pay")])
def test_fault_bench_cells_lose_nothing_and_file_nothing_twice(gateway, tmp_path, fault, operation):
    """A few cells of ``kiosk bench faults`` (a kiosk process killed at a random point, restarted
    against a healthy gateway) meet the bench's goal."""
    import random

    from kiosk.bench.faults import run_cell

    row = run_cell(gateway, fault, operation, 2, random.Random(7), tmp_path)
    assert row["sent"] >= 1 and row["killed"]
    assert (row["lost"], row["duplicates"], row["unresolved"], row["set_aside"]) == (0, 0, 0, 0), row
    assert row["delivered"] == row["sent"]
