"""Staff and technician logic (plain Python) against the demo gateway on 127.0.0.1:
PIN entry and lockout audited, consent, help queue, cash confirmation (live and queued),
reprint, outbox retry, device switch, bundle, exit."""

from __future__ import annotations

import pytest

from kiosk import config
from kiosk.audit import verify
from kiosk.core import KioskCore
from kiosk.devices.base import DeviceKind
from kiosk.gateway.demo.samples import sample_submission
from kiosk.gateway.models import ApplicantProof
from kiosk.gateway.outbox import Outbox
from kiosk.gateway.service import GatewayService
from kiosk.journeys import Journeys
from kiosk.roles import PinResult, Role
from kiosk.staff import StaffError, StaffMode
from tests.conftest import ROOT, kiosk_with_staff

SAMPLE_DOSSIER = "H26.99-241125-0002"
UNPAID_DOSSIER = "H26.99-241125-0006"  # the demo sample whose fee is not paid yet
DEMO_PERSON = ApplicantProof(id_number="001189012345")  # whose the samples are: the payment is made for them


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
    settings = config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(tmp_path / "data")})
    exits = []
    core, staff, audit, client, outbox = kiosk_with_staff(settings, gateway, exit_kiosk=lambda: exits.append(1))
    clock = Clock()
    core.staff_gate.clock = core.technician_gate.clock = clock
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

    second = client.create_payment(UNPAID_DOSSIER, "cash", proof=DEMO_PERSON)
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


def test_set_aside_items_are_listed_retried_and_exported(kit, tmp_path):
    """An answer that breaks the contract sets the item aside (the queue moves on); staff see it
    with its reason, export it sealed (no personal data in clear) and send it again with the same
    key once the gateway answers properly: filed once."""
    import json
    import stat
    import uuid

    from kiosk.bench.faults import FaultProxy, matcher
    from kiosk.gateway.client import GatewayClient, rating_body, submission_body
    from kiosk.gateway.outbox import load_or_create_key

    core, staff, audit, clock, client, _ = kit
    sub = sample_submission()
    key = str(uuid.uuid4())
    ref = staff.outbox.enqueue("submission", idempotency_key=key, body=submission_body(sub)).reference
    staff.outbox.enqueue("rating", body=rating_body(5, "submit"))
    proxy = FaultProxy(client.base_url, "malformed", matches=matcher("submit"))
    try:
        live = core.gateway
        core.gateway = GatewayService(core.settings, core.board, outbox=staff.outbox, background=False,
                                      client=GatewayClient(proxy.url, kiosk_id=core.settings.kiosk.kiosk_id,
                                                           retries=0))
        assert staff.retry_outbox() == 1  # the rating behind it went
        (item,) = staff.set_aside_items()
        assert item["reference"] == ref and item["kind"] == "submission"
        assert item["last_error"].startswith("gateway.bad_response")
        assert staff.outbox_state()["failed"] == 1
        path = staff.export_set_aside(item["seq"], tmp_path / "usb")
        raw = path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert b"001099012345" not in raw and "Nguyễn".encode() not in raw and ref.encode() in raw
        doc = json.loads(raw)
        assert doc["idempotency_key"] == key and doc["reason"].startswith("gateway.bad_response")
        # the back office's kiosk (same key) can read it back; nothing else can
        other = Outbox(tmp_path / "other.sqlite3", load_or_create_key(core.settings.data_dir / "outbox.key"))
        assert other.import_item(path).reference == ref and other.depth() == 1
        other.close()
        proxy.fault = "ok"
        assert staff.retry_set_aside(item["seq"]) == 1
        assert staff.set_aside_items() == [] and staff.outbox.provisional_status(ref).dossier_code
        core.gateway = live
    finally:
        proxy.close()
    got = actions(audit)
    assert ("outbox.export", "ok") in got and ("outbox.requeue", "ok") in got


def test_cash_confirmation_live(kit):
    core, staff, audit, clock, client, _ = kit
    core.journeys.pay.draft.payment = client.create_payment(UNPAID_DOSSIER, "cash", proof=DEMO_PERSON)
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


# -- a lockout that remembers ---------------------------------------------------------------------


