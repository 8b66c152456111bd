"""Call staff: the ticket the citizen gets is the one in the staff help queue, and on paper."""


def test_call_staff_ticket_reaches_the_queue_and_the_paper(app):
    from kiosk.drive import to_help

    drv = app
    to_help(drv)
    drv.tap(drv.screen.buttons["payment"])
    drv.wait_until(lambda: drv.app.current == "help_ticket", 20, "the ticket")
    ticket = drv.app.journeys.help.draft.ticket
    assert drv.has_text(ticket.ticket)
    queue = drv.app.core.gateway.wait().list_help_requests(status="waiting")
    assert any(t.ticket == ticket.ticket and t.reason == "payment" for t in queue)
    printed = [r for r in drv.app.core.devices.printer.reprint_store.list() if r["kind"] == "ticket"]
    assert printed and printed[-1]["reference"] == ticket.ticket and printed[-1]["state"] == "printed"
    assert not drv.app.core.devices.printer.last_paper().problems
    assert drv.has_text("Phiếu số thứ tự đã được in.")
    drv.tap(drv.screen.finish)
    assert drv.app.current == "attract" and not drv.app.core.session.holds_data()


def test_gateway_down_is_explained(app, monkeypatch):
    from kiosk.drive import to_help
    from kiosk.gateway.errors import GatewayUnavailable

    drv = app

    def down(reason, **kw):
        raise GatewayUnavailable("connection refused")

    monkeypatch.setattr(drv.app.core.gateway.wait(), "create_help_request", down)
    to_help(drv)
    drv.tap(drv.screen.buttons["other"])
    drv.wait_until(lambda: drv.screen.message.parent is not None, 20, "the error")
    assert drv.has_text("Hiện không kết nối được với hệ thống dịch vụ công.")
    assert drv.app.current == "help_reason"


def queue(drv, status=None) -> list:
    return drv.app.core.gateway.wait().list_help_requests(status, kiosk_id=drv.app.settings.kiosk.kiosk_id)


def test_help_over_a_journey_keeps_the_session_in_two_taps(app):
    """Mid-journey, "Gọi nhân viên": the ticket over the screen, the journey untouched, the
    citizen carries on; asking again shows the same ticket, never a second one."""
    from kiosk.drive import to_status
    from kiosk.journeys.lookup import LookupDraft

    drv = app
    to_status(drv)
    code = drv.app.core.session.peek(LookupDraft).code
    before = len(queue(drv))
    drv.tap(drv.app.nav.help)  # tap 1
    panel = drv.app.help_panel
    assert panel.parent is not None and panel.state == "ask"
    assert drv.has_text("Việc bạn đang làm vẫn được giữ nguyên.")
    assert drv.small_targets() == [] and drv.layout_problems() == []
    drv.tap(panel.buttons["form_help"])  # tap 2
    drv.wait_until(lambda: panel.state == "ticket", 20, "the ticket over the screen")
    ticket = drv.app.journeys.help.ticket
    assert drv.has_text(ticket.ticket) and drv.has_text("Tiếp tục việc đang làm")
    assert drv.app.current == "lookup_status" and drv.app.core.session.journey == "lookup"
    assert drv.app.core.session.peek(LookupDraft).code == code
    assert len(queue(drv)) == before + 1
    assert drv.layout_problems() == []
    drv.tap(panel.carry_on)
    assert panel.parent is None and drv.app.current == "lookup_status"
    assert drv.app.nav.help.text == f"Số {ticket.ticket}"  # the bar keeps the number in view
    drv.tap(drv.app.nav.help)
    assert panel.state == "ticket" and drv.has_text(ticket.ticket)
    assert len(queue(drv)) == before + 1  # the same ticket, no second one
    drv.tap(panel.carry_on)
    drv.tap(drv.screen.done_button)  # and the journey goes on where it was
    drv.wait_until(lambda: drv.app.current == "done", 5, "the end of the journey")


