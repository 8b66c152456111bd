"""Tests written against surviving mutants of the module's security checks (scripts/mutation):
one day file checked on its own, no key, a forged or rolled-back anchor and head, an entry that
is not an entry, the gateway's copy of the head at its edges, the key file's checks, the head
found again when head.json is lost, and retention's anchor."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from kiosk import audit as audit_mod
from kiosk.audit import GENESIS, AuditKeyError, AuditLog, entry_hash, load_key, verify
from tests.fleet.test_audit import KEY, Clock, day_file, lines_of, make_log, pruned_log, shift_log


def write_lines(path, lines):
    path.write_text("".join(lines), encoding="utf-8")


def signed(entry: dict, key: bytes = KEY) -> str:
    """An entry line written with ``key`` (a rogue process that has the kiosk's key)."""
    entry = {k: v for k, v in entry.items() if k != "hash"}
    entry["hash"] = entry_hash(entry, key)
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- one day file, checked on its own --------------------------------------------------------------

def test_one_day_file_verifies_on_its_own(tmp_path):
    audit = make_log(tmp_path)
    result = verify(day_file(audit), KEY)
    assert result.ok and result.entries == 6 and (result.first_seq, result.last_seq) == (1, 6)
    assert verify(day_file(audit)).ok  # the key of the log this process opened on its folder


@pytest.mark.parametrize("change, line, seq, reason", [
    (lambda lines: lines.__setitem__(2, lines[2].replace('"wrong_pin"', '"ok"')), 3, 3, "edited"),
    (lambda lines: lines.__delitem__(3), 4, 5, "sequence 5 where 4"),
    (lambda lines: lines.insert(4, lines[1]), 5, 2, "sequence 2 where 5"),
    (lambda lines: lines.__setitem__(3, "garbage\n"), 4, None, "not a readable entry"),
])
def test_one_day_file_names_its_first_bad_entry(tmp_path, change, line, seq, reason):
    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    change(lines)
    write_lines(path, lines)
    result = verify(path, KEY)
    assert not result.ok and (result.problem.file, result.problem.line, result.problem.seq) == (path.name, line, seq)
    assert reason in result.problem.reason and result.entries == line - 1


def test_a_day_file_needs_the_real_key(tmp_path):
    audit = make_log(tmp_path)
    result = verify(day_file(audit), b"\xaa" * 32)
    assert not result.ok and result.problem.line == 1 and "edited" in result.problem.reason


def test_no_such_path_and_no_key_fail(tmp_path):
    result = verify(tmp_path / "nowhere", KEY)
    assert not result.ok and "no such audit file or folder" in result.problem.reason
    assert (result.entries, result.first_seq, result.last_seq) == (0, None, None)
    audit = make_log(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(audit.folder, copy)  # a folder no log of this process opened: no key known
    for path in (copy, copy / day_file(audit).name):
        result = verify(path)
        assert not result.ok and result.entries == 0 and "no audit key" in result.problem.reason
    assert verify(copy, KEY).ok


# -- entries that are not entries ----------------------------------------------------------------

@pytest.mark.parametrize("bad", ["[1, 2]\n", '"entry"\n', "\n", '{"seq": 3}\n', '{"seq": 3, "hash": 42}\n'])
def test_a_line_that_is_not_an_entry_is_named(tmp_path, bad):
    audit = make_log(tmp_path)
    path = day_file(audit)
    lines = lines_of(path)
    lines[2] = bad
    write_lines(path, lines)
    result = verify(audit.folder)
    assert not result.ok and result.problem.line == 3 and result.entries == 2


def test_an_entry_without_a_whole_number_seq_is_refused_even_with_the_key(tmp_path):
    audit = make_log(tmp_path, n=1)
    path = day_file(audit)
    entry = json.loads(lines_of(path)[0])
    write_lines(path, [signed({**entry, "seq": "1"})])
    result = verify(path, KEY)  # a day file alone: no expected sequence number to compare with
    assert not result.ok and "no sequence number" in result.problem.reason
    assert (result.ok, result.entries, result.first_seq, result.last_seq) == (False, 0, None, None)
    assert (result.problem.file, result.problem.line, result.problem.seq) == (path.name, 1, "1")


# -- the anchor and the head ---------------------------------------------------------------------

@pytest.mark.parametrize("edit", [
    {"seq": 4}, {"hash": "f" * 64}, {"mac": "0" * 64}, {"seq": True}, {"seq": "3"}, {"hash": 3}, {"mac": None},
])
def test_an_edited_anchor_is_named(tmp_path, edit):
    audit = pruned_log(tmp_path)
    anchor = json.loads((audit.folder / "anchor.json").read_text())
    (audit.folder / "anchor.json").write_text(json.dumps({**anchor, **edit}))
    result = verify(audit.folder)
    assert not result.ok and result.problem.file == "anchor.json" and "anchor is not the one" in result.problem.reason


def test_the_anchor_says_where_the_kept_chain_starts(tmp_path):
    audit = pruned_log(tmp_path)
    anchor = json.loads((audit.folder / "anchor.json").read_text())
    assert anchor["seq"] == 3
    result = verify(audit.folder)
    assert result.ok and (result.entries, result.first_seq, result.last_seq) == (6, 4, 9)
    # an anchor and head but every day file gone: entries were removed
    for path in audit.folder.glob("audit-*.jsonl"):
        path.unlink()
    result = verify(audit.folder)
    assert not result.ok and "removed at the end" in result.problem.reason
    # the head gone as well: the anchor alone still says a log was here
    (audit.folder / "head.json").unlink()
    result = verify(audit.folder, allow_empty=True)
    assert not result.ok and "head.json is missing" in result.problem.reason
    assert (result.problem.file, result.problem.line) == ("head.json", 0)


def test_the_first_entry_after_the_anchor_must_follow_it(tmp_path):
    """An entry written with the key, numbered right after the anchor but not chained to it."""
    audit = pruned_log(tmp_path)
    first = sorted(audit.folder.glob("audit-*.jsonl"))[0]
    lines = lines_of(first)
    lines[0] = signed({**json.loads(lines[0]), "prev": GENESIS})
    write_lines(first, lines)
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 4 and "chain broken" in result.problem.reason


def test_an_older_genuine_head_put_back_is_caught(tmp_path):
    """head.json rolled back to a copy taken earlier: the entries after it are named."""
    audit = make_log(tmp_path, n=3)
    old = (audit.folder / "head.json").read_bytes()
    audit.record("session.start")
    audit.record("session.start")
    (audit.folder / "head.json").write_bytes(old)
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 5 and result.problem.line == 5
    assert "inserted: entries after seq 3" in result.problem.reason


def test_the_last_entry_rewritten_with_the_key_under_the_real_head_is_caught(tmp_path):
    """A rogue process with the key rewrites the last entry; the head still holds the hash
    of the one the kiosk wrote."""
    audit = make_log(tmp_path, n=4)
    path = day_file(audit)
    lines = lines_of(path)
    write_lines(path, lines[:-1] + [signed({**json.loads(lines[-1]), "outcome": "rewritten"})])
    result = verify(audit.folder)
    assert not result.ok and (result.problem.line, result.problem.seq) == (4, 4)
    assert "not the one last written" in result.problem.reason


def test_a_head_with_a_bool_or_missing_fields_is_not_a_head(tmp_path):
    from kiosk.audit import mark_hash

    audit = make_log(tmp_path, n=1)
    head = json.loads((audit.folder / "head.json").read_text())
    assert audit.head() == {"seq": 1, "hash": head["hash"]}
    for bad in ({**head, "seq": True, "mac": mark_hash("head", True, head["hash"], KEY)},
                {k: v for k, v in head.items() if k != "hash"}, {**head, "mac": 1}, {**head, "hash": None}):
        (audit.folder / "head.json").write_text(json.dumps(bad))
        assert audit.head() is None
        assert not verify(audit.folder).ok


# -- the gateway's copy of the head --------------------------------------------------------------

def test_the_gateways_head_at_its_edges(tmp_path):
    audit = shift_log(tmp_path)
    entries = list(audit.entries())
    for seq in (1, 3, 5):
        assert verify(audit.folder, gateway_head={"seq": seq, "hash": entries[seq - 1]["hash"]}).ok
    for seq in (1, 3, 5):
        result = verify(audit.folder, gateway_head={"seq": seq, "hash": entries[seq - 2]["hash"]})
        assert not result.ok and result.problem.seq == seq and "rewritten" in result.problem.reason
    result = verify(audit.folder, gateway_head={"seq": 6, "hash": entries[4]["hash"]})
    assert not result.ok and result.problem.seq == 6 and "the log ends at 5" in result.problem.reason
    # a head the gateway has not got yet, or not a head: nothing to compare
    for nothing in (None, {}, {"seq": 0, "hash": GENESIS}, {"seq": "3", "hash": "x"}, [3, "x"]):
        assert verify(audit.folder, gateway_head=nothing).ok


def test_the_gateways_head_from_before_the_retention_cut(tmp_path):
    """The gateway last saw an entry that retention has since removed: nothing to compare,
    but one past the kept chain's end is still missing."""
    audit = pruned_log(tmp_path)
    assert verify(audit.folder, gateway_head={"seq": 2, "hash": "0" * 64}).ok
    assert verify(audit.folder, gateway_head={"seq": 3, "hash": "0" * 64}).ok
    result = verify(audit.folder, gateway_head={"seq": 4, "hash": "0" * 64})
    assert not result.ok and "rewritten" in result.problem.reason
    for path in audit.folder.glob("audit-*.jsonl"):
        path.unlink()
    (audit.folder / "head.json").unlink()
    (audit.folder / "anchor.json").unlink()
    result = verify(audit.folder, gateway_head={"seq": 2, "hash": "0" * 64}, allow_empty=True)
    assert not result.ok and "the log ends at nothing" in result.problem.reason


# -- the key ---------------------------------------------------------------------------------------

def key_file(path, data=KEY, mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode, ok", [
    (0o600, True), (0o640, True), (0o400, True), (0o440, True),
    (0o604, False), (0o602, False), (0o601, False), (0o660, False), (0o620, False),
])
def test_the_key_files_mode(tmp_path, mode, ok):
    path = key_file(tmp_path / "audit.key", mode=mode)
    problem = audit_mod.key_problem(path)
    if ok:
        assert problem is None and load_key(path) == KEY
    else:
        assert problem and "writable" in problem
        with pytest.raises(AuditKeyError, match="writable"):
            load_key(path)


def test_a_key_of_fewer_than_32_bytes_is_refused(tmp_path):
    assert load_key(key_file(tmp_path / "k32", bytes(32))) == bytes(32)
    with pytest.raises(AuditKeyError, match="holds 31 bytes, at least 32"):
        load_key(key_file(tmp_path / "k31", bytes(31)))
    with pytest.raises(AuditKeyError, match="at least 32 bytes"):
        AuditLog(tmp_path / "audit", "K", key=bytes(31))
    with pytest.raises(AuditKeyError):
        AuditLog(tmp_path / "audit", "K", key="x" * 32)  # text is not a key


def test_a_key_inside_the_data_folder_is_refused_and_never_made_there(tmp_path):
    data = tmp_path / "data"
    inside = data / "sub" / "audit.key"
    with pytest.raises(AuditKeyError, match="inside the data folder"):
        load_key(inside, create=True, data_dir=data)
    assert not inside.exists()
    key_file(inside)
    with pytest.raises(AuditKeyError, match="inside the data folder"):
        load_key(inside, data_dir=data)
    # a link in the data folder to a key outside it: whoever can write the folder can point the
    # link at a key of their own, so it is as bad as a key inside
    link = key_file(tmp_path / "outside.key")
    (data / "link.key").symlink_to(link)
    with pytest.raises(AuditKeyError, match="inside the data folder"):
        load_key(data / "link.key", data_dir=data)
    # and a link outside pointing into the data folder is inside too
    (tmp_path / "to-inside.key").symlink_to(inside)
    with pytest.raises(AuditKeyError, match="inside the data folder"):
        load_key(tmp_path / "to-inside.key", data_dir=data)
    with pytest.raises(AuditKeyError, match="inside the data folder"):  # however the path is spelt
        load_key(tmp_path / "elsewhere" / ".." / "data" / "sub" / "audit.key", data_dir=data)
    beside = tmp_path / "data-audit.key"  # beside the folder, its name sharing the folder's prefix
    assert len(load_key(beside, create=True, data_dir=data)) == 32


def test_a_made_key_is_private_random_and_kept(tmp_path):
    path = tmp_path / "etc" / "kiosk" / "audit.key"
    made = load_key(path, create=True)
    assert len(made) == 32 and made != bytes(32) and os.stat(path).st_mode & 0o777 == 0o600
    assert load_key(path, create=True) == made  # an existing key is never replaced
    assert load_key(tmp_path / "other.key", create=True) != made
    with pytest.raises(AuditKeyError, match="does not exist"):
        load_key(tmp_path / "missing.key")
    assert not (tmp_path / "missing.key").exists()


def test_an_unreadable_key_is_refused(tmp_path, monkeypatch):
    path = key_file(tmp_path / "audit.key")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(audit_mod.Path, "read_bytes", denied)
    with pytest.raises(AuditKeyError, match="cannot be read"):
        load_key(path)
    real_stat = os.stat

    def stat(p, *a, **kw):
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_stat(p, *a, **kw)

    monkeypatch.setattr(audit_mod.os, "stat", stat)
    assert "cannot be read (Permission denied)" in audit_mod.key_problem(path)


def test_where_the_key_is(tmp_path, monkeypatch):
    from kiosk import config

    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path / "data")})
    assert audit_mod.key_path(settings) == tmp_path / "data-audit.key"
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "creds"))
    assert audit_mod.key_path(settings) == tmp_path / "creds" / "audit.key"
    named = settings.replace(audit={"key_file": str(tmp_path / "etc" / "audit.key")})
    assert audit_mod.key_path(named) == tmp_path / "etc" / "audit.key"


