"""Start Debian's pcscd when it is not running (tests, benchmark, technician tools) and wait
for the vsmartcard-vpcd reader 'Virtual PCD 00 00' to appear.

A pcscd started here gets a private reader configuration whose vpcd port (29530/29531) lies
below Linux's ephemeral port range: vpcd binds without SO_REUSEADDR, so on a busy machine a
client connection that happened to use 35963/35964 (TIME-WAIT) would stop pcscd's reader from
starting.  A pcscd that is already running is used as it is, with the port its own
configuration gives (Debian: 35963).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .transport import list_pcsc_readers

VPCD_READER = "Virtual PCD 00 00"
VPCD_LIB = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
DEFAULT_PORT = 35963
PRIVATE_PORT = 29530


def running() -> bool:
    return subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0


def system_vpcd_port(conf_dir: str = "/etc/reader.conf.d") -> int:
    """The vpcd port of the system's reader configuration (CHANNELID of the vpcd driver)."""
    try:
        for f in sorted(Path(conf_dir).iterdir()):
            text = f.read_text(errors="replace")
            if "libifdvpcd" in text:
                m = re.search(r"^\s*CHANNELID\s+(0x[0-9A-Fa-f]+|\d+)", text, re.M)
                if m:
                    return int(m.group(1), 0)
    except OSError:
        pass
    return DEFAULT_PORT


@dataclass
class Pcscd:
    proc: subprocess.Popen | None  # None: somebody else's pcscd
    port: int  # vpcd port of 'Virtual PCD 00 00'
    config_dir: str | None = None

    @property
    def owned(self) -> bool:
        return self.config_dir is not None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def start(self, timeout: float = 15.0) -> None:
        if not self.owned:
            raise RuntimeError("only a pcscd started here can be (re)started")
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        self.proc = subprocess.Popen([binary, "--foreground", "-c", self.config_dir], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        wait_reader(timeout, self)


def wait_reader(timeout: float = 15.0, owner: Pcscd | None = None, reader: str = VPCD_READER) -> None:
    deadline = time.monotonic() + timeout
    while reader not in list_pcsc_readers():
        if owner is not None and owner.proc is not None and owner.proc.poll() is not None:
            raise RuntimeError(f"pcscd exited with status {owner.proc.returncode}")
        if time.monotonic() > deadline:
            if owner is not None:
                owner.stop()
            raise RuntimeError(f"pcscd does not list {reader!r} (is vsmartcard-vpcd installed?)")
        time.sleep(0.2)


def ensure(timeout: float = 15.0) -> Pcscd:
    """A running pcscd showing 'Virtual PCD 00 00'; started with a private config if needed.
    Raises RuntimeError when that cannot be had."""
    if running():
        wait_reader(timeout)
        return Pcscd(None, system_vpcd_port())
    binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
    if not Path(binary).exists() or not Path(VPCD_LIB).exists():
        raise RuntimeError("pcscd or vsmartcard-vpcd is not installed (apt-get install pcscd vsmartcard-vpcd)")
    conf = tempfile.mkdtemp(prefix="kiosk-pcscd-")
    channel = f"0x{PRIVATE_PORT:04X}"
    Path(conf, "vpcd").write_text(
        'FRIENDLYNAME "Virtual PCD"\n'
        f"DEVICENAME   /dev/null:{channel}\n"
        f"LIBPATH      {VPCD_LIB}\n"
        f"CHANNELID    {channel}\n"
    )
    daemon = Pcscd(None, PRIVATE_PORT, conf)
    daemon.start(timeout)
    return daemon
