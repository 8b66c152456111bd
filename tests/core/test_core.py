"""The core without a window: session wipe, journeys, idle policy, PINs, look-up flow."""

import json
import logging

import pytest

from kiosk import journey, logs
from kiosk.core import CitizenError, KioskCore
from kiosk.idle import IdlePhase, IdlePolicy, ManualClock
from kiosk.roles import PinGate, PinResult, hash_pin
from kiosk.session import Session
from kiosk.text import InvalidDossierCode, fold, mask_id, normalize_dossier_code


class Wipeable:
    def __init__(self):
        self.secret = "Nguyễn Văn An"

    def wipe(self):
        self.secret = None


def test_session_wipe_leaves_nothing():
    s = Session()
    ident = Wipeable()
    photo = bytearray(b"\xff\xd8photo-bytes")
    s.identity = ident
    s.dossier_code = "H26.99-241125-0001"
    s.form = {"name": "Nguyễn Văn An", "nested": {"id": "001089012345"}}
    s.photos.append(photo)
    s.consent_given = True
    old_id = s.session_id
    assert s.holds_data()
    s.wipe()
    assert not s.holds_data()
    assert ident.secret is None
    assert photo == bytearray(len(photo))  # overwritten in place, not just dropped
    assert s.session_id != old_id
    assert "Nguyễn" not in repr(s)


def test_journey_steps_and_back():
    j = journey.Journey("lookup")
    assert j.current == "lookup_code"
    assert j.next() == "lookup_status"
    assert j.progress == (2, 3)
    assert j.back() == "lookup_code"
    assert j.back() is None
    with pytest.raises(journey.JourneyError):
        journey.Journey("teleport")


def test_menu_lists_every_service_and_only_built_ones_are_available():
    names = [s.journey for s in journey.SERVICES]
    assert names == ["lookup", "identify", "submit", "pay", "delivery", "help"]
    assert journey.is_available("lookup")
    for name in names:
        assert journey.is_available(name) == (name in journey.JOURNEYS)


def test_idle_policy_warns_then_expires():
    clock = ManualClock()
    idle = IdlePolicy(60, 30, clock=clock)
    assert idle.status().phase is IdlePhase.INACTIVE
    idle.arm()
    clock.advance(59)
    assert idle.status().phase is IdlePhase.ACTIVE
    clock.advance(2)
    st = idle.status()
    assert st.phase is IdlePhase.WARNING and 28 < st.remaining <= 29
    idle.extend()  # one tap: more time
    assert idle.status().phase is IdlePhase.ACTIVE
    clock.advance(91)
    assert idle.status().phase is IdlePhase.EXPIRED
    with pytest.raises(ValueError):
        IdlePolicy(60, 10)  # less than the 20 s WCAG asks for


def test_idle_hold_keeps_the_warning_away_while_a_payment_code_is_live():
    clock = ManualClock()
    idle = IdlePolicy(60, 30, clock=clock)
    idle.arm()
    idle.hold(300)  # a VietQR code valid for five minutes
    clock.advance(290)
    assert idle.status().phase is IdlePhase.ACTIVE and idle.held
    clock.advance(20)  # the hold ended 10 s ago: the quiet spell counts from its end
    assert idle.status().phase is IdlePhase.ACTIVE and not idle.held
    clock.advance(55)
    assert idle.status().phase is IdlePhase.WARNING
    idle.touch()
    idle.hold(100)
    idle.release()  # paid early: timing starts from now, not from the end of the hold
    clock.advance(61)
    assert idle.status().phase is IdlePhase.WARNING
    idle.disarm()
    assert idle.status().phase is IdlePhase.INACTIVE


def test_pin_gate_locks_after_five_wrong_tries():
    clock = ManualClock()
    gate = PinGate(hash_pin("246810"), max_attempts=5, lockout_seconds=300, clock=clock)
    for _ in range(4):
        assert gate.check("000000") is PinResult.WRONG
    assert gate.check("000000") is PinResult.LOCKED
    assert gate.check("246810") is PinResult.LOCKED  # even the right PIN while locked
    clock.advance(299)
    assert gate.check("246810") is PinResult.LOCKED
    clock.advance(2)
    assert gate.check("246810") is PinResult.OK
    assert PinGate("").check("1234") is PinResult.DISABLED