def test_only_a_demo_kiosk_makes_its_key(tmp_path, monkeypatch):
    from kiosk import config

    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path / "data"), "kiosk_id": "HN-X-01"},
                                         privacy={"audit_retention_days": 30})
    real = settings.replace(gateway={"url": "https://gw.example"})
    with pytest.raises(AuditKeyError, match="does not exist"):
        AuditLog.from_settings(real)
    assert AuditLog.from_settings(real, create_key=True).key == (tmp_path / "data-audit.key").read_bytes()
    (tmp_path / "data-audit.key").unlink()
    with pytest.raises(AuditKeyError):
        AuditLog.from_settings(settings, create_key=False)
    log = AuditLog.from_settings(settings)  # the embedded gateway: a demo kiosk
    assert (log.folder, log.kiosk_id, log.retention_days) == (tmp_path / "data" / "audit", "HN-X-01", 30)
    assert os.stat(log.folder).st_mode & 0o777 == 0o700
    assert log.record("session.start")["kiosk"] == "HN-X-01" and log.verify().ok


# -- writing: the chain continues from the right place ---------------------------------------------

def test_a_lost_head_is_found_again_from_the_last_entry_written(tmp_path):
    audit = make_log(tmp_path, n=3)
    last = list(audit.entries())[-1]
    (audit.folder / "head.json").unlink()
    entry = audit.record("session.start")
    assert (entry["seq"], entry["prev"]) == (4, last["hash"])
    assert audit.head() == {"seq": 4, "hash": entry["hash"]} and verify(audit.folder).ok


