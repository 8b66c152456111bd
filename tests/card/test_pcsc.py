"""Through a REAL pcscd with vsmartcard-vpcd: the CLI and the library read the virtual card in
'Virtual PCD 00 00' (pyscard → pcscd → vpcd → TCP → virtual card)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kiosk.devices.cardreader.errors import CardRemovedError
from kiosk.devices.cardreader.key import CardKey
from kiosk.devices.cardreader.reader import ReadOptions, read_identity
from kiosk.devices.cardreader.transport import PcscTransport

from .conftest import PCSCD, SAMPLE, VPCD_READER, wait_presence

pytestmark = pytest.mark.pcsc
KIOSK = [sys.executable, "-m", "kiosk"]
ROOT = Path(__file__).resolve().parents[2]
ID = "001189012345"


def kiosk(*args, timeout=60):
    return subprocess.run(KIOSK + list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli_virtual(pcscd, tmp_path):
    """Start `kiosk card virtual` (a separate process) and wait for the card in the reader."""
    procs = []

    def start(*faults, person=SAMPLE):
        wait_presence(pcscd, False)
        args = ["card", "virtual", "--person", str(person), "--trust-out", str(tmp_path), "--port", str(PCSCD.port)]
        for f in faults:
            args += ["--fault", f]
        p = subprocess.Popen(KIOSK + args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(p)
        wait_presence(pcscd, True, timeout=20)
        return tmp_path / "test-csca.pem"

    yield start
    for p in procs:
        p.terminate()
        p.wait(10)
    wait_presence(pcscd, False)


def test_cli_readers_lists_the_virtual_reader(cli_virtual):
    cli_virtual()
    r = kiosk("card", "readers", "--json")
    assert r.returncode == 0, r.stderr
    readers = {x["reader"]: x for x in json.loads(r.stdout)["readers"]}
    assert readers[VPCD_READER]["card_present"] and readers[VPCD_READER]["atr"] == "3B888001564E43434344303117"


def test_cli_read_by_pace_and_by_bac(cli_virtual):
    trust = cli_virtual()
    r = kiosk("card", "read", "--reader", VPCD_READER, "--id", ID, "--trust", str(trust))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Access method: PACE" in out and "Passive authentication: authentic" in out
    assert "Nguyễn Thị Minh Khai" in out and "Quận Hai Bà Trưng, Hà Nội" in out
    assert "document number: 189012345" in out and "Trần Thị Bình" in out and "Không" in out
    r = kiosk("card", "read", "--reader", "Virtual PCD 00 00", "--doc-number", "189012345", "--dob", "890517",
              "--expiry", "290517", "--trust", str(trust), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["identity"]["access_method"] == "bac" and data["identity"]["full_name"] == "Nguyễn Thị Minh Khai"
    assert data["identity"]["passive_auth"]["status"] == "authentic"
    assert data["read"]["apdus"] > 5 and data["read"]["file_bytes"] > 15000 and data["read"]["seconds"] > 0


def test_cli_without_trust_store_is_integrity_only(cli_virtual):
    cli_virtual()
    r = kiosk("card", "read", "--reader", "*PCD 00 00", "--id", ID, "--method", "pace", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["identity"]["passive_auth"]["status"] == "integrity-only"


def test_cli_corrupted_dg_exits_3(cli_virtual):
    trust = cli_virtual("corrupt-dg")
    r = kiosk("card", "read", "--reader", VPCD_READER, "--id", ID, "--trust", str(trust), "--json")
    assert r.returncode == 3, r.stdout + r.stderr
    data = json.loads(r.stdout)
    assert data["error"] == "card.not-authentic" and data["passive_auth"]["failed_check"] == "dg-hash"
    assert "identity" not in data


def test_cli_wrong_key_exits_4_and_no_card_exits_5(cli_virtual):
    cli_virtual()
    r = kiosk("card", "read", "--reader", VPCD_READER, "--id", "001189012399")
    assert r.returncode == 4 and "card.access-denied" in r.stderr
    r = kiosk("card", "read", "--reader", "Virtual PCD 00 01", "--id", ID)
    assert r.returncode == 5 and "card.no-card" in r.stderr
    r = kiosk("card", "read", "--reader", "*No Such Reader*", "--id", ID)
    assert r.returncode == 5 and "card.no-reader" in r.stderr


def test_cli_bank_card_is_not_an_id_card(cli_virtual):
    cli_virtual("bank-card", "no-card-access")
    r = kiosk("card", "read", "--reader", VPCD_READER, "--id", ID, "--dob", "890517")
    assert r.returncode == 6 and "card.not-id-card" in r.stderr


def test_library_through_pcscd_extended_refused_drop_and_removal(vpcd_card, person, trust):
    served = vpcd_card(person, {"no-extended"})
    ident, rep = read_identity(PcscTransport(VPCD_READER), CardKey(ID), ReadOptions(trust=trust))
    assert ident.authentic and rep.extended is False and rep.short_size == 223
    served.stop()
    wait_presence(VPCD_READER, False)

    served = vpcd_card(person, {"drop"})
    ident, rep = read_identity(PcscTransport(VPCD_READER), CardKey(ID, dob=date(1989, 5, 17)),
                               ReadOptions(method="bac", read_mode="short", trust=trust, resume_window_s=5))
    assert ident.authentic and rep.resumes >= 1 and rep.method == "bac"
    served.stop()
    wait_presence(VPCD_READER, False)

    vpcd_card(person, {"vanish"})
    with pytest.raises(CardRemovedError):
        read_identity(PcscTransport(VPCD_READER), CardKey(ID), ReadOptions(read_mode="short", resume_window_s=1))
