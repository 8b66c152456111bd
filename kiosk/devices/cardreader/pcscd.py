"""Start Debian's pcscd when it is not running (tests, benchmark, technician tools) and wait
for the vsmartcard-vpcd reader to appear."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from .transport import list_pcsc_readers

VPCD_READER = "Virtual PCD 00 00"


def running() -> bool:
    return subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0


def ensure(reader: str = VPCD_READER, timeout: float = 15.0) -> subprocess.Popen | None:
    """Make sure pcscd runs and ``reader`` is listed; returns the process we started (stop it
    with ``stop()``) or None when pcscd was already running. Raises RuntimeError otherwise."""
    started = None
    if not running():
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not Path(binary).exists():
            raise RuntimeError("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
        started = subprocess.Popen([binary, "--foreground"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while reader not in list_pcsc_readers():
        if time.monotonic() > deadline:
            stop(started)
            raise RuntimeError(f"pcscd does not list {reader!r} (is vsmartcard-vpcd installed?)")
        time.sleep(0.2)
    return started


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
