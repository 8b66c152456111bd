"""The device API the UI and core use: build(), events, status model, simulated twin, and the
PC/SC driver's monitor against a real pcscd + vpcd."""

from __future__ import annotations

import queue
import threading
from datetime import date

import pytest

from kiosk.config import defaults
from kiosk.devices.base import DeviceKind, DeviceState, MediaState, StatusBoard
from kiosk.devices.cardreader import (
    CardEvent,
    CardKey,
    NoCardError,
    NoReaderError,
    PassiveAuthError,
    PcscCardReader,
    SimulatedCardReader,
    build,
)
from kiosk.devices.cardreader.transport import match_reader

ID = "001189012345"


def test_build_chooses_by_settings():
    s = defaults()
    assert isinstance(build(s, StatusBoard()), SimulatedCardReader)  # default: simulated
    real = defaults(devices={"card_reader": "pcsc", "card_reader_pattern": "ACS*"})
    assert isinstance(build(real, StatusBoard()), PcscCardReader)
    assert isinstance(build(real, StatusBoard(), simulated=True), SimulatedCardReader)


def test_reader_pattern_glob_or_substring():
    names = ["ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader PICC] 00 00", "Virtual PCD 00 00", "Virtual PCD 00 01"]
    assert match_reader(names, "*ACR1252*PICC*") == names[0]
    assert match_reader(names, "virtual pcd 00 01") == names[2]
    assert match_reader(names, "*") == names[0]
    assert match_reader(names, "Gemalto") is None


def test_simulated_place_read_remove_with_events_and_status():
    board = StatusBoard()
    dev = build(defaults(), board, simulated=True)
    events: queue.Queue[CardEvent] = queue.Queue()
    unsubscribe = dev.add_card_listener(events.put)
    dev.open()
    assert board.get(DeviceKind.CARD_READER).media == MediaState.ABSENT
    assert not dev.card_present()
    with pytest.raises(NoCardError):
        dev.read_identity(CardKey(ID))
    dev.place_card()
    assert events.get(timeout=1) == CardEvent(True, dev.slot.name)
    st = board.get(DeviceKind.CARD_READER)
    assert st.media == MediaState.PRESENT and st.detail.startswith("ATR 3B") and st.simulated
    steps = []
    ident = dev.read_identity(CardKey(ID), progress=lambda f, s: steps.append(s))
    assert ident.full_name == "Nguyễn Thị Minh Khai" and ident.authentic  # simulated world trusts its CSCA
    assert steps[-1] == "card.step.done"
    assert board.get(DeviceKind.CARD_READER).state == DeviceState.ONLINE
    assert dev.last_report.stats.apdus > 10
    dev.remove_card()
    assert events.get(timeout=1) == CardEvent(False, dev.slot.name)
    assert board.get(DeviceKind.CARD_READER).media == MediaState.ABSENT
    unsubscribe()
    dev.place_card()
    assert events.empty()
    dev.close()


def test_simulated_faults_and_other_people(tmp_path):
    from kiosk.devices.cardreader.virtual import load_person

    dev = build(defaults(), StatusBoard(), simulated=True)
    dev.open()
    dev.place_card(faults={"corrupt-dg"})
    with pytest.raises(PassiveAuthError):
        dev.read_identity(CardKey(ID))
    assert dev.status.last_error == "card.not-authentic"
    from pathlib import Path

    elderly = Path(__file__).resolve().parents[2] / "assets" / "cards" / "elderly-no-expiry.json"
    dev.place_card(str(elderly))
    ident = dev.read_identity(CardKey("079055001234"))
    assert ident.full_name == "Trần Văn Hùng" and ident.face_format == "jpeg2000"
    dev.place_card(load_person(elderly))
    with pytest.raises(Exception) as info:
        dev.read_identity(CardKey(ID))  # somebody else's number
    assert info.value.message_key == "card.access-denied"


def test_read_from_another_thread_while_listener_fires():
    dev = build(defaults(), StatusBoard(), simulated=True)
    dev.open()
    results = []
    dev.add_card_listener(lambda e: e.present and threading.Thread(
        target=lambda: results.append(dev.read_identity(CardKey(ID)))).start())
    dev.place_card()
    for _ in range(100):
        if results:
            break
        threading.Event().wait(0.05)
    assert results and results[0].id_number == ID


@pytest.mark.pcsc
def test_pcsc_monitor_events_and_read(pcscd, vpcd_card, person, trust_dir):
    board = StatusBoard()
    settings = defaults(devices={"card_reader": "pcsc", "card_reader_pattern": "Virtual PCD 00 00",
                                 "card_trust_store": str(trust_dir)})
    dev = build(settings, board)
    events: queue.Queue[CardEvent] = queue.Queue()
    dev.add_card_listener(events.put)
    dev.open()
    try:
        st = board.get(DeviceKind.CARD_READER)
        assert st.state == DeviceState.ONLINE and st.name == "Virtual PCD 00 00" and st.media == MediaState.ABSENT
        served = vpcd_card(person)
        assert events.get(timeout=5) == CardEvent(True, "Virtual PCD 00 00")
        assert dev.card_present() and board.get(DeviceKind.CARD_READER).detail == "ATR 3B888001564E43434344303117"
        ident = dev.read_identity(CardKey(ID, dob=date(1989, 5, 17)))
        assert ident.authentic and ident.full_name == "Nguyễn Thị Minh Khai" and ident.access_method == "pace"
        served.remove()
        assert events.get(timeout=5) == CardEvent(False, "Virtual PCD 00 00")
        assert board.get(DeviceKind.CARD_READER).media == MediaState.ABSENT
    finally:
        dev.close()


@pytest.mark.pcsc
def test_pcsc_no_matching_reader_is_no_device(pcscd):
    board = StatusBoard()
    dev = build(defaults(devices={"card_reader": "pcsc", "card_reader_pattern": "*Nonexistent Reader*"}), board)
    dev.open()
    try:
        st = board.get(DeviceKind.CARD_READER)
        assert st.state == DeviceState.NO_DEVICE and "no reader matches" in st.last_error
        with pytest.raises(NoReaderError):
            dev.read_identity(CardKey(ID))
    finally:
        dev.close()


@pytest.mark.pcsc
def test_pcsc_monitor_survives_pcscd_restart(pcscd, vpcd_card, person):
    """The reader disappears (pcscd stops, as when a reader is unplugged) and comes back: the
    driver reports no-device, then online again, and card events keep flowing."""
    from .conftest import PCSCD

    if not PCSCD.owned:
        pytest.skip("pcscd was already running: only a pcscd started by the tests is restarted")
    board = StatusBoard()
    dev = build(defaults(devices={"card_reader": "pcsc", "card_reader_pattern": "Virtual PCD 00 00"}), board)
    events: queue.Queue[CardEvent] = queue.Queue()
    dev.add_card_listener(events.put)
    dev.open()
    try:
        assert board.get(DeviceKind.CARD_READER).state == DeviceState.ONLINE
        PCSCD.stop()
        _wait(lambda: board.get(DeviceKind.CARD_READER).state == DeviceState.NO_DEVICE)
        assert board.get(DeviceKind.CARD_READER).needs_technician
        PCSCD.start()
        _wait(lambda: board.get(DeviceKind.CARD_READER).state == DeviceState.ONLINE)
        vpcd_card(person)
        assert events.get(timeout=10) == CardEvent(True, "Virtual PCD 00 00")
    finally:
        dev.close()


def _wait(cond, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)
