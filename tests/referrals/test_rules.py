"""The rules, as plain functions: consent reasons, the advisory score, override rules, review dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from wrekin.people.models import Person
from wrekin.referrals.instrument_files import validate_definition
from wrekin.referrals.mentions import normalise_mention
from wrekin.referrals.models import ScreeningInstrument
from wrekin.referrals.rules import (
    Answer,
    add_months,
    advisory_score,
    answer_problems,
    answers_by_code,
    consent_reason_required,
    default_review_date,
    override_problem,
    override_rules_applying,
)


def _instrument(**changes) -> ScreeningInstrument:
    definition = {
        "code": "test-tool", "version": 1, "title": "Test tool",
        "grades": [{"code": "no_risk", "label": "No risk identified"}, {"code": "low", "label": "Low"},
                   {"code": "medium", "label": "Medium"}, {"code": "high", "label": "High"}],
        "override_floor": "medium",
        "indicators": [
            {"code": "missing", "text": "Goes missing", "category": "risk_indicator", "type": "both", "weight": 3},
            {"code": "gifts", "text": "Unexplained gifts", "category": "risk_indicator", "type": "both", "weight": 2},
            {"code": "school", "text": "Not in school", "category": "vulnerability", "type": "both", "weight": 1},
            {"code": "told", "text": "Has told someone", "category": "evidence_of_harm", "type": "both",
             "weight": 5, "disclosure": True},
        ],
    }
    definition.update(changes)
    definition = validate_definition(definition)
    return ScreeningInstrument(code="test-tool", version=1, title="Test tool", definition=definition, sha256="x")


def _answers(**given) -> dict[str, Answer]:
    base = {code: Answer(code, "not_present") for code in ("missing", "gifts", "school", "told")}
    for code, (answer, window) in given.items():
        base[code] = Answer(code, answer, window=window, basis="evidence")
    return base


def _child(dob=None, **extra) -> Person:
    return Person(given_name="Test", family_name="Child", date_of_birth=dob, **extra)


# --- Consent ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status, required", [("given", False), ("refused", True), ("not_sought", True)])
def test_sharing_without_consent_needs_a_reason(status, required):
    assert consent_reason_required(status) is required


# --- Advisory score ---------------------------------------------------------------------------

def test_the_score_is_weight_times_answer_times_window_and_shows_its_parts():
    instrument = _instrument()
    score = advisory_score(instrument, _answers(missing=("present", "last_3_months"),
                                                gifts=("possible", "last_6_months"),
                                                school=("present", "historic")))
    # missing 3 x 1 x 1 = 3; gifts 2 x 0.5 x 0.75 = 0.75; school 1 x 1 x 0.5 = 0.5
    assert score.total == Decimal("4.25")
    assert [(p.indicator["code"], p.points) for p in score.parts] == [
        ("missing", Decimal("3.00")), ("gifts", Decimal("0.75")), ("school", Decimal("0.50"))]
    gifts = score.parts[1]
    assert (gifts.weight, gifts.answer_factor, gifts.window_factor) == (Decimal(2), Decimal("0.5"), Decimal("0.75"))
    assert score.maximum == Decimal("11.00")
    assert [p.indicator["code"] for p in score.parts_in_category("vulnerability")] == ["school"]


def test_not_present_and_not_known_score_nothing():
    score = advisory_score(_instrument(), _answers(missing=("not_known", "")))
    assert score.total == 0 and score.parts == []


def test_weights_come_from_the_instrument():
    instrument = _instrument(scoring={"answers": {"possible": 0.25}, "windows": {"historic": 0}})
    score = advisory_score(instrument, _answers(gifts=("possible", "last_3_months"), missing=("present", "historic")))
    assert score.total == Decimal("0.50")  # gifts 2 x 0.25; missing historic counts 0
    assert [p.indicator["code"] for p in score.parts] == ["gifts"]


# --- Answers ----------------------------------------------------------------------------------

def test_every_indicator_needs_an_answer_and_positives_need_when_and_basis():
    instrument = _instrument()
    answers = _answers()
    del answers["school"]
    answers["missing"] = Answer("missing", "present", window="", basis="evidence")
    answers["gifts"] = Answer("gifts", "possible", window="historic", basis="")
    answers["unknown"] = Answer("unknown", "present")
    problems = answer_problems(instrument, answers)
    assert problems["school"] == "Answer “Not in school”"
    assert problems["missing"] == "Say when “Goes missing” was seen"
    assert "evidence or professional concern" in problems["gifts"]
    assert "unknown" in problems[""]
    assert "told" not in problems


def test_answers_are_accepted_as_plain_dicts_from_the_api():
    answers = answers_by_code({"missing": {"answer": "present", "window": "last_3_months", "basis": "evidence",
                                           "source_agency_id": "7"}})
    assert answers["missing"] == Answer("missing", "present", "last_3_months", 7, "evidence", "")
    listed = answers_by_code([{"indicator": "gifts", "answer": "possible"}])
    assert listed["gifts"].answer == "possible"


# --- Override rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("screened_on, applies", [
    (date(2026, 5, 31), True),   # the day before the 13th birthday: 12
    (date(2026, 6, 1), False),   # the 13th birthday
])
def test_under_13_on_the_screening_date(screened_on, applies):
    child = _child(date(2013, 6, 1))
    rules = override_rules_applying(_instrument(), child=child, screened_on=screened_on, learning_disability=False,
                                    answers=_answers())
    assert (rules == ["under_13"]) is applies


def test_under_13_from_an_approximate_age():
    child = _child(approximate_age=12, approximate_age_recorded_on=date(2026, 1, 5))
    assert override_rules_applying(_instrument(), child=child, screened_on=date(2026, 5, 11),
                                   learning_disability=False, answers=_answers()) == ["under_13"]


def test_an_unknown_age_does_not_trigger_the_under_13_rule():
    assert override_rules_applying(_instrument(), child=_child(), screened_on=date(2026, 5, 11),
                                   learning_disability=False, answers=_answers()) == []


def test_learning_disability_rule():
    assert override_rules_applying(_instrument(), child=_child(date(2009, 1, 1)), screened_on=date(2026, 5, 11),
                                   learning_disability=True, answers=_answers()) == ["learning_disability"]


@pytest.mark.parametrize("answer, applies", [("present", True), ("possible", False), ("not_known", False)])
def test_disclosure_rule_applies_only_to_a_present_disclosure(answer, applies):
    rules = override_rules_applying(_instrument(), child=_child(date(2009, 1, 1)), screened_on=date(2026, 5, 11),
                                    learning_disability=False, answers=_answers(told=(answer, "last_3_months")))
    assert (rules == ["disclosure"]) is applies


@pytest.mark.parametrize("grade", ["no_risk", "low"])
def test_grades_below_the_floor_are_refused_when_a_rule_applies(grade):
    problem = override_problem(_instrument(), grade, ["under_13", "disclosure"])
    assert problem == ("The child was under 13 on the screening date and has made a disclosure, so the grade "
                       "cannot be “No risk identified” or “Low”: choose “Medium” or “High”")


@pytest.mark.parametrize("grade", ["medium", "high"])
def test_grades_at_or_above_the_floor_are_allowed(grade):
    assert override_problem(_instrument(), grade, ["learning_disability"]) == ""


def test_low_is_allowed_when_no_rule_applies():
    assert override_problem(_instrument(), "low", []) == ""


# --- Review dates -----------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 5, 11), 3, date(2026, 8, 11)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_the_review_date_follows_the_instrument():
    assert default_review_date(_instrument(review_months=6), date(2026, 5, 11)) == date(2026, 11, 11)


# --- Mentions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, value, normalised", [
    ("vehicle", " ab12 cde ", "AB12CDE"),
    ("phone", "07700 900123", "+447700900123"),
    ("phone", "+44 (0)7700 900 123", "+447700900123"),
    ("phone", "ends 123", ""),
    ("online", "@Dark_Angel 99", "dark_angel99"),
    ("place", "  Chicken   Palace, High St ", "chicken palace, high st"),
])
def test_mentions_have_a_simple_normalised_form(kind, value, normalised):
    assert normalise_mention(kind, value) == normalised
