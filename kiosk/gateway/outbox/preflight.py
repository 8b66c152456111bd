"""What ``kiosk run``, ``kiosk doctor`` and the technician screen check before the outbox is
opened: ``check(settings)`` says what would stop it (the key file missing while items wait,
too short, readable by others, or not the one the items were sealed with)."""

from __future__ import annotations

from kiosk.gateway.outbox.keys import DB_NAME, OutboxError, key_path, key_problem, pending_encrypted, read_key
from kiosk.gateway.outbox.store import Outbox


def check(settings) -> str | None:
    """What stops the outbox from opening with these settings (for ``kiosk doctor`` and the
    technician screen), or None.  Opens nothing for writing."""
    try:
        path = key_path(settings)
        problem = key_problem(path)
        if problem:
            return problem
        waiting = pending_encrypted(settings.data_dir / DB_NAME)
        if not path.exists():
            return (f"outbox key file {path} is missing but {waiting} encrypted item(s) wait" if waiting else None)
        if waiting:
            with Outbox(settings.data_dir / DB_NAME, read_key(path), _check_only=True) as ob:
                ob.check_key()
    except OutboxError as exc:
        return str(exc)
    return None

