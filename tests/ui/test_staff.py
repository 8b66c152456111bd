"""Staff mode driven through the real app: discreet entry, PIN lockout, consent and badge,
help queue, cash confirmation, reprint, outbox retry, ending the session; audit entries."""

from __future__ import annotations

from kiosk import drive as S
from kiosk.audit import verify
from kiosk.drive.fixtures import outbox_worker_paused
from kiosk.gateway.demo.samples import sample_submission
from kiosk.roles import Role
from tests.ui.conftest import GateClock


def audit_actions(drv, since=0):
    return [(e["action"], e["outcome"]) for e in list(drv.app.audit.entries())[since:]]


def count(drv):
    return len(list(drv.app.audit.entries()))


def test_wrong_pins_lock_staff_entry_then_the_right_pin_opens_it(staff_app):
    drv = staff_app
    clock = GateClock()
    drv.app.core.staff_gate.clock = clock
    start = count(drv)
    S.to_pin_staff(drv)
    assert drv.has_text("Mã PIN nhân viên")
    for left in (4, 3, 2, 1):
        S.type_pin(drv, "111111")
        assert drv.has_text("Mã PIN không đúng.") and drv.has_text(f"Còn {left} lần thử")
        assert drv.app.current == "pin"
    S.type_pin(drv, "111111")
    assert drv.has_text("Đã khóa do nhập sai nhiều lần.") and drv.has_text("5 phút")
    S.type_pin(drv, S.STAFF_PIN)  # the right PIN does nothing while locked
    assert drv.app.current == "pin" and drv.has_text("Đã khóa")
    assert not drv.layout_problems()
    clock.t += 301
    S.type_pin(drv, S.STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "staff", what="staff panel after the lock")
    assert drv.app.nav.parent is None  # no citizen navigation inside the panel
    got = [a for a in audit_actions(drv, start) if a[0] == "staff.enter"]
    assert got == [("staff.enter", "wrong_pin")] * 4 + [("staff.enter", "lockout"), ("staff.enter", "locked"),
                                                         ("staff.enter", "ok")]
    assert verify(drv.app.audit.folder).ok


def test_cancel_returns_to_the_citizen_untouched(staff_app):
    drv = staff_app
    S.to_lookup(drv)
    drv.tap(drv.app.staff_control)  # a quick touch on the corner opens nothing
    assert drv.app.current == "lookup_code"
    S.to_pin_staff(drv)
    drv.tap(drv.screen.cancel)
    drv.wait_until(lambda: drv.app.current == "lookup_code", what="back to the journey")
    assert drv.app.nav.parent is not None and drv.app.core.session.role is Role.CITIZEN


def test_consent_badge_stays_visible_and_staff_end_the_session(staff_app):
    drv = staff_app
    start = count(drv)
    S.to_staff_badge(drv)  # consent given, back in the citizen's journey
    assert drv.app.core.session.role is Role.STAFF
    assert drv.has_text("NHÂN VIÊN ĐANG HỖ TRỢ")
    drv.app.set_language("en")
    drv.frames(2)
    assert drv.has_text("STAFF ASSISTING")
    assert not drv.layout_problems()
    drv.app.set_language("vi")
    S.type_code(drv, S.SAMPLE_DOSSIER)  # staff type for the citizen
    S.long_press(drv, drv.app.staff_control)
    S.type_pin(drv, S.STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "staff", what="staff panel")
    assert drv.has_text("Đang hỗ trợ công dân")
    drv.tap(drv.screen.end_button)
    drv.wait_until(lambda: drv.app.current == "attract", what="attract after staff ended the session")
    drv.frames(3)
    assert drv.app.staff_badge.parent is None and not drv.has_text("NHÂN VIÊN ĐANG HỖ TRỢ")
    assert not drv.app.core.session.holds_data() and drv.app.core.session.role is Role.CITIZEN
    got = audit_actions(drv, start)
    assert ("staff.consent", "ok") in got and ("staff.end_session", "ok") in got
    assert ("session.end", "staff-ended") in got
    end = [e for e in drv.app.audit.entries() if e["action"] == "session.end"][-1]
    assert end["role"] == "staff"


