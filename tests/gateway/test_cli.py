"""`kiosk gateway serve --demo` answers /openapi.json and the lookup journey works against it;
without --demo it refuses to start with no credentials."""

import json
import subprocess
import sys
import time
from pathlib import Path

import requests
from gw_faults import closed_port

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args, **kw):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, **kw)


def test_serve_answers_openapi_and_lookup_works(tmp_path):
    port = closed_port()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway", "serve", "--demo", "--port", str(port),
                             "--db", str(tmp_path / "gw.sqlite3")], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                served = requests.get(url + "/openapi.json", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "kiosk gateway serve did not start"
                time.sleep(0.1)
        assert served.status_code == 200
        assert served.json() == json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))

        ini = tmp_path / "kiosk.ini"
        ini.write_text(f"[kiosk]\nkiosk_id = CLI-TEST\ndata_dir = {tmp_path / 'data'}\n[gateway]\nurl = {url}\n")
        out = kiosk("--config", str(ini), "gateway", "lookup", "h26.99-241125-0003")
        assert out.returncode == 0, out.stderr
        assert "supplement_requested" in out.stdout and "2.000488" in out.stdout
        out = kiosk("--config", str(ini), "gateway", "lookup", "H26.99-241125-0003", "--json")
        assert json.loads(out.stdout)["status"] == "supplement_requested"
        out = kiosk("--config", str(ini), "gateway", "lookup", "H26.99-999999-9999")
        assert out.returncode == 1 and "gateway.not_found" in out.stderr
        out = kiosk("--config", str(ini), "gateway", "ping")
        assert out.returncode == 0 and "answered" in out.stdout
        out = kiosk("--config", str(ini), "gateway", "outbox", "--flush")
        assert out.returncode == 0 and json.loads(out.stdout.splitlines()[-1]) == {"depth": 0, "last_error": None}
    finally:
        proc.terminate()
        proc.wait(10)


def test_lookup_against_a_dead_gateway_explains(tmp_path):
    ini = tmp_path / "kiosk.ini"
    ini.write_text(f"[kiosk]\nkiosk_id = CLI-TEST\ndata_dir = {tmp_path / 'data'}\n"
                   f"[gateway]\nurl = http://127.0.0.1:{closed_port()}\nretries = 0\n")
    out = kiosk("--config", str(ini), "gateway", "lookup", "H26.99-241125-0001")
    assert out.returncode == 1 and "gateway.unavailable" in out.stderr


def test_serve_without_demo_or_credentials_refuses_to_start(tmp_path):
    out = kiosk("gateway", "serve", "--port", str(closed_port()), "--db", str(tmp_path / "gw.sqlite3"))
    assert out.returncode == 2
    assert "refusing to start" in out.stderr and "--tokens" in out.stderr and "--demo" in out.stderr
    assert not (tmp_path / "gw.sqlite3").exists()  # refused before anything was opened


def test_serve_refuses_a_malformed_tokens_file(tmp_path):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("KIOSK-A short\n")
    out = kiosk("gateway", "serve", "--port", str(closed_port()), "--tokens", str(tokens))
    assert out.returncode == 2 and "line 1" in out.stderr
