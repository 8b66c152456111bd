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
    # a clear page counts at once; one with a problem waits for "retake" or "keep it anyway"
    drv.wait_until(lambda: (len(screen.slot.pages) == before + 1 or screen.slot.pending is not None)
                   and not screen.busy, 20, "the photo")


def to_submit_photos_hint(drv) -> None:
    submit_at(drv, "submit_photos", pages=False)
    take_page(drv, dark=True)


def to_submit_delivery_post(drv) -> None:
    submit_at(drv, "submit_delivery")
    drv.tap(drv.screen.post)
    drv.wait_until(lambda: drv.screen.address.province_names and drv.screen.address.offering, 20,
                   "the provinces and the card's address offered")


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
    """A birth registration as a parent does it (see ``submit_birth_registration``)."""
    submit_birth_registration(drv)


# -- the whole journey, as a citizen does it --------------------------------------------------------

# a newborn's name: the family name offered from the card, the given names typed in Telex
CHILD_NAME_KEYS = ("word:Nguyễn", *"gia", "space", *"baor")
CHILD_NAME = "Nguyễn Gia Bảo"
CHILD_AGE_DAYS = 17  # born a little over two weeks ago
PLACE_OF_BIRTH_WORDS = ("Bệnh viện", "p", "Phụ sản", "h", "Hà Nội")
PLACE_OF_BIRTH = "Bệnh viện Phụ sản Hà Nội"


def reveal_field(drv, field) -> None:
    """Bring a form field into view, as a finger scrolling the page does (not a tap)."""
    scroll = drv.screen.scroll
    for _ in range(20):
        drv.frames(2)
        if drv.reachable(field.box):
            _, y = field.box.to_window(*field.box.center)
            _, bottom = scroll.to_window(scroll.x, scroll.y)
            if bottom <= y <= bottom + scroll.height:
                return
        scroll.scroll_to(field, padding=40, animate=False)
    raise AssertionError(f"the field {field.name} never came into view")


def open_field(drv, field):
    from kiosk.widgets import entry

    reveal_field(drv, field)
    drv.tap(field.box)
    editor = entry.open_editor()
    assert editor is not None and editor.field is field, f"no editor for {field.name}"
    return editor


def type_words(drv, keyboard, keys) -> None:
    """Keys of the Vietnamese keyboard ("space", letters typed in Telex) and suggested words
    ("word:Nguyễn": the suggestion showing that word)."""
    for key in keys:
        if key.startswith("word:"):
            word = key.split(":", 1)[1]
            shown = {b.text: b for k, b in keyboard.keys.items() if k.startswith("word:")}
            assert word in shown, f"{word!r} is not suggested: {list(shown)}"
            drv.tap(shown[word])
        else:
            drv.tap(keyboard.keys[key])


def choose_date(drv, field, when) -> None:
    """The calendar pad: back month by month to ``when``'s, then its day."""
    pad = open_field(drv, field)
    for _ in range(240):
        if (pad.month.year, pad.month.month) == (when.year, when.month):
            break
        drv.tap(pad.prev if (pad.month.year, pad.month.month) > (when.year, when.month) else pad.next)
    drv.tap(pad.days[when.day])


def choose(drv, field, value: str) -> None:
    editor = open_field(drv, field)
    drv.tap(editor.choice_buttons[value])


def identify_by_card(drv, then: str) -> None:
    """The identify steps with the demo card, as a citizen who holds it does them: consent, the
    card's front QR shown to the camera for the key (its last 6 digits typed if the camera does
    not read it within a few seconds), the chip on the reader, who it says."""
    from kiosk.devices.qr.simulated import make_code_image
    from kiosk.drive.common import type_digits
    from kiosk.drive.driver import UiTimeout
    from kiosk.samples import SAMPLE_PERSON_ID
    from kiosk.screens.identify import sample_front_qr

    devices = drv.app.core.devices
    source = devices.qr_source
    shown = placed = False
    for _ in range(40):
        step, phase = drv.app.current, getattr(drv.screen, "phase", "")
        if step == then:
            return
        if step == "consent" or (step == "identify_key" and phase == "consent"):
            drv.tap(drv.screen.agree)
            drv.wait_until(lambda s=step: drv.app.current != s or getattr(drv.screen, "phase", "") != "consent",
                           10, "on from consent")
            continue
        if step == "identify_key" and not shown:
            if getattr(source, "deduper", None) is not None:
                source.deduper.reset()  # another citizen: the same demo card a while later
            source.show_image(make_code_image(sample_front_qr()))
            shown = True
            try:
                drv.wait_until(lambda: drv.app.current != "identify_key", 4, "the front QR read")
            except UiTimeout:  # the camera did not read it: the digits by hand
                type_digits(drv, SAMPLE_PERSON_ID[-6:])
            source.show_image(None)  # the card goes from the camera to the reader
            continue
        if step == "identify_read" and not placed:
            devices.card_reader.place_card()
            placed = True
        elif step == "identify_result":
            drv.tap(drv.screen.go)
        drv.wait_until(lambda s=step: drv.app.current != s, 30, f"on from {step}")
    raise AssertionError(f"the identify steps never reached {then}")