def test_a_forged_head_is_not_followed(tmp_path):
    """A head.json without the key's MAC is ignored: the chain goes on from the last entry."""
    audit = make_log(tmp_path, n=3)
    last = list(audit.entries())[-1]
    (audit.folder / "head.json").write_text(json.dumps({"seq": 40, "hash": "f" * 64, "mac": "0" * 64}))
    entry = audit.record("session.start")
    assert (entry["seq"], entry["prev"]) == (4, last["hash"]) and verify(audit.folder).ok


def test_the_newest_day_file_continues_the_chain(tmp_path):
    clock = Clock()
    audit = make_log(tmp_path, n=2, clock=clock)
    clock.t += 86400
    audit.record("session.start")
    (audit.folder / "head.json").unlink()
    entry = audit.record("session.start")
    assert entry["seq"] == 4 and len(list(audit.folder.glob("audit-*.jsonl"))) == 2 and verify(audit.folder).ok


@pytest.mark.parametrize("last", ["garbage\n", '{"seq": 3}\n', '{"hash": "x"}\n', '{"seq": "x", "hash": "y"}\n'])
def test_an_unreadable_last_entry_and_no_head_restart_from_the_anchor(tmp_path, last):
    """Nothing to continue from but the anchor: the next entry follows the anchor (and the
    check names the unreadable entry, which is the finding)."""
    audit = pruned_log(tmp_path)
    anchor = json.loads((audit.folder / "anchor.json").read_text())
    (audit.folder / "head.json").unlink()
    newest = sorted(audit.folder.glob("audit-*.jsonl"))[-1]
    newest.write_text(newest.read_text() + last + "\n\n")
    entry = audit.record("session.start")
    assert (entry["seq"], entry["prev"]) == (anchor["seq"] + 1, anchor["hash"])


