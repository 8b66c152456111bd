"""Submit a procedure through the real app: search without accents, the details, the virtual
chip ID card, the form from the gateway's schema (chip data read-only, per-field messages),
document photos from the simulated camera (page count, retake, a quality hint), delivery by
post, review and its change links, the dossier the demo gateway received, the dossier
receipt on paper; a fee paid through the pay steps; the gateway down: a provisional receipt
printed and the dossier waiting in the outbox."""

from __future__ import annotations

import base64
import hashlib
from datetime import date

from kiosk.drive import take_page
from kiosk.gateway.errors import GatewayUnavailable
from kiosk.samples import SUBMIT_FORM
from kiosk.screens.identify import SAMPLE_PERSON_ID
from kiosk.widgets import entry


def use_codepage_text(printer, monkeypatch):
    monkeypatch.setattr(printer, "text_mode", "codepage")  # the decoded paper reads line by line


def record_submissions(drv, monkeypatch) -> list[dict]:
    """What the demo gateway's store is given for each dossier (after the gateway validated it)."""
    gateway = drv.app.core.gateway
    gateway.wait()  # the demo gateway has started
    store = gateway._server.app.state.store
    got: list[dict] = []
    real = store.new_dossier

    def new_dossier(kiosk_id, sub, progress_step):
        got.append(sub)
        return real(kiosk_id, sub, progress_step)

    monkeypatch.setattr(store, "new_dossier", new_dossier)
    return got


def type_on_keyboard(drv, text: str) -> None:
    kb = drv.screen.keyboard
    for ch in text:
        drv.tap(kb.keys["space" if ch == " " else ch])


def edit(drv, field, text: str) -> None:
    """Tap a form field (once the form has scrolled it into view), type in its full-window
    editor, tap Done."""
    drv.wait_until(lambda: drv.reachable(field.box), 5, "the field in view")
    drv.tap(field.box)
    editor = entry.open_editor()
    assert editor is not None and editor.field is field
    editor.type_text(text)
    drv.tap(editor.ok)
    drv.frames(2)
    assert entry.open_editor() is None