def test_help_queue_serve_and_done(staff_app):
    drv = staff_app
    client = drv.app.core.gateway.wait()
    ticket = client.create_help_request("card_problem")
    S.to_staff(drv, "help")
    drv.wait_until(lambda: drv.has_text(f"Số {ticket.ticket}"), 15, "the help ticket")
    assert drv.has_text("Thẻ căn cước") and drv.has_text("đang chờ")
    S.tap_in_panel(drv, drv.screen.help_buttons[(ticket.id, "waiting")])
    drv.wait_until(lambda: (ticket.id, "in_service") in getattr(drv.screen, "help_buttons", {}), 15, "serving")
    assert drv.has_text("đang phục vụ")
    S.tap_in_panel(drv, drv.screen.help_buttons[(ticket.id, "in_service")])
    drv.wait_until(lambda: drv.app.t("staff.working") not in drv.texts() and not drv.has_text(f"Số {ticket.ticket}"),
                   15, "the ticket to leave the queue")
    assert client.list_help_requests("done")[-1].id == ticket.id
    assert not drv.layout_problems()


def unpaid_payment(drv):
    """A fresh dossier with a fee (a fictional applicant), paid in cash, as the pay journey
    leaves it in the session."""

    from kiosk.gateway import models as M
    from kiosk.gateway.client import new_idempotency_key

    client = drv.app.core.gateway.wait()
    sub = sample_submission(purpose="kết hôn",
                            documents=[M.DocumentPhoto.from_bytes("Tờ khai", "image/jpeg", b"\xff\xd8\xff\xe0sample")])
    code = client.submit_dossier(sub, new_idempotency_key()).code
    return client.create_payment(code, "cash", proof=M.ApplicantProof(id_number="001099012345"))  # its applicant


def test_cash_confirmation(staff_app):
    drv = staff_app
    start = count(drv)
    S.to_lookup(drv)
    payment = unpaid_payment(drv)
    drv.app.journeys.pay.draft.payment = payment
    S.long_press(drv, drv.app.staff_control)
    S.type_pin(drv, S.STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "staff", what="staff panel")
    drv.tap(drv.screen.tab_buttons["cash"])
    amount = f"{payment.amount_vnd:,}".replace(",", ".")
    drv.wait_until(lambda: drv.has_text(f"Đã nhận {amount} đồng"), what="the cash button")
    S.tap_in_panel(drv, drv.screen.cash_button)
    drv.wait_until(lambda: drv.has_text("Đã xác nhận khoản tiền mặt."), 60, "the confirmation")
    assert drv.has_text("Không có khoản tiền mặt nào")
    assert drv.app.core.gateway.wait().payment_status(payment.id).status != "pending"
    assert ("payment.cash_confirm", "ok") in audit_actions(drv, start)


def test_reprint_a_failed_receipt(staff_app):
    from kiosk import receipts

    drv = staff_app
    printer = drv.app.core.devices.printer
    S.to_lookup(drv)  # a citizen's session: their receipt fails, staff reprint it for them
    printer.faults.set_faults(paper_out=True)
    try:
        failed = printer.print_receipt(receipts.self_test([], office="x", kiosk_id="K"))
    finally:
        printer.faults.clear_faults()
    assert not failed.ok
    start = count(drv)
    S.long_press(drv, drv.app.staff_control)
    S.type_pin(drv, S.STAFF_PIN)
    drv.wait_until(lambda: drv.app.current == "staff", what="staff panel")
    drv.tap(drv.screen.tab_buttons["receipts"])
    assert drv.has_text(failed.receipt_id) and drv.has_text("in lỗi")
    S.tap_in_panel(drv, drv.screen.reprint_buttons[failed.receipt_id])
    drv.wait_until(lambda: drv.has_text("Đã in lại."), 60, "the reprint")
    assert drv.has_text("đã in lại")
    assert ("receipt.reprint", "ok") in audit_actions(drv, start)


