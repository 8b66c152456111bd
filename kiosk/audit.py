"""Append-only, keyed and chained audit log of who did what at the kiosk.

Every entry is one JSON line in ``settings.data_dir/audit/audit-YYYYMMDD.jsonl``::

    {"seq": 42, "t": "2026-11-30T01:02:03.456Z", "kiosk": "HN-BDTT-01", "role": "staff",
     "action": "staff.enter", "outcome": "ok", "detail": {...}, "prev": "<hash of entry 41>",
     "hash": "<HMAC-SHA256 of this whole entry without 'hash'>"}

- **No personal data**: time, kiosk id, role, action, outcome and a few neutral details
  (receipt ids, device kinds, reasons).  Anything shaped like an ID number is masked with
  ``kiosk.text.mask_id``; detail values are short scalars only; names, addresses and faces
  never get here because callers never pass them.
- **Keyed**: the hash is an HMAC-SHA256 over every field of the entry (any extra field too)
  with a key kept **outside the data folder** (``[audit] key_file``; on the appliance
  ``/etc/kiosk/audit.key``, read-only for the kiosk), so whoever can rewrite the data folder
  cannot recompute a chain that verifies.
- **Chained**: each entry carries the hash of the one before (the first of all: 64 zeros) and
  a sequence number, so editing, removing, inserting or reordering an entry breaks the chain
  at the first bad entry, which ``verify()`` (``kiosk audit verify``) names.
- **Head**: ``head.json`` holds the last sequence number and hash (with its own HMAC), so
  removing entries at the end is detected, and a missing head is a finding.  The head also
  travels to the gateway with every heartbeat (``AuditLog.head()``); ``verify(...,
  gateway_head=...)`` checks the log still holds the entry the gateway last saw, so even
  deleting the log, the head and the anchor together is caught.
- **Retention**: day files older than ``audit_retention_days`` are deleted; ``anchor.json``
  (with its HMAC) then remembers where the kept chain starts.
- Appends are serialised across threads and processes (``flock``) and fsynced.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.text import mask_numbers

log = logging.getLogger("kiosk.audit")

GENESIS = "0" * 64
FILE_RX = re.compile(r"^audit-(\d{8})\.jsonl$")
_KEY_RX = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_ACTION_RX = re.compile(r"^[a-z][a-z0-9_.\-]{0,63}$")
_HASH_RX = re.compile(r"^[0-9a-f]{64}$")
KEY_BYTES = 32
KEY_NAME = "audit.key"

# keys of the logs this process opened, by folder: ``verify(folder)`` in the same process
# (staff screens, the diagnostic bundle) finds the key here, never on disk beside the log
_KNOWN_KEYS: dict[Path, bytes] = {}


class AuditKeyError(Exception):
    """The audit key is missing, too short, readable by others or kept in the data folder."""


def key_path(settings) -> Path:
    """Where the audit key is: ``[audit] key_file``; when empty, the systemd credential
    ``audit.key`` (``$CREDENTIALS_DIRECTORY``), else beside the data folder (demo, tests)."""
    raw = settings.audit.key_file
    if raw:
        return settings.resolve_path(raw)
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if creds:
        return Path(creds) / KEY_NAME
    data = settings.data_dir
    return data.parent / f"{data.name}-{KEY_NAME}"


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is in ``folder`` as written or once links are followed: a link in the
    data folder counts as inside (whoever can write there can point it at a key of their own)."""
    folders = (Path(os.path.abspath(folder)), folder.resolve())
    paths = (Path(os.path.abspath(path)), path.resolve())
    return any(p.is_relative_to(f) for p in paths for f in folders)


def key_problem(path: Path, data_dir: Path | None = None) -> str | None:
    """Why this key file cannot be used (None: it can)."""
    if data_dir is not None and _inside(path, data_dir):
        return f"{path} is inside the data folder: keep the audit key outside it"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{path} does not exist"
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror})"
    if st.st_mode & 0o007:
        return f"{path} is readable or writable by others (mode {st.st_mode & 0o777:04o}; chmod 0640)"
    if st.st_mode & 0o020:
        return f"{path} is writable by its group (mode {st.st_mode & 0o777:04o}; chmod 0640)"
    if st.st_size < KEY_BYTES:
        return f"{path} holds {st.st_size} bytes, at least {KEY_BYTES} expected"
    return None