def test_submit_a_procedure_end_to_end(app, monkeypatch):
    drv = app
    core = drv.app.core
    printer = core.devices.printer
    use_codepage_text(printer, monkeypatch)
    received = record_submissions(drv, monkeypatch)
    core.devices.card_reader.remove_card()

    # find it: typed without accents on the on-screen keyboard
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["submit"])
    assert drv.app.current == "submit_find"
    type_on_keyboard(drv, "khai sinh")
    assert drv.screen.query == "khai sinh"
    drv.tap(drv.screen.search)
    drv.wait_until(lambda: drv.app.current == "submit_list", 20, "the procedures found")
    assert drv.has_text("Kết quả cho “khai sinh”")
    tile = drv.screen.tile_for("Đăng ký khai sinh")
    assert tile is not None and "Miễn phí" in tile.sub.text
    drv.tap(tile)
    drv.wait_until(lambda: drv.app.current == "submit_details", 20, "the details")
    assert drv.has_text("Đăng ký khai sinh") and drv.has_text("Lệ phí: Miễn phí")
    assert drv.has_text("Thời hạn giải quyết: Ngay trong ngày")
    assert drv.has_text("Bản chính Giấy chứng sinh") and drv.has_text("Bắt buộc: cần chụp")
    assert drv.has_text("Đọc từ chíp thẻ căn cước tại máy này")

    # the chip ID card (the identify steps inside this journey): the card's front QR gives the
    # key (typing the number is covered by the identify tests), then the chip is read
    from kiosk.devices.qr.simulated import make_code_image
    from kiosk.screens.identify import sample_front_qr

    drv.tap(drv.screen.start)
    assert drv.app.current == "identify_key"
    drv.tap(drv.screen.agree)  # consent before anything is read
    core.devices.qr_source.show_image(make_code_image(sample_front_qr()))
    drv.wait_until(lambda: drv.app.current == "identify_read", 20, "the place-card step")
    core.devices.card_reader.place_card()
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "submit_form" and drv.screen.entries, 20, "the form")
    assert drv.has_text("Nguyễn Thị Minh Khai") and drv.has_text("0011******45")
    assert not drv.has_text(SAMPLE_PERSON_ID)
    assert drv.has_text("17/05/1989")
    screen = drv.screen
    assert screen.entries["nationality"].value == "Việt Nam"  # from the chip
    assert screen.entries["ethnicity"].value == "Kinh"
    # the residence names a district: not split into a form address, the form has none anyway
    drv.tap(screen.go)
    assert drv.app.current == "submit_form"
    assert drv.has_text("Một vài mục cần được sửa.")
    assert screen.entries["child_full_name"].error.text == "Chưa điền họ, chữ đệm và tên của trẻ."
    assert screen.entries["nationality"].error.text == ""
    drv.frames(10)
    assert not drv.layout_problems(), drv.layout_problems()
    edit(drv, screen.entries["child_full_name"], "Nguyễn Minh An")
    for name, value in SUBMIT_FORM.items():
        if name != "child_full_name":
            screen.entries[name].set_value(value)
    drv.tap(screen.go)
    assert drv.app.current == "submit_photos"

    # photographs: a page too dark, retaken, then a clear one
    photos = drv.screen
    assert drv.has_text("Giấy tờ 1 / 2") and drv.has_text("Đã chụp: 0 trang")
    take_page(drv, dark=True)
    # a photo with a problem is not a page until kept anyway; "retake" is the primary action
    assert drv.has_text("Đã chụp: 0 trang") and drv.has_text("Ảnh quá tối.")
    assert photos.take.text == "Chụp lại" and photos.take.kind == "primary"
    assert photos.retake.text == "Vẫn dùng ảnh này" and photos.retake.kind == "secondary"
    first = photos.slot.pending.data
    drv.tap(photos.retake)  # kept anyway: a page
    assert drv.has_text("Đã chụp: 1 trang") and photos.slot.pages[0].data is first
    drv.tap(photos.retake)  # "retake the last page": it goes
    assert drv.has_text("Đã chụp: 0 trang") and not first  # the dark photo's bytes are gone
    take_page(drv, dark=True)
    dark = photos.slot.pending.data
    drv.tap(photos.preview.demo)  # the demo's sample page on the simulated desk
    drv.advance(0.4)
    drv.tap(photos.take)  # "Chụp lại": the dark one goes, the new one is taken
    drv.wait_until(lambda: len(photos.slot.pages) == 1 and not photos.busy, 20, "the photo")
    assert drv.has_text("Ảnh rõ.") and drv.has_text("Đã chụp: 1 trang")
    assert not dark and photos.slot.pending is None
    assert photos.thumbs.shown == [photos.slot.pages[0].sha256]  # a thumbnail of the page taken
    page = photos.slot.pages[0]
    sha = hashlib.sha256(page.data).hexdigest()
    buffer = page.data
    drv.tap(photos.next_doc)
    assert drv.has_text("Giấy tờ 2 / 2") and drv.has_text("Chỉ khi có")
    drv.tap(photos.next_doc)  # the optional surrogacy paper: not applicable
    assert drv.app.current == "submit_delivery"

    # delivery by post
    drv.tap(drv.screen.post)
    form = drv.screen.address
    drv.wait_until(lambda: form.province_names, 20, "the provinces")
    assert form.fields["recipient"].value == "Nguyễn Thị Minh Khai"
    drv.tap(drv.screen.go)
    assert drv.app.current == "submit_delivery" and drv.has_text("Một vài mục cần được sửa.")
    form.fields["phone"].set_value("0912345678")
    form.fields["province"].set_value("ha-noi")
    form.fields["ward"].set_value("Phường Ba Đình")
    form.fields["street"].set_value("Số 5 phố Hoàng Hoa Thám")
    drv.tap(drv.screen.go)
    assert drv.app.current == "submit_review"

    # review: everything on one page; "change" goes to the step and comes back
    assert drv.has_text("Nguyễn Minh An") and drv.has_text("20/11/2026")
    assert drv.has_text("Số 5 phố Hoàng Hoa Thám, Phường Ba Đình, Thành phố Hà Nội")
    assert drv.has_text("Đã chụp: 1 trang") and drv.has_text("Điền trên máy này")
    drv.screen.scroll.scroll_to(drv.screen.changes["form"], animate=False)
    drv.tap(drv.screen.changes["form"])
    assert drv.app.current == "submit_form"
    drv.wait_until(lambda: drv.screen.entries, 10, "the form again")
    drv.screen.entries["place_of_birth"].set_value("Bệnh viện Bạch Mai")
    drv.tap(drv.screen.go)
    assert drv.app.current == "submit_review" and drv.has_text("Bệnh viện Bạch Mai")

    # send
    drv.tap(drv.screen.send)
    drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the dossier sent")
    draft = drv.app.journeys.submit.draft
    code = draft.reference
    assert code.startswith("H26.99-") and drv.has_text(code)
    assert drv.has_text("Đã gửi hồ sơ – chờ tiếp nhận") and drv.has_text("Thủ tục này không mất lệ phí.")
    assert drv.app.nav.back.disabled  # a sent dossier is not edited and sent again
    [sub] = received
    assert sub["procedure_code"] == "1.001193"
    assert sub["form"]["child_full_name"] == "Nguyễn Minh An" and sub["form"]["place_of_birth"] == "Bệnh viện Bạch Mai"
    assert sub["form"]["nationality"] == "Việt Nam" and sub["form"]["ethnicity"] == "Kinh"
    assert sub["applicant"]["id_number"] == SAMPLE_PERSON_ID and sub["applicant"]["source"] == "chip"
    assert sub["delivery"]["method"] == "post" and sub["delivery"]["address"]["province"] == "Thành phố Hà Nội"
    [doc] = sub["documents"]
    assert doc["sha256"] == sha and hashlib.sha256(base64.b64decode(doc["data_base64"])).hexdigest() == sha
    assert doc["content_type"] == "image/jpeg"
    assert core.gateway.lookup_dossier(code).delivery.method == "post"

    # no fee: straight to the dossier receipt
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "submit_receipt" and drv.screen.result is not None, 20, "the receipt")
    assert drv.has_text("Đã in giấy tiếp nhận hồ sơ.")
    paper = printer.last_paper()
    text = "\n".join(paper.lines)
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text and code in text and "Đăng ký khai sinh" in text
    assert "Nguyễn Thị Minh Khai" in text and "0011******45" in text and SAMPLE_PERSON_ID not in text
    assert "Bản chính Giấy chứng sinh" in text and "Miễn phí" in text
    assert "Phường Ba Đình" in text and paper.cuts == 1 and not paper.problems
    drv.tap(drv.screen.finish)
    assert drv.app.current == "done"
    core.devices.card_reader.remove_card()
    drv.tap(drv.screen.finish)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the attract screen")
    assert not core.session.holds_data()
    assert not buffer and draft.wiped and not draft.values  # the photo's bytes overwritten
    assert photos.preview.image.texture is None  # the last camera picture is off the screen too
    assert drv.app.screens["submit_review"].content.children == []


