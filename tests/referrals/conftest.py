"""Fixtures for referrals and screenings: the shipped instrument, and helpers that build answers.

The shipped instrument (wrekin-exploitation, version 1) is loaded into the test database by the
app's post_migrate handler, exactly as in a real deployment.
"""

from __future__ import annotations

from datetime import UTC, date

import pytest

from wrekin.referrals import actions
from wrekin.referrals.rules import Answer

# A fixed "today" for screenings: Kayleigh (born 4 March 2010) is 16, Daniel (4 March 2010) 16.
TODAY = date(2026, 5, 11)


@pytest.fixture
def instrument(db):
    return actions.current_instrument()


def all_answers(instrument, default: str = "not_present", **overrides) -> dict[str, Answer]:
    """One answer per indicator: `default` everywhere, and `code=answer` (or a full Answer) where given."""
    answers = {i["code"]: Answer(indicator=i["code"], answer=default) for i in instrument.indicators}
    for code, value in overrides.items():
        answers[code] = value if isinstance(value, Answer) else Answer(
            indicator=code, answer=value, window="last_3_months" if value in ("present", "possible") else "",
            basis="evidence" if value in ("present", "possible") else "")
    return answers


def screening_post(instrument, *, grade: str = "medium", rationale: str = "Repeated missing episodes and "
                   "a car seen twice.", default: str = "not_present", **answers) -> dict:
    """The form data a screener would submit: every indicator answered, then the judgement."""
    data = {"grade": grade, "rationale": rationale}
    for indicator in instrument.indicators:
        code = indicator["code"]
        value = answers.get(code, default)
        data[f"{code}-answer"] = value
        if value in ("present", "possible"):
            data[f"{code}-window"] = "last_3_months"
            data[f"{code}-basis"] = "evidence"
    return data


def referral_arguments(**overrides) -> dict:
    arguments = {
        "occurred_on": date(2026, 5, 1),
        "narrative": "Seen getting into a silver car outside school at 15:30; returned home after midnight.",
        "indicators": ["cars_unknown_adults", "missing_repeat"],
        "mentions": [{"kind": "vehicle", "value": "ab12 cde", "relationship": "child was picked up in",
                      "detail": "silver hatchback"}],
        "lawful_basis": "public_task",
        "consent_status": "given",
        "consent_reason": "",
        "today": TODAY,
    }
    arguments.update(overrides)
    return arguments


@pytest.fixture
def make_referral(personas, instrument):
    def _make(username: str, child, **overrides):
        return actions.record_referral(actor=personas[username], child=child, **referral_arguments(**overrides))

    return _make


@pytest.fixture
def make_screening(personas, instrument):
    def _make(username: str, child, *, grade: str = "medium", **kwargs):
        kwargs.setdefault("answers", all_answers(instrument, missing_repeat="present"))
        kwargs.setdefault("rationale", "Two missing episodes in a month and an older adult driving her.")
        kwargs.setdefault("today", TODAY)
        return actions.record_screening(actor=personas[username], child=child, grade=grade, **kwargs)

    return _make


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock at 10:00 on TODAY for pages, which take the date from timezone.now()."""
    from datetime import datetime

    moment = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return moment