def submit_birth_registration(drv) -> None:
    """Menu → submit → life events → "having a child" → birth registration → the chip card (its
    front QR gives the key) → the form: the child's name on the Vietnamese keyboard (the family
    name offered from the card), the birth date on the calendar pad, sex and relation as
    choices, the place of birth with suggested words → a photo of the birth certificate →
    pick-up here → send → the dossier receipt."""
    from datetime import date, timedelta

    to_submit_find(drv, "")
    drv.app.core.devices.card_reader.remove_card()
    drv.tap(drv.screen.browse)
    drv.wait_until(lambda: drv.app.current == "submit_events" and drv.screen.tiles, 20, "the life events")
    drv.tap(drv.screen.tiles["birth"])
    drv.wait_until(lambda: drv.app.current == "submit_list" and drv.screen.tile_for(SUBMIT_PROCEDURE), 20,
                   "the procedures of a life event")
    drv.tap(drv.screen.tile_for(SUBMIT_PROCEDURE))
    drv.wait_until(lambda: drv.app.current == "submit_details", 20, "the procedure's details")
    drv.tap(drv.screen.start)
    identify_by_card(drv, "submit_form")
    drv.wait_until(lambda: drv.screen.entries, 20, "the form")
    fields = drv.screen.entries

    editor = open_field(drv, fields["child_full_name"])
    type_words(drv, editor.keyboard, CHILD_NAME_KEYS)
    drv.tap(editor.ok)
    choose_date(drv, fields["child_date_of_birth"], date.today() - timedelta(days=CHILD_AGE_DAYS))
    choose(drv, fields["child_sex"], "Nam")
    editor = open_field(drv, fields["place_of_birth"])
    type_words(drv, editor.keyboard, [w if len(w) == 1 else f"word:{w}" for w in PLACE_OF_BIRTH_WORDS])
    drv.tap(editor.ok)
    choose(drv, fields["requester_relation"], "mẹ")
    drv.tap(drv.screen.go)
    drv.wait_until(lambda: drv.app.current == "submit_photos", 10, "the photos")

    photos = drv.screen
    drv.tap(photos.preview.demo)  # the birth certificate on the desk under the camera
    drv.advance(0.4)
    drv.tap(photos.take)
    drv.wait_until(lambda: photos.slot is not None and len(photos.slot.pages) == 1 and not photos.busy, 20,
                   "the photo")
    while drv.app.current == "submit_photos":
        drv.tap(photos.next_doc)  # on to the next document; the optional one is not needed
    drv.wait_until(lambda: drv.app.current == "submit_delivery", 10, "where the result goes")
    drv.tap(drv.screen.go)  # picked up here, as offered first
    drv.wait_until(lambda: drv.app.current == "submit_review", 10, "the review")
    drv.tap(drv.screen.send)
    drv.wait_until(lambda: drv.app.current == "submit_sent", 30, "the dossier sent")
    drv.tap(drv.screen.go)  # no fee for a birth registration: straight to the receipt
    drv.wait_until(lambda: drv.app.current == "submit_receipt" and drv.screen.result is not None, 20,
                   "the dossier receipt")


def to_submit_form_editor(drv) -> None:
    """The child's name in its editor: the Vietnamese keyboard, the family name from the card
    taken from the words offered, a given name being typed."""
    to_submit_form(drv)
    editor = open_field(drv, drv.screen.entries["child_full_name"])
    type_words(drv, editor.keyboard, ("word:Nguyễn", "m"))
    drv.frames(3)


def to_submit_form_datepad(drv) -> None:
    """The child's birth date on the calendar pad: no day after today."""
    to_submit_form(drv)
    open_field(drv, drv.screen.entries["child_date_of_birth"])
    drv.frames(3)
