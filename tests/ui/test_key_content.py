"""Key content (the status, the documents list, the first field, the primary button) is in view
without scrolling: screens declare it (``key_content``) and the layout check fails when any of
it is cut off, scrolled away or under a bar, in portrait and in landscape."""

import pytest
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk import drive as S


def test_the_check_fails_on_key_content_scrolled_out_of_view(app):
    drv = app
    S.to_submit_details(drv)
    screen = drv.screen
    assert drv.key_widgets(), "the details screen declares its documents list and its button"
    assert not drv.hidden_key_content(), drv.hidden_key_content()
    # a key widget under the page's last item: scrolled out of view
    tall = Widget(size_hint_y=None, height=3000)
    late = Label(text="late", size_hint_y=None, height=100)
    screen.content.add_widget(tall, index=0)
    screen.content.add_widget(late, index=0)
    screen.late = late
    screen.key_content = (*type(screen).key_content, "late")
    try:
        drv.frames(3)
        problems = drv.layout_problems()
        assert any(p.startswith("key content not in view: late") for p in problems), problems
    finally:
        screen.content.remove_widget(tall)
        screen.content.remove_widget(late)
        del screen.key_content, screen.late
    drv.frames(2)
    assert not drv.hidden_key_content()


def test_key_content_in_view_in_portrait(app):
    drv = app
    for reach in (S.to_status, S.to_status_printed, S.to_submit_details, S.to_submit_form, S.to_submit_form_error,
                  S.to_submit_review):
        reach(drv)
        assert drv.key_widgets(), reach.__name__
        assert drv.hidden_key_content() == [], reach.__name__


@pytest.mark.gallery("1920x1080", "en", "plain")
@pytest.mark.timeout(2600)
def test_key_content_in_view_in_landscape():
    """The status beside the printing note, the documents list, the first field (before the
    applicant's read-only details) and the form's part of the review: all were below the fold
    in landscape.  Read from the suite's landscape render of every state (tests/ui/conftest.py),
    where the layout check reports key content out of view."""
    from tests.ui.conftest import background_screenshots
    from tests.ui.test_screenshots import picture_problems

    states = ["lookup_status-printed", "lookup_status-paper-out", "submit_details", "submit_form",
              "submit_form-error", "submit_review"]
    run, _ = background_screenshots("1920x1080", "en", "plain", timeout=2500)
    said = picture_problems(run.stdout)
    for state in states:
        assert said.get(f"{state}-en.png") == "ok", (state, said.get(f"{state}-en.png"), run.stderr[-2000:])


# -- large text (1.5×): a page may scroll, but never to reach its key content -----------------------

LARGE_TEXT_REACH = [S.to_status, S.to_status_printed, S.to_status_paper_out, S.to_submit_details,
                    S.to_submit_form, S.to_submit_form_error, S.to_submit_review]


@pytest.fixture
def large(app):
    drv = app
    yield drv
    if drv.app.theme.text_scale > 1:
        drv.app.toggle_large_text()
        drv.frames(3)


@pytest.mark.parametrize("reach", LARGE_TEXT_REACH, ids=lambda f: f.__name__)
def test_key_content_in_view_when_large_text_is_turned_on_there(large, reach):
    """Large text turned on (as the access panel does) on the screen: its status, documents
    list, first field (or the field the message is about) and button stay in view; the status
    comes first, the documents list has the height, the fields come before the applicant."""
    drv = large
    reach(drv)
    drv.app.toggle_large_text()
    drv.frames(6)
    assert drv.app.theme.text_scale >= 1.5
    assert drv.key_widgets(), reach.__name__
    assert drv.hidden_key_content() == [], reach.__name__
    assert drv.layout_problems() == [], reach.__name__


@pytest.mark.parametrize("status", ["supplement_requested", "received", "rejected"])
def test_the_status_is_in_view_on_arrival_in_large_text(large, status):
    """Large text on before the look-up (a session's reset turns it off, so it is turned on
    with the code typed): the status is the first thing on the page (a request for more
    documents goes on under it), the buttons side by side under the page."""
    from kiosk.drive.statuses import STATUS_SAMPLES

    drv = large
    S.to_lookup(drv)
    S.type_code(drv, STATUS_SAMPLES[status])
    drv.app.toggle_large_text()
    drv.frames(3)
    drv.screen.lookup()  # "Tra cứu" (in large text the code page scrolls to it)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, f"a dossier in status {status}")
    drv.frames(3)
    screen = drv.screen
    assert screen.summary.children[-1] is screen.status_panel, "the status comes first"
    assert screen.buttons.orientation == "horizontal"
    assert drv.hidden_key_content() == [], status
    assert drv.layout_problems() == [], status


def test_the_form_in_large_text_on_arrival(large):
    """Large text on at the procedure's details, then on to the form: the documents list is
    whole, then the first field comes before the applicant's details; back to normal text the
    applicant is first again."""
    from kiosk.drive.submit import jump

    drv = large
    S.to_submit_details(drv)
    drv.app.toggle_large_text()
    drv.frames(6)
    assert drv.hidden_key_content() == []
    jump(drv, "submit_form")
    drv.wait_until(lambda: drv.screen.entries, 20, "the form")
    drv.frames(3)
    screen = drv.screen
    assert screen.content.children[-1] is screen.fields_panel
    assert drv.hidden_key_content() == []
    drv.app.toggle_large_text()
    drv.frames(6)
    assert screen.content.children[-1] is screen.who_panel
    assert drv.layout_problems() == []
