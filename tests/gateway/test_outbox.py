"""The offline outbox: encrypted at rest, in order, exactly once, surviving kill -9."""

import os
import random
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from gw_faults import FaultServer, closed_port

from kiosk.gateway import errors as E
from kiosk.gateway import models as M
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.demo.samples import sample_submission
from kiosk.gateway.outbox import Outbox, OutboxError, OutboxKeyError, ProvisionalReceipt, load_or_create_key
from kiosk.gateway.service import GatewayService

CHILD = Path(__file__).with_name("outbox_child.py")
ROOT = Path(__file__).resolve().parents[2]


def sub(i=0) -> M.DossierSubmission:
    return sample_submission(f"item {i}")


@pytest.fixture
def outbox(tmp_path):
    ob = Outbox(tmp_path / "outbox.sqlite3", load_or_create_key(tmp_path / "outbox.key"))
    yield ob
    ob.close()


def client_for(url, kiosk_id):
    return GatewayClient(url, kiosk_id=kiosk_id, retries=1, backoff=0.01, connect_timeout=1, read_timeout=5)


def facade(url, kiosk_id, outbox) -> GatewayService:
    """The gateway facade over one client and the test's outbox, with no background worker
    or monitor: the tests deliver the backlog themselves."""
    from kiosk import config

    svc = GatewayService(config.defaults(), outbox=outbox, client=client_for(url, kiosk_id), background=False)
    svc.wait(10)
    return svc


def server_dossiers(gw, kiosk_id):
    store = gw.app.state.store
    dossiers = store.query("SELECT code FROM dossiers WHERE kiosk_id=? ORDER BY created_at, code", (kiosk_id,))
    keys = store.query("SELECT key FROM idempotency WHERE kiosk_id=?", (kiosk_id,))
    return [r["code"] for r in dossiers], {r["key"] for r in keys}


def filed_order(gw, codes):
    """``codes`` in the order the gateway filed them (codes end in a random part)."""
    rows = gw.app.state.store.query("SELECT code FROM dossiers ORDER BY rowid")
    at = {r["code"]: n for n, r in enumerate(rows)}
    return sorted(codes, key=lambda c: at[c])


# -- key and encryption -----------------------------------------------------------------------


def test_key_file_is_created_0600_and_reused(tmp_path):
    path = tmp_path / "keys" / "outbox.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_payload_is_encrypted_at_rest(outbox, tmp_path):
    outbox.enqueue("submission", sub().to_json(), idempotency_key=str(uuid.uuid4()))
    outbox.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.sqlite3*"))
    assert b"001099012345" not in raw
    assert "Nguyễn".encode() not in raw and b"1990-05-17" not in raw


def test_a_replaced_key_refuses_to_open_and_keeps_every_item(tmp_path):
    ob = Outbox(tmp_path / "o.sqlite3", load_or_create_key(tmp_path / "a.key"))
    ob.enqueue("rating", {"score": 5, "journey": "lookup"})
    ob.close()
    with pytest.raises(OutboxKeyError, match="does not open"):
        Outbox(tmp_path / "o.sqlite3", load_or_create_key(tmp_path / "b.key"))
    with Outbox(tmp_path / "o.sqlite3", load_or_create_key(tmp_path / "a.key")) as again:
        assert again.depth() == 1 and again.set_aside() == 0  # nothing was marked anything


def test_key_file_of_the_wrong_size_is_refused(tmp_path):
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"short")
    with pytest.raises(OutboxError):
        load_or_create_key(bad)


def test_from_settings_uses_data_dir_and_key_file(settings, tmp_path):
    s = settings.replace(gateway={"outbox_key_file": str(tmp_path / "k" / "ob.key")})
    with Outbox.from_settings(s) as ob:
        assert ob.path == s.data_dir / "outbox.sqlite3"
    assert (tmp_path / "k" / "ob.key").exists()


# -- offline, then back -----------------------------------------------------------------------


