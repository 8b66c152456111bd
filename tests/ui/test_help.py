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
