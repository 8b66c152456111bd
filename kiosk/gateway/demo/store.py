"""SQLite state of the demo gateway.

One connection guarded by a lock (the app's endpoints run in a thread pool, so many kiosks
can call at once; SQLite in WAL mode serialises the writes).  A dossier keeps its whole
timeline, including events dated in the future: reading it shows only what has happened by
now, so sample and submitted dossiers "move on over time" with no background job.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from kiosk.config import PROJECT_ROOT

CATALOG_DIR = PROJECT_ROOT / "assets" / "catalog"

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    kiosk_id TEXT,
    body TEXT NOT NULL,          -- procedure, agency, fee, delivery, submitted_at, expected_date
    events TEXT NOT NULL,        -- full timeline, future events included
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    kiosk_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (kiosk_id, key)
);
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT,
    dossier_code TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    status TEXT NOT NULL,
    method TEXT,
    qr_payload TEXT,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    bank_confirms_at REAL,
    paid_at REAL,
    confirmed_by TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT,
    dossier_code TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS help_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket TEXT NOT NULL,
    kiosk_id TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kiosk_id TEXT,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS heartbeats (
    kiosk_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    at REAL NOT NULL
);
"""


def iso_utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def load_json(name: str, catalog_dir: Path | None = None) -> Any:
    path = (catalog_dir or CATALOG_DIR) / name
    return json.loads(path.read_text(encoding="utf-8"))


class Store:
    def __init__(self, path: str | Path | None = None, *, clock: Callable[[], float] = time.time,
                 catalog_dir: Path | None = None):
        self.clock = clock
        self.catalog_dir = catalog_dir or CATALOG_DIR
        self.path = str(path) if path else ":memory:"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA_SQL)
        self.catalog = load_json("procedures.json", self.catalog_dir)
        self.procedures = {p["code"]: p for p in self.catalog["procedures"]}
        self._seed()

    # -- plumbing -----------------------------------------------------------------------------

    def tx(self):
        """``with store.tx() as db:`` — one serialised transaction."""
        store = self

        class _Tx:
            def __enter__(self_inner):
                store._lock.acquire()
                store._db.execute("BEGIN IMMEDIATE")
                return store._db

            def __exit__(self_inner, exc_type, exc, tb):
                try:
                    store._db.execute("ROLLBACK" if exc_type else "COMMIT")
                finally:
                    store._lock.release()
                return False

        return _Tx()

    def query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- seeding ------------------------------------------------------------------------------

    def _seed(self) -> None:
        with self.tx() as db:
            if db.execute("SELECT 1 FROM meta WHERE key='seeded'").fetchone():
                return
            now = self.clock()
            for sample in load_json("sample_dossiers.json", self.catalog_dir)["dossiers"]:
                body, events = self._sample_to_row(sample, now)
                db.execute(
                    "INSERT OR REPLACE INTO dossiers(code, kiosk_id, body, events, created_at) VALUES (?,?,?,?,?)",
                    (sample["code"], None, json.dumps(body, ensure_ascii=False),
                     json.dumps(events, ensure_ascii=False), now),
                )
            db.execute("INSERT INTO meta(key, value) VALUES ('seeded', ?)", (iso_utc(now),))

    def procedure_ref(self, code: str) -> dict:
        p = self.procedures[code]
        return {"code": p["code"], "name_vi": p["name_vi"], "name_en": p["name_en"]}

    def _sample_to_row(self, sample: dict, now: float) -> tuple[dict, list[dict]]:
        proc = self.procedures[sample["procedure_code"]]
        events = [
            {
                "status": e["status"],
                "at": iso_utc(now + e["offset_minutes"] * 60),
                "note_vi": e.get("note_vi", ""),
                "note_en": e.get("note_en", ""),
            }
            for e in sample["events"]
        ]
        submitted = now + sample["events"][0]["offset_minutes"] * 60
        expected = datetime.fromtimestamp(now, timezone.utc) + timedelta(days=sample["expected_offset_days"])
        body = {
            "procedure": self.procedure_ref(proc["code"]),
            "agency_vi": sample.get("agency_vi") or proc["agency_vi"],
            "agency_en": sample.get("agency_en") or proc["agency_en"],
            "submitted_at": iso_utc(submitted),
            "expected_date": expected.date().isoformat(),
            "fee": sample["fee"],
            "delivery": sample["delivery"],
        }
        return body, events

    # -- dossiers -----------------------------------------------------------------------------

    def dossier(self, code: str) -> dict | None:
        rows = self.query("SELECT body, events FROM dossiers WHERE code=?", (code,))
        if not rows:
            return None
        return self._render(code, json.loads(rows[0]["body"]), json.loads(rows[0]["events"]))

    def _render(self, code: str, body: dict, events: list[dict]) -> dict:
        now = self.clock()
        shown = [e for e in events if parse_iso(e["at"]) <= now + 1] or events[:1]
        shown.sort(key=lambda e: e["at"])
        out = {"code": code, "status": shown[-1]["status"], **body, "timeline": shown}
        # a paid payment on file marks the fee paid
        paid = self.query(
            "SELECT 1 FROM payments WHERE dossier_code=? AND status='paid' LIMIT 1", (code,)
        )
        if paid:
            out["fee"] = {**out["fee"], "paid": True}
        return out

    # -- kiosks -------------------------------------------------------------------------------

    def heartbeat(self, kiosk_id: str, body: dict) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO heartbeats(kiosk_id, body, at) VALUES (?,?,?)",
                       (kiosk_id, json.dumps(body, ensure_ascii=False), self.clock()))