def test_search_ignores_accents_and_life_events_list_procedures(app):
    drv = app
    core = drv.app.core
    found = {}

    submit = drv.app.journeys.submit

    def search(q):
        core.start_journey("submit")  # each search from the find step
        drv.frames(1)
        submit.search(q).then(lambda page: found.__setitem__(q, [p.name_vi for p in page.items]),
                              lambda err: found.__setitem__(q, err.message_key))
        drv.wait_until(lambda: q in found, 10, "the search")
        return found[q]

    for q in ("khai sinh", "dang ky khai sinh", "Đăng ký khai sinh", "DANG KY KHAI SINH"):
        assert "Đăng ký khai sinh" in search(q), q
    assert "Đăng ký khai tử" not in search("khai sinh")
    assert search("x") == "submit.find.too_short"
    core.reset("test")
    # by life event, through taps
    from kiosk.drive import to_submit_events

    to_submit_events(drv)
    assert drv.has_text("Sinh con") and drv.has_text("Người thân qua đời")
    drv.tap(drv.screen.tiles["death"])
    drv.wait_until(lambda: drv.app.current == "submit_list", 20, "the procedures of a life event")
    assert drv.has_text("Người thân qua đời") and drv.has_text("Đăng ký khai tử")
    drv.app.set_language("en")
    drv.frames(3)
    assert drv.has_text("When someone dies") and drv.has_text("Death registration")
    drv.app.set_language("vi")


