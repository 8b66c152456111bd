"""Fixtures for the card path: sample people, the test PKI, in-process virtual cards, and a
REAL pcscd with vsmartcard-vpcd (started here when it is not running)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kiosk.devices.cardreader.sod import TrustStore, load_trust_store
from kiosk.devices.cardreader.transport import InProcessTransport, VirtualSlot, reader_states
from kiosk.devices.cardreader.virtual import VirtualCard, load_person
from kiosk.devices.cardreader.virtual.pki import default_pki

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "cards"
SAMPLE = ASSETS / "sample-person.json"
ELDERLY = ASSETS / "elderly-no-expiry.json"
VPCD_READER = "Virtual PCD 00 00"


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

class _Daemon:
    """The session's pcscd (see kiosk.devices.cardreader.pcscd); tests restart only one they own."""

    daemon = None  # pcscd.Pcscd

    @property
    def owned(self) -> bool:
        return self.daemon is not None and self.daemon.owned

    @property
    def port(self) -> int:
        return self.daemon.port

    def stop(self) -> None:
        self.daemon.stop()

    def start(self) -> None:
        self.daemon.start()


PCSCD = _Daemon()


@pytest.fixture(scope="session")
def pcscd():
    """A running pcscd whose vpcd reader 'Virtual PCD 00 00' is visible; started here when it is
    not running (CI is a fresh machine where pcscd is installed but not running)."""
    from kiosk.devices.cardreader import pcscd as pcscd_mod

    if not Path(pcscd_mod.VPCD_LIB).exists() or not (shutil.which("pcscd") or Path("/usr/sbin/pcscd").exists()):
        pytest.skip("pcscd / vsmartcard-vpcd not installed")
    try:
        PCSCD.daemon = pcscd_mod.ensure()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield VPCD_READER
    PCSCD.daemon.stop()


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
        v = VpcdCard(VirtualCard(p, set(faults)), port=PCSCD.port).start()
        served.append(v)
        wait_presence(pcscd, True)
        return v

    yield start
    for v in served:
        v.stop()
    wait_presence(pcscd, False)
