"""The metrics endpoint scraped over HTTP on 127.0.0.1, fed by the board, core events, the
printer, the outbox, logged errors and the audit log."""

from __future__ import annotations

import logging
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk import config, metrics
from kiosk.audit import AuditLog
from kiosk.core import KioskCore
from kiosk.devices.registry import build_devices
from kiosk.journeys import Journeys


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        assert resp.status == 200
        text = resp.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


@pytest.fixture
def kiosk(tmp_path):
    from kiosk.gateway.outbox import Outbox

    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path)},
                                         metrics={"enabled": True, "host": "127.0.0.1"})
    devices = build_devices(settings, simulated=True)
    core = KioskCore(settings, devices=devices)
    Journeys(core)  # the journeys' flows
    devices.open_all()
    outbox = Outbox.from_settings(settings)
    audit = AuditLog.from_settings(settings)
    m = metrics.attach(core, outbox=outbox, audit=audit)
    server = metrics.serve(settings, m, port=0)
    yield core, m, server.server_address[1], outbox, audit
    server.shutdown()
    m.detach()
    outbox.close()
    core.shutdown()


def test_device_states_and_paper(kiosk):
    core, m, port, *_ = kiosk
    s = scrape(port)
    assert value(s, "kiosk_info", kiosk_id="KIOSK-TEST", version=__import__("kiosk").__version__,
                 location=core.settings.kiosk.location_name) == 1
    assert value(s, "kiosk_device_state", kind="printer", state="online") == 1
    assert value(s, "kiosk_device_state", kind="printer", state="user-error") == 0
    assert value(s, "kiosk_printer_paper", state="paper-ok") == 1
    core.devices.printer.faults.set_faults(paper_out=True)
    core.devices.printer.refresh()
    s = scrape(port)
    assert value(s, "kiosk_printer_paper", state="paper-out") == 1
    assert value(s, "kiosk_printer_paper", state="paper-ok") == 0
    assert value(s, "kiosk_device_needs_technician", kind="printer") == 1
    assert value(s, "kiosk_device_simulated", kind="card_reader") == 1


def test_sessions_by_journey_and_outcome(kiosk):
    core, m, port, *_ = kiosk
    core.begin()
    core.start_journey("lookup")
    core.reset("timeout")
    core.begin()
    core.start_journey("lookup")
    core.finish()
    s = scrape(port)
    assert value(s, "kiosk_sessions_total", journey="lookup", outcome="timeout") == 1
    assert value(s, "kiosk_sessions_total", journey="lookup", outcome="finished") == 1


def test_receipts_errors_outbox_and_audit(kiosk):
    from kiosk import receipts

    core, m, port, outbox, audit = kiosk
    page = receipts.self_test([], office="x", kiosk_id="KIOSK-TEST")
    assert core.devices.printer.print_receipt(page).ok
    core.devices.printer.faults.set_faults(paper_out=True)
    failed = core.devices.printer.print_receipt(page)
    assert not failed.ok
    core.devices.printer.faults.clear_faults()
    assert core.devices.printer.reprint_store.reprint(failed.receipt_id).ok
    logging.getLogger("kiosk.test").warning("task failed", extra={"kind": "GatewayTimeout"})
    outbox.enqueue("rating", {"score": 5, "journey": "lookup"})
    audit.record("staff.enter", "wrong_pin", "citizen")
    s = scrape(port)
    assert value(s, "kiosk_receipts_printed_total", kind="self-test", outcome="ok") == 1
    assert value(s, "kiosk_receipts_printed_total", kind="self-test", outcome="failed") == 1
    assert value(s, "kiosk_receipts_printed_total", kind="reprint", outcome="ok") == 1
    assert value(s, "kiosk_errors_total", kind="GatewayTimeout") == 1
    assert value(s, "kiosk_outbox_depth") == 1
    assert value(s, "kiosk_audit_entries_total", action="staff.enter", outcome="wrong_pin") == 1


def test_switching_to_the_simulated_twin_keeps_counting(kiosk):
    from kiosk import receipts
    from kiosk.devices.base import DeviceKind

    core, m, port, *_ = kiosk
    core.devices.switch(DeviceKind.PRINTER, simulated=True)
    assert core.devices.printer.print_receipt(receipts.self_test([], office="x", kiosk_id="K")).ok
    assert value(scrape(port), "kiosk_receipts_printed_total", kind="self-test", outcome="ok") == 1
