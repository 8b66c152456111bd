"""Call staff: what it is about → a ticket number."""

from __future__ import annotations

from kiosk.drive.common import to_menu


def to_help(drv) -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["help"])
    drv.wait_until(lambda: drv.app.current == "help_reason", what="call-staff screen")


def to_help_ticket(drv) -> None:
    to_help(drv)
    drv.tap(drv.screen.buttons["form_help"])
    drv.wait_until(lambda: drv.app.current == "help_ticket", 20, "the help ticket")


def staff_mark_done(drv) -> None:
    """Staff (at their counter, or on this kiosk's staff panel) mark the open ticket done; the
    kiosk learns it at its next look at the queue, asked for here without waiting."""
    help_ = drv.app.journeys.help
    ticket = help_.ticket
    drv.app.core.gateway.wait().update_help_request(ticket.id, "done", staff_id="staff.demo")
    help_.check()
    drv.wait_until(lambda: help_.helped, 20, "the ticket marked done")


def to_help_ticket_helped(drv) -> None:
    """The help journey's ticket once staff helped: now (and only now) the faces ask."""
    to_help_ticket(drv)
    staff_mark_done(drv)
    drv.wait_until(lambda: drv.screen.rating.parent is not None, 5, "the rating")


def open_help_panel(drv) -> None:
    """"Gọi nhân viên" in the navigation bar, from whatever screen the citizen is on."""
    drv.tap(drv.app.nav.help)
    drv.wait_until(lambda: drv.app.help_panel is not None and drv.app.help_panel.parent is not None, 5,
                   "the help panel")


def ask_over_screen(drv, reason: str = "form_help") -> None:
    """From any screen: "Gọi nhân viên", then what it is about: the ticket over the screen."""
    open_help_panel(drv)
    drv.tap(drv.app.help_panel.buttons[reason])
    drv.wait_until(lambda: drv.app.help_panel.state == "ticket", 20, "the ticket over the screen")


def to_help_over_journey_ask(drv) -> None:
    """Mid-journey (the form of a birth registration), help asked: what it is about."""
    from kiosk.drive.submit import to_submit_form

    to_submit_form(drv)
    open_help_panel(drv)


def to_help_over_journey(drv) -> None:
    """Mid-journey, the ticket over the form: number, where to wait, carry on or cancel."""
    from kiosk.drive.submit import to_submit_form

    to_submit_form(drv)
    ask_over_screen(drv)


def to_confirm_home(drv) -> None:
    """Mid-journey with a card read and a form open, "Trang chủ": asked before anything goes."""
    from kiosk.drive.submit import to_submit_form

    to_submit_form(drv)
    drv.tap(drv.app.nav.home)
    drv.wait_until(lambda: drv.app.confirm_dialog.parent is not None, 5, "the confirm dialog")


def to_technician_exit(drv) -> None:
    """The technician's "Tắt ứng dụng kiosk": asked before the kiosk stops."""
    from kiosk.drive.technician import to_technician

    to_technician(drv, "actions")
    drv.tap(drv.screen.exit_button)
    drv.wait_until(lambda: drv.app.confirm_dialog.parent is not None, 5, "the confirm dialog")
