"""SQLite state of the demo gateway.

One connection guarded by a lock (the app's endpoints run in a thread pool, so many kiosks
can call at once; SQLite in WAL mode serialises the writes).  A dossier keeps its whole
timeline, including events dated in the future: reading it shows only what has happened by
now, so sample and submitted dossiers "move on over time" with no background job.

Who a dossier belongs to is kept as a keyed hash only (``owner_hash``: HMAC-SHA-256 of the
dossier code and the applicant's ID number under the store's secret); the receipt's claim
code is derived from the same secret and never stored.  The secret lives in a file beside the
database (``<db>.secret``, 0600), so a copy of the database alone reveals neither; an
in-memory store keeps a random one in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import PROJECT_ROOT
from kiosk.text import (
    CLAIM_CODE_LENGTH,
    CROCKFORD,
    InvalidClaimCode,
    crockford_canonical,
    format_date,
    normalize_claim_code,
)

CATALOG_DIR = PROJECT_ROOT / "assets" / "catalog"
SAMPLE_PERSON = PROJECT_ROOT / "assets" / "cards" / "sample-person.json"
SAMPLE_OWNER_ID = "001189012345"  # the demo card's person, when its file cannot be read
CODE_PREFIX = "H26.99"
CODE_RANDOM_LENGTH = 8  # Crockford base-32 digits: 40 bits a day, not worth enumerating

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    kiosk_id TEXT,
    body TEXT NOT NULL,          -- procedure, agency, fee, delivery, submitted_at, expected_date
    events TEXT NOT NULL,        -- full timeline, future events included
    created_at REAL NOT NULL,
    owner_hash TEXT              -- HMAC of the code and the applicant's ID number (never the number)
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
-- staff confirmed the applicant on the citizen's behalf for a payment or a booking: who, and
-- which document they checked (never the number)
CREATE TABLE IF NOT EXISTS attestations (
    subject TEXT NOT NULL,       -- 'payment' or 'delivery'
    subject_id TEXT NOT NULL,    -- the payment's id or the booking's id
    dossier_code TEXT NOT NULL,
    kiosk_id TEXT,
    staff_id TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (subject, subject_id)
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
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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
        self._depth = 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA_SQL)
        columns = {r["name"] for r in self._db.execute("PRAGMA table_info(dossiers)")}
        if "owner_hash" not in columns:  # a database from before owners were kept
            self._db.execute("ALTER TABLE dossiers ADD COLUMN owner_hash TEXT")
        self._secret = _secret_for(self.path)
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
                store._depth += 1
                if store._depth == 1:
                    store._db.execute("BEGIN IMMEDIATE")
                return store._db

            def __exit__(self_inner, exc_type, exc, tb):
                try:
                    if store._depth == 1:
                        store._db.execute("ROLLBACK" if exc_type else "COMMIT")
                finally:
                    store._depth -= 1
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
        """(Re)write the sample dossiers relative to now, at every start, so a demo always shows
        every state and the moving one; dossiers that kiosks submitted are left alone."""
        owner = _sample_owner()
        with self.tx() as db:
            now = self.clock()
            for sample in load_json("sample_dossiers.json", self.catalog_dir)["dossiers"]:
                body, events = self._sample_to_row(sample, now)
                db.execute(
                    "INSERT OR REPLACE INTO dossiers(code, kiosk_id, body, events, created_at, owner_hash)"
                    " VALUES (?,?,?,?,?,?)",
                    (sample["code"], None, json.dumps(body, ensure_ascii=False),
                     json.dumps(events, ensure_ascii=False), now, self.owner_hash(sample["code"], owner)),
                )
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', ?)", (iso_utc(now),))

    def procedure_ref(self, code: str) -> dict:
        p = self.procedures[code]
        return {"code": p["code"], "name_vi": p["name_vi"], "name_en": p["name_en"]}

    def _sample_to_row(self, sample: dict, now: float) -> tuple[dict, list[dict]]:
        proc = self.procedures[sample["procedure_code"]]

        def note(e: dict, lang: str) -> str:
            # a request for more documents says by when: {deadline}, days after the request
            text = e.get(f"note_{lang}", "")
            if "deadline_offset_days" in e:
                due = datetime.fromtimestamp(now + e["offset_minutes"] * 60, UTC) + timedelta(
                    days=e["deadline_offset_days"])
                text = text.replace("{deadline}", format_date(due.date(), lang))
            return text

        events = [
            {
                "status": e["status"],
                "at": iso_utc(now + e["offset_minutes"] * 60),
                "note_vi": note(e, "vi"),
                "note_en": note(e, "en"),
            }
            for e in sample["events"]
        ]
        submitted = now + sample["events"][0]["offset_minutes"] * 60
        expected = datetime.fromtimestamp(now, UTC) + timedelta(days=sample["expected_offset_days"])
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

    def canonical_code(self, code: str) -> str:
        """A code as issued: in a random part typed from paper, O is 0 and I or L is 1."""
        head, sep, tail = code.rpartition("-")
        if sep and head.startswith(CODE_PREFIX + "-") and len(tail) == CODE_RANDOM_LENGTH and not tail.isdigit():
            return f"{head}-{crockford_canonical(tail)}"
        return code

    def dossier(self, code: str, viewer: str | None = None) -> dict | None:
        """The status page of ``code``.  ``viewer``: the kiosk asking; where the result is posted
        (province, ward, tracking code) is shown only to the kiosk that filed the dossier or
        booked its delivery (and for the demo's samples); another kiosk sees the method only."""
        rows = self.query("SELECT kiosk_id, body, events FROM dossiers WHERE code=?", (code,))
        if not rows:
            return None
        out = self._render(code, json.loads(rows[0]["body"]), json.loads(rows[0]["events"]))
        filed_by = rows[0]["kiosk_id"]
        if viewer is not None and filed_by is not None and viewer != filed_by:
            booked_by = {r["kiosk_id"] for r in self.query("SELECT kiosk_id FROM deliveries WHERE dossier_code=?",
                                                            (code,))}
            if viewer not in booked_by:
                out["delivery"] = {"method": out["delivery"]["method"]}
        return out

    # -- who acts for the applicant -----------------------------------------------------------

    def owner_hash(self, code: str, id_number: str) -> str:
        return hmac.new(self._secret, f"owner\0{code}\0{id_number}".encode(), hashlib.sha256).hexdigest()

    def claim_code(self, code: str) -> str:
        """The dossier's claim code (printed on its receipt), derived from the secret: 8 of
        Crockford's base-32 digits, ``XXXX-XXXX``."""
        mac = hmac.new(self._secret, f"claim\0{code}".encode(), hashlib.sha256).digest()
        n = int.from_bytes(mac[:5], "big")  # 40 bits
        digits = "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(CLAIM_CODE_LENGTH)))
        return f"{digits[:4]}-{digits[4:]}"

    def check_proof(self, code: str, proof: dict | None) -> str:
        """``"ok"``, ``"missing"`` (no proof given) or ``"mismatch"`` (a proof, not this
        dossier's applicant's), compared in constant time.  A staff check's number is compared
        as a chip's is (who attested it is recorded with what it authorised: ``attest``)."""
        proof = proof or {}
        given = [kind for kind in ("id_number", "claim_code", "staff_check") if proof.get(kind)]
        if not given:
            return "missing"
        if len(given) > 1:
            return "mismatch"  # one proof, not a choice of guesses
        id_number, claim = proof.get("id_number"), proof.get("claim_code")
        if given[0] == "staff_check":
            check = proof["staff_check"]
            id_number = check.get("id_number") if isinstance(check, dict) else None
            if not isinstance(id_number, str) or not id_number:
                return "mismatch"
        if id_number:
            rows = self.query("SELECT owner_hash FROM dossiers WHERE code=?", (code,))
            stored = rows[0]["owner_hash"] if rows else None
            ok = stored is not None and hmac.compare_digest(stored, self.owner_hash(code, id_number))
        else:
            try:
                given = normalize_claim_code(claim)
            except InvalidClaimCode:
                return "mismatch"
            ok = hmac.compare_digest(given, self.claim_code(code))
        return "ok" if ok else "mismatch"

    def attest(self, kiosk_id: str, subject: str, subject_id: str, dossier_code: str, staff_id: str,
               document: str) -> None:
        """Record that staff (``staff_id``) confirmed the applicant, having checked ``document``,
        for the payment or booking ``subject_id`` (the first record of one stays)."""
        with self.tx() as db:
            db.execute("INSERT OR IGNORE INTO attestations(subject, subject_id, dossier_code, kiosk_id, staff_id,"
                       " document, created_at) VALUES (?,?,?,?,?,?,?)",
                       (subject, subject_id, dossier_code, kiosk_id, staff_id, document, self.clock()))

    def attestation(self, subject: str, subject_id: str) -> dict | None:
        """Who confirmed the applicant for a payment or booking on the citizen's behalf, or None."""
        rows = self.query("SELECT * FROM attestations WHERE subject=? AND subject_id=?", (subject, subject_id))
        if not rows:
            return None
        row = rows[0]
        return {"subject": row["subject"], "subject_id": row["subject_id"], "dossier_code": row["dossier_code"],
                "kiosk_id": row["kiosk_id"], "staff_id": row["staff_id"], "document": row["document"],
                "created_at": iso_utc(row["created_at"])}

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
            # the audit head kept is the newest one: a heartbeat without one, or with an older
            # one (a rolled-back log), never replaces it
            kept = db.execute("SELECT body FROM heartbeats WHERE kiosk_id=?", (kiosk_id,)).fetchone()
            old = json.loads(kept[0]).get("audit_head") if kept else None
            head = body.get("audit_head")
            if head is None or (old and old.get("seq", 0) > head.get("seq", 0)):
                head = old
            body = {**body, "audit_head": head}
            db.execute("INSERT OR REPLACE INTO heartbeats(kiosk_id, body, at) VALUES (?,?,?)",
                       (kiosk_id, json.dumps(body, ensure_ascii=False), self.clock()))

    def audit_head(self, kiosk_id: str) -> dict | None:
        """The newest audit head the kiosk sent, or None."""
        rows = self.query("SELECT body FROM heartbeats WHERE kiosk_id=?", (kiosk_id,))
        head = json.loads(rows[0]["body"]).get("audit_head") if rows else None
        return head if isinstance(head, dict) else None

    # -- catalog ------------------------------------------------------------------------------

    def summary(self, p: dict) -> dict:
        return {
            "code": p["code"], "name_vi": p["name_vi"], "name_en": p["name_en"], "level": p["level"],
            "life_event": p["life_event"], "agency_vi": p["agency_vi"], "agency_en": p["agency_en"],
            "processing_days": p["processing_days"], "fee_vnd": p["fees"][0]["amount_vnd"] if p["fees"] else 0,
        }

    def search(self, q: str | None, life_event: str | None, level: str | None) -> list[dict]:
        from kiosk.text import fold

        words = fold(q).split() if q else []
        out = []
        for p in self.catalog["procedures"]:
            if life_event and p["life_event"] != life_event:
                continue
            if level and p["level"] != level:
                continue
            hay = fold(" ".join([p["code"], p["name_vi"], p["name_en"], p["field_vi"], p["field_en"]]))
            if all(w in hay for w in words):
                out.append(self.summary(p))
        return out

    # -- submissions --------------------------------------------------------------------------

    def new_dossier(self, kiosk_id: str, sub: dict, progress_step: float) -> dict:
        proc = self.procedures[sub["procedure_code"]]
        now = self.clock()
        with self.tx() as db:
            day = datetime.fromtimestamp(now, UTC).strftime("%y%m%d")
            while True:  # a random part: codes cannot be counted through (40 bits a day)
                random_part = "".join(secrets.choice(CROCKFORD) for _ in range(CODE_RANDOM_LENGTH))
                if random_part.isdigit():
                    continue  # all digits is the samples' shape (…-0001): keep the two apart
                code = f"{CODE_PREFIX}-{day}-{random_part}"
                if db.execute("SELECT 1 FROM dossiers WHERE code=?", (code,)).fetchone() is None:
                    break
            fee_amount = proc["fees"][0]["amount_vnd"] if proc["fees"] else 0
            delivery = sub["delivery"]
            addr = delivery.get("address") or {}
            body = {
                "procedure": self.procedure_ref(proc["code"]),
                "agency_vi": proc["agency_vi"], "agency_en": proc["agency_en"],
                "submitted_at": iso_utc(now),
                "expected_date": _add_working_days(now, proc["processing_days"]).isoformat(),
                "fee": {"amount_vnd": fee_amount, "paid": fee_amount == 0},
                "delivery": {"method": delivery["method"], **({"province": addr["province"], "ward": addr["ward"]}
                                                            if delivery["method"] == "post" and addr else {})},
            }
            # the status page moves on by itself: received → in progress → result ready (→ delivered)
            steps = [("received", 0, "Đã gửi đến cơ quan giải quyết.", "Sent to the agency that decides it."),
                     ("in_progress", 1, "Cơ quan có thẩm quyền đang xử lý.", "The competent agency is processing it."),
                     ("result_ready", 3, "Đã có kết quả.", "The result is ready.")]
            if delivery["method"] == "post":
                steps.append(("delivered", 5, "Bưu điện đã phát kết quả.", "The post delivered the result."))
            events = [{"status": st, "at": iso_utc(now + k * progress_step), "note_vi": vi, "note_en": en}
                      for st, k, vi, en in steps]
            db.execute("INSERT INTO dossiers(code, kiosk_id, body, events, created_at, owner_hash)"
                       " VALUES (?,?,?,?,?,?)",
                       (code, kiosk_id, json.dumps(body, ensure_ascii=False), json.dumps(events, ensure_ascii=False),
                        now, self.owner_hash(code, sub["applicant"]["id_number"])))
        return {
            "code": code, "status": "received", "procedure": body["procedure"], "received_at": iso_utc(now),
            "expected_date": body["expected_date"], "fee": body["fee"],
            "provisional_reference": sub.get("provisional_reference"), "claim_code": self.claim_code(code),
        }

    # -- idempotency --------------------------------------------------------------------------

    def idempotent(self, kiosk_id: str, key: str, request_hash: str, produce) -> tuple[int, Any, bool]:
        """(status, body, replayed).  ``produce()`` runs at most once per (kiosk, key);
        a replay with another body raises IdempotencyConflict."""
        with self.tx() as db:
            row = db.execute("SELECT request_hash, status_code, response FROM idempotency WHERE kiosk_id=? AND key=?",
                             (kiosk_id, key)).fetchone()
            if row:
                if row["request_hash"] != request_hash:
                    raise IdempotencyConflict()
                return row["status_code"], json.loads(row["response"]), True
            status, body = produce()
            if 200 <= status < 300:  # failures are not remembered: the caller may fix and retry
                db.execute("INSERT INTO idempotency(kiosk_id, key, request_hash, status_code, response, created_at)"
                           " VALUES (?,?,?,?,?,?)", (kiosk_id, key, request_hash, status,
                                                     json.dumps(body, ensure_ascii=False), self.clock()))
            return status, body, False

    def idempotency_record(self, kiosk_id: str, key: str) -> dict | None:
        """The first answer given under one kiosk's key (None: nothing was done under it)."""
        rows = self.query("SELECT key, status_code, response, created_at FROM idempotency WHERE kiosk_id=? AND key=?",
                          (kiosk_id, key))
        if not rows:
            return None
        row = rows[0]
        return {"key": row["key"], "status": row["status_code"], "response": json.loads(row["response"]),
                "created_at": iso_utc(row["created_at"])}

    # -- payments -----------------------------------------------------------------------------

    def new_payment(self, kiosk_id: str, dossier_code: str, method: str, amount: int, bank_delay: float,
                    ttl: float, qr_builder) -> dict:
        import secrets

        now = self.clock()
        pid = "PAY" + secrets.token_hex(6).upper()
        qr = qr_builder(pid, amount) if method == "vietqr" else None
        with self.tx() as db:
            db.execute(
                "INSERT INTO payments(id, kiosk_id, dossier_code, amount_vnd, status, method, qr_payload, created_at,"
                " expires_at, bank_confirms_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (pid, kiosk_id, dossier_code, amount, "pending", method, qr, now, now + ttl,
                 now + bank_delay if method == "vietqr" else None))
        return self.payment(pid)

    def payment(self, pid: str) -> dict | None:
        now = self.clock()
        with self.tx() as db:
            row = db.execute("SELECT * FROM payments WHERE id=?", (pid,)).fetchone()
            if row is None:
                return None
            if row["status"] == "pending":
                confirms = row["bank_confirms_at"]
                if confirms is not None and now >= confirms and confirms < row["expires_at"]:
                    db.execute("UPDATE payments SET status='paid', paid_at=?, confirmed_by='bank' WHERE id=?",
                               (row["bank_confirms_at"], pid))
                elif now >= row["expires_at"]:
                    db.execute("UPDATE payments SET status='expired' WHERE id=?", (pid,))
                row = db.execute("SELECT * FROM payments WHERE id=?", (pid,)).fetchone()
        return _payment_json(row)

    def confirm_payment(self, pid: str, by: str) -> dict | None:
        with self.tx() as db:
            row = db.execute("SELECT status FROM payments WHERE id=?", (pid,)).fetchone()
            if row is None:
                return None
            if row["status"] == "pending":
                db.execute("UPDATE payments SET status='paid', paid_at=?, confirmed_by=? WHERE id=?",
                           (self.clock(), by, pid))
        return self.payment(pid)

    # -- delivery, help, ratings --------------------------------------------------------------

    def book_delivery(self, kiosk_id: str, code: str, booking: dict) -> dict:
        import secrets

        bid = "DLV" + secrets.token_hex(5).upper()
        tracking = "EB" + "".join(str(secrets.randbelow(10)) for _ in range(9)) + "VN"
        with self.tx() as db:
            row = db.execute("SELECT body FROM dossiers WHERE code=?", (code,)).fetchone()
            body = json.loads(row["body"])
            addr = booking["address"]
            body["delivery"] = {"method": "post", "province": addr["province"], "ward": addr["ward"],
                                "tracking_code": tracking}
            db.execute("UPDATE dossiers SET body=? WHERE code=?", (json.dumps(body, ensure_ascii=False), code))
            # only the booking facts a status page needs are kept: no name, phone or street
            db.execute("INSERT INTO deliveries(id, kiosk_id, dossier_code, body, created_at) VALUES (?,?,?,?,?)",
                       (bid, kiosk_id, code,
                        json.dumps({"province": addr["province"], "ward": addr["ward"], "tracking_code": tracking},
                                   ensure_ascii=False), self.clock()))
        return {"booking_id": bid, "dossier_code": code, "tracking_code": tracking, "fee_vnd": 25000,
                "estimated_days": 2, "province": addr["province"], "ward": addr["ward"]}

    def new_help(self, kiosk_id: str, req: dict) -> dict:
        now = self.clock()
        with self.tx() as db:
            day = datetime.fromtimestamp(now, UTC).strftime("%y%m%d")
            key = f"help:{day}"
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            n = int(row["value"]) + 1 if row else 1
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)", (key, str(n)))
            ticket = f"H-{n:03d}"
            cur = db.execute("INSERT INTO help_requests(ticket, kiosk_id, body, status, created_at) VALUES (?,?,?,?,?)",
                             (ticket, kiosk_id, json.dumps(req, ensure_ascii=False), "waiting", now))
            hid = cur.lastrowid
        return self.help(hid)

    def help(self, hid: int) -> dict | None:
        rows = self.query("SELECT * FROM help_requests WHERE id=?", (hid,))
        if not rows:
            return None
        return self._help_json(rows[0])

    def _help_json(self, row) -> dict:
        position = None
        if row["status"] == "waiting":
            position = self.query("SELECT COUNT(*) AS n FROM help_requests WHERE status='waiting' AND id<=?",
                                  (row["id"],))[0]["n"]
        body = json.loads(row["body"])
        return {"id": row["id"], "ticket": row["ticket"], "kiosk_id": row["kiosk_id"], "reason": body["reason"],
                "status": row["status"], "created_at": iso_utc(row["created_at"]), "position": position}

    def helps(self, status: str | None, kiosk_id: str | None) -> list[dict]:
        sql, args = "SELECT * FROM help_requests WHERE 1=1", []
        if status:
            sql += " AND status=?"
            args.append(status)
        if kiosk_id:
            sql += " AND kiosk_id=?"
            args.append(kiosk_id)
        return [self._help_json(r) for r in self.query(sql + " ORDER BY id", tuple(args))]

    def help_owner(self, hid: int) -> str | None:
        rows = self.query("SELECT kiosk_id FROM help_requests WHERE id=?", (hid,))
        return rows[0]["kiosk_id"] if rows else None

    def set_help_status(self, hid: int, status: str) -> dict | None:
        with self.tx() as db:
            db.execute("UPDATE help_requests SET status=? WHERE id=?", (status, hid))
        return self.help(hid)

    def rate(self, kiosk_id: str, rating: dict) -> dict:
        with self.tx() as db:
            cur = db.execute("INSERT INTO ratings(kiosk_id, body, created_at) VALUES (?,?,?)",
                             (kiosk_id, json.dumps(rating, ensure_ascii=False), self.clock()))
            return {"id": cur.lastrowid}

    def counts(self) -> dict:
        out = {}
        for table in ("dossiers", "payments", "deliveries", "help_requests", "ratings", "heartbeats", "idempotency"):
            out[table] = self.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
        return out