def test_no_head_no_entries_a_forged_anchor_starts_at_genesis(tmp_path):
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=Clock())
    (audit.folder / "anchor.json").write_text(json.dumps({"seq": 9, "hash": "f" * 64, "mac": "0" * 64}))
    entry = audit.record("session.start")
    assert (entry["seq"], entry["prev"]) == (1, GENESIS)
    (audit.folder / "anchor.json").unlink()
    assert verify(audit.folder).ok


def test_retention_anchors_the_chain_at_the_last_removed_entry(tmp_path):
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, retention_days=30, clock=clock)
    for day in (0, 29, 30, 31):
        clock.t = 1_790_000_000.0 + day * 86400
        audit.record("session.start")
        audit.record("session.end")
    # day 31: the cut is day 1; day 0 goes, day 29 and 30 stay (the cut day itself is kept)
    assert len(list(audit.folder.glob("audit-*.jsonl"))) == 3
    anchor = json.loads((audit.folder / "anchor.json").read_text())
    assert anchor["seq"] == 2 and anchor["hash"] == verify_entries(audit)[0]["prev"]
    assert audit_mod._valid_mark(anchor, "anchor", KEY) and not audit_mod._valid_mark(anchor, "head", KEY)
    assert verify(audit.folder).ok


def verify_entries(audit):
    return list(audit.entries())