def load_key(path: str | os.PathLike, *, create: bool = False, data_dir: Path | None = None) -> bytes:
    """The audit key; with ``create`` a missing one is made (0600).  AuditKeyError otherwise."""
    path = Path(path)
    if create and not path.exists() and not (data_dir is not None and _inside(path, data_dir)):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            try:
                os.write(fd, secrets.token_bytes(KEY_BYTES))
                os.fsync(fd)
            finally:
                os.close(fd)
            log.warning("audit: a new audit key was created", extra={"path": str(path)})
    problem = key_problem(path, data_dir)
    if problem:
        raise AuditKeyError(f"audit key: {problem}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"audit key: {path} cannot be read ({exc.strerror})") from None


def _clean_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """Short scalar values only, ID-shaped numbers masked."""
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if value is None or not _KEY_RX.fullmatch(str(key)):
            continue
        if isinstance(value, bool) or isinstance(value, float):
            out[key] = value
        elif isinstance(value, int):
            text = mask_numbers(str(value))
            out[key] = value if text == str(value) else text
        elif isinstance(value, str) or isinstance(getattr(value, "value", None), str):
            out[key] = mask_numbers(str(getattr(value, "value", value)))[:120]
        # anything else (bytes, images, nested records) never enters the audit log
    return out


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: dict, key: bytes) -> str:
    """HMAC-SHA256 over the whole entry (every field but ``hash`` itself, extra fields too)."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hmac.new(key, b"entry\0" + _canonical(body), "sha256").hexdigest()


def mark_hash(kind: str, seq: Any, digest: Any, key: bytes) -> str:
    """The HMAC that vouches for ``head.json`` or ``anchor.json``."""
    return hmac.new(key, f"{kind}\0{seq}\0{digest}".encode(), "sha256").hexdigest()


def _mark(kind: str, seq: int, digest: str, key: bytes) -> dict:
    return {"seq": seq, "hash": digest, "mac": mark_hash(kind, seq, digest, key)}


def _valid_mark(obj: dict | None, kind: str, key: bytes) -> bool:
    return bool(obj and isinstance(obj.get("seq"), int) and not isinstance(obj.get("seq"), bool)
                and isinstance(obj.get("hash"), str) and isinstance(obj.get("mac"), str)
                and hmac.compare_digest(obj["mac"], mark_hash(kind, obj["seq"], obj["hash"], key)))


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

    def __init__(self, folder: str | os.PathLike, kiosk_id: str, *, key: bytes, retention_days: int = 365,
                 clock: Callable[[], float] = time.time):
        if not isinstance(key, bytes) or len(key) < KEY_BYTES:
            raise AuditKeyError(f"audit key: at least {KEY_BYTES} bytes expected")
        self.folder = Path(folder)
        self.key = key
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
        _KNOWN_KEYS[self.folder.resolve()] = key

    @classmethod
    def from_settings(cls, settings, *, create_key: bool | None = None, **kw) -> AuditLog:
        """The kiosk's audit log.  A missing key is made only for a demo kiosk (embedded
        gateway); a real one refuses to start without its key (AuditKeyError)."""
        if create_key is None:
            create_key = settings.gateway.url == "embedded"
        key = load_key(key_path(settings), create=create_key, data_dir=settings.data_dir)
        return cls(settings.data_dir / "audit", settings.kiosk.kiosk_id, key=key,
                   retention_days=settings.privacy.audit_retention_days, **kw)

    # -- writing ------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[dict], None]) -> None:
        """listener(entry) after each append (metrics count them); called on the writer's thread."""
        self._listeners.append(listener)

    def head(self) -> dict | None:
        """``{"seq", "hash"}`` of the last entry written (sent with every heartbeat), or None."""
        head = _read_json(self.folder / "head.json")
        if _valid_mark(head, "head", self.key):
            return {"seq": head["seq"], "hash": head["hash"]}
        return None

    def verify(self, **kw) -> VerifyResult:
        return verify(self.folder, self.key, **kw)

    def _head(self) -> tuple[int, str]:
        head = _read_json(self.folder / "head.json")
        if _valid_mark(head, "head", self.key):
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
        if _valid_mark(anchor, "anchor", self.key):
            return anchor["seq"], anchor["hash"]
        return 0, GENESIS

    def record(self, action: str, outcome: str = "ok", role: Any = "system", **detail: Any) -> dict:
        """Append one entry and return it.  Never raises for a disk problem: it is logged
        (an audit failure must not stop a citizen), and the entry is returned unsaved."""
        if not _ACTION_RX.fullmatch(action):
            raise ValueError(f"bad audit action {action!r}")
        now = self.clock()
        entry = {
            "t": _now_iso(now),
            "kiosk": self.kiosk_id,
            "role": str(getattr(role, "value", role)),
            "action": action,
            "outcome": mask_numbers(str(getattr(outcome, "value", outcome)))[:60],
            "detail": _clean_detail(detail),
        }
        try:
            with self._lock, open(self.folder / ".lock", "a") as lockfile:
                fcntl.flock(lockfile, fcntl.LOCK_EX)
                try:
                    seq, prev = self._head()
                    entry = {"seq": seq + 1, **entry, "prev": prev}
                    entry["hash"] = entry_hash(entry, self.key)
                    day = time.strftime("%Y%m%d", time.gmtime(now))
                    path = self.folder / f"audit-{day}.jsonl"
                    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                    try:
                        os.write(fd, line.encode("utf-8"))
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                    _write_json_atomic(self.folder / "head.json", _mark("head", entry["seq"], entry["hash"], self.key))
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
        """Delete day files older than the retention; remember the chain's new start.  The
        newest day file stays whatever its age: it holds the entry the head names."""
        cutoff = time.strftime("%Y%m%d", time.gmtime(now - self.retention_days * 86400))
        removed = 0
        for path in day_files(self.folder)[:-1]:
            if FILE_RX.match(path.name).group(1) >= cutoff:
                break
            last = _last_line(path)
            if last:
                try:
                    entry = json.loads(last)
                    _write_json_atomic(self.folder / "anchor.json",
                                       _mark("anchor", int(entry["seq"]), str(entry["hash"]), self.key))
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


