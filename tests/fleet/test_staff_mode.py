"""Staff and technician logic (plain Python) against the demo gateway on 127.0.0.1:
PIN entry and lockout audited, consent, help queue, cash confirmation (live and queued),
reprint, outbox retry, device switch, bundle, exit."""

from __future__ import annotations

import pytest

from kiosk import config
from kiosk.audit import AuditLog, verify
from kiosk.core import KioskCore
from kiosk.devices.base import DeviceKind
from kiosk.devices.registry import build_devices
from kiosk.gateway.outbox import Outbox
from kiosk.gateway.service import GatewayService
from kiosk.journeys import Journeys
from kiosk.roles import PinResult, Role
from kiosk.staff import StaffError, StaffMode
from tests.conftest import ROOT

SAMPLE_DOSSIER = "H26.99-241125-0002"
UNPAID_DOSSIER = "H26.99-241125-0006"  # the demo sample whose fee is not paid yet


class Clock:
    t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def gateway():
    """A fresh in-memory demo gateway per test (its one unpaid sample dossier stays unpaid)."""
    from kiosk.gateway.embedded import EmbeddedGateway

    gw = EmbeddedGateway(None, db_path=None)
    url = gw.start()
    yield url
    gw.stop()


@pytest.fixture
def kit(tmp_path, gateway):
    from kiosk.gateway.client import GatewayClient

    settings = config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(tmp_path / "data")})
    devices = build_devices(settings, simulated=True)
    devices.open_all()
    client = GatewayClient.from_settings(settings, base_url=gateway)
    outbox = Outbox.from_settings(settings)
    service = GatewayService(settings, devices.board, client=client, outbox=outbox, background=False)
    core = KioskCore(settings, devices=devices, gateway=service)
    Journeys(core)
    clock = Clock()
    core.staff_gate.clock = core.technician_gate.clock = clock
    audit = AuditLog.from_settings(settings)
    exits = []
    staff = StaffMode(core, audit, outbox=outbox, exit_kiosk=lambda: exits.append(1))
    yield core, staff, audit, clock, client, exits
    outbox.close()
    core.shutdown()


def actions(audit):
    return [(e["action"], e["outcome"]) for e in audit.entries()]


def test_pin_entry_lockout_is_audited(kit):
    core, staff, audit, clock, *_ = kit
    for _ in range(4):
        assert staff.enter(Role.STAFF, "000000") is PinResult.WRONG
    assert staff.enter(Role.STAFF, "000000") is PinResult.LOCKED
    assert staff.enter(Role.STAFF, "246810") is PinResult.LOCKED  # even the right PIN while locked
    assert staff.active is None
    clock.t += 301
    assert staff.enter(Role.STAFF, "246810") is PinResult.OK and staff.active is Role.STAFF
    got = actions(audit)
    assert got[:4] == [("staff.enter", "wrong_pin")] * 4
    assert got[4:] == [("staff.enter", "lockout"), ("staff.enter", "locked"), ("staff.enter", "ok")]
    assert list(audit.entries())[3]["detail"] == {"attempts_left": 1}
    # the technician gate is separate
    assert staff.enter(Role.TECHNICIAN, "246810") is PinResult.WRONG
    assert "246810" not in "".join(str(e) for e in audit.entries())
    assert verify(audit.folder).ok


def test_consent_makes_a_staff_session_and_end_wipes_it(kit):
    core, staff, audit, *_ = kit
    core.begin()
    core.start_journey("lookup")
    core.session.dossier_code = SAMPLE_DOSSIER
    staff.enter(Role.STAFF, "246810")
    staff.record_consent()
    assert core.session.role is Role.STAFF and staff.assisting
    staff.end_session()
    assert core.session.role is Role.CITIZEN and not core.session.holds_data() and core.step == "attract"
    assert ("staff.consent", "ok") in actions(audit) and ("staff.end_session", "ok") in actions(audit)
    consent = [e for e in audit.entries() if e["action"] == "staff.consent"][0]
    assert consent["role"] == "staff" and consent["detail"] == {"journey": "lookup"}


