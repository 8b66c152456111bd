"""The demo gateway's sample dossiers show every status a dossier can have, and the one asking
for more documents says what to bring, where, and by when (a date, filled in at each start)."""

from datetime import date, timedelta

from kiosk.gateway.models import DOSSIER_STATUSES
from tests.gateway.test_lookup import SAMPLES

ADDITIONAL = "H26.99-241125-0003"


def test_every_status_has_a_sample_dossier():
    assert set(SAMPLES.values()) == set(DOSSIER_STATUSES)


def test_more_documents_needed_says_what_where_and_by_when(client):
    d = client.lookup_dossier(ADDITIONAL)
    assert d.status == "supplement_requested"
    request = d.latest
    for lang, what, where, by in (("vi", "Cần mang thêm:", "Nộp tại:", "Hạn nộp: trước ngày "),
                                  ("en", "Please bring:", "To:", "By: ")):
        note = getattr(request, f"note_{lang}")
        lines = note.split("\n")
        assert lines[0] == what and lines[1].startswith("• ") and lines[2].startswith("• ")
        assert any(line.startswith(where) for line in lines)
        assert "{deadline}" not in note and lines[-1].startswith(by)
        due = lines[-1].removeprefix(by)
        if lang == "vi":
            day, month, year = map(int, due.split("/"))
            due_date = date(year, month, day)
            assert due_date == (request.at + timedelta(days=3)).date()  # three days after the request
            assert request.at.date() < due_date <= d.expected_date  # before the result is due