def ready_to_send(drv, code: str = "1.004873", values=None) -> None:
    """The submit journey at its review step, reached through the core (the taps before it are
    covered by the end-to-end test): an identity as the chip gives it, the procedure, the form,
    one page photographed, pick-up here."""
    from kiosk.devices.cardreader.sod import PassiveAuthResult
    from kiosk.devices.qr.simulated import make_document_page
    from kiosk.drive.submit import jump
    from kiosk.identity import Identity
    from kiosk.journeys.submit.photos import capture

    core, submit = drv.app.core, drv.app.journeys.submit
    drv.tap(drv.screen.prompt)
    drv.tap(drv.screen.tiles["submit"])
    core.session.identity = Identity(id_number=SAMPLE_PERSON_ID, full_name="Nguyễn Thị Minh Khai",
                                     date_of_birth=date(1989, 5, 17), passive_auth=PassiveAuthResult("authentic"))
    core.session.consent_given = True
    jump(drv, "submit_list")
    submit.choose(code).result(10)
    drv.wait_until(lambda: drv.app.current == "submit_details", 10, "the procedure")
    draft = submit.draft
    submit.keep_values(values or {"purpose": "kết hôn", "marital_status": "chưa kết hôn"})
    for slot in draft.photo_documents[:1]:
        slot.pages.append(capture(make_document_page(slot.doc.name_vi)))
    draft.delivery["method"] = "pickup"
    jump(drv, "submit_review")


def test_a_fee_is_paid_through_the_pay_steps_then_the_receipt_prints(app, monkeypatch):
    drv = app
    core = drv.app.core
    printer = core.devices.printer
    use_codepage_text(printer, monkeypatch)
    ready_to_send(drv)
    assert drv.has_text("Lệ phí: 3.000 đ")
    drv.tap(drv.screen.send)
    drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the dossier sent")
    code = drv.app.journeys.submit.draft.reference
    assert drv.has_text("Lệ phí cần nộp: 3.000 đ")
    drv.tap_text("Nộp lệ phí", exact=True)
    assert drv.app.current == "pay_amount" and drv.app.journeys.pay.draft.dossier.code == code
    assert drv.has_text("3.000 đ")
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")
    drv.tap(drv.screen.demo)
    drv.wait_until(lambda: drv.app.current == "pay_done" and drv.screen.result is not None, 20, "paid")
    assert "BIÊN LAI THU PHÍ" in "\n".join(printer.last_paper().lines)
    drv.tap(drv.screen.cont)  # the pay steps go on with this journey: the dossier receipt
    drv.wait_until(lambda: drv.app.current == "submit_receipt" and drv.screen.result is not None, 20, "the receipt")
    text = "\n".join(printer.last_paper().lines)
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text and code in text and "Đã thanh toán" in text and "3.000 đồng" in text
    drv.tap(drv.screen.finish)
    assert drv.app.current == "done"


