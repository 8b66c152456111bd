"""Rating (journey 7): five faces at the end of a journey, an optional reason, thanks.

Through real taps; what the demo gateway stored is read from its database.  One rating per
journey however often the citizen taps; a face without a reason is sent when they leave; a
gateway that is down queues the rating in the outbox and the citizen never waits."""

import json

from kiosk.drive import to_lookup
from kiosk.drive.fixtures import gateway_down, outbox_worker_paused
from kiosk.drive.help import to_help_ticket_helped
from kiosk.samples import SAMPLE_DOSSIER
from kiosk.widgets import theme as th

ALLOWED = {"score", "journey", "dossier_code", "comment", "rated_at"}


def stored_ratings(drv) -> list[dict]:
    drv.app.core.gateway.wait()  # the embedded gateway starts in the background
    store = drv.app.core.gateway._server.app.state.store
    return [json.loads(r["body"]) for r in store.query("SELECT body FROM ratings ORDER BY id")]


def sent(drv) -> None:
    future = drv.app.journeys.rating.last_send
    drv.wait_until(lambda: future is not None and future.done(), 20, "the rating to be sent")


def to_done_after_lookup(drv) -> None:
    """Look a dossier up (the code put in as a scan does) and finish at the end screen."""
    to_lookup(drv)
    if drv.screen.mode == "scan":
        drv.tap(drv.screen.to_typing)
    drv.screen.set_code(SAMPLE_DOSSIER)
    drv.tap(drv.screen.submit)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier status")
    drv.tap(drv.screen.done_button)
    drv.wait_until(lambda: drv.app.current == "done", 5, "the end screen")


def test_face_then_reason_is_one_rating(app):
    drv = app
    before = len(stored_ratings(drv))
    to_done_after_lookup(drv)
    panel = drv.screen.rating
    assert drv.has_text("Đánh giá sự hài lòng: bạn thấy dịch vụ hôm nay thế nào?")
    for word in ("Rất tệ", "Tệ", "Bình thường", "Tốt", "Rất tốt"):  # a word under every face
        assert drv.find_text(word, exact=True) is not None, word
    t = th.get_theme()
    for face in panel.faces.values():  # each face is a target of at least 100x100 design px
        assert face.width >= t.px(100) and face.height >= t.px(100), face.size
    drv.tap(panel.faces[2])
    assert panel.state == "why" and drv.has_text("Vì sao bạn chọn như vậy? (không bắt buộc)")
    assert drv.has_text("Quá chậm") and drv.has_text("Máy bị lỗi") and drv.has_text("Bỏ qua")
    assert not drv.has_text("Nhân viên nhiệt tình")  # reasons fit the score
    assert drv.layout_problems() == []
    try:  # large text: the faces' words and the reasons stay whole
        drv.app.theme.text_scale = drv.app.settings.accessibility.large_text_scale
        drv.frames(6)
        assert drv.layout_problems() == []
    finally:
        drv.app.theme.text_scale = 1.0
        drv.frames(2)
    # nothing has gone yet (a reason may follow); another face changes nothing
    assert drv.app.journeys.rating.draft.sent is False
    drv.tap(panel.faces[5])
    assert drv.app.journeys.rating.draft.score == 2 and panel.faces[2].chosen and not panel.faces[5].chosen
    drv.tap(panel.reason_buttons["too_slow"])
    assert panel.state == "thanks" and drv.has_text("Cảm ơn bạn đã đánh giá!")
    sent(drv)
    ratings = stored_ratings(drv)
    assert len(ratings) == before + 1
    got = ratings[-1]
    assert (got["score"], got["journey"], got["comment"], got["dossier_code"]) == (2, "lookup", "too_slow",
                                                                                  SAMPLE_DOSSIER)
    assert set(got) <= ALLOWED  # no name, ID number, phone or address can travel with it
    # leaving sends nothing more
    drv.tap(drv.screen.finish)
    drv.wait_until(lambda: drv.app.current == "attract", 5, "the attract screen")
    drv.frames(5)
    assert len(stored_ratings(drv)) == before + 1
    assert drv.app.screens["done"].rating.state == "ask"  # the next citizen starts afresh


def test_face_alone_is_sent_when_the_citizen_leaves(app):
    drv = app
    before = len(stored_ratings(drv))
    to_help_ticket_helped(drv)  # call staff ends on the ticket screen: the faces come once staff helped
    drv.tap(drv.screen.rating.faces[5])
    assert drv.has_text("Nhân viên nhiệt tình") and drv.has_text("Rất tốt")
    drv.app.set_language("en")
    drv.frames(2)
    assert drv.has_text("Staff were helpful") and drv.has_text("What made you feel that way? (optional)")
    assert drv.layout_problems() == []
    drv.tap(drv.screen.finish)
    assert drv.app.current == "attract"
    sent(drv)
    ratings = stored_ratings(drv)
    assert len(ratings) == before + 1
    assert (ratings[-1]["score"], ratings[-1]["journey"], ratings[-1]["comment"]) == (5, "help", None)
    assert ratings[-1]["dossier_code"] is None


def test_gateway_down_queues_the_rating(app):
    drv = app
    with outbox_worker_paused(drv) as gateway:  # it would deliver at once
        client, outbox = gateway.wait(), gateway.outbox
        queued_before = len([i for i in outbox.items("queued") if i["kind"] == "rating"])
        before = len(stored_ratings(drv))
        with gateway_down(drv, "rate_body"):  # what the gateway service sends a rating with
            to_done_after_lookup(drv)
            drv.tap(drv.screen.rating.faces[1])
            drv.tap(drv.screen.rating.skip)
            assert drv.screen.rating.state == "thanks"  # at once: the citizen never waits for it
            sent(drv)
            queued = [i for i in outbox.items("queued") if i["kind"] == "rating"]
            assert len(queued) == queued_before + 1
        outbox.deliver(client)
        assert outbox.depth() == 0
        ratings = stored_ratings(drv)
        assert len(ratings) == before + 1
        assert (ratings[-1]["score"], ratings[-1]["journey"], ratings[-1]["comment"]) == (1, "lookup", None)
