"""Append-only, hash-chained audit log of who did what at the kiosk.

Every entry is one JSON line in ``settings.data_dir/audit/audit-YYYYMMDD.jsonl``::

    {"seq": 42, "t": "2026-11-30T01:02:03.456Z", "kiosk": "HN-BDTT-01", "role": "staff",
     "action": "staff.enter", "outcome": "ok", "detail": {...}, "prev": "<hash of entry 41>",
     "hash": "<sha256 of this entry without 'hash'>"}

- **No personal data**: time, kiosk id, role, action, outcome and a few neutral details
  (receipt ids, device kinds, reasons).  Anything shaped like an ID number is masked with
  ``kiosk.text.mask_id``; detail values are short scalars only; names, addresses and faces
  never get here because callers never pass them.
- **Chained**: each entry carries the hash of the one before (the first of all: 64 zeros) and
  a sequence number, so editing, removing, inserting or reordering an entry breaks the chain
  at the first bad entry, which ``verify()`` (``kiosk audit verify``) names.
- **Head**: ``head.json`` holds the last sequence number and hash, so removing entries at the
  end is detected too.  **Retention**: day files older than ``audit_retention_days`` are
  deleted; ``anchor.json`` then remembers where the kept chain starts.
- Appends are serialised across threads and processes (``flock``) and fsynced.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

log = logging.getLogger("kiosk.audit")

GENESIS = "0" * 64
FILE_RX = re.compile(r"^audit-(\d{8})\.jsonl$")
_ID_RX = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")
_KEY_RX = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_ACTION_RX = re.compile(r"^[a-z][a-z0-9_.\-]{0,63}$")
FIELDS = ("seq", "t", "kiosk", "role", "action", "outcome", "detail", "prev")


def _mask(text: str) -> str:
    from kiosk.text import mask_id

    return _ID_RX.sub(lambda m: mask_id(m.group(1)), text)


def _clean_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """Short scalar values only, ID-shaped numbers masked."""
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if value is None or not _KEY_RX.match(str(key)):
            continue
        if isinstance(value, bool) or isinstance(value, float):
            out[key] = value
        elif isinstance(value, int):
            text = _mask(str(value))
            out[key] = value if text == str(value) else text
        elif isinstance(value, str) or isinstance(getattr(value, "value", None), str):
            out[key] = _mask(str(getattr(value, "value", value)))[:120]
        # anything else (bytes, images, nested records) never enters the audit log
    return out


def entry_hash(entry: dict) -> str:
    body = {k: entry.get(k) for k in FIELDS}
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _now_iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 1000):03d}Z"


def _write_json_atomic(path: Path, obj: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _last_line(path: Path) -> str | None:
    """The last non-empty line of a day file (its newest entry), or None."""
    last = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                last = line
    return last


def _read_json(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def day_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if FILE_RX.match(p.name))


class AuditLog:
    """Appends audit entries; safe from any thread (and from several processes)."""

    def __init__(self, folder: str | os.PathLike, kiosk_id: str, *, retention_days: int = 365,
                 clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(self.folder, 0o700)
        except OSError:
            pass
        self.kiosk_id = kiosk_id
        self.retention_days = retention_days
        self.clock = clock
        self._lock = threading.Lock()
        self._listeners: list[Callable[[dict], None]] = []
        self._pruned_day = ""

    @classmethod
    def from_settings(cls, settings, **kw) -> "AuditLog":
        return cls(settings.data_dir / "audit", settings.kiosk.kiosk_id,
                   retention_days=settings.privacy.audit_retention_days, **kw)

    # -- writing ------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[dict], None]) -> None:
        """listener(entry) after each append (metrics count them); called on the writer's thread."""
        self._listeners.append(listener)

    def _head(self) -> tuple[int, str]:
        head = _read_json(self.folder / "head.json")
        if head and isinstance(head.get("seq"), int) and isinstance(head.get("hash"), str):
            return head["seq"], head["hash"]
        # no head (first entry, or lost): the last line written, else the anchor, else genesis
        for path in reversed(day_files(self.folder)):
            last = _last_line(path)
            if last:
                try:
                    entry = json.loads(last)
                    return int(entry["seq"]), str(entry["hash"])
                except (ValueError, KeyError, TypeError):
                    break
        anchor = _read_json(self.folder / "anchor.json")
        if anchor and isinstance(anchor.get("seq"), int):
            return anchor["seq"], str(anchor.get("hash", GENESIS))
        return 0, GENESIS

    def record(self, action: str, outcome: str = "ok", role: Any = "system", **detail: Any) -> dict:
        """Append one entry and return it.  Never raises for a disk problem: it is logged
        (an audit failure must not stop a citizen), and the entry is returned unsaved."""
        if not _ACTION_RX.match(action):
            raise ValueError(f"bad audit action {action!r}")
        now = self.clock()
        entry = {
            "t": _now_iso(now),
            "kiosk": self.kiosk_id,
            "role": str(getattr(role, "value", role)),
            "action": action,
            "outcome": _mask(str(getattr(outcome, "value", outcome)))[:60],
            "detail": _clean_detail(detail),
        }
        try:
            with self._lock, open(self.folder / ".lock", "a") as lockfile:
                fcntl.flock(lockfile, fcntl.LOCK_EX)
                try:
                    seq, prev = self._head()
                    entry = {"seq": seq + 1, **entry, "prev": prev}
                    entry["hash"] = entry_hash(entry)
                    day = time.strftime("%Y%m%d", time.gmtime(now))
                    path = self.folder / f"audit-{day}.jsonl"
                    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                    try:
                        os.write(fd, line.encode("utf-8"))
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                    _write_json_atomic(self.folder / "head.json", {"seq": entry["seq"], "hash": entry["hash"]})
                    if day != self._pruned_day:
                        self._pruned_day = day
                        self._prune_locked(now)
                finally:
                    fcntl.flock(lockfile, fcntl.LOCK_UN)
        except OSError:
            log.exception("audit entry could not be written", extra={"action": action})
        for listener in list(self._listeners):
            try:
                listener(entry)
            except Exception:  # noqa: BLE001
                log.exception("audit listener failed")
        return entry

    def _prune_locked(self, now: float) -> int:
        """Delete day files older than the retention; remember the chain's new start."""
        cutoff = time.strftime("%Y%m%d", time.gmtime(now - self.retention_days * 86400))
        removed = 0
        for path in day_files(self.folder):
            if FILE_RX.match(path.name).group(1) >= cutoff:
                break
            last = _last_line(path)
            if last:
                try:
                    entry = json.loads(last)
                    _write_json_atomic(self.folder / "anchor.json", {"seq": entry["seq"], "hash": entry["hash"]})
                except (ValueError, KeyError, TypeError):
                    log.error("audit: cannot anchor an unreadable day file; keeping it")
                    break
            path.unlink()
            removed += 1
        if removed:
            log.info("audit: old day files removed", extra={"files": removed})
        return removed

    def prune(self) -> int:
        with self._lock, open(self.folder / ".lock", "a") as lockfile:
            fcntl.flock(lockfile, fcntl.LOCK_EX)
            try:
                return self._prune_locked(self.clock())
            finally:
                fcntl.flock(lockfile, fcntl.LOCK_UN)

    # -- reading ------------------------------------------------------------------------------

    def entries(self) -> Iterator[dict]:
        for path in day_files(self.folder):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except ValueError:
                            continue

    def tail(self, n: int = 20) -> list[dict]:
        return list(self.entries())[-n:]


