"""Audit log: keyed hash chain, tampering detected and named (edit, remove, insert, reorder),
an insider who rewrites the whole folder without the key is caught (recomputed chain, removed
entries, deleted head, empty folder, the gateway's copy of the head), no personal data,
retention keeps a verifiable chain, CLI exit status."""

from __future__ import annotations

import json
import subprocess
import threading

import pytest

from kiosk.audit import AuditLog, attach, verify
from tests.conftest import ROOT, kiosk_cmd

KEY = bytes(range(32))


class Clock:
    def __init__(self, t=1_790_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


def make_log(tmp_path, n=6, clock=None):
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", key=KEY, clock=clock or Clock())
    for i in range(n):
        audit.record("staff.enter", "ok" if i % 2 else "wrong_pin", "staff", attempt=i)
    return audit


def day_file(audit):
    files = sorted(audit.folder.glob("audit-*.jsonl"))
    assert len(files) == 1
    return files[0]


def lines_of(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def pruned_log(tmp_path):
    """Three days 20 days apart, three entries each, 30 days' retention: the first day file is
    gone and anchor.json says where the kept chain (seq 4 to 9) starts."""
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", key=KEY, retention_days=30, clock=clock)
    for day in range(3):
        clock.t = 1_790_000_000.0 + day * 20 * 86400
        for _ in range(3):
            audit.record("session.start")
    assert (audit.folder / "anchor.json").exists() and verify(audit.folder).ok
    return audit


def test_intact_log_verifies(tmp_path):
    audit = make_log(tmp_path)
    result = verify(audit.folder)
    assert result.ok and result.entries == 6 and (result.first_seq, result.last_seq) == (1, 6)
    entries = list(audit.entries())
    assert entries[0]["prev"] == "0" * 64
    assert all(b["prev"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    assert {e["kiosk"] for e in entries} == {"HN-TEST-01"}


def test_edited_entry_is_named(tmp_path):
    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    lines[2] = lines[2].replace('"wrong_pin"', '"ok"')
    path.write_text("".join(lines), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok
    assert (result.problem.line, result.problem.seq) == (3, 3)
    assert "edited" in result.problem.reason


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(tmp_path):
    from kiosk.audit import entry_hash

    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    entry = json.loads(lines[2])
    entry["outcome"] = "ok"
    entry["hash"] = entry_hash(entry, KEY)  # even with the key, the next entry names the edit
    lines[2] = json.dumps(entry) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 4 and "chain broken" in result.problem.reason


def test_removed_entry_is_named(tmp_path):
    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    del lines[3]
    path.write_text("".join(lines), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok
    assert (result.problem.line, result.problem.seq) == (4, 5)
    assert result.entries == 3


def test_removed_last_entry_is_detected(tmp_path):
    audit = make_log(tmp_path)
    path = day_file(audit)
    path.write_text("".join(lines_of(path)[:-1]), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 6 and "removed at the end" in result.problem.reason


def test_inserted_entry_is_named(tmp_path):
    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    lines.insert(2, lines[1])  # a copy of a genuine entry
    path.write_text("".join(lines), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok and (result.problem.line, result.problem.seq) == (3, 2)


def test_reordered_entries_are_named(tmp_path):
    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    lines[3], lines[4] = lines[4], lines[3]
    path.write_text("".join(lines), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok
    assert (result.problem.line, result.problem.seq) == (4, 5)
    assert "reordered" in result.problem.reason


def test_no_personal_data_and_id_numbers_masked(tmp_path):
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", key=KEY)
    entry = audit.record("staff.consent", "ok", "staff", id_number="001234567889", note="card 123456789",
                         photo=b"x" * 10, nested={"name": "Nguyễn Văn A"})
    text = day_file(audit).read_text(encoding="utf-8")
    assert "001234567889" not in text and "123456789" not in text.replace("0012******89", "")
    assert entry["detail"]["id_number"] == "0012******89"
    assert "photo" not in entry["detail"] and "nested" not in entry["detail"] and "Nguyễn" not in text
    assert verify(audit.folder).ok
    with pytest.raises(ValueError):
        audit.record("Bad Action!", "ok")


def test_retention_keeps_a_verifiable_chain(tmp_path):
    audit = pruned_log(tmp_path)
    # 40 days after the first day: the first day file went, the chain still verifies
    assert len(list(audit.folder.glob("audit-*.jsonl"))) == 2
    result = verify(audit.folder)
    assert result.ok and result.first_seq == 4 and result.last_seq == 9
    # removing the new first entry is still caught (the anchor knows where the chain starts)
    first = sorted(audit.folder.glob("audit-*.jsonl"))[0]
    first.write_text("".join(lines_of(first)[1:]), encoding="utf-8")
    assert not verify(audit.folder).ok


def test_concurrent_appends_keep_the_chain(tmp_path):
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", key=KEY)
    threads = [threading.Thread(target=lambda: [audit.record("receipt.reprint") for _ in range(25)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = verify(audit.folder)
    assert result.ok and result.entries == 100


def test_core_events_are_audited(tmp_path):
    from kiosk import config
    from kiosk.core import KioskCore
    from kiosk.journeys import Journeys

    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path)})
    core = KioskCore(settings)
    Journeys(core)  # the journeys' flows
    audit = AuditLog.from_settings(settings)
    attach(core, audit)
    core.begin()
    core.start_journey("lookup")
    core.reset("timeout")
    core.begin()
    core.reset("finished")
    actions = [(e["action"], e["outcome"]) for e in audit.entries()]
    assert actions == [("session.start", "ok"), ("journey.start", "ok"), ("session.timeout", "timeout"),
                       ("session.start", "ok"), ("session.end", "finished")]
    core.shutdown()


def test_cli_verify_exit_status(tmp_path):
    audit = make_log(tmp_path)
    key_file = tmp_path / "audit.key"
    key_file.write_bytes(KEY)
    key_file.chmod(0o600)
    ok = subprocess.run(kiosk_cmd("audit", "verify", "--key-file", str(key_file), str(audit.folder)),
                        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert ok.returncode == 0 and "OK, 6 entries" in ok.stdout
    path = day_file(audit)
    lines = lines_of(path)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    bad = subprocess.run(kiosk_cmd("audit", "verify", "--json", "--key-file", str(key_file), str(audit.folder)),
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 1
    problem = json.loads(bad.stdout)["problem"]
    assert problem["seq"] == 3 and problem["line"] == 2


# -- an insider who can rewrite the data folder, but does not have the key -----------------------

INSIDER_KEY = b"\xaa" * 32  # the best an insider can do: a key of their own (or none at all)


def rewrite_whole_log(audit, entries, key=INSIDER_KEY):
    """Renumber and re-chain ``entries`` as the kiosk would, with ``key``, and write the day
    file and head.json as the kiosk writes them."""
    import hashlib

    from kiosk.audit import GENESIS, _mark, entry_hash

    prev, lines = GENESIS, []
    for seq, entry in enumerate(entries, 1):
        entry = {**entry, "seq": seq, "prev": prev}
        entry.pop("hash", None)
        entry["hash"] = entry_hash(entry, key) if key else hashlib.sha256(
            json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        prev = entry["hash"]
        lines.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
    day_file(audit).write_text("".join(lines), encoding="utf-8")
    (audit.folder / "head.json").write_text(json.dumps(_mark("head", len(entries), prev, key or b"")))


def shift_log(tmp_path):
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", key=KEY, clock=Clock())
    audit.record("session.start")
    audit.record("payment.cash_confirm", "ok", "staff", payment="PAY-1", amount_vnd=50000)
    audit.record("technician.enter", "ok", "citizen")
    audit.record("kiosk.exit", "ok", "technician")
    audit.record("session.start")
    assert verify(audit.folder).ok
    return audit


@pytest.mark.parametrize("key", [INSIDER_KEY, None], ids=["own-key", "plain-sha256"])
def test_edited_amount_with_the_chain_recomputed_without_the_key_is_caught(tmp_path, key):
    audit = shift_log(tmp_path)
    entries = list(audit.entries())
    entries[1]["detail"]["amount_vnd"] = 5000
    rewrite_whole_log(audit, entries, key)
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 1 and "edited" in result.problem.reason


def test_removed_technician_exit_with_the_chain_recomputed_is_caught(tmp_path):
    audit = shift_log(tmp_path)
    entries = [e for e in audit.entries() if e["action"] != "kiosk.exit"]
    rewrite_whole_log(audit, entries)
    result = verify(audit.folder)
    assert not result.ok and result.problem.line == 1 and "its hash does not match" in result.problem.reason


@pytest.mark.parametrize("field, value", [
    ("detail", {"payment": "PAY-1", "amount_vnd": 5000}), ("t", "2026-01-01T00:00:00.000Z"),
    ("kiosk", "HN-OTHER-02"), ("role", "citizen"), ("action", "session.start"), ("outcome", "failed"),
    ("extra", "added by hand"),
])
def test_every_field_of_an_entry_is_in_its_hash(tmp_path, field, value):
    """Edited in place, hash untouched: whatever the field (the cash amount in ``detail``, the
    time, or a field the kiosk never writes), the entry is named as edited."""
    audit = shift_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    entry = json.loads(lines[1])
    entry[field] = value
    lines[1] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 2 and "edited" in result.problem.reason


def test_deleting_the_last_entry_and_the_head_is_caught(tmp_path):
    audit = shift_log(tmp_path)
    path = day_file(audit)
    path.write_text("".join(lines_of(path)[:-1]), encoding="utf-8")
    (audit.folder / "head.json").unlink()
    result = verify(audit.folder)
    assert not result.ok and "head.json is missing" in result.problem.reason


def test_a_head_rewritten_to_match_a_shortened_log_is_caught(tmp_path):
    audit = shift_log(tmp_path)
    path = day_file(audit)
    kept = lines_of(path)[:-2]
    path.write_text("".join(kept), encoding="utf-8")
    last = json.loads(kept[-1])
    (audit.folder / "head.json").write_text(json.dumps({"seq": last["seq"], "hash": last["hash"], "mac": "0" * 64}))
    result = verify(audit.folder)
    assert not result.ok and "head.json is not the one the kiosk wrote" in result.problem.reason


def test_an_empty_log_where_entries_were_expected_fails(tmp_path):
    audit = shift_log(tmp_path)
    day_file(audit).unlink()  # every entry gone, the head still says seq 5
    result = verify(audit.folder)
    assert not result.ok and result.entries == 0 and "removed" in result.problem.reason
    (audit.folder / "head.json").unlink()  # and the head too: an empty folder proves nothing
    result = verify(audit.folder)
    assert not result.ok and "empty" in result.problem.reason
    assert verify(audit.folder, allow_empty=True).ok  # a kiosk that never started


def test_the_gateways_copy_of_the_head_catches_a_wiped_or_rewritten_log(tmp_path):
    audit = shift_log(tmp_path)
    sent = audit.head()  # what the last heartbeat carried
    assert sent == {"seq": 5, "hash": list(audit.entries())[-1]["hash"]}
    assert verify(audit.folder, gateway_head=sent).ok
    audit.record("session.start")  # the log may be ahead of the gateway's copy
    assert verify(audit.folder, gateway_head=sent).ok
    # entry 5 replaced by another one written with the real key (a rogue process on the kiosk)
    entries = list(audit.entries())
    entries[4]["outcome"] = "ok-edited"
    rewrite_whole_log(audit, entries[:5], KEY)
    assert verify(audit.folder).ok  # the folder alone looks fine...
    result = verify(audit.folder, gateway_head=sent)
    assert not result.ok and "rewritten" in result.problem.reason  # ...the gateway's copy does not
    # everything deleted: the folder is as empty as a new kiosk's, but the gateway saw seq 5
    for f in audit.folder.iterdir():
        f.unlink()
    result = verify(audit.folder, gateway_head=sent, allow_empty=True)
    assert not result.ok and "missing" in result.problem.reason


def test_the_key_lives_outside_the_data_folder_and_a_real_kiosk_needs_it(tmp_path):
    from kiosk import config
    from kiosk.audit import AuditKeyError, key_path, load_key

    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path / "data")})
    path = key_path(settings)
    assert not str(path).startswith(str(tmp_path / "data") + "/")
    with pytest.raises(AuditKeyError, match="does not exist"):
        AuditLog.from_settings(settings.replace(gateway={"url": "https://gw.example"}))
    inside = settings.replace(audit={"key_file": str(tmp_path / "data" / "audit.key")})
    with pytest.raises(AuditKeyError, match="inside the data folder"):
        AuditLog.from_settings(inside)
    AuditLog.from_settings(settings)  # a demo kiosk makes its key, beside the data folder, 0600
    assert path.stat().st_mode & 0o777 == 0o600 and len(path.read_bytes()) == 32
    path.chmod(0o644)
    with pytest.raises(AuditKeyError, match="readable or writable by others"):
        load_key(path)


def test_the_head_goes_with_every_heartbeat_and_verify_compares_with_the_gateway(tmp_path):
    """Real HTTP on 127.0.0.1: the monitor's heartbeat carries the head, the demo gateway keeps
    the newest one, and `kiosk audit verify --gateway URL` fails once the log is wiped."""
    import re

    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.embedded import EmbeddedGateway
    from kiosk.gateway.monitor import GatewayMonitor

    ini = tmp_path / "kiosk.ini"
    text = re.sub(r"(?m)^data_dir = .*$", f"data_dir = {tmp_path / 'data'}", (ROOT / "kiosk.ini").read_text())
    ini.write_text(re.sub(r"(?m)^key_file =.*$", f"key_file = {tmp_path / 'audit.key'}", text), encoding="utf-8")
    from kiosk import config

    settings = config.load(ini)
    audit = AuditLog.from_settings(settings)
    for _ in range(3):
        audit.record("session.start")
    gw = EmbeddedGateway(None, db_path=None)
    url = gw.start()
    try:
        client = GatewayClient.from_settings(settings, base_url=url)
        monitor = GatewayMonitor(client, audit_head=audit.head)
        assert monitor.check().state.value == "online"
        client.heartbeat({})  # a heartbeat without a head does not erase the kept one
        kept = client.request("GET", "/v1/kiosks/audit-head")
        assert kept == audit.head() == {"seq": 3, "hash": list(audit.entries())[-1]["hash"]}

        def cli_verify():
            return subprocess.run(kiosk_cmd("--config", str(ini), "audit", "verify", "--gateway", url),
                                  capture_output=True, text=True, cwd=ROOT, timeout=60)

        ok = cli_verify()
        assert ok.returncode == 0 and "the gateway's head (seq 3) matches" in ok.stdout, ok.stderr
        for f in audit.folder.iterdir():  # an insider wipes the whole audit folder
            f.unlink()
        wiped = cli_verify()
        assert wiped.returncode == 1 and "the gateway received the head of seq 3" in wiped.stderr, wiped.stderr
    finally:
        gw.stop()
