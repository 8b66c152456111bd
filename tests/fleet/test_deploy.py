"""Appliance files: the systemd unit asks for what the app implements (notify, watchdog,
restart) and the set-up script runs end to end in --dry-run."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def unit():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "kiosk.service")
    return parser


def test_unit_restarts_on_failure_with_a_watchdog():
    u = unit()
    s = u["Service"]
    assert s["Type"] == "notify" and s["NotifyAccess"] == "all"  # the app runs under cage
    assert s["Restart"] == "on-failure" and int(s["WatchdogSec"]) >= 10
    assert s["User"] == "kiosk" and s["NoNewPrivileges"] == "yes"
    assert "/opt/kiosk/venv/bin/kiosk run" in s["ExecStart"]
    assert s["Environment"].startswith("KIOSK_CONFIG=") or "KIOSK_CONFIG" in (DEPLOY / "kiosk.service").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_unit_verifies_apart_from_binaries_of_the_target_machine():
    run = subprocess.run(["systemd-analyze", "verify", str(DEPLOY / "kiosk.service")], capture_output=True, text=True,
                         timeout=60)
    problems = [line for line in (run.stdout + run.stderr).splitlines()
                if line.strip() and "is not executable" not in line and "No such file" not in line]
    assert not problems, problems


def test_install_script_dry_run_shows_every_step():
    assert subprocess.run(["bash", "-n", str(DEPLOY / "install-appliance.sh")]).returncode == 0
    run = subprocess.run([str(DEPLOY / "install-appliance.sh"), "--dry-run", "--kiosk-id", "HN-TEST-01"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for step in ("apt-get install", "useradd --system", "pip install /opt/kiosk/app", "kiosk_id = HN-TEST-01",
                 "99-kiosk.rules", "mask ctrl-alt-del.target", "enable kiosk.service"):
        assert step in out, step