def test_prune_keeps_the_newest_day_whatever_its_age(tmp_path):
    """A kiosk idle for longer than the retention: every old day goes but the newest, which
    holds the entry the head names (without it the log would read as cut at the end)."""
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, retention_days=30, clock=clock)
    for day in range(4):
        clock.t = 1_790_000_000.0 + day * 86400
        audit.record("session.start")
        audit.record("session.end")
    clock.t += 40 * 86400
    assert audit.prune() == 3
    assert [e["seq"] for e in audit.entries()] == [7, 8]
    assert json.loads((audit.folder / "anchor.json").read_text())["seq"] == 6
    assert audit.prune() == 0 and audit.verify().ok
    assert audit.verify().ok and audit.record("session.start")["seq"] == 9 and audit.verify().ok


def unreadable_old_day(tmp_path):
    """A 30-day log whose first day file ends in a line that does not read, 40 days on: the
    log and that file."""
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, retention_days=30, clock=clock)
    audit.record("session.start")
    first = day_file(audit)
    first.write_text(first.read_text() + "garbage\n")
    clock.t += 40 * 86400
    return audit, first


def test_an_unreadable_old_day_file_is_kept_not_pruned(tmp_path):
    audit, first = unreadable_old_day(tmp_path)
    assert audit.prune() == 0 and first.exists() and not (audit.folder / "anchor.json").exists()


def test_a_disk_that_fails_does_not_stop_the_kiosk(tmp_path, monkeypatch):
    audit = make_log(tmp_path, n=1)
    seen = []
    audit.subscribe(lambda entry: 1 / 0)  # a broken listener does not stop the next one
    audit.subscribe(seen.append)

    def full(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit_mod.os, "write", full)
    entry = audit.record("session.start")
    assert entry["action"] == "session.start" and seen == [entry]
    monkeypatch.undo()
    assert verify(audit.folder).ok and audit.record("session.end")["seq"] == 2


# -- what an entry holds ----------------------------------------------------------------------------

def test_detail_values_are_short_scalars_with_id_numbers_masked(tmp_path):
    from enum import Enum

    class Kind(Enum):
        CARD = "card 001234567889"

    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=Clock())
    entry = audit.record("staff.enter", Kind.CARD, "staff", count=3, big=123456789012, long_int=1234567890123,
                         ratio=0.5, flag=True, off=False, kind=Kind.CARD, long="x" * 200, none=None, Bad=1,
                         photo=b"x", items=[1], **{"a" * 32: 1, "b" * 33: 1, "c\n": 1})
    assert entry["detail"] == {"count": 3, "big": "1234******12", "long_int": 1234567890123, "ratio": 0.5,
                               "flag": True, "off": False, "kind": "card 0012******89", "long": "x" * 120,
                               "a" * 32: 1}
    assert entry["outcome"] == "card 0012******89" and entry["role"] == "staff"
    assert audit.record("staff.enter", "x" * 100)["outcome"] == "x" * 60
    for action in ("a", "session.start", "a" * 64, "x-y_z.0"):
        audit.record(action)
    for action in ("", "A", "1a", "a" * 65, "a b", "a\n"):
        with pytest.raises(ValueError):
            audit.record(action)
    assert verify(audit.folder).ok


def test_times_are_utc_with_milliseconds(tmp_path):
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=Clock(1_790_000_000.25))
    assert audit.record("session.start")["t"] == "2026-09-21T14:13:20.250Z"
    assert day_file(audit).name == "audit-20260921.jsonl"


def test_entries_and_tail_skip_unreadable_lines(tmp_path):
    audit = make_log(tmp_path, n=4)
    path = day_file(audit)
    path.write_text(path.read_text() + "garbage\n\n")
    assert [e["seq"] for e in audit.entries()] == [1, 2, 3, 4]
    assert [e["seq"] for e in audit.tail(2)] == [3, 4] and len(audit.tail()) == 4