def test_gateway_down_prints_a_provisional_receipt_and_keeps_the_dossier(app, monkeypatch):
    drv = app
    core = drv.app.core
    printer = core.devices.printer
    use_codepage_text(printer, monkeypatch)
    client = core.gateway.wait()
    outbox = core.gateway.outbox
    ready_to_send(drv)

    def down(*a, **kw):
        raise GatewayUnavailable("connection refused")

    monkeypatch.setattr(client, "submit_dossier", down)
    drv.tap(drv.screen.send)
    drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the provisional receipt")
    ref = drv.app.journeys.submit.draft.reference
    assert ref.startswith("TAM-") and drv.has_text(ref)
    assert drv.has_text("Hồ sơ đã được lưu, chưa gửi được")
    assert drv.has_text("Chưa nộp lệ phí lúc này được.")  # payment skipped, and why
    status = outbox.provisional_status(ref)
    assert status is not None and status.state == "queued"
    drv.tap_text("In giấy tiếp nhận hồ sơ", exact=True)
    drv.wait_until(lambda: drv.app.current == "submit_receipt" and drv.screen.result is not None, 20, "the receipt")
    text = "\n".join(printer.last_paper().lines)
    assert ref in text and "MÃ TẠM" in text and "Chưa thanh toán" in text
    assert SAMPLE_PERSON_ID not in text and "0011******45" in text
    # the gateway is back: the queued dossier goes (with its provisional reference)
    monkeypatch.undo()
    outbox.deliver(client)
    assert outbox.provisional_status(ref).state == "delivered"
    assert outbox.provisional_status(ref).dossier_code.startswith("H26.99-")


def test_without_a_document_camera_papers_go_to_staff(app, monkeypatch):
    """A HID or serial scanner is no camera: the citizen is told to hand the paper documents
    to staff, and may go on."""
    from kiosk import drive as S
    from kiosk.journeys.submit import SubmitService

    drv = app
    monkeypatch.setattr(SubmitService, "has_camera", property(lambda self: False))
    S.submit_at(drv, "submit_photos", pages=False)
    assert drv.has_text("Máy này không có camera chụp giấy tờ.")
    assert drv.has_text("Xin đưa giấy tờ bản giấy cho nhân viên tại quầy. Bạn có thể tiếp tục.")
    assert drv.find_text("Chụp trang này") is None
    assert drv.layout_problems() == []
    drv.tap(drv.screen.go_on)
    assert drv.app.current == "submit_delivery"


def test_going_back_keeps_what_was_typed_and_a_reset_forgets_it(app):
    from kiosk.drive import submit as S

    drv = app
    core = drv.app.core
    S.submit_at(drv, "submit_form", form=False, pages=False)
    drv.wait_until(lambda: drv.screen.entries, 20, "the form")
    drv.screen.entries["place_of_birth"].set_value("Tại nhà")
    drv.tap(drv.app.nav.back)
    assert drv.app.current != "submit_form"
    assert drv.app.journeys.submit.draft.values["place_of_birth"] == "Tại nhà"
    S.jump(drv, "submit_form")
    drv.wait_until(lambda: drv.app.current == "submit_form" and drv.screen.entries, 20, "the form again")
    assert drv.screen.entries["place_of_birth"].value == "Tại nhà"
    core.reset("timeout")
    drv.frames(3)
    assert drv.app.current == "attract" and not core.session.holds_data()
    assert drv.app.screens["submit_form"].entries == {}


def test_a_birth_registration_as_a_parent_does_it_within_50_taps(app, monkeypatch):
    """Issue 14: ≈110 taps, every field typed.  Now: the chip card, the child's name on the
    Vietnamese keyboard with the family name offered from the card, the birth date on the
    calendar pad, choices as buttons, a place of birth with suggested words, pick-up: within the
    goal of 50 taps, and the gateway gets what was entered."""
    from datetime import timedelta

    from kiosk.drive.submit import CHILD_AGE_DAYS, CHILD_NAME, PLACE_OF_BIRTH, submit_birth_registration

    drv = app
    received = record_submissions(drv, monkeypatch)
    taps = []
    real = drv.tap
    drv.tap = lambda widget, *a, **kw: (taps.append(widget), real(widget, *a, **kw))[1]
    try:
        submit_birth_registration(drv)
    finally:
        del drv.tap
    assert len(taps) <= 50, len(taps)
    form = received[-1]["form"]
    assert form["child_full_name"] == CHILD_NAME and form["place_of_birth"] == PLACE_OF_BIRTH
    assert form["child_date_of_birth"] == (date.today() - timedelta(days=CHILD_AGE_DAYS)).isoformat()
    assert (form["child_sex"], form["requester_relation"]) == ("Nam", "mẹ")


