"""What the journey scripts set up behind the screens: fresh dossiers in the demo gateway (one
with a fee to pay, one whose result is ready), the sample card's person as the chip gives them,
and a gateway that is down for the length of a ``with`` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def unpaid_dossier(drv) -> str:
    """A fresh dossier with a fee to pay (the demo card's person's, sent to the demo gateway the
    way the submit journey does), so every run and language has something to pay, and
    identifying with the demo card proves the citizen is its applicant."""
    from datetime import date

    from kiosk.gateway import models as M
    from kiosk.gateway.client import new_idempotency_key
    from kiosk.gateway.demo.samples import sample_submission
    from kiosk.samples import SAMPLE_PERSON_ID

    sub = sample_submission(id_number=SAMPLE_PERSON_ID, full_name="Nguyễn Thị Minh Khai", born=date(1989, 5, 17),
                            purpose="kết hôn",
                            documents=[M.DocumentPhoto.from_bytes("Tờ khai", "image/jpeg", b"\xff\xd8\xff\xe0sample")])
    return drv.app.core.gateway.wait().submit_dossier(sub, new_idempotency_key()).code


def finished_dossier(drv) -> str:
    """A fresh dossier whose result is ready (sent to the demo gateway as the submit journey
    does, then its timeline moved into the past in the demo's database), so every run and
    language has a result to post."""
    import json
    import time

    from kiosk.gateway.demo.store import iso_utc

    code = unpaid_dossier(drv)
    store = drv.app.core.gateway._server.app.state.store
    with store.tx() as db:
        events = json.loads(db.execute("SELECT events FROM dossiers WHERE code=?", (code,)).fetchone()["events"])
        now = time.time()
        for i, event in enumerate(events):
            event["at"] = iso_utc(now - (len(events) - i) * 3600)
        db.execute("UPDATE dossiers SET events=? WHERE code=?", (json.dumps(events, ensure_ascii=False), code))
    return code


def sample_identity():
    """The demo card's person as the chip gives them (the card read itself is shown by the
    identify states; the submit states start after it, so rendering them stays quick)."""
    import json
    from datetime import date

    from kiosk.config import PROJECT_ROOT
    from kiosk.devices.cardreader.sod import PassiveAuthResult
    from kiosk.identity import Identity

    p = json.loads((PROJECT_ROOT / "assets" / "cards" / "sample-person.json").read_text(encoding="utf-8"))
    return Identity(id_number=p["id_number"], full_name=p["full_name"],
                    date_of_birth=date.fromisoformat(p["date_of_birth"]), sex=p["sex"], nationality=p["nationality"],
                    ethnicity=p["ethnicity"], residence=p["residence"], passive_auth=PassiveAuthResult("authentic"),
                    access_method="pace")


@contextmanager
def gateway_down(drv, *calls: str) -> Iterator[object]:
    """Within the block the running app's gateway client fails as an unreachable gateway does:
    each call raises ``GatewayUnavailable("connection refused")``.  ``calls`` names the client
    methods that fail (``"submit_dossier"``, ``"book_delivery"`` …); with none named, every call
    fails (its transport does).  When the block ends the client works again.  Yields the client.

        with gateway_down(drv, "book_delivery"):
            drv.tap(drv.screen.confirm)
    """
    from kiosk.gateway.errors import GatewayUnavailable

    client = drv.app.core.gateway.wait()
    names = calls or ("request",)
    saved = {name: client.__dict__[name] for name in names if name in client.__dict__}

    def down(*args, **kwargs):
        raise GatewayUnavailable("connection refused")

    for name in names:
        setattr(client, name, down)
    try:
        yield client
    finally:
        for name in names:
            if name in saved:
                setattr(client, name, saved[name])
            else:
                client.__dict__.pop(name, None)


@contextmanager
def outbox_worker_paused(drv) -> Iterator[object]:
    """Within the block the gateway service's outbox worker does not deliver (a test looks at
    what waits before it goes); it starts again when the block ends.  Yields the service."""
    gateway = drv.app.core.gateway
    gateway.wait()  # the worker exists once the service has started
    worker = gateway.worker
    if worker is not None:
        worker.stop()
    try:
        yield gateway
    finally:
        if worker is not None:
            worker.start()
