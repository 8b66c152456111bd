"""What leaving a journey would throw away, as the core decides it from the journeys' drafts
(never from the screens): "Trang chủ" and "Quay lại" on a journey's first step ask only when
this says so, and an irreversible step closes the way back."""

from kiosk.core import KioskCore
from kiosk.journeys import SERVICES, Journeys
from kiosk.journeys.base import holds_data
from kiosk.journeys.delivery import DeliveryDraft
from kiosk.journeys.lookup import LookupDraft
from kiosk.journeys.submit.draft import SubmitDraft


def core_with_journeys(settings) -> KioskCore:
    core = KioskCore(settings)
    Journeys(core)
    core.begin()
    return core


def test_a_journey_just_started_holds_nothing(settings):
    core = core_with_journeys(settings)
    for service in SERVICES:
        core.start_journey(service.journey)
        assert core.work_at_stake() is None, service.journey
        assert core.back_leaves_journey() and core.can_go_back()
        core.home()


def test_what_the_citizen_gave_is_at_stake_until_the_last_step(settings):
    core = core_with_journeys(settings)
    core.start_journey("lookup")
    core.session.draft(LookupDraft).code = "H26.99-241125-0001"
    assert core.work_at_stake() == "lookup"
    core.advance("found")
    assert core.work_at_stake() == "lookup" and not core.back_leaves_journey()
    core.advance()  # the journey's last step (done): nothing left to lose
    assert core.work_at_stake() is None


def test_a_card_read_is_at_stake_whatever_the_draft(settings):
    core = core_with_journeys(settings)
    core.start_journey("identify")
    assert core.work_at_stake() is None
    core.session.identity = object()
    assert core.work_at_stake() == "identify"


def test_back_on_the_first_step_never_wipes_work_silently(settings):
    core = core_with_journeys(settings)
    events = []
    core.subscribe(lambda e, v: events.append((e, v)))
    core.start_journey("delivery")
    draft = core.session.draft(DeliveryDraft)
    draft.phone = "0912345678"
    assert core.back() == "delivery_code"  # refused: the UI asks first, then goes home()
    assert core.session.journey == "delivery" and draft.phone == "0912345678"
    assert ("wiped", "home") not in events
    draft.phone = ""
    assert core.back() == "menu" and ("wiped", "home") in events  # nothing given: back leaves


def test_after_an_irreversible_step_back_is_closed_and_nothing_is_at_stake(settings):
    core = core_with_journeys(settings)
    events = []
    core.subscribe(lambda e, v: events.append((e, v)))
    core.start_journey("submit")
    core.session.draft(SubmitDraft).query = "khai sinh"
    for _ in range(3):
        core.advance()
    assert core.can_go_back() and core.work_at_stake() == "submit"
    core.journey.current = "submit_review"
    core.advance("sent")
    core.close_way_back()  # submit's order: on to "sent", then closed
    assert ("way_back", False) in events
    assert core.step == "submit_sent" and not core.can_go_back() and not core.back_leaves_journey()
    assert core.back() == "submit_sent"  # back does nothing, never wipes
    assert core.work_at_stake() is None  # the dossier is sent: home loses nothing
    core.advance()  # on to the fee: still no way back into what was sent
    assert not core.can_go_back()
    step = core.step
    core.advance()
    assert core.can_go_back() and core.back() == step  # steps after it go back as usual


def test_closing_before_the_move_closes_the_way_back_too(settings):
    """Pay and delivery close the way back and then move on ("paid", "booked"): back from the
    receipt never returns to the QR code or the booking."""
    core = core_with_journeys(settings)
    core.start_journey("delivery")
    core.journey.current = "delivery_confirm"
    core.journey.history = ["delivery_code", "delivery_address"]
    core.close_way_back()
    core.advance("booked")
    assert core.step == "delivery_done" and not core.can_go_back()


def test_wipe_and_a_new_journey_open_the_way_back_again(settings):
    core = core_with_journeys(settings)
    core.start_journey("pay")
    core.close_way_back()
    core.home()
    core.start_journey("pay")
    assert core.can_go_back() and core.back_leaves_journey()


def test_holds_data_compares_each_field_with_its_default():
    d = SubmitDraft()
    assert not holds_data(d)
    d.values["child_name"] = "Nguyễn Văn Bình"
    assert holds_data(d)
    assert holds_data(object())  # not a draft it can judge: counted as data
