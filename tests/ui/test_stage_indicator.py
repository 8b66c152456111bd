"""The step indicator: every journey of several stages numbers them from its flow
("Bước 3/7 · Tờ khai") and says what comes next, on every step, in both languages."""

import pytest

from kiosk import drive as S
from kiosk.core.flow import Flow, FlowError, Journey, Stage


def test_a_flow_numbers_its_stages_and_skips_an_optional_one_not_taken():
    flow = Flow("x", ("a", "card", "b", "c", "done"), {("a", "skip"): "b"},
                stages=(Stage("s.a", ("a",)), Stage("s.card", ("card",), optional=True), Stage("s.b", ("b",)),
                        Stage("s.c", ("c",))))
    j = Journey(flow)
    p = j.stage
    assert (p.number, p.total, p.stage.label, p.next.label) == (1, 4, "s.a", "s.card")  # the card may come
    j.advance()
    assert (j.stage.number, j.stage.total) == (2, 4)
    j.advance()
    assert (j.stage.number, j.stage.total, j.stage.stage.label) == (3, 4, "s.b")
    j.close_way_back()  # after an irreversible step the card read still counts
    j.advance()
    assert (j.stage.number, j.stage.total, j.stage.next) == (4, 4, None)
    assert Journey(flow).flow.progress("done") is None  # a step outside every stage: no indicator

    skipped = Journey(flow)
    skipped.advance("skip")
    assert (skipped.stage.number, skipped.stage.total) == (2, 3)  # the card was not needed
    assert skipped.back() == "a" and skipped.stage.total == 4  # back: it may come again


def test_stages_name_only_steps_of_the_journey_once():
    with pytest.raises(FlowError):
        Flow("x", ("a",), stages=(Stage("s", ("b",)),))
    with pytest.raises(FlowError):
        Flow("x", ("a", "b"), stages=(Stage("s", ("a",)), Stage("t", ("a", "b"))))


def test_every_citizen_journey_of_several_steps_has_stages_covering_its_screens():
    from kiosk.journeys import delivery, identify, lookup, pay, submit

    for flow in (lookup.FLOW, identify.FLOW, pay.FLOW, delivery.FLOW, submit.FLOW):
        covered = {s for stage in flow.stages for s in stage.steps}
        assert set(flow.steps) - covered <= {"done"}, (flow.name, set(flow.steps) - covered)


def _indicator(drv) -> tuple[str, str]:
    screen = drv.screen
    assert screen.stage_bar.parent is not None, f"no step indicator on {drv.app.current}"
    assert drv.visible(screen.stage_text) and drv.reachable(screen.stage_text)
    return screen.stage_text.text, screen.stage_next.text


def test_the_submit_form_says_its_step_and_what_comes_next(app):
    drv = app
    S.to_submit_form(drv)  # the card was read before the journey began: no stage for reading it
    assert _indicator(drv) == ("Bước 2/6 · Tờ khai", "Tiếp theo: Thành phần hồ sơ")
    drv.app.set_language("en")
    drv.frames(2)
    assert _indicator(drv) == ("Step 2 of 6 · Form", "Next: Documents")


@pytest.mark.parametrize("reach, expected", [
    (S.to_lookup_typed, "Bước 1/2 · Mã hồ sơ"),
    (S.to_status, "Bước 2/2 · Tình trạng hồ sơ"),
    (S.to_pay_amount, "Bước 2/4 · Số tiền phải nộp"),  # the card was not read: no stage for it
    (S.to_submit_details, "Bước 1/7 · Chọn thủ tục"),
    (S.to_submit_review, "Bước 5/6 · Kiểm tra và gửi"),
    (S.to_delivery_address, "Bước 2/4 · Địa chỉ nhận kết quả"),  # identified before
])
def test_journey_screens_show_their_stage(app, reach, expected):
    drv = app
    reach(drv)
    assert _indicator(drv)[0] == expected


def test_no_indicator_outside_a_journey(app):
    drv = app
    S.to_menu(drv)
    assert drv.screen.stage_bar.parent is None