def test_the_form_in_english_the_date_pad_and_a_birth_in_2030(app):
    """Issue 14: in English the choices stayed Vietnamese ("Nam/Nữ", "cha/mẹ/ông/bà"); a child's
    birth date in 2030 was accepted.  The choices are in the citizen's language (the gateway
    still gets its own values); the calendar pad offers no day after today nor before the
    parent's birth; a future date set anyway is refused with a message on the field."""
    from kiosk.drive import to_submit_form
    from kiosk.drive.submit import open_field

    drv = app
    to_submit_form(drv)
    screen = drv.screen
    drv.app.set_language("en")
    drv.frames(3)
    sex = screen.entries["child_sex"]
    assert dict(sex.choices) == {"Nam": "Male", "Nữ": "Female"}
    editor = open_field(drv, sex)  # scrolled into view, tapped
    assert [b.text for b in editor.choice_buttons.values()] == ["Male", "Female"]
    drv.tap(editor.choice_buttons["Nữ"])
    assert sex.value == "Nữ" and sex.box.text == "Female"
    relation = dict(screen.entries["requester_relation"].choices)
    assert relation["mẹ"] == "mother" and relation["ông"] == "grandfather"
    drv.app.set_language("vi")
    drv.frames(3)
    assert sex.box.text == "Nữ"

    born = screen.entries["child_date_of_birth"]
    pad = open_field(drv, born)
    today = date.today()
    assert (pad.month.year, pad.month.month) == (today.year, today.month)
    assert not pad.days[today.day].disabled
    assert all(pad.days[d].disabled for d in pad.days if d > today.day)  # no day to come
    assert pad.next.disabled
    drv.tap(pad.year_back)
    assert pad.month.year == today.year - 1
    drv.tap(pad.days[1])
    assert born.value == date(today.year - 1, today.month, 1).isoformat()
    parent = drv.app.core.session.identity.date_of_birth
    pad = open_field(drv, born)
    for _ in range(today.year - parent.year + 2):
        pad.turn(-12)
    assert (pad.month.year, pad.month.month) == (parent.year, parent.month)  # not before the parent's birth
    assert pad.days[parent.day].disabled and not pad.days[parent.day + 1].disabled
    drv.tap(pad.cancel)

    born.set_value("2030-01-15")  # as the old typed date let it through
    drv.tap(screen.go)
    assert drv.app.current == "submit_form"
    assert born.error.text == "Ngày này chưa tới: mời bạn chọn một ngày đã qua."


def test_the_error_summary_opens_the_field_to_fix_in_its_editor(app):
    """Touched, the form's "some fields need fixing" does not only scroll to the first field
    with a problem: it focuses it, the field's editor open on it; what is typed there fixes it,
    and the field is in view once the editor closes."""
    from kiosk.drive.submit import to_submit_form_error
    from kiosk.screens.submit.common import to_top

    drv = app
    to_submit_form_error(drv)
    screen = drv.screen
    field = screen.entries["place_of_birth"]
    assert field.error.text and entry.open_editor() is None
    to_top(screen.scroll)
    drv.frames(3)
    drv.tap(screen.message_goto)
    # a scrolling page hands a tap on after 0.2 s; the editor opens once the page has scrolled
    drv.wait_until(lambda: entry.open_editor() is not None, 3, "the field's editor")
    editor = entry.open_editor()
    assert editor is not None and editor.field is field, "the summary only scrolled: no editor on the field"
    editor.type_text("Bệnh viện Phụ sản Hà Nội")
    drv.tap(editor.ok)
    drv.advance(0.4)  # the page scrolls once its layout has settled
    assert entry.open_editor() is None and field.value == "Bệnh viện Phụ sản Hà Nội" and not field.error.text
    _x, y0 = screen.scroll.to_window(*screen.scroll.pos)
    y1 = y0 + screen.scroll.height
    _bx, by = field.box.to_window(*field.box.pos)
    assert y0 <= by and by + field.box.height <= y1, "the field is scrolled out of the page"