def lock_out(staff, role=Role.STAFF):
    for _ in range(4):
        assert staff.enter(role, "000000") is PinResult.WRONG
    assert staff.enter(role, "000000") is PinResult.LOCKED


def restarted(core, audit, clock):
    """A new core and staff mode over the same data folder, as after a restart."""
    fresh = KioskCore(core.settings, devices=core.devices, gateway=core.gateway)
    Journeys(fresh)
    fresh.staff_gate.clock = fresh.technician_gate.clock = clock
    return fresh, StaffMode(fresh, audit, outbox=None)


def test_failures_and_the_lock_survive_a_restart(kit):
    core, staff, audit, clock, *_ = kit
    for _ in range(3):
        staff.enter(Role.STAFF, "000000")
    core2, staff2 = restarted(core, audit, clock)
    assert staff2.gate(Role.STAFF).attempts_left() == 2  # the three failures were not forgotten
    staff2.enter(Role.STAFF, "000000")
    assert staff2.enter(Role.STAFF, "000000") is PinResult.LOCKED
    core3, staff3 = restarted(core, audit, clock)
    assert staff3.enter(Role.STAFF, "246810") is PinResult.LOCKED  # still locked after a restart
    assert 290 < staff3.locked_for(Role.STAFF) <= 300
    state = core.settings.data_dir / "pin-lock.json"
    assert state.stat().st_mode & 0o777 == 0o600
    assert "246810" not in state.read_text() and "000000" not in state.read_text()
    clock.t += 301
    assert staff3.enter(Role.STAFF, "246810") is PinResult.OK
    for c in (core2, core3):
        c.shutdown()


def test_each_lock_in_a_row_lasts_longer_up_to_a_cap(kit):
    core, staff, audit, clock, *_ = kit
    lengths = []
    for _ in range(6):
        lock_out(staff)
        lengths.append(round(staff.locked_for(Role.STAFF)))
        clock.t += staff.locked_for(Role.STAFF) + 1
    assert lengths == [300, 600, 1200, 2400, 3600, 3600]
    lockouts = [e for e in audit.entries() if e["outcome"] == "lockout"]
    assert [e["detail"]["locked_seconds"] for e in lockouts] == lengths
    # a right PIN ends the streak: the next lock is short again
    assert staff.enter(Role.STAFF, "246810") is PinResult.OK
    lock_out(staff)
    assert round(staff.locked_for(Role.STAFF)) == 300


def test_a_citizen_cannot_keep_staff_locked_out(kit):
    """The lock is per role, and a technician's entry lifts the staff lock."""
    core, staff, audit, clock, *_ = kit
    lock_out(staff)
    assert staff.locked_for(Role.TECHNICIAN) == 0
    assert staff.enter(Role.TECHNICIAN, "135790") is PinResult.OK
    staff.leave()
    assert staff.locked_for(Role.STAFF) == 0
    assert staff.enter(Role.STAFF, "246810") is PinResult.OK
    assert ("staff.unlock", "ok") in actions(audit)


def test_a_lockout_is_counted_in_the_metrics(kit):
    from kiosk import metrics

    core, staff, audit, clock, *_ = kit
    m = metrics.attach(core, audit=audit)
    try:
        lock_out(staff)
        lock_out(staff, Role.TECHNICIAN)
        assert m.pin_lockouts.labels(role="staff")._value.get() == 1
        assert m.pin_lockouts.labels(role="technician")._value.get() == 1
        assert b'kiosk_pin_lockouts_total{role="staff"} 1.0' in m.exposition()
    finally:
        m.detach()


def test_a_failure_is_counted_before_the_pin_is_checked(kit, monkeypatch):
    """Pulling the plug during the (slow) check must not give a free try."""
    core, staff, audit, clock, *_ = kit
    import kiosk.roles as roles

    def power_cut(pin, stored):
        raise SystemExit("power cut")

    monkeypatch.setattr(roles, "verify_pin", power_cut)
    with pytest.raises(SystemExit):
        staff.enter(Role.STAFF, "000000")
    monkeypatch.undo()
    _core2, staff2 = restarted(core, audit, clock)
    assert staff2.gate(Role.STAFF).attempts_left() == 4
    _core2.shutdown()