def test_the_result_as_json(tmp_path):
    audit = make_log(tmp_path, n=2)
    assert audit.verify().as_dict() == {"ok": True, "entries": 2, "first_seq": 1, "last_seq": 2, "problem": None}
    path = day_file(audit)
    write_lines(path, lines_of(path)[::-1])
    result = audit.verify()
    assert result.as_dict() == {"ok": False, "entries": 0, "first_seq": None, "last_seq": None, "problem": {
        "file": path.name, "line": 1, "seq": 2, "reason": result.problem.reason}}
    assert str(result.problem).startswith(f"{path.name}:1: entry seq 2: sequence 2 where 1")
    assert verify(audit.folder, gateway_head={"seq": 9, "hash": "x"}).as_dict()["ok"] is False


# -- every failure is a whole result: ok is False, the counts so far, the entry named --------------

def shape(result):
    p = result.problem
    return (result.ok, result.entries, result.first_seq, result.last_seq, p and (p.file, p.line, p.seq))


def test_each_failure_names_where_and_how_far_the_log_was_good(tmp_path):
    audit = make_log(tmp_path, n=4)
    folder, path = audit.folder, day_file(audit)
    name, good = path.name, path.read_text()
    head_text = (folder / "head.json").read_text()

    def with_lines(change):
        lines = good.splitlines(keepends=True)
        change(lines)
        write_lines(path, lines)
        return verify(folder)

    assert shape(verify(tmp_path / "none", KEY)) == (False, 0, None, None, (str(tmp_path / "none"), 0, None))
    copy = shutil.copytree(folder, tmp_path / "copy")
    assert shape(verify(copy)) == (False, 0, None, None, (str(copy), 0, None))
    assert shape(with_lines(lambda ls: ls.__setitem__(2, "{"))) == (False, 2, 1, 2, (name, 3, None))
    assert shape(with_lines(lambda ls: ls.__setitem__(2, ls[2].replace("wrong_pin", "ok")))) == \
        (False, 2, 1, 2, (name, 3, 3))
    assert shape(with_lines(lambda ls: ls.__delitem__(1))) == (False, 1, 1, 1, (name, 2, 3))
    entry = json.loads(good.splitlines()[2])
    assert shape(with_lines(lambda ls: ls.__setitem__(2, signed({**entry, "prev": GENESIS})))) == \
        (False, 2, 1, 2, (name, 3, 3))
    write_lines(path, [good])
    (folder / "head.json").write_text(json.dumps({**json.loads(head_text), "mac": "0" * 64}))
    assert shape(verify(folder)) == (False, 4, 1, 4, ("head.json", 0, 4))
    (folder / "head.json").unlink()
    assert shape(verify(folder)) == (False, 4, 1, 4, (name, 4, 4))
    (folder / "head.json").write_text(head_text)
    assert shape(with_lines(lambda ls: ls.__delitem__(3))) == (False, 3, 1, 3, (name, 3, 4))
    assert shape(with_lines(lambda ls: ls.__setitem__(3, signed({**json.loads(ls[3]), "outcome": "x"})))) == \
        (False, 4, 1, 4, (name, 4, 4))
    write_lines(path, [good])
    assert shape(verify(folder, gateway_head={"seq": 9, "hash": "x"})) == (False, 4, 1, 4, (name, 4, 9))
    assert shape(verify(folder, gateway_head={"seq": 2, "hash": "x"})) == (False, 4, 1, 4, (name, 4, 2))
    old_head = head_text
    audit.record("session.start")
    (folder / "head.json").write_text(old_head)
    assert shape(verify(folder)) == (False, 5, 1, 5, (name, 5, 5))
    for f in folder.iterdir():
        f.unlink()
    assert shape(verify(folder)) == (False, 0, None, None, (str(folder), 0, None))
    assert shape(verify(folder, gateway_head={"seq": 2, "hash": "x"}, allow_empty=True)) == \
        (False, 0, None, None, ("head.json", 0, 2))


def test_an_edited_anchor_fails_before_any_entry_is_read(tmp_path):
    audit = pruned_log(tmp_path)
    anchor = json.loads((audit.folder / "anchor.json").read_text())
    (audit.folder / "anchor.json").write_text(json.dumps({**anchor, "mac": "0" * 64}))
    assert shape(verify(audit.folder)) == (False, 0, None, None, ("anchor.json", 0, 3))
    (audit.folder / "anchor.json").write_text(json.dumps([anchor]))  # not even an object: no anchor at all
    assert shape(verify(audit.folder)) == (False, 0, None, None, (sorted(audit.folder.glob("audit-*"))[0].name, 1, 4))


def test_a_day_file_without_its_last_newline_still_verifies(tmp_path):
    audit = make_log(tmp_path, n=3)
    path = day_file(audit)
    path.write_text(path.read_text().rstrip("\n"))
    assert shape(verify(audit.folder)) == (True, 3, 1, 3, None)
    assert shape(verify(path)) == (True, 3, 1, 3, None)