def test_offline_submission_gets_a_provisional_receipt_then_is_delivered(outbox, gateway):
    down = client_for(f"http://127.0.0.1:{closed_port()}", "OFFLINE-1")
    receipt = facade(down.base_url, "OFFLINE-1", outbox).submit(sub(), str(uuid.uuid4()))
    assert isinstance(receipt, ProvisionalReceipt)
    assert receipt.reference.startswith("TAM-") and receipt.message_key == "gateway.provisional_receipt"
    assert outbox.depth() == 1
    assert outbox.deliver(down) == 0
    assert outbox.last_error().startswith("gateway.unavailable")
    status = outbox.provisional_status(receipt.reference)
    assert status.state == "queued" and status.attempts == 2 and status.dossier_code is None

    up = client_for(gateway.base_url, "OFFLINE-1")
    assert outbox.deliver(up) == 1
    assert outbox.depth() == 0 and outbox.last_error() is None
    status = outbox.provisional_status(receipt.reference.lower())
    assert status.state == "delivered" and status.dossier_code
    assert up.lookup_dossier(status.dossier_code).procedure.code == "1.004873"


def test_5xx_also_queues(outbox):
    srv = FaultServer("status:503")
    try:
        receipt = facade(srv.url, "K", outbox).submit(sub(), str(uuid.uuid4()))
        assert isinstance(receipt, ProvisionalReceipt) and outbox.depth() == 1
    finally:
        srv.close()


def test_online_submission_is_sent_at_once(outbox, gateway):
    receipt = facade(gateway.base_url, "ONLINE-1", outbox).submit(sub(), str(uuid.uuid4()))
    assert isinstance(receipt, M.SubmissionReceipt) and outbox.depth() == 0


def test_refused_input_is_raised_not_queued(outbox, gateway):
    bad = sub()
    bad = M.DossierSubmission(**{**bad.__dict__, "form": {"purpose": "???"}})
    with pytest.raises(E.InvalidRequest):
        facade(gateway.base_url, "K", outbox).submit(bad, str(uuid.uuid4()))
    assert outbox.depth() == 0


def test_delivered_in_order(outbox, gateway):
    down = facade(f"http://127.0.0.1:{closed_port()}", "ORDER-1", outbox)
    refs = [down.submit(sub(i), str(uuid.uuid4())).reference for i in range(6)]
    delivered = []
    assert outbox.deliver(client_for(gateway.base_url, "ORDER-1"),
                          on_delivered=lambda item: delivered.append(item)) == 6
    assert [d["reference"] for d in delivered] == refs
    codes = [d["code"] for d in delivered]
    assert codes == filed_order(gateway, codes)


def test_new_submissions_wait_behind_older_ones(outbox, gateway):
    down = facade(f"http://127.0.0.1:{closed_port()}", "BEHIND-1", outbox)
    first = down.submit(sub(1), str(uuid.uuid4()))
    second = down.submit(sub(2), str(uuid.uuid4()))  # queued behind, never sent first
    assert isinstance(second, ProvisionalReceipt) and outbox.depth() == 2
    # back online: the next submission still queues behind them (the citizen never waits for
    # the backlog); the worker's delivery then sends all three in order
    up = facade(gateway.base_url, "BEHIND-1", outbox)
    third = up.submit(sub(3), str(uuid.uuid4()))
    assert isinstance(third, ProvisionalReceipt) and outbox.depth() == 3
    assert outbox.deliver(up.wait()) == 3
    codes = [outbox.provisional_status(r.reference).dossier_code for r in (first, second, third)]
    assert codes == filed_order(gateway, codes)


def test_a_refused_item_is_set_aside_and_the_rest_goes_on(outbox, gateway):
    outbox.enqueue("cash_confirmation", {"payment_id": "PAYNOPE", "staff_id": "s1", "amount_vnd": 1})
    outbox.enqueue("rating", {"score": 4, "journey": "submit"})
    assert outbox.deliver(client_for(gateway.base_url, "SETASIDE")) == 1
    assert outbox.set_aside() == 1 and outbox.depth() == 0


