"""A scripted session with a sample person leaves their name and ID number nowhere: not in the
logs, not in the data folder, not on any screen after the reset."""

import json
import logging

from kiosk import logs
from kiosk.drive import to_identify, type_code, type_digits
from kiosk.samples import SAMPLE_DOSSIER
from kiosk.screens.identify import SAMPLE_PERSON_ID
from tests.conftest import ROOT


def kiosk_files(data_dir):
    """Every file the kiosk wrote.  The embedded demo gateway's database stands in for the
    remote government gateway (which does receive submitted dossiers): it is not the kiosk's."""
    from kiosk.gateway.embedded import DB_NAME

    return [f for f in data_dir.rglob("*") if f.is_file() and not f.name.startswith(DB_NAME)]


def test_no_personal_data_in_logs_or_data_folder(app):
    drv = app
    person = json.loads((ROOT / "assets" / "cards" / "sample-person.json").read_text(encoding="utf-8"))
    path = logs.setup(drv.data_dir, "debug")
    try:
        reader = drv.app.core.devices.card_reader
        reader.remove_card()
        to_identify(drv)
        drv.tap(drv.screen.agree)  # consent comes first
        type_digits(drv, SAMPLE_PERSON_ID[-6:])  # the last 6 digits open the chip (PACE)
        reader.place_card()
        drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
        assert drv.has_text(person["full_name"])
        drv.tap(drv.screen.go)
        drv.tap(drv.screen.more)  # another service: look a dossier up in the same visit
        drv.tap(drv.screen.tiles["lookup"])
        type_code(drv, SAMPLE_DOSSIER)
        drv.tap(drv.screen.submit)
        drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier")
        drv.clock.advance(drv.app.core.idle.warn_after + drv.app.core.idle.countdown + 1)
        drv.wait_until(lambda: drv.app.current == "attract", 5, "the timeout reset")
        reader.remove_card()
    finally:
        for handler in logging.getLogger("kiosk").handlers:
            handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "journey started" in text and "identity read" in text and "session reset" in text  # it did log
    secrets = [person["full_name"], person["id_number"], person["id_number"][-9:], person["residence"],
               person["full_name"].split()[-1] + " ", "17/05/1989", "1989-05-17"]
    for secret in secrets:
        assert secret not in text, f"log holds {secret!r}"
    # nothing else in the data folder holds them either (outbox, audit, Kivy's files)
    for file in kiosk_files(drv.data_dir):
        data = file.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{file.name} holds {secret!r}"
    # and no screen still shows them
    for screen in drv.app.screens.values():
        for widget in drv.walk(screen):
            assert person["full_name"] not in str(getattr(widget, "text", ""))
    assert not drv.app.core.session.holds_data()


def test_a_timeout_at_the_review_of_a_submission_leaves_nothing(app):
    """Everything a submission gathers — the chip identity, form values, a document photo, a
    delivery address and phone — is gone after the idle reset: from the session (photo bytes
    overwritten), from every screen and from the data folder."""
    from kiosk import drive as S

    drv = app
    core = drv.app.core
    path = logs.setup(drv.data_dir, "debug")
    S.submit_at(drv, "submit_review", post=True)
    draft = drv.app.journeys.submit.draft
    photo = draft.photo_documents[0].pages[0].data
    assert len(photo) > 1000 and any(photo)
    street = draft.delivery["street"]
    typed = [street, "0912345678", S.SUBMIT_FORM["child_full_name"], S.SUBMIT_FORM["place_of_birth"]]
    name = core.session.identity.full_name
    assert drv.has_text(street)
    drv.clock.advance(core.idle.warn_after + core.idle.countdown + 1)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the timeout reset")
    for handler in logging.getLogger("kiosk").handlers:
        handler.flush()
    assert not core.session.holds_data()
    assert not any(photo)  # the JPEG bytes were overwritten, not just dropped
    for screen in drv.app.screens.values():
        for widget in drv.walk(screen):
            shown = str(getattr(widget, "text", ""))
            for secret in typed + [name]:
                assert secret not in shown, f"{type(screen).__name__} still shows {secret!r}"
    log_text = path.read_text(encoding="utf-8")
    for file in kiosk_files(drv.data_dir):
        data = file.read_bytes()
        for secret in typed + [name]:
            assert secret.encode() not in data, f"{file.name} holds {secret!r}"
    assert name not in log_text and street not in log_text


def test_the_identify_screen_keeps_no_face_after_a_timeout(app):
    """The privacy checks above read text; the face is a picture.  After the idle reset the
    identify result screen shows no texture, and the one face texture it reuses holds only
    zeros (its video memory is overwritten, not just unreferenced)."""
    from kiosk.drive.identify import to_identify_result

    drv = app
    to_identify_result(drv)
    screen = drv.screen
    assert drv.app.core.settings.privacy.show_face
    shown = screen.photo.texture
    assert shown is not None and screen.photo.opacity == 1
    before = bytes(shown.pixels)
    assert any(before[i] not in (0, 255) for i in range(0, len(before), 4))  # a real picture is there
    face_textures = [t for t in (getattr(screen, "_face_tex", None), shown) if t is not None]
    drv.clock.advance(drv.app.core.idle.warn_after + drv.app.core.idle.countdown + 1)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the timeout reset")
    assert screen.photo.texture is None
    for texture in face_textures:
        pixels = bytes(texture.pixels)
        rgb = bytes(b for i, b in enumerate(pixels) if i % 4 != 3)  # alpha aside
        assert not any(rgb), "the face texture still holds the picture"
    drv.app.core.devices.card_reader.remove_card()