# -- the log object's own wrappers ----------------------------------------------------------------

def test_from_settings_passes_the_clock_on(tmp_path):
    from kiosk import config

    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path / "data")})
    log = AuditLog.from_settings(settings, clock=Clock(1_790_000_000.25))
    assert log.record("session.start")["t"] == "2026-09-21T14:13:20.250Z"


def test_prune_and_record_take_the_same_lock(tmp_path, monkeypatch):
    """Across processes, pruning and appending are serialised by one flock on ``.lock``;
    prune() also works before the first entry (the lock file does not exist yet)."""
    locked = []
    real = audit_mod.fcntl.flock

    def flock(f, op):
        locked.append((os.path.basename(f.name), op))
        return real(f, op)

    monkeypatch.setattr(audit_mod.fcntl, "flock", flock)
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=Clock())
    assert audit.prune() == 0
    audit.record("session.start")
    assert audit.prune() == 0
    ex, un = audit_mod.fcntl.LOCK_EX, audit_mod.fcntl.LOCK_UN
    assert locked == [(".lock", ex), (".lock", un)] * 3


def test_a_logs_verify_uses_its_own_key_and_passes_the_gateways_head_on(tmp_path):
    audit = make_log(tmp_path, n=2)
    AuditLog(audit.folder, "K", key=b"\xaa" * 32)  # another log opened on the folder, another key
    assert audit.verify().ok
    result = audit.verify(gateway_head={"seq": 3, "hash": "x"})
    assert not result.ok and result.problem.seq == 3


def test_the_only_entry_removed_is_caught(tmp_path):
    audit = make_log(tmp_path, n=1)
    day_file(audit).unlink()
    result = verify(audit.folder)
    assert not result.ok and result.problem.seq == 1 and "removed at the end" in result.problem.reason


def test_a_float_seq_after_good_entries_is_refused_even_with_the_key(tmp_path):
    """2.0 == 2, but it is not a sequence number the kiosk writes."""
    audit = make_log(tmp_path, n=2)
    path = day_file(audit)
    lines = lines_of(path)
    write_lines(path, [lines[0], signed({**json.loads(lines[1]), "seq": 2.0})])
    result = verify(audit.folder)
    assert (result.ok, result.entries, result.first_seq, result.last_seq) == (False, 1, 1, 1)
    assert (result.problem.line, result.problem.seq) == (2, 2.0) and "no sequence number" in result.problem.reason


def test_entry_and_mark_hashes_are_the_documented_format():
    """The HMAC input is fixed bytes, pinned here against hmac itself: the writer and the verifier
    share ``_canonical``, so a change to it (key order, separators, escaping) would pass every
    round trip while old logs stopped verifying after an upgrade."""
    import hashlib
    import hmac

    from kiosk.audit import mark_hash

    key = bytes(range(32))
    entry = {"ts": "2026-12-07T10:00:00+07:00", "seq": 2, "action": "staff.unlock",
             "detail": {"tên": "Nguyễn", "a": 1}, "hash": "not part of its own input"}
    body = ('entry\0{"action":"staff.unlock","detail":{"a":1,"tên":"Nguyễn"},"seq":2,'
            '"ts":"2026-12-07T10:00:00+07:00"}').encode()
    assert entry_hash(entry, key) == hmac.new(key, body, hashlib.sha256).hexdigest()
    digest = "ab" * 32
    expected = hmac.new(key, f"head\0{7}\0{digest}".encode(), hashlib.sha256).hexdigest()
    assert mark_hash("head", 7, digest, key) == expected


# -- third round: record, retention and the head when writing ---------------------------------------

def test_entries_cut_off_at_the_end_stay_found_after_the_next_entry(tmp_path):
    """The head says where the chain ends: the next entry follows it, not the last line left in
    the day file, so a tail removed by hand is still a finding once the kiosk writes again
    (kills ``_head`` 1, 4-7, 12 and 13: head.json not read or not recognised)."""
    audit = make_log(tmp_path, n=3)
    path = day_file(audit)
    write_lines(path, lines_of(path)[:-1])
    entry = audit.record("session.start")
    assert entry["seq"] == 4
    result = verify(audit.folder)
    assert not result.ok and (result.problem.seq, result.problem.line) == (4, 3)
    assert "sequence 4 where 3" in result.problem.reason