def test_cash_and_rating_helpers_queue_when_offline(outbox, gateway):
    down = facade(f"http://127.0.0.1:{closed_port()}", "CASH-1", outbox)
    up = client_for(gateway.base_url, "CASH-1")
    code = up.submit_dossier(sub(), str(uuid.uuid4())).code
    pay = up.create_payment(code, "cash", idempotency_key=str(uuid.uuid4()),
                            proof=M.ApplicantProof(id_number="001099012345"))  # the applicant's, from the chip
    queued = down.confirm_cash(pay.id, "staff-01", pay.amount_vnd, idempotency_key=str(uuid.uuid4()))
    assert isinstance(queued, ProvisionalReceipt)
    assert isinstance(down.rate(5, "payment", idempotency_key=str(uuid.uuid4())), ProvisionalReceipt)
    assert outbox.deliver(up) == 2
    assert up.payment_status(pay.id).status == "paid"
    assert up.lookup_dossier(code).fee.paid


def test_enqueue_twice_with_one_key_keeps_one(outbox):
    k = str(uuid.uuid4())
    a = outbox.enqueue("rating", {"score": 3}, idempotency_key=k)
    b = outbox.enqueue("rating", {"score": 3}, idempotency_key=k)
    assert a.reference == b.reference and outbox.depth() == 1


# -- kill -9 ----------------------------------------------------------------------------------


def _child(*args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(ROOT))


def _read_lines_until(proc, n, timeout=60):
    lines, deadline = [], time.monotonic() + timeout
    while len(lines) < n and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
    return lines


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    rest = proc.stdout.read().split()
    proc.wait(10)
    return rest


def test_sigkill_mid_write_loses_nothing_that_was_acknowledged(tmp_path):
    db, keyfile = tmp_path / "o.sqlite3", tmp_path / "o.key"
    acknowledged = []
    rng = random.Random(6)
    for _ in range(3):
        proc = _child("enqueue", db, keyfile, 100000)
        acknowledged += _read_lines_until(proc, rng.randint(5, 60))
        acknowledged += _kill(proc)  # whatever it printed before dying was durable too
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    ob = Outbox(db, load_or_create_key(keyfile))
    stored = {r["idempotency_key"] for r in ob._db.execute("SELECT idempotency_key FROM items")}
    assert set(acknowledged) <= stored
    assert len(stored) - len(acknowledged) <= 3  # at most the one in flight at each kill
    for row in ob._db.execute("SELECT * FROM items"):
        assert ob._open(row)["procedure_code"] == "1.004873"  # every row decrypts whole


def test_sigkill_mid_delivery_sends_everything_exactly_once(tmp_path, gateway):
    db, keyfile = tmp_path / "o.sqlite3", tmp_path / "o.key"
    kiosk = f"KILL-{uuid.uuid4().hex[:6]}"
    ob = Outbox(db, load_or_create_key(keyfile))
    keys = [ob.enqueue("submission", sub(i).to_json()).reference for i in range(40)]
    # the precise worst case first: the gateway accepted the oldest item, the outbox never heard
    proc = _child("die-after-send", db, keyfile, gateway.base_url, kiosk)
    proc.wait(60)
    assert proc.returncode == -signal.SIGKILL
    assert ob.depth() == 40  # still queued locally …
    assert len(server_dossiers(gateway, kiosk)[0]) == 1  # … although the gateway has it
    # then kills at random moments of a delivery run
    rng = random.Random(9)
    for _ in range(3):
        proc = _child("deliver", db, keyfile, gateway.base_url, kiosk)
        assert _read_lines_until(proc, 1) == ["start"]
        _read_lines_until(proc, rng.randint(1, 8))
        _kill(proc)
    before = ob.depth()
    assert ob.deliver(client_for(gateway.base_url, kiosk)) == before
    assert ob.depth() == 0 and ob.set_aside() == 0
    codes, idem_keys = server_dossiers(gateway, kiosk)
    assert len(codes) == 40 and len(set(codes)) == 40  # nothing lost, nothing twice
    results = [ob.provisional_status(r).dossier_code for r in keys]
    assert sorted(results) == sorted(codes)
    assert results == filed_order(gateway, results)  # in order


