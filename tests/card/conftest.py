"""Fixtures for the card path: sample people, the test PKI, in-process virtual cards, and a
REAL pcscd with vsmartcard-vpcd (started here when it is not running)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.devices.cardreader.sod import TrustStore, load_trust_store
from kiosk.devices.cardreader.transport import InProcessTransport, VirtualSlot, list_pcsc_readers, reader_states
from kiosk.devices.cardreader.virtual import VirtualCard, load_person
from kiosk.devices.cardreader.virtual.pki import default_pki

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "cards"
SAMPLE = ASSETS / "sample-person.json"
ELDERLY = ASSETS / "elderly-no-expiry.json"
VPCD_READER = "Virtual PCD 00 00"
VPCD_PORT = 35963


@pytest.fixture(scope="session")
def person():
    return load_person(SAMPLE)


@pytest.fixture(scope="session")
def elderly():
    return load_person(ELDERLY)


@pytest.fixture(scope="session")
def trust_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("csca")
    default_pki().write_trust_store(folder)
    return folder


@pytest.fixture(scope="session")
def trust(trust_dir) -> TrustStore:
    return load_trust_store(trust_dir)


@pytest.fixture
def make_transport():
    """make_transport(person, faults=()) -> InProcessTransport over a fresh virtual card."""

    def make(p, faults=(), **kw):
        slot = VirtualSlot()
        slot.place(VirtualCard(p, set(faults), **kw))
        return InProcessTransport(slot)

    return make


# ----------------------------------------------------------------------------- real pcscd

def _pcscd_running() -> bool:
    return subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0


class PcscdControl:
    """The pcscd the tests started (if any): tests may restart only a pcscd they own."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None

    @property
    def owned(self) -> bool:
        return self.proc is not None

    def start(self) -> None:
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not Path(binary).exists():
            pytest.skip("pcscd is not installed")
        self.proc = subprocess.Popen([binary, "--foreground"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def wait_reader(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while VPCD_READER not in list_pcsc_readers():
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail("pcscd did not show the vpcd reader 'Virtual PCD 00 00' (is vsmartcard-vpcd installed?)")
            time.sleep(0.2)


PCSCD = PcscdControl()


@pytest.fixture(scope="session")
def pcscd():
    """A running pcscd whose vpcd reader 'Virtual PCD 00 00' is visible; started if needed
    (CI is a fresh machine where pcscd is installed but not running)."""
    if not _pcscd_running():
        PCSCD.start()
    PCSCD.wait_reader()
    yield VPCD_READER
    PCSCD.stop()


def card_present_in(reader: str) -> bool:
    return any(s["reader"] == reader and s["card_present"] for s in reader_states())


def wait_presence(reader: str, present: bool, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while card_present_in(reader) != present:
        if time.monotonic() > deadline:
            raise AssertionError(f"card {'never appeared in' if present else 'never left'} {reader}")
        time.sleep(0.05)


@pytest.fixture
def vpcd_card(pcscd):
    """vpcd_card(person, faults=()) -> VpcdCard serving a virtual card in 'Virtual PCD 00 00'."""
    from kiosk.devices.cardreader.virtual.vpcd import VpcdCard

    served = []

    def start(p, faults=()):
        wait_presence(pcscd, False)
        v = VpcdCard(VirtualCard(p, set(faults)), port=VPCD_PORT).start()
        served.append(v)
        wait_presence(pcscd, True)
        return v

    yield start
    for v in served:
        v.stop()
    wait_presence(pcscd, False)
