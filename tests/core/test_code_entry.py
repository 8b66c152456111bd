"""Typing a dossier code (kiosk/journeys/lookup.py CodeEntry): the fixed part shown and
skipped, the hyphens put in, letters only in the last part and only the letters it can hold,
in step with the codes the demo gateway issues."""

from __future__ import annotations

import pytest

from kiosk.journeys.lookup import CODE_PREFIX, TAIL_LETTERS, CodeEntry
from kiosk.samples import SAMPLE_DOSSIER, UNKNOWN_DOSSIER
from kiosk.text import normalize_dossier_code


def typed(chars: str) -> CodeEntry:
    e = CodeEntry()
    for ch in chars:
        e.type(ch)
    return e


def test_the_prefix_matches_the_codes_the_gateway_issues():
    from kiosk.gateway.demo.store import CODE_PREFIX as ISSUED
    from kiosk.gateway.demo.store import CODE_RANDOM_LENGTH

    assert CODE_PREFIX == ISSUED and CODE_RANDOM_LENGTH == 8
    assert SAMPLE_DOSSIER.startswith(CODE_PREFIX + "-")


def test_ten_digits_make_the_sample_code():
    e = typed("2411250002")
    assert e.code == SAMPLE_DOSSIER and e.complete
    assert normalize_dossier_code(e.code) == e.code


def test_the_date_part_takes_digits_only_and_the_last_part_crockford_letters():
    e = CodeEntry()
    assert not e.letters_allowed and not e.type("A") and not e.type("-") and not e.type(".")
    for ch in "251125":
        assert e.type(ch)
    assert e.code == f"{CODE_PREFIX}-251125-" and e.letters_allowed
    assert set(TAIL_LETTERS).isdisjoint("ILOU") and len(TAIL_LETTERS) == 22
    for bad in "ILOU-.":
        assert not e.type(bad)
    for ch in "7kq2m9xd":  # lower case is taken as upper case
        assert e.type(ch)
    assert e.code == f"{CODE_PREFIX}-251125-7KQ2M9XD" and e.complete
    assert not e.type("1")  # eight is the most the last part holds


def test_backspace_and_clear():
    e = typed("2511257")
    e.backspace()
    assert e.code == f"{CODE_PREFIX}-251125-"
    e.backspace()
    assert e.code == f"{CODE_PREFIX}-25112" and not e.letters_allowed
    e.clear()
    assert e.empty and e.code == f"{CODE_PREFIX}-"


@pytest.mark.parametrize("code, parts", [
    (SAMPLE_DOSSIER, ("241125", "0002")),
    (UNKNOWN_DOSSIER, ("000000", "0000")),
    ("h26.99-251125-7kq2m9xd", ("251125", "7KQ2M9XD")),
    ("H26", ("", "")),
    ("H26.99-2411", ("2411", "")),
    ("TAM-ABCD2345", None),
    ("H26.99-241125-0O02", None),  # an O where only Crockford's letters go: typed on the full pad
    ("H27.01-241125-0002", None),
])
def test_split_tells_the_usual_shape_from_others(code, parts):
    assert CodeEntry.split(code) == parts
    assert CodeEntry.fits(code) == (parts is not None)