def test_worker_delivers_in_the_background_and_purges_old_items(tmp_path, gateway):
    from kiosk.gateway.outbox import OutboxWorker

    now = [1_900_000_000.0]
    ob = Outbox(tmp_path / "w.sqlite3", load_or_create_key(tmp_path / "w.key"), clock=lambda: now[0])
    ref = ob.enqueue("rating", {"score": 5, "journey": "lookup"}).reference
    worker = OutboxWorker(ob, client_for(gateway.base_url, "WORKER-1"), interval=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while ob.depth() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ob.depth() == 0 and ob.provisional_status(ref).state == "delivered"
        now[0] += 8 * 86400  # a week later the delivered item (and its ciphertext) is gone
        worker.kick()
        deadline = time.monotonic() + 10
        while ob.provisional_status(ref) is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ob.provisional_status(ref) is None
    finally:
        worker.stop()
        ob.close()


def test_provisional_reference_can_be_looked_up(outbox, gateway):
    from kiosk.gateway.outbox import ProvisionalStatus

    down = facade(f"http://127.0.0.1:{closed_port()}", "TAM-1", outbox)
    up = facade(gateway.base_url, "TAM-1", outbox)
    receipt = down.submit(sub(), str(uuid.uuid4()))
    waiting = down.lookup_dossier(receipt.reference.lower())
    assert isinstance(waiting, ProvisionalStatus) and waiting.state == "queued"
    outbox.deliver(up.wait())
    dossier = up.lookup_dossier(receipt.reference)
    assert isinstance(dossier, M.Dossier) and dossier.status == "received"
    assert up.lookup_dossier("H26.99-241125-0004").status == "result_ready"
    with pytest.raises(E.DossierNotFound):
        up.lookup_dossier("TAM-NOTHING9")
    with pytest.raises(E.InvalidRequest):
        up.lookup_dossier("bad code!")


# -- keys that fail loudly (issue 15, finding 2) ------------------------------------------------


def _settings_with_items(tmp_path, n=2, **gateway):
    from kiosk import config

    extra = {"gateway": gateway} if gateway else {}
    s = config.defaults(kiosk={"data_dir": str(tmp_path / "data")}, **extra)
    with Outbox.from_settings(s) as ob:
        for i in range(n):
            ob.enqueue("submission", sub(i).to_json())
    return s


def _refused(settings, match):
    """Every door refuses: the outbox, the runtime's start, the doctor's report."""
    from kiosk import diagnostics
    from kiosk.runtime import StartupRefused, _open_outbox, preflight

    with pytest.raises(OutboxKeyError, match=match):
        Outbox.from_settings(settings)
    with pytest.raises(StartupRefused, match=match):
        _open_outbox(settings)
    with pytest.raises(StartupRefused, match=match):
        preflight(settings)
    report = diagnostics.outbox_report(None, settings)
    assert report["problem"] and re.search(match, report["problem"])


def _still_there(settings, key: bytes, n=2):
    with Outbox(settings.data_dir / "outbox.sqlite3", key) as ob:
        assert ob.depth() == n and ob.set_aside() == 0


def test_missing_key_with_items_waiting_refuses_and_makes_no_new_key(tmp_path):
    s = _settings_with_items(tmp_path)
    key_file = s.data_dir / "outbox.key"
    key = key_file.read_bytes()
    key_file.unlink()
    _refused(s, "missing")
    assert not key_file.exists()  # no new key was made over the queue
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    _still_there(s, key)


@pytest.mark.parametrize("size", [31, 33, 0])
def test_short_or_long_key_refuses(tmp_path, size):
    s = _settings_with_items(tmp_path)
    key_file = s.data_dir / "outbox.key"
    key = key_file.read_bytes()
    key_file.write_bytes(key[:size] if size < 32 else key + b"x")
    _refused(s, "bytes, expected 32")
    key_file.write_bytes(key)
    _still_there(s, key)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_key_readable_by_group_or_others_refuses(tmp_path, mode):
    s = _settings_with_items(tmp_path)
    key_file = s.data_dir / "outbox.key"
    key_file.chmod(mode)
    _refused(s, "readable by group or others")
    key_file.chmod(0o400)  # read-only for its owner (a systemd credential) is fine
    with Outbox.from_settings(s) as ob:
        assert ob.depth() == 2


def test_a_new_key_only_when_no_encrypted_item_waits(tmp_path):
    from kiosk import config

    s = config.defaults(kiosk={"data_dir": str(tmp_path / "data")})
    with Outbox.from_settings(s) as ob:  # first start: a key is made
        ob.enqueue("rating", {"score": 4})
        ob.deliver(client_for(f"http://127.0.0.1:{closed_port()}", "K"))
        ob._db.execute("UPDATE items SET state='delivered'")  # everything went
    (s.data_dir / "outbox.key").unlink()
    with Outbox.from_settings(s) as ob:  # nothing waits: a fresh key is fine
        assert ob.depth() == 0
    assert len((s.data_dir / "outbox.key").read_bytes()) == 32


def test_key_outside_the_data_folder_and_as_a_systemd_credential(tmp_path, monkeypatch):
    from kiosk import config

    creds = tmp_path / "credentials"
    creds.mkdir(mode=0o500)
    key = os.urandom(32)
    (creds / "outbox.key").write_bytes(key)
    (creds / "outbox.key").chmod(0o400)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    s = config.defaults(kiosk={"data_dir": str(tmp_path / "data")},
                        gateway={"outbox_key_file": "$CREDENTIALS_DIRECTORY/outbox.key"})
    with Outbox.from_settings(s) as ob:
        ob.enqueue("rating", {"score": 5})
    assert not (s.data_dir / "outbox.key").exists()  # the data folder never held the key
    (creds / "outbox.key").chmod(0o440)  # systemd's ACL for the service's user shows as group bits
    with Outbox.from_settings(s) as ob:
        assert ob.depth() == 1
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")  # the unit lost its LoadCredential=
    _refused(s, "not set")


def test_kiosk_run_refuses_to_start_and_doctor_says_why(tmp_path):
    s = _settings_with_items(tmp_path)
    (s.data_dir / "outbox.key").unlink()
    ini = tmp_path / "kiosk.ini"
    ini.write_text(f"[kiosk]\nkiosk_id = KIOSK-T1\ndata_dir = {s.data_dir}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIVY_NO_ARGS": "1"}
    run = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(ini), "run"], capture_output=True,
                         text=True, cwd=ROOT, timeout=60, env=env)
    assert run.returncode == 78
    assert "will not start" in run.stderr and "missing" in run.stderr and "2 encrypted item(s)" in run.stderr
    assert not (s.data_dir / "outbox.key").exists()