def test_help_from_screens_of_every_kind_in_two_taps(app):
    from kiosk.drive import to_identify_typed, to_lookup, to_menu

    drv = app
    for to_screen in (to_menu, to_lookup, to_identify_typed):
        to_screen(drv)
        step = drv.app.current
        drv.tap(drv.app.nav.help)
        drv.tap(drv.app.help_panel.buttons["other"])
        drv.wait_until(lambda: drv.app.help_panel.state == "ticket", 20, "the ticket")
        assert drv.app.current == step
        drv.tap(drv.app.help_panel.cancel)  # the citizen no longer needs it
        drv.wait_until(lambda: drv.app.help_panel.parent is None, 10, "the panel closed")
        assert drv.app.journeys.help.ticket.status == "cancelled"
        assert drv.app.nav.help.text == "Gọi nhân viên"


def test_rating_only_once_staff_marked_the_help_done(app):
    from kiosk.drive import to_help_ticket
    from kiosk.drive.help import staff_mark_done

    drv = app
    to_help_ticket(drv)
    screen = drv.screen
    assert screen.rating.parent is None and not drv.has_text("Rất tốt")  # nobody helped yet
    assert drv.has_text("Khi nhân viên giúp xong, bạn có thể đánh giá tại đây.")
    staff_mark_done(drv)
    drv.wait_until(lambda: screen.rating.parent is not None, 5, "the rating")
    assert drv.has_text("Rất tốt") and drv.has_text("Nhân viên đã giúp xong")
    assert drv.layout_problems() == []


def test_back_from_the_ticket_never_lands_by_a_second_ticket(app):
    from kiosk.drive import to_help_ticket

    drv = app
    to_help_ticket(drv)
    ticket = drv.app.journeys.help.ticket
    before = len(queue(drv))
    assert drv.app.nav.back.disabled
    drv.tap(drv.app.nav.back)
    assert drv.app.current == "help_ticket"
    drv.tap(drv.app.nav.home)  # nothing to lose: the ticket is kept, no question
    drv.wait_until(lambda: drv.app.current == "menu", 5, "the menu")
    assert drv.app.confirm_dialog.parent is None
    assert drv.app.journeys.help.ticket.id == ticket.id and drv.app.nav.help.text == f"Số {ticket.ticket}"
    drv.tap(drv.screen.tiles["help"])
    drv.tap(drv.screen.buttons["payment"])  # the reasons again: still the same ticket
    drv.wait_until(lambda: drv.app.current == "help_ticket", 20, "the ticket")
    assert drv.app.journeys.help.ticket.id == ticket.id and len(queue(drv)) == before


# -- waiting for staff is not idling -----------------------------------------------------------
# Each test takes its own ticket in its own session and checks the hold it set: the wait is the
# ticket's (kept in the session's draft), so no ticket, wait or hold of an earlier test (open,
# done, cancelled, timed out) can change what happens here, whatever the order.


def _wait(drv, seconds: float) -> None:
    """``seconds`` pass on the idle clock, a minute at a time, the app ticking in between."""
    clock = drv.app.core.idle.clock
    while seconds > 0:
        step = min(60.0, seconds)
        clock.advance(step)
        seconds -= step
        drv.advance(0.3)  # the app's idle tick (every 0.25 s) runs


def _ticket_over_status(drv):
    from kiosk.drive import to_status
    from kiosk.drive.help import ask_over_screen
    from kiosk.journeys.help import HOLD

    to_status(drv)
    ask_over_screen(drv)
    assert drv.app.core.idle.holding(HOLD), "the ticket holds the idle timeout"
    return drv.app.journeys.help.ticket


