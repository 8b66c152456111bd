"""Offline outbox: what must reach the gateway even when it is down.

When the gateway is unreachable or answers 5xx, dossier submissions, cash-payment
confirmations and ratings are queued here and delivered when it is back:

- **durable**: SQLite (WAL, ``synchronous=FULL``): an item whose ``enqueue`` returned survives
  kill -9 and power loss; an item is marked delivered in the same transaction that records
  the gateway's answer.
- **in order**: delivered oldest first; a transient failure stops the run (nothing overtakes).
- **exactly once**: every item carries its idempotency key, created before it is first sent,
  and the very bytes first sent under it (``body``): a replay is byte-for-byte the first call,
  so the gateway answers it with the first result ("already done") and the provisional
  receipt resolves to the dossier code.  The provisional reference travels *beside* the body
  (the ``reference`` column), never inside it.  A 409 on a replay is reconciled: the outbox
  asks the gateway what it did under the key (``GET /v1/idempotency/{key}``) and records that.
- **poison set aside**: an item the gateway refuses for good, or answers with something that
  breaks the contract, is set aside with its reason (state ``set_aside``) and the queue moves
  on; staff see it in the staff panel and retry (same key, same bytes) or export it.
- **encrypted at rest**: the payload (personal data) is AES-256-GCM encrypted with the key in
  ``[gateway] outbox_key_file`` (default ``data_dir/outbox.key``; it may live on another
  volume or be a systemd credential, ``$CREDENTIALS_DIRECTORY/…``); the kind and idempotency
  key are bound to the ciphertext as associated data.  The key fails loudly: when items wait
  that need it, a missing, short, wrong or group/other-readable key refuses to open the outbox
  (``OutboxKeyError``: the kiosk does not start); a new key is made only while no encrypted
  item waits.  The database, its -wal and -shm files are 0600, a data folder the outbox makes
  is 0700.

The citizen gets a ``ProvisionalReceipt`` (a provisional reference they can look up at the
kiosk); staff and technicians see ``depth()``, ``set_aside()`` and ``last_error()``.  When to
send and when to queue is decided in one place, ``kiosk.gateway.service.GatewayService``; the
backlog is delivered by ``OutboxWorker`` on its own thread.

Where things live: ``keys`` (the key kept apart, private files and folders), ``items`` (kinds,
states, provisional receipts), ``store`` (``Outbox``: the database, sealing, queueing, staff
views), ``delivery`` (sending the queue, reconciling replays), ``set_aside`` (retry and export
of set-aside items), ``worker`` (``OutboxWorker``), ``preflight`` (``check``: what stops the
outbox from opening).  Import from this package: ``from kiosk.gateway.outbox import Outbox``.
"""

from kiosk.gateway.outbox.items import (
    KINDS,
    STATES,
    WIRE_VERSION,
    ProvisionalReceipt,
    ProvisionalStatus,
    new_reference,
)
from kiosk.gateway.outbox.keys import (
    DB_NAME,
    KEY_BYTES,
    KEY_NAME,
    OutboxError,
    OutboxKeyError,
    create_key,
    key_path,
    key_problem,
    load_or_create_key,
    make_private_dir,
    open_key,
    pending_encrypted,
    read_key,
)
from kiosk.gateway.outbox.preflight import check
from kiosk.gateway.outbox.store import SCHEMA, Outbox
from kiosk.gateway.outbox.worker import OutboxWorker

__all__ = [
    "KINDS", "STATES", "WIRE_VERSION", "ProvisionalReceipt", "ProvisionalStatus", "new_reference",
    "DB_NAME", "KEY_BYTES", "KEY_NAME", "OutboxError", "OutboxKeyError", "create_key", "key_path", "key_problem",
    "load_or_create_key", "make_private_dir", "open_key", "pending_encrypted", "read_key",
    "check", "SCHEMA", "Outbox", "OutboxWorker",
]
