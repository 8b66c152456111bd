"""``kiosk doctor`` as a subprocess against simulated devices, healthy and with injected faults."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import ROOT, kiosk_cmd


def doctor(ini, *extra, env=None):
    e = dict(os.environ)
    e.update(env or {})
    proc = subprocess.run(kiosk_cmd("--config", str(ini), "doctor", "--json", "--simulated", *extra),
                          capture_output=True, text=True, cwd=ROOT, timeout=90, env=e)
    return proc.returncode, json.loads(proc.stdout), proc


def by_kind(report):
    return {d["kind"]: d for d in report["devices"]}


def test_healthy_kiosk_exits_zero(ini):
    rc, report, proc = doctor(ini)
    assert rc == 0, proc.stdout + proc.stderr
    assert report["needs_technician"] is False and report["problems"] == []
    devices = by_kind(report)
    assert set(devices) == {"card_reader", "qr_source", "printer", "gateway"}
    assert devices["printer"]["media"] == "paper-ok"
    assert report["gateway"]["reachable"] is True and report["gateway"]["latency_ms"] is not None
    assert report["outbox"] == {"available": True, "depth": 0, "failed": 0, "last_error": None}
    assert report["config"]["valid"] is True
    assert report["system"]["disk_free_bytes"] > 0


def test_printer_out_of_paper(ini):
    rc, report, _ = doctor(ini, "--fault", "printer:paper_out")
    assert rc == 1
    printer = by_kind(report)["printer"]
    assert printer["media"] == "paper-out" and printer["needs_technician"]
    assert any(p.startswith("printer:") for p in report["problems"])


def test_reader_unplugged(ini):
    rc, report, _ = doctor(ini, "--fault", "reader:unplugged")
    assert rc == 1
    reader = by_kind(report)["card_reader"]
    assert reader["state"] == "no-device" and reader["last_error"]
    assert [p for p in report["problems"] if p.startswith("card_reader:")]


def test_gateway_down_via_environment(ini):
    rc, report, _ = doctor(ini, env={"KIOSK_DOCTOR_FAULTS": "gateway:down"})
    assert rc == 1
    assert report["gateway"]["reachable"] is False
    assert by_kind(report)["gateway"]["state"] == "offline"
    assert [p for p in report["problems"] if p.startswith("gateway:")]


def test_near_end_paper_warns_but_needs_no_technician(ini):
    rc, report, _ = doctor(ini, "--fault", "printer:paper_near_end")
    assert rc == 0 and by_kind(report)["printer"]["media"] == "paper-near-end"


def test_invalid_config_needs_a_technician(ini, tmp_path):
    # the doctor runs on a good copy but checks the file it was given: break it after the copy
    bad = tmp_path / "bad.ini"
    bad.write_text(ini.read_text(encoding="utf-8") + "\n[nonsense]\nx = 1\n", encoding="utf-8")
    proc = subprocess.run(kiosk_cmd("--config", str(bad), "doctor", "--simulated"), capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "nonsense" in proc.stderr


def test_text_output_names_the_problem(ini):
    proc = subprocess.run(kiosk_cmd("--config", str(ini), "doctor", "--simulated", "--fault", "printer:cover_open"),
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1
    assert "NEEDS A TECHNICIAN" in proc.stdout and "cover-open" in proc.stdout


@pytest.mark.parametrize("fault", ["printer:jam", "reader:gone"])
def test_unknown_fault_is_refused(ini, fault):
    proc = subprocess.run(kiosk_cmd("--config", str(ini), "doctor", "--simulated"), capture_output=True, text=True,
                          cwd=ROOT, timeout=60, env={**os.environ, "KIOSK_DOCTOR_FAULTS": fault})
    assert proc.returncode == 2