def test_text_helpers():
    assert mask_id("001234567889") == "0012******89"
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert normalize_dossier_code(" h26.99-241125-0001 ") == "H26.99-241125-0001"
    for bad, reason in [("", "empty"), ("AB1", "too-short"), ("A" * 41, "too-long"),
                        ("H26 99", "bad-characters"), ("H26\x0099-1", "control-characters"),
                        ("../../etc/passwd", "bad-characters"), ("-ABCDEF", "bad-characters"), ("A/../B12", "bad-characters")]:
        with pytest.raises(InvalidDossierCode) as info:
            normalize_dossier_code(bad)
        assert info.value.reason == reason


class FakeGateway:
    def __init__(self, answer=None, error=None):
        self.answer, self.error, self.calls = answer, error, []

    def lookup_dossier(self, code):
        self.calls.append(code)
        if self.error:
            raise self.error
        return self.answer


def test_core_lookup_validates_before_the_network(settings):
    gw = FakeGateway(answer={"code": "X"})
    core = KioskCore(settings, gateway=gw)
    errors = []
    core.lookup_dossier("../etc", lambda d: None, errors.append)
    assert gw.calls == [] and errors[0].message_key == "lookup.invalid.bad-characters"


def test_core_lookup_result_and_reset(settings):
    gw = FakeGateway(answer={"code": "H26.99-241125-0001"})
    core = KioskCore(settings, gateway=gw)
    events = []
    core.subscribe(lambda e, v: events.append((e, v)))
    core.begin()
    core.start_journey("lookup")
    got = []
    core.lookup_dossier("h26.99-241125-0001", got.append, pytest.fail).result(5)
    assert gw.calls == ["H26.99-241125-0001"] and got and core.session.holds_data()
    core.reset("timeout")
    assert not core.session.holds_data()
    assert events[-1] == ("reset", "timeout")
    assert core.step == "attract"


def test_late_result_after_reset_is_dropped(settings):
    import threading

    release = threading.Event()

    class SlowGateway(FakeGateway):
        def lookup_dossier(self, code):
            release.wait(5)
            return {"code": code}

    core = KioskCore(settings, gateway=SlowGateway())
    got = []
    fut = core.lookup_dossier("H26.99-241125-0001", got.append, got.append)
    core.reset("timeout")  # the citizen walked away while the gateway was thinking
    release.set()
    fut.result(5)
    assert got == [] and not core.session.holds_data()


def test_gateway_errors_become_citizen_errors(settings):
    class Down(Exception):
        message_key = "gateway.unavailable"
        next_step = "next.try_later"

    core = KioskCore(settings, gateway=FakeGateway(error=Down()))
    errors = []
    core.lookup_dossier("H26.99-241125-0001", pytest.fail, errors.append).result(5)
    assert isinstance(errors[0], CitizenError)
    assert (errors[0].message_key, errors[0].next_step) == ("gateway.unavailable", "next.try_later")
    core2 = KioskCore(settings, gateway=FakeGateway(error=RuntimeError("boom at 0x7f")))
    core2.lookup_dossier("H26.99-241125-0001", pytest.fail, errors.append).result(5)
    assert errors[1].message_key == "error.unexpected" and errors[1].next_step == "next.ask_staff"


def test_logs_are_json_and_mask_id_numbers(tmp_path):
    path = logs.setup(tmp_path, "info")
    log = logging.getLogger("kiosk.test")
    log.info("card read for 001089012345", extra={"old_id": "123456789", "n": 3})
    for h in logging.getLogger("kiosk").handlers:
        h.flush()
    entry = json.loads(path.read_text(encoding="utf-8").strip().splitlines()[-1])
    assert entry["event"] == "card read for 0010******45"
    assert entry["old_id"] == "12******9" and entry["n"] == 3
