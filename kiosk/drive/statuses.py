"""Every status a dossier can have (``DossierStatus`` of the gateway contract), each looked up
by typing the code of one of the demo gateway's sample dossiers (assets/catalog/sample_dossiers.json)."""

from __future__ import annotations

from kiosk.drive.common import type_code
from kiosk.drive.lookup import to_lookup

# status -> a sample dossier in that status when the demo gateway has just started
STATUS_SAMPLES = {
    "received": "H26.99-241125-0001",
    "in_progress": "H26.99-241125-0002",
    "supplement_requested": "H26.99-241125-0003",
    "result_ready": "H26.99-241125-0004",
    "delivered": "H26.99-241125-0005",
    "rejected": "H26.99-241125-0006",
    "collected": "H26.99-241125-0007",
}


def to_status_of(drv, status: str) -> None:
    """The status screen of the sample dossier that is in ``status``."""
    to_lookup(drv)
    type_code(drv, STATUS_SAMPLES[status])
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, f"a dossier in status {status}")
    drv.frames(3)
