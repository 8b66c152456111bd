"""Delivery of the queue to the gateway, oldest first and exactly once: ``OutboxDelivery`` (part
of ``Outbox``) sends what waits, stops at the first failure that concerns the gateway or the
network, sets aside an item refused for good, and reconciles a replay answered 409 by asking
the gateway what it did under the item's key."""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Callable

from kiosk.gateway import errors as E
from kiosk.gateway.outbox.items import WIRE_VERSION
from kiosk.gateway.outbox.keys import OutboxError

log = logging.getLogger("kiosk.gateway.outbox")

# gateway errors that concern the kiosk, not the item: the run stops, the item stays queued
_STOP = (E.GatewayAuthError, E.GatewayTlsError)


class OutboxDelivery:
    """``Outbox`` methods that deliver the queue (they use its database, lock and seal)."""

    def deliver(self, client, *, max_items: int | None = None,
                on_delivered: Callable[[dict], None] | None = None) -> int:
        """Send what is queued, oldest first; returns how many were delivered.

        Stops at the first failure that concerns the gateway or the network (down, timeout,
        5xx, TLS, credentials refused): the item stays queued and nothing overtakes it.  An
        item the gateway refuses for good (4xx), answers with something that breaks the
        contract, or that cannot be read, is set aside with its reason and delivery continues.
        A 409 is reconciled first: the gateway is asked what it did under the item's key.
        Only one deliverer runs at a time (across processes too).
        """
        sent = 0
        with open(self._lock_path, "a+") as lockfile:
            fcntl.flock(lockfile, fcntl.LOCK_EX)
            try:
                while max_items is None or sent < max_items:
                    with self._lock:
                        row = self._db.execute(
                            "SELECT * FROM items WHERE state='queued' ORDER BY seq LIMIT 1").fetchone()
                    if row is None:
                        break
                    try:
                        result = self._attempt(client, row)
                    except E.GatewayError as exc:
                        if exc.transient or isinstance(exc, _STOP):
                            self._record_failure(row, _describe(exc))
                            log.warning("outbox: %s delivery failed (%s)", row["kind"], exc.message_key)
                            break
                        self._put_aside(row, _describe(exc))
                        continue
                    except OutboxError as exc:
                        self._put_aside(row, str(exc))
                        continue
                    except Exception as exc:  # noqa: BLE001 - one poison item must not stop the queue
                        log.exception("outbox: an item could not be sent")
                        self._put_aside(row, f"outbox.error: {type(exc).__name__}")
                        continue
                    with self._tx() as db:
                        # the citizen's data goes at once (secure_delete overwrites it); the row keeps
                        # what resolves the provisional receipt until purge_delivered
                        db.execute(
                            "UPDATE items SET state='delivered', attempts=attempts+1, delivered_at=?, result=?,"
                            " last_error=NULL, nonce=NULL, payload=X'' WHERE seq=? AND state='queued'",
                            (self.clock(), json.dumps(result, ensure_ascii=False), row["seq"]))
                        # the gateway works again: the error is old news, unless an item was set aside
                        if not db.execute("SELECT 1 FROM items WHERE state='set_aside' LIMIT 1").fetchone():
                            self._set_meta("last_error", None)
                    sent += 1
                    if on_delivered is not None:
                        on_delivered({"seq": row["seq"], "kind": row["kind"], "reference": row["reference"], **result})
            finally:
                fcntl.flock(lockfile, fcntl.LOCK_UN)
        return sent

    def _attempt(self, client, row) -> dict:
        """One item to the gateway: the summary of its answer (or of the first answer given
        under its key, when a replay meets a 409)."""
        payload = self._open(row)
        try:
            return _send(client, row["kind"], payload, row["idempotency_key"])
        except E.Conflict as conflict:
            record = client.idempotency_record(row["idempotency_key"])  # transient errors: stop the run
            if record is None or not 200 <= record.status < 300:
                raise  # a real conflict (already booked, cancelled…): set aside with its reason
            log.info("outbox: a %s was already done under its key (%s); recorded", row["kind"],
                     conflict.detail or "conflict")
            return {**_summary(client, row["kind"], record.response), "reconciled": True}

    def _record_failure(self, row, text: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET attempts=attempts+1, last_error=? WHERE seq=? AND state='queued'",
                       (text, row["seq"]))
            self._set_meta("last_error", text)

    def _put_aside(self, row, reason: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET state='set_aside', attempts=attempts+1, last_error=? WHERE seq=?"
                       " AND state='queued'", (reason, row["seq"]))
            self._set_meta("last_error", reason)
        log.warning("outbox: a %s was set aside for staff (%s)", row["kind"], reason.split(":")[0])

    def purge_delivered(self, older_than_seconds: float) -> int:
        """Forget delivered items (their encrypted payloads) after a while."""
        with self._lock:
            cur = self._db.execute("DELETE FROM items WHERE state='delivered' AND delivered_at < ?",
                                   (self.clock() - older_than_seconds,))
            return cur.rowcount


def _describe(exc: E.GatewayError) -> str:
    return f"{exc.message_key}: {exc.detail}" if exc.detail else exc.message_key


def _send(client, kind: str, payload: dict, idem: str) -> dict:
    """One queued item to the gateway; returns a summary without personal data."""
    if payload.get("v") == WIRE_VERSION:
        body = payload["body"].encode("utf-8")
        if kind == "submission":
            return _summary(client, kind, client.submit_dossier(body, idem))
        if kind == "cash_confirmation":
            return _summary(client, kind, client.confirm_cash_body(payload["payment_id"], body, idem))
        if kind == "rating":
            return _summary(client, kind, client.rate_body(body, idem))
        raise OutboxError(f"unknown kind {kind}")
    # items queued before bodies were kept as sent
    if kind == "submission":
        return _summary(client, kind, client.submit_dossier(payload, idem))
    if kind == "cash_confirmation":
        payment = client.confirm_cash(payload["payment_id"], payload["staff_id"], payload["amount_vnd"],
                                      receipt_number=payload.get("receipt_number"), idempotency_key=idem)
        return _summary(client, kind, payment)
    if kind == "rating":
        rid = client.rate(payload["score"], payload.get("journey", "other"), dossier_code=payload.get("dossier_code"),
                          comment=payload.get("comment"), rated_at=payload.get("rated_at"), idempotency_key=idem)
        return _summary(client, kind, rid)
    raise OutboxError(f"unknown kind {kind}")


def _summary(client, kind: str, answer) -> dict:
    """The gateway's answer (a contract object, or the raw JSON of a reconciled one) reduced to
    what the outbox keeps: codes and ids, no personal data."""
    from kiosk.gateway import models as M

    if isinstance(answer, (dict, list)):
        cls = {"submission": M.SubmissionReceipt, "cash_confirmation": M.Payment, "rating": M.RatingAck}[kind]
        answer = client._parse(cls, answer)
    if kind == "submission":
        return {"code": answer.code, "status": answer.status}
    if kind == "cash_confirmation":
        return {"payment_id": answer.id, "status": answer.status}
    return {"rating_id": answer if isinstance(answer, int) else answer.id}

