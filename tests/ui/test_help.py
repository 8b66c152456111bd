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
