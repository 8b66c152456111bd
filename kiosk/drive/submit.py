"""Submit a procedure: find it (search or life events) → its details → the chip ID card → the form
→ photos of the documents → delivery → review → sent (or queued while the gateway is down) →
the dossier receipt."""

from __future__ import annotations

from kiosk.drive.common import to_menu
from kiosk.drive.fixtures import gateway_down
from kiosk.drive.identify import identified, identify_with_demo_card
from kiosk.samples import SUBMIT_FORM, SUBMIT_PROCEDURE, SUBMIT_QUERY


def to_submit_find(drv, query: str = "khai sinh") -> None:
    to_menu(drv)
    drv.tap(drv.screen.tiles["submit"])
    drv.wait_until(lambda: drv.app.current == "submit_find", what="the find-a-procedure screen")
    if query:
        drv.screen.set_query(query)
        drv.frames(2)


def to_submit_results(drv, query: str = SUBMIT_QUERY) -> None:
    to_submit_find(drv, query)
    drv.tap(drv.screen.search)
    drv.wait_until(lambda: drv.app.current == "submit_list", 20, "the procedures found")


def to_submit_events(drv) -> None:
    to_submit_find(drv, "")
    drv.tap(drv.screen.browse)
    drv.wait_until(lambda: drv.app.current == "submit_events" and drv.screen.tiles, 20, "the life events")


def to_submit_event_list(drv) -> None:
    to_submit_events(drv)
    drv.tap(drv.screen.tiles["birth"])
    drv.wait_until(lambda: drv.app.current == "submit_list", 20, "the procedures of a life event")


def to_submit_details(drv) -> None:
    to_submit_results(drv)
    drv.tap(drv.screen.tile_for(SUBMIT_PROCEDURE))
    drv.wait_until(lambda: drv.app.current == "submit_details", 20, "the procedure's details")


def submit_identify(drv) -> None:
    """From the details through the chip ID card (the identify steps) to the form."""
    drv.tap(drv.screen.start)
    identify_with_demo_card(drv, "submit_form")
    drv.wait_until(lambda: drv.screen.entries, 20, "the form")


def jump(drv, step: str) -> None:
    """Show ``step`` of the running journey as if the citizen had come there, the step before it
    being the way back (scripts that set the state up behind the screens, to render one step)."""
    core = drv.app.core
    journey = core.journey
    journey.history.append(journey.current)
    journey.current = step
    core.idle.touch()
    core.emit("step", step)
    drv.wait_until(lambda: drv.app.current == step, 10, step)


def submit_at(drv, step: str, *, form: bool = True, pages: bool = True, post: bool = False,
              code: str = "1.001193") -> None:
    """The submit journey at ``step`` for the demo's person: identified (consent given), the
    procedure chosen, the form filled, a page photographed, delivery chosen, as asked."""
    from kiosk.devices.qr.simulated import make_document_page
    from kiosk.journeys.submit.photos import capture

    to_submit_find(drv, "")
    core, submit = drv.app.core, drv.app.journeys.submit
    identified(drv)
    jump(drv, "submit_list")
    failed: list = []
    submit.choose(code).then(None, failed.append)
    drv.wait_until(lambda: drv.app.current == "submit_details" or failed, 20, "the procedure")
    assert not failed, failed[0].message_key
    draft = submit.draft
    if form:
        submit.keep_values({"nationality": "Việt Nam", "ethnicity": "Kinh", **SUBMIT_FORM})
    if pages:
        slot = draft.photo_documents[0]
        slot.pages.append(capture(make_document_page(slot.doc.name_vi[:28])))
    if post:
        draft.delivery.update({"method": "post", "recipient": core.session.identity.full_name,
                               "phone": "0912345678", "province": "ha-noi", "province_name": "Thành phố Hà Nội",
                               "ward": "Phường Ba Đình", "street": "Số 5 phố Hoàng Hoa Thám"})
    elif form:
        draft.delivery["method"] = "pickup"
    jump(drv, step)


def to_submit_form(drv) -> None:
    submit_at(drv, "submit_form", form=False, pages=False)
    drv.wait_until(lambda: drv.screen.entries, 20, "the form")


def fill_submit_form(drv, values: dict | None = None) -> None:
    for name, value in (values or SUBMIT_FORM).items():
        drv.screen.entries[name].set_value(value)
    drv.frames(2)


def to_submit_form_error(drv) -> None:
    to_submit_form(drv)
    fill_submit_form(drv, {k: v for k, v in SUBMIT_FORM.items() if k != "place_of_birth"})
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.screen.message.parent is not None, 5, "the form's message")
    drv.advance(0.5)  # the first field with a message scrolls into view


def take_page(drv, **page) -> None:
    """A generated page of the shown document on the simulated desk, then "take a photo"."""
    screen = drv.screen
    before = len(screen.slot.pages)
    drv.app.core.devices.qr_source.show_document(screen.slot.doc.name_vi[:28], **page)
    drv.advance(0.4)  # a few camera frames: the preview shows the page
    drv.tap(screen.take)
    drv.wait_until(lambda: len(screen.slot.pages) == before + 1 and not screen.busy, 20, "the photo")


def to_submit_photos_hint(drv) -> None:
    submit_at(drv, "submit_photos", pages=False)
    take_page(drv, dark=True)


def to_submit_delivery_post(drv) -> None:
    submit_at(drv, "submit_delivery")
    drv.tap(drv.screen.post)
    drv.wait_until(lambda: drv.screen.address.province_names, 20, "the provinces")


def to_submit_review(drv) -> None:
    submit_at(drv, "submit_review", post=True)


def to_submit_sent(drv) -> None:
    to_submit_review(drv)
    drv.tap(drv.screen.send)
    drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the dossier sent")


def to_submit_sent_provisional(drv) -> None:
    submit_at(drv, "submit_review", code="1.004873", pages=False, form=False)
    submit = drv.app.journeys.submit
    submit.keep_values({"purpose": "kết hôn", "marital_status": "chưa kết hôn"})
    submit.draft.delivery["method"] = "pickup"
    drv.screen.render()
    with gateway_down(drv, "submit_dossier"):
        drv.tap(drv.screen.send)
        drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the provisional receipt")


def to_submit_receipt(drv) -> None:
    to_submit_sent(drv)
    drv.tap(drv.screen.go)  # no fee for a birth registration: straight to the receipt
    drv.wait_until(lambda: drv.app.current == "submit_receipt" and drv.screen.result is not None, 20,
                   "the dossier receipt")