def test_outbox_depth_and_retry(staff_app):
    drv = staff_app
    with outbox_worker_paused(drv):  # the worker would deliver the item at once
        check_outbox_panel(drv)


def check_outbox_panel(drv):
    outbox = drv.app.staff.outbox
    outbox.enqueue("rating", {"score": 5, "journey": "lookup", "dossier_code": None, "comment": None,
                              "rated_at": "2026-11-30T00:00:00Z"})
    waiting = outbox.depth()
    assert waiting >= 1
    S.to_staff(drv, "outbox")
    assert drv.has_text(f"Đang chờ gửi: {waiting}"), (outbox.items(), drv.texts())
    S.tap_in_panel(drv, drv.screen.retry_button)
    drv.wait_until(lambda: drv.has_text("Đang chờ gửi: 0"), 60, "the outbox to empty")
    assert outbox.depth() == 0
    assert not drv.layout_problems()


def test_a_set_aside_item_is_shown_exported_and_sent_again(staff_app):
    from kiosk.gateway.client import rating_body

    drv = staff_app
    with outbox_worker_paused(drv):
        outbox = drv.app.staff.outbox
        ref = outbox.enqueue("rating", body=rating_body(4, "lookup")).reference
        outbox._db.execute("UPDATE items SET state='set_aside', last_error='gateway.bad_response: malformed JSON'"
                           " WHERE reference=?", (ref,))
        (item,) = [i for i in drv.app.staff.set_aside_items() if i["reference"] == ref]
        start = count(drv)
        S.to_staff(drv, "outbox")
        assert drv.has_text(f"{ref} (đánh giá): tạm gác lại - gateway.bad_response: malformed JSON"), drv.texts()
        S.tap_in_panel(drv, drv.screen.set_aside_buttons[(item["seq"], "export")])
        drv.wait_until(lambda: any(t.startswith("Đã xuất") for t in drv.texts()), 60, "the export")
        assert list((drv.app.core.settings.data_dir / "outbox-export").glob(f"outbox-{ref}-*.json"))
        S.tap_in_panel(drv, drv.screen.set_aside_buttons[(item["seq"], "retry")])
        drv.wait_until(lambda: outbox.provisional_status(ref).state == "delivered", 60, "the item to go")
        drv.wait_until(lambda: not any(ref in t for t in drv.texts()), 60, "the panel to drop it")
        assert ("outbox.export", "ok") in audit_actions(drv, start)
        assert ("outbox.requeue", "ok") in audit_actions(drv, start)
        assert not drv.layout_problems()


def test_a_short_tab_after_a_long_queue_starts_in_view(staff_app):
    """Serving the last ticket of a long help queue scrolls far down; the next tab (a short
    one) must still show from its top, its button within reach, not carried off by the
    scroll's leftover spring-back."""
    drv = staff_app
    client = drv.app.core.gateway.wait()
    tickets = [client.create_help_request("card_problem") for _ in range(40)]
    try:
        S.to_staff(drv, "help")
        drv.wait_until(lambda: all((t.id, "waiting") in getattr(drv.screen, "help_buttons", {}) for t in tickets),
                       15, "the long queue")
        lowest = min(drv.screen.help_buttons.values(), key=lambda b: b.to_window(*b.center)[1])
        served = next(key for key, b in drv.screen.help_buttons.items() if b is lowest)
        S.tap_in_panel(drv, lowest)
        drv.wait_until(lambda: (served[0], "in_service") in getattr(drv.screen, "help_buttons", {}), 15, "serving")
        drv.tap(drv.screen.tab_buttons["receipts"])
        drv.frames(10)
        w, h = drv.window.size
        _, top = drv.screen.scroll.to_window(0, drv.screen.scroll.top)
        first = drv.find_text("Giấy đã in gần đây")
        x, y = first.to_window(*first.center)
        assert 0 <= y <= top <= h, (y, top, drv.screen.scroll.scroll_y)
    finally:
        for t in tickets:
            client.update_help_request(t.id, "done")
