"""The core without a window: session wipe, journeys, idle policy, PINs, look-up flow."""

import json
import logging

import pytest

from kiosk import logs
from kiosk.core import CitizenError, KioskCore, Task
from kiosk.core.flow import Flow, FlowError, Journey
from kiosk.core.session import Session
from kiosk.idle import IdlePhase, IdlePolicy, ManualClock
from kiosk.journeys import SERVICES, Journeys
from kiosk.journeys.lookup import FLOW as LOOKUP
from kiosk.journeys.submit import FLOW as SUBMIT
from kiosk.roles import PinGate, PinResult, hash_pin
from kiosk.text import InvalidDossierCode, fold, mask_id, normalize_dossier_code


class Wipeable:
    def __init__(self):
        self.secret = "Nguyễn Văn An"

    def wipe(self):
        self.secret = None


class Draft:
    """A journey's draft as the session holds it: typed, with its own wipe."""

    def __init__(self):
        self.photo = bytearray(b"\xff\xd8photo-bytes")
        self.form = {"name": "Nguyễn Văn An", "nested": {"id": "001089012345"}}

    def wipe(self):
        self.photo[:] = bytes(len(self.photo))
        self.form.clear()


def test_session_wipe_leaves_nothing():
    s = Session()
    ident = Wipeable()
    s.identity = ident
    draft = s.draft(Draft)
    assert s.draft(Draft) is draft  # one per session
    photo, form = draft.photo, draft.form
    s.consent_given = True
    old_id = s.session_id
    assert s.holds_data()
    s.wipe()
    assert not s.holds_data()
    assert ident.secret is None
    assert photo == bytearray(len(photo))  # overwritten in place, not just dropped
    assert form == {}
    assert s.draft(Draft) is not draft and s.session_id != old_id
    assert "Nguyễn" not in repr(s)


def test_journey_steps_and_back():
    j = Journey(LOOKUP)
    assert j.current == "lookup_code"
    assert j.advance("found") == "lookup_status"
    assert j.progress == (2, 3)
    assert j.back() == "lookup_code"
    assert j.back() is None
    with pytest.raises(FlowError):
        j.advance("teleport")  # no such transition: never a silent jump


def test_flows_name_only_their_own_steps():
    with pytest.raises(FlowError):
        Flow("x", ("a", "b"), {("a", "go"): "c"})
    # inside submit, the pay steps lead to the dossier receipt, not to the end
    j = Journey(SUBMIT)
    j.current = "pay_done"
    assert j.advance("finish") == "submit_receipt"
    j.current = "submit_sent"
    assert j.advance("no_fee") == "submit_receipt"
    j.current = "identify_result"
    assert j.advance() == "submit_form"  # the identify steps, then the form
    j.close_way_back()
    assert j.back() is None
    j.current = "consent"  # no longer a step of its own (the key step's first part)
    with pytest.raises(FlowError):
        j.advance()


def test_menu_lists_every_service_and_only_built_ones_are_available(settings):
    names = [s.journey for s in SERVICES]
    assert names == ["lookup", "identify", "submit", "pay", "delivery", "help"]
    journeys = Journeys(KioskCore(settings))
    for name in names:
        assert journeys.is_available(name)
    assert not journeys.is_available("teleport")


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
                        ("../../etc/passwd", "bad-characters"), ("-ABCDEF", "bad-characters"),
                        ("A/../B12", "bad-characters")]:
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


def lookup_service(settings, gateway):
    core = KioskCore(settings, gateway=gateway)
    return core, Journeys(core).lookup


def test_core_lookup_validates_before_the_network(settings):
    gw = FakeGateway(answer={"code": "X"})
    core, lookup = lookup_service(settings, gw)
    errors = []
    lookup.find("../etc").then(pytest.fail, errors.append)
    assert gw.calls == [] and errors[0].message_key == "lookup.invalid.bad-characters"


def test_core_lookup_result_moves_on_and_reset_wipes(settings):
    gw = FakeGateway(answer={"code": "H26.99-241125-0001"})
    core, lookup = lookup_service(settings, gw)
    events = []
    core.subscribe(lambda e, v: events.append((e, v)))
    core.begin()
    core.start_journey("lookup")
    got = []
    lookup.find("h26.99-241125-0001").then(got.append, pytest.fail).result(5)
    assert gw.calls == ["H26.99-241125-0001"] and got and core.session.holds_data()
    # the service moved the citizen on itself: the screen only asked
    assert core.step == "lookup_status" and ("step", "lookup_status") in events
    assert lookup.draft.dossier == {"code": "H26.99-241125-0001"}
    core.reset("timeout")
    assert not core.session.holds_data() and lookup.draft.dossier is None
    assert events[-1] == ("reset", "timeout")
    assert core.step == "attract"


def test_tasks_chain_recover_and_fail_without_a_gateway(settings):
    core = KioskCore(settings)
    errors = []
    core.gateway_call(lambda gw: gw.lookup_dossier("x"), "x").then(pytest.fail, errors.append)
    assert errors[0].message_key == "gateway.unavailable"
    chained = core.run(lambda: 2).chain(lambda n: core.run(lambda: n * 21))
    assert chained.result(5) == 42
    failed = core.run(lambda: 1).chain(lambda n: Task.failed(CitizenError("x.y", "next.z")))
    with pytest.raises(CitizenError):
        failed.result(5)

    def boom():
        raise CitizenError("x.y", "next.z")

    assert core.run(boom).recover(lambda err: err.message_key).result(5) == "x.y"


def test_late_result_after_reset_is_dropped(settings):
    import threading

    release = threading.Event()

    class SlowGateway(FakeGateway):
        def lookup_dossier(self, code):
            release.wait(5)
            return {"code": code}

    core, lookup = lookup_service(settings, SlowGateway())
    got = []
    fut = lookup.find("H26.99-241125-0001").then(got.append, got.append)
    core.reset("timeout")  # the citizen walked away while the gateway was thinking
    release.set()
    fut.result(5)
    assert got == [] and not core.session.holds_data()


def test_gateway_errors_become_citizen_errors(settings):
    class Down(Exception):
        message_key = "gateway.unavailable"
        next_step = "next.try_later"

    _core, lookup = lookup_service(settings, FakeGateway(error=Down()))
    errors = []
    with pytest.raises(CitizenError):
        lookup.find("H26.99-241125-0001").then(pytest.fail, errors.append).result(5)
    assert isinstance(errors[0], CitizenError)
    assert (errors[0].message_key, errors[0].next_step) == ("gateway.unavailable", "next.try_later")
    _core2, lookup2 = lookup_service(settings, FakeGateway(error=RuntimeError("boom at 0x7f")))
    with pytest.raises(CitizenError):
        lookup2.find("H26.99-241125-0001").then(pytest.fail, errors.append).result(5)
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


def test_scanning_follows_a_qr_source_the_technician_switched(settings):
    """A technician may switch the QR source to its simulated twin: the journeys' scanning uses
    the one in place now, not the one the kiosk started with."""
    from kiosk.devices.base import DeviceKind
    from kiosk.devices.registry import build_devices

    devices = build_devices(settings, simulated=True)
    core = KioskCore(settings, devices=devices)
    before = core.scanning.source
    assert before is devices.qr_source
    switched = devices.switch(DeviceKind.QR_SOURCE, simulated=True)
    try:
        assert switched is not before and core.scanning.source is switched
    finally:
        core.shutdown()
