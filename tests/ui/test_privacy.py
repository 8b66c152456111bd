"""A scripted session with a sample person leaves their name and ID number nowhere: not in the
logs, not in the data folder, not on any screen after the reset."""

import json
import logging

from kiosk import logs
from kiosk.screenshots import SAMPLE_DOSSIER, to_identify, type_code, type_digits
from kiosk.screens.identify import SAMPLE_PERSON_ID
from tests.conftest import ROOT


def test_no_personal_data_in_logs_or_data_folder(app):
    drv = app
    person = json.loads((ROOT / "assets" / "cards" / "sample-person.json").read_text(encoding="utf-8"))
    path = logs.setup(drv.data_dir, "debug")
    try:
        reader = drv.app.core.devices.card_reader
        reader.remove_card()
        to_identify(drv)
        type_digits(drv, SAMPLE_PERSON_ID)
        drv.tap(drv.screen.go)
        reader.place_card()
        drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
        assert drv.has_text(person["full_name"])
        drv.tap(drv.screen.go)
        drv.tap(drv.screen.agree)
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
    # nothing else in the data folder holds them either (outbox, audit, Kivy's files, gateway db)
    for file in drv.data_dir.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"{file.name} holds {secret!r}"
    # and no screen still shows them
    for screen in drv.app.screens.values():
        for widget in drv.walk(screen):
            assert person["full_name"] not in str(getattr(widget, "text", ""))
    assert not drv.app.core.session.holds_data()
