"""Tests written against surviving mutants of the module's security checks (scripts/mutation): the outbox
key (keys.py) and delivery (delivery.py)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from test_client_guards import PAYMENT, RECEIPT, problem
from test_client_guards import gw as gw  # noqa: F401  (the scripted gateway fixture)
from test_client_guards import make as client_for

from kiosk.gateway.client import rating_body, submission_body
from kiosk.gateway.outbox import Outbox, load_or_create_key
from kiosk.gateway.outbox import keys as K

# -- the outbox key (kiosk/gateway/outbox/keys.py) ---------------------------------------------


def test_a_systemd_credentials_folder_that_cannot_be_resolved_does_not_vouch_for_a_loose_key(tmp_path,
                                                                                                monkeypatch):
    """``$CREDENTIALS_DIRECTORY`` lifts the mode check only for a key proven to live there: when
    the paths cannot be resolved, a group-readable key is refused, not waved through."""
    creds = tmp_path / "credentials"
    creds.mkdir()
    key = creds / "outbox.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o440)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert K.read_key(key) == key.read_bytes()  # systemd's credential: its mode is not ours to judge

    def unresolvable(self, strict=False):
        raise OSError("stale NFS handle")

    monkeypatch.setattr(Path, "resolve", unresolvable)
    with pytest.raises(K.OutboxKeyError, match="readable by group or others"):
        K.read_key(key)


def test_create_key_over_an_existing_key_returns_that_key_and_never_replaces_it(tmp_path):
    """The race another process won (O_EXCL): its key is used, the file is not overwritten."""
    path = tmp_path / "outbox.key"
    first = K.create_key(path)
    assert K.create_key(path) == first == path.read_bytes()


def test_a_new_key_is_a_warning_that_names_its_file(tmp_path, caplog):
    """A new key means nothing sealed with an older one opens again: the log says so, and where."""
    path = tmp_path / "outbox.key"
    with caplog.at_level("WARNING", logger="kiosk.gateway.outbox"):
        K.create_key(path)
    (rec,) = [r for r in caplog.records if r.name == "kiosk.gateway.outbox"]
    assert (rec.levelname, rec.getMessage(), rec.path) == ("WARNING", "outbox: a new outbox key was created", str(path))


def test_create_key_over_a_bad_existing_file_refuses_it(tmp_path):
    path = tmp_path / "outbox.key"
    path.write_bytes(b"short")
    path.chmod(0o600)
    with pytest.raises(K.OutboxKeyError, match="5 bytes"):
        K.create_key(path)
    assert path.read_bytes() == b"short"


def test_a_key_file_that_cannot_be_stat_ed_is_a_key_error_not_a_crash(tmp_path):
    """A path through a regular file (NotADirectoryError): the key cannot be read, said as such."""
    (tmp_path / "plain").write_text("x")
    path = tmp_path / "plain" / "outbox.key"
    assert "cannot be read (NotADirectoryError)" in K.key_problem(path)
    with pytest.raises(K.OutboxKeyError, match="cannot be read"):
        K.read_key(path)


def test_a_key_that_is_a_folder_is_refused(tmp_path):
    path = tmp_path / "outbox.key"
    path.mkdir(mode=0o700)
    assert "not a regular file" in K.key_problem(path)
    with pytest.raises(K.OutboxKeyError, match="not a regular file"):
        K.read_key(path)


def test_a_missing_key_has_no_problem_and_read_key_says_file_not_found(tmp_path):
    assert K.key_problem(tmp_path / "none.key") is None
    with pytest.raises(FileNotFoundError):
        K.read_key(tmp_path / "none.key")


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_key_private_to_its_owner_is_accepted_whatever_its_owner_bits(tmp_path, mode):
    path = tmp_path / "outbox.key"
    path.write_bytes(os.urandom(32))
    path.chmod(mode)
    assert K.key_problem(path) is None and K.read_key(path) == path.read_bytes()


@pytest.mark.parametrize("mode", [0o620, 0o610, 0o602, 0o601])
def test_any_group_or_other_bit_on_the_key_is_refused(tmp_path, mode):
    path = tmp_path / "outbox.key"
    path.write_bytes(os.urandom(32))
    path.chmod(mode)
    with pytest.raises(K.OutboxKeyError, match="readable by group or others") as info:
        K.read_key(path)
    assert str(info.value).endswith(f"(mode {mode:04o}); expected 0600 or 0400: chmod 600 it")


def test_an_outbox_database_without_an_items_table_holds_nothing_waiting(tmp_path):
    """A database file that exists (made 0600 before SQLite wrote its schema) but has no items
    table: nothing waits, so a missing key may be made, and nothing is written to it."""
    from kiosk import config

    data = tmp_path / "data"
    data.mkdir()
    db = data / K.DB_NAME
    sqlite3.connect(db).close()
    assert K.pending_encrypted(db) == 0
    settings = config.defaults(kiosk={"data_dir": str(data)})
    assert len(K.open_key(settings)) == 32
    assert (data / K.KEY_NAME).read_bytes() == K.open_key(settings)


def test_what_a_technician_reads_when_the_key_cannot_be_used(tmp_path, monkeypatch):
    from kiosk import config

    (tmp_path / "plain").write_text("x")
    with pytest.raises(K.OutboxKeyError) as info:
        K.create_key(tmp_path / "plain" / "sub" / "outbox.key")
    assert str(info.value) == f"outbox key file {tmp_path / 'plain' / 'sub' / 'outbox.key'} cannot be created" \
                              " (NotADirectoryError)"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    s = config.defaults(gateway={"outbox_key_file": "$CREDENTIALS_DIRECTORY/outbox.key"})
    with pytest.raises(K.OutboxKeyError) as info:
        K.key_path(s)
    assert str(info.value).endswith(": an environment variable in it is not set"
                                    " (a systemd credential needs LoadCredential= in the unit)")
    data = tmp_path / "data"
    with Outbox(data / K.DB_NAME, load_or_create_key(data / K.KEY_NAME)) as ob:
        ob.enqueue("rating", {"score": 3})
    (data / K.KEY_NAME).unlink()
    with pytest.raises(K.OutboxKeyError) as info:
        K.open_key(config.defaults(kiosk={"data_dir": str(data)}))
    assert str(info.value).endswith("is missing but 1 encrypted item(s) wait in the outbox: restore the key file"
                                    " (nothing was deleted); the kiosk does not start without it")


def test_an_outbox_database_that_cannot_be_read_says_so(tmp_path):
    folder = tmp_path / "db-is-a-folder"
    folder.mkdir()
    with pytest.raises(K.OutboxError) as info:
        K.pending_encrypted(folder)
    assert str(info.value) == "the outbox database cannot be read (OperationalError)"
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(K.OutboxError) as info:
        K.pending_encrypted(garbage)
    assert str(info.value) == "the outbox database cannot be read (DatabaseError: file is not a database)"


def test_a_folder_made_for_the_outbox_is_private_from_its_first_instant(tmp_path, monkeypatch):
    """Even with umask 0 no folder the outbox makes is ever readable by others, not even between
    its mkdir and the chmod that follows."""
    seen = {}
    real_chmod = os.chmod

    def spy(path, mode, *a, **kw):
        seen[str(path)] = stat.S_IMODE(os.stat(path).st_mode)
        return real_chmod(path, mode, *a, **kw)

    old = os.umask(0)
    try:
        with monkeypatch.context() as m:
            m.setattr(os, "chmod", spy)
            K.make_private_dir(tmp_path / "a" / "b")
    finally:
        os.umask(old)
    assert seen == {str(tmp_path / "a"): 0o700, str(tmp_path / "a" / "b"): 0o700}


def test_a_folder_another_process_made_meanwhile_does_not_stop_the_rest(tmp_path, monkeypatch):
    real_mkdir = os.mkdir
    raced = tmp_path / "a"

    def racing_mkdir(path, mode=0o777, *a, **kw):
        if Path(path) == raced and not raced.exists():
            real_mkdir(path, 0o755)  # the other process wins the first folder
            raise FileExistsError(path)
        return real_mkdir(path, mode, *a, **kw)

    with monkeypatch.context() as m:
        m.setattr(os, "mkdir", racing_mkdir)
        K.make_private_dir(tmp_path / "a" / "b" / "c")
    assert (tmp_path / "a" / "b" / "c").is_dir()
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / "c").stat().st_mode) == 0o700


def test_a_private_file_is_created_0600_not_made_private_afterwards(tmp_path, monkeypatch):
    modes = []
    real_close = os.close

    def spy_close(fd):
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_close(fd)

    old = os.umask(0)
    try:
        with monkeypatch.context() as m:
            m.setattr(os, "close", spy_close)
            K.private_file(tmp_path / "outbox.sqlite3")
    finally:
        os.umask(old)
    assert modes == [0o600]
    assert stat.S_IMODE((tmp_path / "outbox.sqlite3").stat().st_mode) == 0o600


def test_an_existing_file_others_cannot_read_keeps_its_mode(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o700)
    K.private_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    path.chmod(0o640)
    K.private_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- delivery (kiosk/gateway/outbox/delivery.py), against a scripted gateway on 127.0.0.1 --------


@pytest.fixture
def outbox(tmp_path):
    ob = Outbox(tmp_path / "outbox.sqlite3", load_or_create_key(tmp_path / "outbox.key"))
    yield ob
    ob.close()


def record(key, status, response):
    return (200, {}, {"key": key, "status": status, "response": response, "created_at": "2026-11-29T08:00:00Z"})


def conflict():
    return problem(409, "idempotency_conflict")


def test_max_items_is_a_limit_not_one_more(outbox, gw):
    for _ in range(3):
        outbox.enqueue("rating", body=rating_body(4, "lookup"))
    server = gw(*[(200, {}, {"id": i}) for i in range(3)])
    assert outbox.deliver(client_for(server.url), max_items=0) == 0
    assert outbox.deliver(client_for(server.url), max_items=2) == 2
    assert outbox.depth() == 1 and len(server.seen) == 2


def test_each_kind_resolves_to_its_summary(outbox, gw):
    refs = [outbox.enqueue("submission", body=submission_body({"s": 1})).reference,
            outbox.enqueue("cash_confirmation", {"payment_id": "PAY_1-a"}, body=b'{"staff_id":"s"}').reference,
            outbox.enqueue("rating", body=rating_body(5, "lookup")).reference]
    server = gw((201, {}, RECEIPT), (200, {}, PAYMENT), (201, {}, {"id": 42}))
    seen = []
    assert outbox.deliver(client_for(server.url), on_delivered=seen.append) == 3
    assert [{k: v for k, v in d.items() if k not in ("seq", "reference")} for d in seen] == [
        {"kind": "submission", "code": RECEIPT["code"], "status": "received"},
        {"kind": "cash_confirmation", "payment_id": "PAY_1-a", "status": "paid"},
        {"kind": "rating", "rating_id": 42}]
    assert [d["reference"] for d in seen] == refs
    assert [(s.path, s.body) for s in server.seen] == [  # the very bytes queued, each under its key
        ("/v1/dossiers", b'{"s":1}'), ("/v1/payments/PAY_1-a/cash-confirmation", b'{"staff_id":"s"}'),
        ("/v1/ratings", rating_body(5, "lookup"))]
    assert [s.headers["Idempotency-Key"] for s in server.seen] == [i["idempotency_key"] for i in outbox.items()]
    assert [json.loads(i["result"]) for i in outbox.items()] == [
        {"code": RECEIPT["code"], "status": "received"}, {"payment_id": "PAY_1-a", "status": "paid"},
        {"rating_id": 42}]
    assert outbox.provisional_status(refs[0]).dossier_code == RECEIPT["code"]


@pytest.mark.parametrize("kind,answer,summary", [
    ("submission", RECEIPT, {"code": RECEIPT["code"], "status": "received"}),
    ("cash_confirmation", PAYMENT, {"payment_id": "PAY_1-a", "status": "paid"}),
    ("rating", {"id": 7}, {"rating_id": 7})])
@pytest.mark.parametrize("status", [200, 201, 299])
def test_a_409_replay_is_reconciled_from_any_2xx_first_answer(outbox, gw, kind, answer, summary, status):
    payload = {"payment_id": "PAY_1-a"} if kind == "cash_confirmation" else None
    ref = outbox.enqueue(kind, payload, body=b'{"x":1}', idempotency_key="k-" + "0" * 10).reference
    server = gw(conflict(), record("k-" + "0" * 10, status, answer))
    assert outbox.deliver(client_for(server.url)) == 1
    (item,) = outbox.items()
    assert item["reference"] == ref and item["state"] == "delivered"
    assert json.loads(item["result"]) == {**summary, "reconciled": True}
    assert server.seen[1].path == "/v1/idempotency/k-0000000000"


@pytest.mark.parametrize("first", [record("k-0000000000", 300, {}), record("k-0000000000", 199, {}),
                                   record("k-0000000000", 409, {}), problem(404, "no_record")])
def test_a_409_whose_key_never_succeeded_is_set_aside_with_its_reason(outbox, gw, first):
    outbox.enqueue("rating", body=b'{"x":1}', idempotency_key="k-0000000000")
    outbox.enqueue("rating", body=b'{"x":2}')
    server = gw(problem(409, "payment_cancelled"), first, (201, {}, {"id": 1}))
    assert outbox.deliver(client_for(server.url)) == 1  # the next item still goes
    (aside,) = outbox.items("set_aside")
    assert aside["last_error"] == "gateway.conflict: payment_cancelled"
    assert outbox.last_error() == "gateway.conflict: payment_cancelled"  # what staff see


def test_a_gateway_down_while_reconciling_stops_the_run_and_keeps_the_item(outbox, gw):
    outbox.enqueue("rating", body=b'{"x":1}', idempotency_key="k-0000000000")
    server = gw(conflict(), problem(503))
    assert outbox.deliver(client_for(server.url)) == 0
    assert outbox.depth() == 1 and outbox.set_aside() == 0
    assert outbox.last_error() == "gateway.unavailable: gateway answered 503"


def test_a_failure_is_recorded_on_the_item_and_for_the_technician(outbox, gw):
    ref = outbox.enqueue("rating", body=b'{"x":1}').reference
    server = gw((401, {}, b""))  # credentials refused, no problem type: the reason is the key alone
    assert outbox.deliver(client_for(server.url)) == 0
    status = outbox.provisional_status(ref)
    assert (status.state, status.attempts, status.last_error) == ("queued", 1, "gateway.unauthorized")
    assert outbox.last_error() == "gateway.unauthorized"


def test_a_poison_item_is_set_aside_with_its_reason_and_the_queue_moves_on(outbox, gw):
    tampered = outbox.enqueue("rating", body=b'{"x":1}').reference
    broken = outbox.enqueue("cash_confirmation", body=b'{"staff_id":"s"}').reference  # no payment id: KeyError
    outbox.enqueue("rating", body=b'{"x":2}')
    outbox._db.execute("UPDATE items SET payload=X'00112233' WHERE reference=?", (tampered,))
    server = gw((201, {}, {"id": 9}))
    assert outbox.deliver(client_for(server.url)) == 1
    reasons = {i["reference"]: i["last_error"] for i in outbox.items("set_aside")}
    assert reasons[tampered].startswith("an outbox item does not decrypt")
    assert reasons[broken] == "outbox.error: KeyError"
    assert outbox.last_error() == "outbox.error: KeyError"
    assert len(server.seen) == 1


def test_items_queued_before_bodies_were_kept_are_sent_from_their_arguments(outbox, gw):
    from kiosk.gateway.client import cash_body

    outbox.enqueue("submission", {"s": 1})
    outbox.enqueue("cash_confirmation", {"payment_id": "PAY_1-a", "staff_id": "staff-01", "amount_vnd": 5,
                                         "receipt_number": "R-1"})
    outbox.enqueue("rating", {"score": 3})
    outbox.enqueue("rating", {"score": 4, "journey": "payment", "dossier_code": "H26.99-241125-0001",
                              "comment": "ok", "rated_at": "2026-11-29T08:00:00+00:00"})
    server = gw((201, {}, RECEIPT), (200, {}, PAYMENT), (201, {}, {"id": 1}), (201, {}, {"id": 2}))
    assert outbox.deliver(client_for(server.url)) == 4
    assert [(s.path, s.body) for s in server.seen] == [
        ("/v1/dossiers", b'{"s":1}'),
        ("/v1/payments/PAY_1-a/cash-confirmation", cash_body("staff-01", 5, "R-1")),
        ("/v1/ratings", rating_body(3, "other")),
        ("/v1/ratings", rating_body(4, "payment", dossier_code="H26.99-241125-0001", comment="ok",
                                    rated_at="2026-11-29T08:00:00+00:00"))]
    assert [json.loads(i["result"]) for i in outbox.items()][2:] == [{"rating_id": 1}, {"rating_id": 2}]


@pytest.mark.parametrize("body", [None, b'{"x":1}'])
def test_an_item_of_an_unknown_kind_is_set_aside(tmp_path, gw, body):
    """Only possible in an unencrypted (benchmark) outbox, where the kind is not sealed."""
    with Outbox(tmp_path / "plain.sqlite3", None, encrypt=False) as ob:
        ob.enqueue("rating", {"score": 3}, body=body)
        ob._db.execute("UPDATE items SET kind='bogus'")
        server = gw()
        assert ob.deliver(client_for(server.url)) == 0
        (item,) = ob.items("set_aside")
        assert item["last_error"] == "unknown kind bogus" and server.seen == []


def test_purge_forgets_only_delivered_items_older_than_asked(tmp_path, gw):
    now = [1_900_000_000.0]
    with Outbox(tmp_path / "p.sqlite3", load_or_create_key(tmp_path / "p.key"), clock=lambda: now[0]) as ob:
        done = ob.enqueue("rating", body=b'{"x":1}').reference
        assert ob.deliver(client_for(gw((201, {}, {"id": 1})).url)) == 1
        waiting = ob.enqueue("rating", body=b'{"x":2}').reference
        now[0] += 3600
        assert ob.purge_delivered(3600) == 0  # exactly as old as asked: kept
        now[0] += 0.5
        assert ob.purge_delivered(3600) == 1
        assert ob.provisional_status(done) is None and ob.provisional_status(waiting).state == "queued"
        now[0] += 10 * 86400
        assert ob.purge_delivered(0) == 0 and ob.depth() == 1  # a waiting item is never forgotten