def test_data_folder_0700_and_database_wal_shm_never_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        data = tmp_path / "fresh" / "data"
        ob = Outbox(data / "outbox.sqlite3", load_or_create_key(data / "outbox.key"))
        ob.enqueue("submission", sub().to_json())
        parts = [data / "outbox.sqlite3", data / "outbox.sqlite3-wal", data / "outbox.sqlite3-shm"]
        assert all(p.exists() for p in parts)
        for p in parts:
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, (p.name, oct(p.stat().st_mode))
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700
        ob.close()
        # an older outbox whose files were left readable is closed up when opened
        for p in parts[:1]:
            p.chmod(0o644)
        with Outbox(data / "outbox.sqlite3", load_or_create_key(data / "outbox.key")) as again:
            again.enqueue("rating", {"score": 3})
            for p in parts:
                assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p.name
    finally:
        os.umask(old)


def test_the_outbox_command_says_why_it_cannot_open_and_keeps_the_queue(tmp_path):
    """`kiosk gateway outbox` with the key gone: a clear line and exit 2, no traceback, and the
    queued items are still there once the key is back."""
    import subprocess
    import sys

    s = _settings_with_items(tmp_path)
    key_file = s.data_dir / "outbox.key"
    key = key_file.read_bytes()
    key_file.unlink()
    ini = tmp_path / "kiosk.ini"
    ini.write_text(f"[kiosk]\nkiosk_id = CLI-TEST\ndata_dir = {s.data_dir}\n")
    run = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(ini), "gateway", "outbox"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "outbox cannot be opened" in run.stderr and "Traceback" not in run.stderr
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    _still_there(s, key)
