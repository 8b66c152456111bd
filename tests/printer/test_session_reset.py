"""Nothing of a citizen is left after the session reset (issue 15, finding 10; domain.md §7:
Japan's certificate kiosks printed other people's documents through such leftovers).

A real runtime (simulated printer and camera, the real core) runs a short session: the citizen
is identified by name, a dossier receipt and a payment receipt print (one of them fails and is
kept for a reprint), the camera sees the card's QR.  After the reset: the reprint store keeps
only non-personal summaries and reprints nothing of the last citizen, the printer driver holds
no rendered bytes, the camera holds no frame and no preview.  A print asked for in session A
and reaching the printer after the reset is refused and nothing reaches paper."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from kiosk import config
from kiosk.devices.qr.simulated import make_code_image
from kiosk.receipts import DossierInfo
from kiosk.runtime import Runtime

NAME = "Lê Văn An"
ID_NUMBER = "079123456789"
ADDRESS = "12 Phố Huế, Phường Hai Bà Trưng, Hà Nội"
INFO = DossierInfo(code="K-PROV-0001", procedure_name="Đăng ký khai sinh", citizen_name=NAME,
                   id_number=ID_NUMBER, documents=[("Tờ khai đăng ký khai sinh", 2)], fee_vnd=0,
                   payment_status="exempt", provisional=True, procedure_code="1.001193")
ID_QR = f"{ID_NUMBER}|012345678|{NAME}|01011990|Nam|{ADDRESS}|01012021"


@pytest.fixture
def runtime(tmp_path):
    settings = config.defaults().replace(kiosk=dict(data_dir=str(tmp_path)),
                                         devices=dict(printer="simulated", qr_source="simulated"))
    rt = Runtime(settings, gateway=SimpleNamespace(outbox=None))
    rt.devices.open_all()
    yield rt
    rt.devices.qr_source.stop()


def personal(text: str) -> bool:
    return any(s in text for s in (NAME, ID_NUMBER, ID_NUMBER[-4:], ADDRESS, "Phố Huế"))


def wait_for(condition, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the condition never came true"
        time.sleep(0.02)


def test_after_reset_the_printer_and_the_camera_hold_nothing_personal(runtime):
    core, printer, camera = runtime.core, runtime.devices.printer, runtime.devices.qr_source
    core.begin()
    first = core.session.session_id
    ok = runtime.receipts.dossier_receipt(INFO, "vi")
    assert ok.ok
    printer.faults.set_faults(paper_out=True)
    failed = runtime.receipts.dossier_receipt(INFO, "vi")
    assert not failed.ok
    printer.faults.clear_faults()
    store = printer.reprint_store
    assert store.get(failed.receipt_id).reprintable  # within the session: staff may reprint it
    camera.start(lambda scan: None)
    camera.show_image(make_code_image(ID_QR))
    wait_for(lambda: camera.preview() is not None)

    core.reset("timeout")

    assert core.session.session_id != first
    for item in store.list():
        assert not item["reprintable"]
        assert not personal(repr(item)), item
        kept = store.get(item["id"])
        assert kept.receipt is None
    kept_failed = store.failed()
    assert [i["reference"] for i in kept_failed] == [INFO.code]  # staff still see what failed
    before = len(printer.transport.jobs)
    again = store.reprint(failed.receipt_id)
    assert not again.ok and again.message_key == "printer.reprint_expired"
    assert len(printer.transport.jobs) == before  # nothing of the last citizen reached paper
    assert printer._last_data == b""
    assert camera.preview() is None
    assert camera.pipeline._latest_frame is None and camera.pipeline._slot is None
    assert camera._shown is None


def test_a_print_asked_in_session_a_is_refused_after_the_reset(runtime):
    core, printer = runtime.core, runtime.devices.printer
    core.begin()
    job = runtime.receipts.session_job()  # work queued in session A…
    core.reset("finished")
    before = len(printer.transport.jobs)
    late = runtime.receipts.dossier_receipt(INFO, "vi", job=job)  # …runs after the reset
    assert not late.ok and late.message_key == "printer.session_ended"
    assert len(printer.transport.jobs) == before
    assert not printer.reprint_store.get(late.receipt_id).reprintable


def test_a_print_waiting_for_the_printer_across_the_reset_is_refused(runtime):
    """Session A's receipt waits while the printer is busy (another job holds it); the session
    resets meanwhile; when the printer frees up, A's receipt is refused."""
    core, printer = runtime.core, runtime.devices.printer
    core.begin()
    results = []
    busy = threading.Event()
    release = threading.Event()

    def other_job():
        with printer._lock:  # the printer is busy with something else
            busy.set()
            release.wait(30)

    holder = threading.Thread(target=other_job)
    holder.start()
    busy.wait(10)
    waiting = threading.Thread(target=lambda: results.append(runtime.receipts.dossier_receipt(INFO, "vi")))
    waiting.start()
    time.sleep(0.2)  # let it reach the printer's queue (the outcome does not depend on it)
    before = len(printer.transport.jobs)
    core.reset("timeout")
    release.set()
    holder.join(10)
    waiting.join(30)
    assert results and not results[0].ok and results[0].message_key == "printer.session_ended"
    assert len(printer.transport.jobs) == before


def test_the_same_session_still_prints(runtime):
    runtime.core.begin()
    result = runtime.receipts.dossier_receipt(INFO, "vi")
    assert result.ok
    assert runtime.devices.printer.reprint_store.get(result.receipt_id).reprintable
