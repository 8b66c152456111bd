"""Appliance files: the systemd unit asks for what the app implements (notify, watchdog,
restart) and the set-up script runs end to end in --dry-run."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest

from tests.conftest import ROOT, kiosk_cmd

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


def test_unit_starts_cage_without_console_switching_and_stops_cleanly():
    s = unit()["Service"]
    cage = s["ExecStart"].split("--")[0].split()
    assert cage[0].endswith("cage") and "-s" not in cage  # -s would let anyone switch consoles
    assert s["KillSignal"] == "SIGTERM" and 0 < int(s["TimeoutStopSec"]) <= 30
    assert "kiosk.pid" in s["ExecStop"] and "kill -TERM" in s["ExecStop"]  # the app first, then cage


def test_sigterm_stops_a_locked_kiosk_cleanly(tmp_path):
    """A real `kiosk run` (locked, fullscreen, offscreen): SIGTERM, as `systemctl stop` sends it,
    ends it with status 0, the session wiped and systemd told it is stopping; before the fix
    SDL turned SIGTERM into a close request, which the locked kiosk refused."""
    import os
    import re
    import signal
    import socket
    import sys

    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    ini = tmp_path / "kiosk.ini"
    ini.write_text(re.sub(r"(?m)^data_dir = .*$", f"data_dir = {tmp_path / 'data'}", text), encoding="utf-8")
    notify = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    sock.settimeout(120)
    env = {**os.environ, "NOTIFY_SOCKET": str(notify), "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1",
           "RUNTIME_DIRECTORY": str(tmp_path)}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(ini), "run"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while "READY=1" not in sock.recv(4096).decode():
            pass
        assert (tmp_path / "kiosk.pid").read_text().strip() == str(proc.pid)  # what ExecStop signals
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)  # a hang guard, not a timing assertion
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    told = []
    sock.settimeout(0.2)
    try:
        while True:
            told.append(sock.recv(4096).decode())
    except OSError:
        pass
    sock.close()
    assert rc == 0, proc.stderr.read()[-2000:]
    assert "STOPPING=1" in told
    events = [line.split('"event": "')[1].split('"')[0]
              for line in (tmp_path / "data" / "logs" / "kiosk.log").read_text().splitlines() if '"event": "' in line]
    assert events.index("stop signal received") < events.index("session wiped before stopping") \
        < events.index("kiosk stopped")
    assert "close request refused (locked down)" not in events
    assert not (tmp_path / "kiosk.pid").exists()


def test_installer_never_copies_the_demo_settings_and_enables_only_a_production_ready_kiosk():
    script = (DEPLOY / "install-appliance.sh").read_text(encoding="utf-8")
    assert '"$SOURCE/kiosk.ini"' not in script  # the demo kiosk.ini is never installed
    run = subprocess.run([str(DEPLOY / "install-appliance.sh"), "--dry-run"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert "deploy/kiosk.production.ini /etc/kiosk/kiosk.ini" in run.stdout
    assert "kiosk config check --production /etc/kiosk/kiosk.ini" in run.stdout
    assert "/etc/kiosk/audit.key" in run.stdout
    enable = script.index("systemctl enable kiosk.service")
    assert script.rfind('if [ "$PRODUCTION_OK" = 1 ]', 0, enable) != -1
    # the template is a valid kiosk.ini that the production check refuses until completed
    template = str(DEPLOY / "kiosk.production.ini")
    syntax = subprocess.run(kiosk_cmd("config", "check", template), capture_output=True, text=True, cwd=ROOT)
    assert syntax.returncode == 0, syntax.stderr
    prod = subprocess.run(kiosk_cmd("config", "check", "--production", template), capture_output=True, text=True,
                          cwd=ROOT)
    assert prod.returncode == 2 and "staff.pin_hash" in prod.stderr and "card_trust_store" in prod.stderr
