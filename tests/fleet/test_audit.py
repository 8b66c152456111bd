"""Audit log: hash chain, tampering detected and named (edit, remove, insert, reorder),
no personal data, retention keeps a verifiable chain, CLI exit status."""

from __future__ import annotations

import json
import subprocess
import threading

import pytest

from kiosk.audit import AuditLog, attach, verify
from tests.conftest import ROOT, kiosk_cmd


class Clock:
    def __init__(self, t=1_790_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


def make_log(tmp_path, n=6, clock=None):
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", clock=clock or Clock())
    for i in range(n):
        audit.record("staff.enter", "ok" if i % 2 else "wrong_pin", "staff", attempt=i)
    return audit


def day_file(audit):
    files = sorted(audit.folder.glob("audit-*.jsonl"))
    assert len(files) == 1
    return files[0]


def lines_of(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


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
    entry["hash"] = entry_hash(entry)
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
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01")
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
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", retention_days=30, clock=clock)
    for day in range(3):
        clock.t = 1_790_000_000.0 + day * 20 * 86400
        for _ in range(3):
            audit.record("session.start")
    # 40 days after the first day: the first day file went, the chain still verifies
    assert len(list(audit.folder.glob("audit-*.jsonl"))) == 2
    result = verify(audit.folder)
    assert result.ok and result.first_seq == 4 and result.last_seq == 9
    # removing the new first entry is still caught (the anchor knows where the chain starts)
    first = sorted(audit.folder.glob("audit-*.jsonl"))[0]
    first.write_text("".join(lines_of(first)[1:]), encoding="utf-8")
    assert not verify(audit.folder).ok


def test_concurrent_appends_keep_the_chain(tmp_path):
    audit = AuditLog(tmp_path / "audit", "HN-TEST-01")
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
    ok = subprocess.run(kiosk_cmd("audit", "verify", str(audit.folder)), capture_output=True, text=True,
                        cwd=ROOT, timeout=60)
    assert ok.returncode == 0 and "OK, 6 entries" in ok.stdout
    path = day_file(audit)
    lines = lines_of(path)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    bad = subprocess.run(kiosk_cmd("audit", "verify", "--json", str(audit.folder)), capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 1
    problem = json.loads(bad.stdout)["problem"]
    assert problem["seq"] == 3 and problem["line"] == 2
