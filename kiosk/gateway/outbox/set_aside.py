"""Staff and set-aside items: an item the gateway refused for good, or answered with something
that breaks the contract, waits in state ``set_aside`` until staff send it again (``retry``:
same key, same bytes) or export it sealed for the back office (``export``, read back with
``import_item`` on a kiosk holding the same key).  ``SetAsideItems`` is part of ``Outbox``."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from kiosk.gateway.outbox.items import KINDS, ProvisionalReceipt
from kiosk.gateway.outbox.keys import OutboxError, make_private_dir


class SetAsideItems:
    """``Outbox`` methods for set-aside items (they use its database, lock and seal)."""

    def retry(self, seq: int | None = None) -> int:
        """Put set-aside items (one, or all) back in the queue, in their old place; they go again
        with their key and their bytes, so a retry never files anything twice."""
        with self._tx() as db:
            if seq is None:
                cur = db.execute("UPDATE items SET state='queued' WHERE state='set_aside'")
            else:
                cur = db.execute("UPDATE items SET state='queued' WHERE state='set_aside' AND seq=?", (int(seq),))
            return cur.rowcount

    def export(self, seq: int, folder: str | os.PathLike) -> Path:
        """Write one set-aside item to ``folder`` (e.g. a technician's USB stick) for the back
        office: what it is in clear (kind, provisional reference, idempotency key, reason, dates;
        no personal data) and the request sealed with the outbox key (AES-256-GCM), readable only
        with ``import_item`` on a kiosk holding that key.  The file is 0600."""
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE seq=?", (int(seq),)).fetchone()
        if row is None or row["state"] != "set_aside":
            raise OutboxError("no set-aside item with this number")
        payload = self._open(row)
        nonce, sealed = self._seal(row["kind"], row["idempotency_key"], payload)
        doc = {"format": "kiosk-outbox-item/1", "kind": row["kind"], "reference": row["reference"],
               "idempotency_key": row["idempotency_key"], "reason": row["last_error"], "attempts": row["attempts"],
               "queued_at": datetime.fromtimestamp(row["created_at"], UTC).isoformat(timespec="seconds"),
               "exported_at": datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds"),
               "nonce": nonce.hex() if nonce else None, "sealed": sealed.hex()}
        folder = Path(folder)
        make_private_dir(folder)
        dest = folder / f"outbox-{row['reference'] or row['seq']}-{row['idempotency_key'][:8]}.json"
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        return dest

    def import_item(self, path: str | os.PathLike) -> ProvisionalReceipt:
        """Queue an item written by ``export`` (same key needed; same idempotency key kept)."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if doc.get("format") != "kiosk-outbox-item/1" or doc.get("kind") not in KINDS:
            raise OutboxError("not an exported outbox item")
        row = {"kind": doc["kind"], "idempotency_key": doc["idempotency_key"],
               "nonce": bytes.fromhex(doc["nonce"]) if doc.get("nonce") else None,
               "payload": bytes.fromhex(doc["sealed"])}
        payload = self._open(row)
        return self.enqueue(doc["kind"], payload, idempotency_key=doc["idempotency_key"], reference=doc["reference"])

