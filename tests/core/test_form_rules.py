"""The birth registration form's own common sense (issue 14): a child's birth date in 2030 was
accepted; choices stayed Vietnamese in English; a place of birth was typed with every word
capitalised (name case belongs to people's names only)."""

from __future__ import annotations

from datetime import date

from kiosk.drive.fixtures import sample_identity
from kiosk.journeys.submit import form as F
from tests.core.test_submit import procedure

TODAY = date(2026, 12, 7)


def birth_form(**changes) -> dict[str, str]:
    values = {"child_full_name": "Nguyễn Gia Bảo", "child_date_of_birth": "2026-11-20", "child_sex": "Nam",
              "place_of_birth": "Bệnh viện Phụ sản Hà Nội", "requester_relation": "mẹ"}
    return {**values, **changes}


def check(values: dict[str, str], identity=None) -> dict[str, str]:
    p = procedure("1.001193")
    return dict(F.problems(p, F.form_fields(p), values, identity, today=TODAY))


def test_a_birth_date_in_the_future_is_refused():
    assert check(birth_form(child_date_of_birth="2030-01-15")) == {"child_date_of_birth": "form.date_in_future"}
    assert check(birth_form(child_date_of_birth="2026-12-08")) == {"child_date_of_birth": "form.date_in_future"}
    assert check(birth_form(child_date_of_birth="2026-12-07")) == {}  # born today
    assert check(birth_form()) == {}


def test_a_child_is_not_born_before_the_parent_registering_it():
    parent = sample_identity()  # born 17/05/1989
    assert check(birth_form(child_date_of_birth="1989-05-17"), parent) == {
        "child_date_of_birth": "form.date_before_applicant"}
    assert check(birth_form(child_date_of_birth="1970-01-01"), parent) == {
        "child_date_of_birth": "form.date_before_applicant"}
    assert check(birth_form(), parent) == {}


def test_choices_have_english_labels_and_keep_their_values():
    fields = {f.name: f for f in F.form_fields(procedure("1.001193"))}
    assert fields["child_sex"].labelled_choices("en") == [("Nam", "Male"), ("Nữ", "Female")]
    assert fields["child_sex"].labelled_choices("vi") == [("Nam", "Nam"), ("Nữ", "Nữ")]
    relation = dict(fields["requester_relation"].labelled_choices("en"))
    assert relation == {"cha": "father", "mẹ": "mother", "ông": "grandfather", "bà": "grandmother",
                        "người thân khác": "another relative"}
    # every choice of every procedure in the catalog has its English
    from kiosk.gateway.demo.store import load_json

    for p in load_json("procedures.json")["procedures"]:
        for f in F.form_fields(procedure(p["code"])):
            if f.kind == "choice" and f.json_type != "boolean":
                assert len(f.choices_en) == len(f.choices), (p["code"], f.name)


def test_only_peoples_names_get_name_case_and_only_past_events_are_bounded():
    fields = {f.name: f for f in F.form_fields(procedure("1.001193"))}
    assert fields["child_full_name"].kind == "name"
    assert fields["place_of_birth"].kind == "text"  # "Bệnh viện", not "Bệnh Viện"
    assert fields["child_date_of_birth"].kind == "date" and fields["child_date_of_birth"].past_only