# -- verification ---------------------------------------------------------------------------


@dataclass
class Problem:
    file: str
    line: int
    seq: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: entry seq {self.seq}: {self.reason}"


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    problem: Problem | None = None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "first_seq": self.first_seq, "last_seq": self.last_seq,
                "problem": None if self.problem is None else {
                    "file": self.problem.file, "line": self.problem.line, "seq": self.problem.seq,
                    "reason": self.problem.reason}}


def verify(path: str | os.PathLike) -> VerifyResult:
    """Check a whole audit folder (or one day file) and name the first bad entry."""
    path = Path(path)
    if path.is_dir():
        files = day_files(path)
        folder: Path | None = path
    elif path.is_file():
        files, folder = [path], None
    else:
        return VerifyResult(False, 0, None, None, Problem(str(path), 0, None, "no such audit file or folder"))
    anchor = _read_json(folder / "anchor.json") if folder else None
    expect_seq: int | None = None
    expect_prev: str | None = None
    if folder is not None:
        if anchor and isinstance(anchor.get("seq"), int):
            expect_seq, expect_prev = anchor["seq"] + 1, str(anchor.get("hash"))
        else:
            expect_seq, expect_prev = 1, GENESIS
    count, first, last = 0, None, None
    last_ref = ("", 0)
    for f in files:
        with open(f, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for no, line in enumerate(lines, 1):
            where = (f.name, no)
            try:
                entry = json.loads(line)
                if not isinstance(entry, dict):
                    raise ValueError
            except ValueError:
                return VerifyResult(False, count, first, last, Problem(*where, None, "not a readable entry"))
            seq = entry.get("seq")
            if entry.get("hash") != entry_hash(entry):
                return VerifyResult(False, count, first, last,
                                    Problem(*where, seq, "edited: its hash does not match its content"))
            if expect_seq is not None and seq != expect_seq:
                reason = (f"sequence {seq} where {expect_seq} was expected: an entry was removed, inserted "
                          "or reordered before it")
                return VerifyResult(False, count, first, last, Problem(*where, seq, reason))
            if expect_prev is not None and entry.get("prev") != expect_prev:
                return VerifyResult(False, count, first, last, Problem(
                    *where, seq, "chain broken: it does not follow the entry before it (removed, inserted or "
                                 "reordered entries)"))
            if not isinstance(seq, int):
                return VerifyResult(False, count, first, last, Problem(*where, seq, "no sequence number"))
            count += 1
            first = seq if first is None else first
            last = seq
            last_ref = where
            expect_seq, expect_prev = seq + 1, entry["hash"]
    if folder is not None:
        head = _read_json(folder / "head.json")
        if head and isinstance(head.get("seq"), int) and (last or 0) < head["seq"]:
            return VerifyResult(False, count, first, last, Problem(
                last_ref[0] or "-", last_ref[1], head["seq"],
                f"missing: the log ends at seq {last} but entries up to {head['seq']} were written "
                "(removed at the end)"))
        if head and isinstance(head.get("seq"), int) and last is not None and last > head["seq"]:
            return VerifyResult(False, count, first, last, Problem(
                *last_ref, last, f"inserted: entries after seq {head['seq']}, the last one written"))
        if head and isinstance(head.get("seq"), int) and last is not None and last == head["seq"] \
                and head.get("hash") != expect_prev:
            return VerifyResult(False, count, first, last, Problem(
                *last_ref, last, "the last entry is not the one last written"))
    return VerifyResult(True, count, first, last)


# -- wiring to the core -------------------------------------------------------------------------


class CoreAuditor:
    """Turns core events into audit entries: session start, end (with its reason), timeout,
    and journey start.  ``attach(core, audit)`` makes one and subscribes it."""

    def __init__(self, core, audit: AuditLog):
        self.core = core
        self.audit = audit
        self.in_session = False
        self.journey: str | None = None
        self.role: Any = "citizen"

    def __call__(self, event: str, value: Any) -> None:
        role = self.core.session.role
        if event == "step":
            self.role = role
            if not self.in_session and value != "attract":
                self.in_session = True
                self.audit.record("session.start", "ok", role)
            journey = self.core.session.journey
            if journey and journey != self.journey:
                self.journey = journey
                self.audit.record("journey.start", "ok", role, journey=journey)
        elif event == "wiped":
            self.journey = None
        elif event == "reset":
            if self.in_session:
                action = "session.timeout" if value == "timeout" else "session.end"
                self.audit.record(action, str(value), self.role, journey=self.journey)
            self.in_session = False
            self.journey = None
            self.role = "citizen"


def attach(core, audit: AuditLog) -> CoreAuditor:
    auditor = CoreAuditor(core, audit)
    core.subscribe(auditor)

    def consent(entry: dict) -> None:
        # the session became a staff-assisted one: its end is recorded under the staff role
        if entry.get("action") == "staff.consent":
            auditor.role = "staff"

    audit.subscribe(consent)
    return auditor
