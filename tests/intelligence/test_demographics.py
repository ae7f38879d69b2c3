"""The six demographic questions: "not known" is an answer, blank is not."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tests.conftest import make_person
from wrekin.intelligence.demographics import completeness, missing_demographics
from wrekin.intelligence.forms import DemographicsForm
from wrekin.people.models import Person, PersonKind


def _poc(agencies, given, **fields):
    return make_person(agencies["police"], given=given, family="Test", kind=PersonKind.PERSON_OF_CONCERN, **fields)


ALL_NOT_KNOWN = {"ethnicity": "REFU", "ethnicity_observed": "NOBT", "nationality": "Not known", "sex": "U",
                 "disability": "not_known", "approximate_age": 30, "approximate_age_recorded_on": date(2026, 1, 1)}


def test_blank_is_missing_and_not_known_is_answered(agencies):
    blank = _poc(agencies, "Blank")
    assert missing_demographics(blank) == ["Ethnicity (self-defined)", "Ethnicity (observed)", "Nationality",
                                           "Sex", "Age or date of birth", "Disability"]
    assert missing_demographics(_poc(agencies, "Unknowns", **ALL_NOT_KNOWN)) == []


def test_completeness_counts_answers_not_knowns_and_never_asked(agencies, people):
    _poc(agencies, "Unknowns", **ALL_NOT_KNOWN)
    _poc(agencies, "Known", ethnicity="WBRI", ethnicity_observed="WBRI", nationality="British", sex="M",
         disability="no", dob=date(1990, 5, 1))
    # people["poc"] has sex M and an approximate age only.
    rows, complete, total = completeness(Person.objects.filter(kind=PersonKind.PERSON_OF_CONCERN,
                                                               partnership=people["poc"].partnership))
    assert (complete, total) == (2, 3)
    table = {row.label: (row.answered, row.not_known, row.never_asked, row.percent_answered) for row in rows}
    assert table == {
        "Ethnicity (self-defined)": (2, 1, 1, 67),
        "Ethnicity (observed)": (2, 1, 1, 67),
        "Nationality": (2, 1, 1, 67),
        "Sex": (3, 1, 0, 100),
        "Age or date of birth": (3, 0, 0, 100),
        "Disability": (2, 1, 1, 67),
    }


def test_completeness_of_nobody_is_zero_not_an_error():
    rows, complete, total = completeness(Person.objects.none())
    assert (complete, total) == (0, 0) and all(row.percent_answered == 0 for row in rows)


def _form(**data):
    base = {"sex": "M", "approximate_age": "35", "ethnicity": "APKN", "ethnicity_observed": "APKN",
            "nationality": "British", "disability": "no"}
    return DemographicsForm({**base, **data})


def test_the_form_needs_every_answer():
    form = DemographicsForm({})
    assert not form.is_valid()
    assert set(form.errors) == {"sex", "date_of_birth", "ethnicity", "ethnicity_observed", "nationality",
                                "disability"}
    assert form.errors["date_of_birth"] == ["Enter a date of birth or an approximate age"]
    assert form.errors["nationality"] == ["Enter the nationality, or tick Nationality not known"]


def test_nationality_not_known_is_an_answer():
    form = _form(nationality="", nationality_not_known="on")
    assert form.is_valid(), form.errors
    assert form.person_details()["nationality"] == "Not known"
    typed = _form(nationality="not known")
    assert typed.is_valid() and typed.person_details()["nationality"] == "Not known"
    both = _form(nationality="Albanian", nationality_not_known="on")
    assert both.errors["nationality"] == ["Enter the nationality or tick Nationality not known, not both"]


def test_date_of_birth_replaces_an_approximate_age():
    form = _form(date_of_birth="01/05/1990", approximate_age="")
    assert form.is_valid(), form.errors
    assert form.person_details()["approximate_age"] is None
    both = _form(date_of_birth="01/05/1990")
    assert "approximate_age" in both.errors


def test_refused_is_offered_for_self_defined_ethnicity_only():
    form = DemographicsForm()
    assert "REFU" in dict(form.fields["ethnicity"].choices)
    assert "REFU" not in dict(form.fields["ethnicity_observed"].choices)
    assert "NOBT" in dict(form.fields["ethnicity_observed"].choices)


def test_initial_values_keep_not_known_and_age_the_estimate(agencies):
    person = _poc(agencies, "Unknowns", **ALL_NOT_KNOWN)
    initial = DemographicsForm.initial_for(person)
    assert initial["nationality_not_known"] is True and initial["nationality"] == ""
    assert initial["approximate_age"] == person.age_on(timezone.localdate())
    assert initial["sex"] == "U" and initial["disability"] == "not_known"