def verify(path: str | os.PathLike, key: bytes | None = None, *, gateway_head: dict | None = None,
           allow_empty: bool = False) -> VerifyResult:
    """Check a whole audit folder (or one day file) and name the first bad entry.

    ``key``: the audit key (default: the key of a log this process opened on that folder).
    ``gateway_head``: ``{"seq", "hash"}`` the gateway last received: the log must still hold
    that entry, unchanged.  An empty folder fails unless ``allow_empty`` (a kiosk that ran has
    entries), and so does a folder with entries but no head."""
    path = Path(path)
    if path.is_dir():
        files = day_files(path)
        folder: Path | None = path
    elif path.is_file():
        files, folder = [path], None
    else:
        return VerifyResult(False, 0, None, None, Problem(str(path), 0, None, "no such audit file or folder"))
    if key is None:
        key = _KNOWN_KEYS.get((folder or path.parent).resolve())
    if key is None:
        return VerifyResult(False, 0, None, None, Problem(str(path), 0, None,
                                                          "no audit key: the log cannot be checked without it"))
    anchor = _read_json(folder / "anchor.json") if folder else None
    head = _read_json(folder / "head.json") if folder else None
    expect_seq: int | None = None
    expect_prev: str | None = None
    if folder is not None:
        if anchor is not None and not _valid_mark(anchor, "anchor", key):
            return VerifyResult(False, 0, None, None, Problem(
                "anchor.json", 0, anchor.get("seq"), "edited: the anchor is not the one the kiosk wrote"))
        if anchor is not None:
            expect_seq, expect_prev = anchor["seq"] + 1, anchor["hash"]
        else:
            expect_seq, expect_prev = 1, GENESIS
    count, first, last = 0, None, None
    last_ref = ("", 0)
    seen: dict[int, str] = {}
    gw_seq = gateway_head.get("seq") if isinstance(gateway_head, dict) else None
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
            digest = entry.get("hash")
            if not isinstance(digest, str) or not hmac.compare_digest(digest, entry_hash(entry, key)):
                return VerifyResult(False, count, first, last, Problem(
                    *where, seq, "edited: its hash does not match its content (or it was written with "
                                 "another key)"))
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
            if seq == gw_seq:
                seen[seq] = digest
            expect_seq, expect_prev = seq + 1, digest
    if folder is not None:
        where_last = (last_ref[0] or "head.json", last_ref[1])
        if head is None and (count or anchor is not None):
            return VerifyResult(False, count, first, last, Problem(
                *where_last, last, "head.json is missing: entries may have been removed at the end"))
        if head is not None and not _valid_mark(head, "head", key):
            return VerifyResult(False, count, first, last, Problem(
                "head.json", 0, head.get("seq"), "edited: head.json is not the one the kiosk wrote"))
        if head is not None and (last or 0) < head["seq"]:
            return VerifyResult(False, count, first, last, Problem(
                *where_last, head["seq"],
                f"missing: the log ends at seq {last} but entries up to {head['seq']} were written "
                "(removed at the end)"))
        if head is not None and last is not None and last > head["seq"]:
            return VerifyResult(False, count, first, last, Problem(
                *last_ref, last, f"inserted: entries after seq {head['seq']}, the last one written"))
        if head is not None and last is not None and last == head["seq"] and head["hash"] != expect_prev:
            return VerifyResult(False, count, first, last, Problem(
                *last_ref, last, "the last entry is not the one last written"))
        if isinstance(gw_seq, int) and gw_seq > 0:
            start = (anchor["seq"] if anchor is not None else 0)
            if gw_seq > (last or start):
                return VerifyResult(False, count, first, last, Problem(
                    *where_last, gw_seq, f"missing: the gateway received the head of seq {gw_seq}, the log ends "
                                         f"at {last if last is not None else 'nothing'} (removed or replaced)"))
            if gw_seq > start and seen.get(gw_seq) != gateway_head.get("hash"):
                return VerifyResult(False, count, first, last, Problem(
                    *where_last, gw_seq, f"rewritten: entry {gw_seq} is not the one whose hash the gateway "
                                         "received"))
        if not count and head is None and anchor is None and not allow_empty:
            return VerifyResult(False, 0, None, None, Problem(
                str(folder), 0, None, "empty: no entries and no head (a kiosk that has run has entries; "
                                      "compare with the gateway's copy: --gateway)"))
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
