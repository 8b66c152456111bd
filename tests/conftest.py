"""Shared fixtures.  Kivy must be configured before its first import: KIVY_NO_ARGS etc. are
set here, before any test module imports the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def settings(tmp_path):
    from kiosk import config

    return config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(tmp_path / "data")})


def kiosk_with_staff(settings, gateway_url: str, **staff_kw):
    """A whole kiosk without its window, wired as the app wires it: simulated devices opened,
    the gateway client (to ``gateway_url``), the outbox, the core with its journeys, the audit
    log and staff mode.  Returns (core, staff, audit, client, outbox); the caller closes the
    outbox and shuts the core down."""
    from kiosk.audit import AuditLog
    from kiosk.core import KioskCore
    from kiosk.devices.registry import build_devices
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.outbox import Outbox
    from kiosk.gateway.service import GatewayService
    from kiosk.journeys import Journeys
    from kiosk.staff import StaffMode

    devices = build_devices(settings, simulated=True)
    devices.open_all()
    client = GatewayClient.from_settings(settings, base_url=gateway_url)
    outbox = Outbox.from_settings(settings)
    service = GatewayService(settings, devices.board, client=client, outbox=outbox, background=False)
    core = KioskCore(settings, devices=devices, gateway=service)
    Journeys(core)
    audit = AuditLog.from_settings(settings)
    staff = StaffMode(core, audit, outbox=outbox, **staff_kw)
    return core, staff, audit, client, outbox


def kiosk_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", *args]