def test_a_citizen_waiting_for_staff_is_not_timed_out_and_sees_the_wait(app):
    """The ticket tells the citizen to wait by the kiosk: while it is open the idle timeout does
    not wipe their journey (across "home" too); the panel says how long they have waited; once
    staff marked it done, the usual warning comes back."""
    from kiosk.drive.help import open_help_panel, staff_mark_done
    from kiosk.journeys.help import HOLD

    drv = app
    idle, panel = drv.app.core.idle, drv.app.help_panel
    ticket = _ticket_over_status(drv)
    assert drv.app.journeys.help.wait_limit == 15 * 60  # kiosk.ini help_wait_minutes
    assert drv.has_text("Bạn vừa gọi. Màn hình được giữ nguyên trong lúc bạn chờ.")
    drv.tap(panel.carry_on)
    _wait(drv, 6 * 60 + 5)  # six minutes without a touch: far past the 90 s warning
    assert drv.app.timeout_dialog.parent is None and drv.app.current == "lookup_status"
    assert drv.app.core.session.journey == "lookup" and drv.app.journeys.help.ticket.id == ticket.id
    open_help_panel(drv)  # the wait, in whole minutes, over the same ticket
    assert panel.state == "ticket"
    assert drv.has_text("Bạn đã chờ 6 phút. Màn hình được giữ nguyên trong lúc bạn chờ.")
    drv.tap(panel.carry_on)
    drv.tap(drv.app.nav.home)  # "home" keeps the open ticket: still waiting, still held
    if drv.app.confirm_dialog.parent is not None:
        drv.tap(drv.app.confirm_dialog.go)
    drv.wait_until(lambda: drv.app.current == "menu", 5, "the menu")
    _wait(drv, 5 * 60)
    assert drv.app.timeout_dialog.parent is None and drv.app.current == "menu" and idle.holding(HOLD)
    staff_mark_done(drv)  # staff came: the hold ends with the ticket, timing starts now
    drv.advance(0.3)
    assert not idle.holding(HOLD) and not idle.held
    _wait(drv, idle.warn_after - 10)
    assert drv.app.timeout_dialog.parent is None
    _wait(drv, 15)
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, 10, "the timeout warning")


def test_a_ticket_left_open_does_not_keep_a_session_for_ever(app):
    """Past help_wait_minutes the usual warning comes back, and then the reset, which ends the
    ticket's session and its hold: the kiosk is never stuck with an abandoned ticket."""
    from kiosk.journeys.help import HOLD

    drv = app
    idle, help_ = drv.app.core.idle, drv.app.journeys.help
    _ticket_over_status(drv)
    drv.tap(drv.app.help_panel.carry_on)
    _wait(drv, help_.wait_limit - 60)
    assert drv.app.timeout_dialog.parent is None and idle.holding(HOLD)
    _wait(drv, 60 + idle.warn_after + 5)  # the limit, then the usual quiet spell
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, 10, "the timeout warning")
    assert not idle.holding(HOLD) and help_.open  # the ticket is still open: only the hold ended
    _wait(drv, idle.countdown + 5)
    drv.wait_until(lambda: drv.app.current == "attract", 10, "the reset")
    assert help_.ticket is None and not idle.held and not idle.armed


def test_each_session_waits_on_its_own_ticket(app):
    """A ticket left open when a session ended (timed out, finished) is gone with it: the next
    session's ticket gets the whole wait again, and cancelling it releases the hold."""
    from kiosk.drive import to_lookup
    from kiosk.drive.help import ask_over_screen
    from kiosk.journeys.help import HOLD

    drv = app
    idle, help_ = drv.app.core.idle, drv.app.journeys.help
    first = _ticket_over_status(drv)
    drv.tap(drv.app.help_panel.carry_on)
    _wait(drv, help_.wait_limit - 30)  # most of the first wait used up
    drv.app.core.reset("timeout")  # that citizen left: session, ticket and hold go
    drv.frames(3)
    assert help_.ticket is None and not idle.holding(HOLD)
    to_lookup(drv)
    ask_over_screen(drv, "other")
    second = help_.ticket
    assert second.id != first.id and idle.holding(HOLD)
    drv.tap(drv.app.help_panel.carry_on)
    _wait(drv, 10 * 60)  # the second citizen has their own fifteen minutes
    assert drv.app.timeout_dialog.parent is None and idle.holding(HOLD)
    drv.tap(drv.app.nav.help)
    drv.tap(drv.app.help_panel.cancel)  # no longer needed: the hold ends with the ticket
    drv.wait_until(lambda: help_.ticket.status == "cancelled", 10, "the ticket cancelled")
    assert not idle.holding(HOLD) and not idle.held
    _wait(drv, idle.warn_after + 5)
    drv.wait_until(lambda: drv.app.timeout_dialog.parent is not None, 10, "the timeout warning")