class IdempotencyConflict(Exception):
    pass


def _secret_for(path: str) -> bytes:
    """The store's secret: random for an in-memory store; for a file, read from (or created
    once, 0600, in) ``<db>.secret`` beside it."""
    if path == ":memory:":
        return secrets.token_bytes(32)
    secret_path = Path(path + ".secret")
    try:
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = secret_path.read_bytes()
        if len(data) < 32:
            raise RuntimeError(f"{secret_path}: the demo gateway's secret is damaged (under 32 bytes)") from None
        return data
    with os.fdopen(fd, "wb") as fh:
        data = secrets.token_bytes(32)
        fh.write(data)
    return data


def _sample_owner() -> str:
    try:
        number = json.loads(SAMPLE_PERSON.read_text(encoding="utf-8"))["id_number"]
    except (OSError, ValueError, KeyError):
        return SAMPLE_OWNER_ID
    return number if isinstance(number, str) else SAMPLE_OWNER_ID


def _payment_json(row) -> dict:
    return {
        "id": row["id"], "dossier_code": row["dossier_code"], "amount_vnd": row["amount_vnd"],
        "method": row["method"], "status": row["status"], "qr_payload": row["qr_payload"],
        "created_at": iso_utc(row["created_at"]), "expires_at": iso_utc(row["expires_at"]),
        "paid_at": iso_utc(row["paid_at"]) if row["paid_at"] else None, "confirmed_by": row["confirmed_by"],
    }


def _add_working_days(ts: float, days: int):
    d = datetime.fromtimestamp(ts, UTC).date()
    while days > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            days -= 1
    return d