def test_help_queue(kit):
    core, staff, audit, clock, client, _ = kit
    ticket = client.create_help_request("card_problem")
    queue = staff.help_requests()
    assert ticket.id in [t.id for t in queue]
    served = staff.update_help(ticket.id, "in_service")
    assert served.status == "in_service"
    staff.update_help(ticket.id, "done")
    assert ticket.id not in [t.id for t in staff.help_requests()]
    assert ("help.update", "done") in actions(audit)


def test_cash_confirmation_queued_while_the_gateway_is_down(kit, tmp_path):
    core, staff, audit, clock, client, _ = kit
    with pytest.raises(StaffError):
        staff.confirm_cash()
    # gateway down: the confirmation waits in the outbox, staff see it and retry later
    from kiosk.gateway.client import GatewayClient

    second = client.create_payment(UNPAID_DOSSIER, "cash")
    core.journeys.pay.draft.payment = second
    live = core.gateway
    down = GatewayClient(f"http://127.0.0.1:{_closed_port()}", retries=0, connect_timeout=0.5)
    core.gateway = GatewayService(core.settings, core.board, client=down, outbox=staff.outbox, background=False)
    queued = staff.confirm_cash()
    assert queued.provisional
    assert staff.outbox_state()["depth"] == 1
    assert staff.retry_outbox() == 0
    assert staff.outbox_state()["last_error"]
    core.gateway = live
    sent = staff.retry_outbox()
    assert sent == 1 and staff.outbox_state()["depth"] == 0, (staff.outbox_state(), staff.outbox.items())
    assert client.payment_status(second.id).status != "pending"
    got = actions(audit)
    assert ("payment.cash_confirm", "queued") in got and ("outbox.retry", "waiting") in got
    assert ("outbox.retry", "ok") in got


def test_cash_confirmation_live(kit):
    core, staff, audit, clock, client, _ = kit
    core.journeys.pay.draft.payment = client.create_payment(UNPAID_DOSSIER, "cash")
    assert staff.pending_cash() is not None
    paid = staff.confirm_cash()
    assert paid.status != "pending" and staff.pending_cash() is None
    entry = [e for e in audit.entries() if e["action"] == "payment.cash_confirm"][-1]
    assert entry["outcome"] == "ok" and entry["detail"]["amount_vnd"] == paid.amount_vnd


def _closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reprint(kit):
    from kiosk import receipts

    core, staff, audit, *_ = kit
    printer = core.devices.printer
    printer.faults.set_faults(paper_out=True)
    failed = printer.print_receipt(receipts.self_test([], office="x", kiosk_id="K"))
    assert not failed.ok
    assert staff.receipts()[0]["state"] == "failed"
    printer.faults.clear_faults()
    assert staff.reprint(failed.receipt_id).ok
    assert staff.receipts()[0]["state"] == "reprinted"
    assert ("receipt.reprint", "ok") in actions(audit)


def test_technician_switch_bundle_exit(kit, tmp_path):
    core, staff, audit, clock, client, exits = kit
    core.begin()
    core.start_journey("lookup")
    core.session.dossier_code = SAMPLE_DOSSIER
    assert staff.enter(Role.TECHNICIAN, "135790") is PinResult.OK
    assert not core.session.holds_data() and core.session.role is Role.TECHNICIAN
    driver = staff.switch_device(DeviceKind.PRINTER, simulated=True)
    assert core.devices.printer is driver
    folder = staff.export_bundle(tmp_path / "usb")
    assert (folder / "devices.json").exists()
    assert staff.print_self_test()["ok"]
    staff.exit_kiosk()
    assert exits == [1]
    got = actions(audit)
    for wanted in [("technician.enter", "ok"), ("device.switch", "simulated"), ("diagnostics.export", "ok"),
                   ("printer.self_test", "ok"), ("kiosk.exit", "ok")]:
        assert wanted in got
    assert verify(audit.folder).ok