def test_an_entrys_defaults_and_an_enum_role(tmp_path):
    """record 1-4 (the default outcome and role) and 18, 24, 25 (an enum role is written as
    its value, not as 'Role.STAFF')."""
    from kiosk.roles import Role

    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=Clock())
    entry = audit.record("session.start")
    assert (entry["outcome"], entry["role"]) == ("ok", "system")
    assert audit.record("staff.enter", "ok", Role.STAFF)["role"] == "staff"
    assert [e["role"] for e in audit.entries()] == ["system", "staff"]


def test_day_files_are_readable_by_the_kiosk_only(tmp_path):
    """record 101 and 104: the day file is made 0600 whatever the umask leaves."""
    old = os.umask(0o022)
    try:
        audit = make_log(tmp_path, n=1)
    finally:
        os.umask(old)
    assert day_file(audit).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("t, stamp", [
    (1_790_000_001.25, "2026-09-21T14:13:21.250Z"),  # an odd second (_now_iso 13: t % 2)
    (1_790_000_000.9375, "2026-09-21T14:13:20.937Z"),  # milliseconds cut, not rounded (14: * 1001)
])
def test_the_milliseconds_of_any_second(tmp_path, t, stamp):
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=Clock(t))
    assert audit.record("session.start")["t"] == stamp


MIDNIGHT = 1_789_948_800.0  # 2026-09-21T00:00:00Z


def test_retention_cuts_at_the_day_the_retention_began(tmp_path):
    """30 days' retention, pruned 10 s after midnight: the day 31 days back goes, the day 30
    days back (the cut day) stays, and prune() says how many it removed though it stopped at a
    kept day (_prune_locked 12: 86401 s a day, 21: the cut day removed, 22: no count)."""
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, retention_days=30, clock=clock)
    for days_back in (31, 30, 1):
        clock.t = MIDNIGHT - days_back * 86400 + 3600
        audit.record("session.start")
    assert len(list(audit.folder.glob("audit-*.jsonl"))) == 3
    clock.t = MIDNIGHT + 10
    assert audit.prune() == 1
    assert sorted(p.name for p in audit.folder.glob("audit-*.jsonl")) == [
        "audit-20260822.jsonl", "audit-20260920.jsonl"]
    assert audit.prune() == 0 and verify(audit.folder).ok


def test_an_unreadable_old_day_file_before_the_newest_is_kept(tmp_path):
    """_prune_locked 53: the unreadable day is kept and prune() still answers 0."""
    audit, first = unreadable_old_day(tmp_path)
    audit.record("session.start")  # a new day: retention runs and keeps the unreadable file
    assert audit.prune() == 0 and first.exists() and not (audit.folder / "anchor.json").exists()
    assert len(list(audit.folder.glob("audit-*.jsonl"))) == 2


def test_the_default_retention_is_a_year(tmp_path):
    """AuditLog.__init__ 1 (366 days)."""
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=clock)
    start = clock.t
    for days in (0, 365):
        clock.t = start + days * 86400
        audit.record("session.start")
    assert len(list(audit.folder.glob("audit-*.jsonl"))) == 2  # the cut day itself is kept
    clock.t = start + 366 * 86400
    audit.record("session.start")
    assert sorted(int(e["seq"]) for e in audit.entries()) == [2, 3]


def test_retention_runs_once_a_day_not_on_every_entry(tmp_path):
    """record 136: the day retention last ran is remembered."""
    clock = Clock()
    audit = AuditLog(tmp_path / "audit", "K", key=KEY, clock=clock)
    runs = []
    real = audit._prune_locked
    audit._prune_locked = lambda now: runs.append(now) or real(now)
    for _ in range(3):
        audit.record("session.start")
    clock.t += 86400
    audit.record("session.start")
    audit.record("session.start")
    assert len(runs) == 2


def test_the_log_reads_the_same_under_a_locale_that_is_not_utf8(tmp_path):
    """A technician's shell with LANG=C (no UTF-8 mode): the day files are UTF-8 whatever the
    locale, so a log holding Vietnamese text still verifies and a lost head is still found from
    the last line (verify 132, 134 and _last_line 3, 5: the locale's encoding)."""
    import locale
    import sys

    audit = AuditLog(tmp_path / "audit", "HN-TEST-01", key=KEY, clock=Clock())
    audit.record("journey.start", "ok", "citizen", place="Hà Nội")
    old = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "C")
        if sys.flags.utf8_mode or locale.getencoding().lower().replace("-", "") == "utf8":
            pytest.skip("this Python reads files as UTF-8 in every locale")
        assert verify(audit.folder).ok
        (audit.folder / "head.json").unlink()
        assert audit.record("session.end")["seq"] == 2
    finally:
        locale.setlocale(locale.LC_CTYPE, old)
    assert verify(audit.folder).ok and [e["seq"] for e in audit.entries()] == [1, 2]
