"""The English working-day calendar against the published England and Wales bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrekin.core.calendar import (
    EXTRA_HOLIDAYS_ENV,
    add_working_days,
    bank_holidays,
    easter_sunday,
    is_working_day,
    working_days_between,
)

# As published at gov.uk/bank-holidays for England and Wales.
PUBLISHED = {
    2020: ["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25",
           "2020-12-28"],
    2022: ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29",
           "2022-09-19", "2022-12-26", "2022-12-27"],
    2023: ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28",
           "2023-12-25", "2023-12-26"],
    2024: ["2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25",
           "2024-12-26"],
    2025: ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25",
           "2025-12-26"],
    2026: ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25",
           "2026-12-28"],
    2027: ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27",
           "2027-12-28"],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_match_the_published_list(year):
    assert sorted(bank_holidays(year)) == [date.fromisoformat(d) for d in PUBLISHED[year]]


def test_substitute_days_are_named():
    holidays = bank_holidays(2027)
    assert holidays[date(2027, 12, 27)] == "Christmas Day (substitute day)"
    assert holidays[date(2027, 12, 28)] == "Boxing Day (substitute day)"
    assert bank_holidays(2023)[date(2023, 1, 2)] == "New Year’s Day (substitute day)"
    assert "coronation" in bank_holidays(2023)[date(2023, 5, 8)]
    # 2022: Christmas on a Sunday, so Boxing Day keeps the Monday and Christmas moves to Tuesday.
    assert bank_holidays(2022)[date(2022, 12, 27)] == "Christmas Day (substitute day)"


@pytest.mark.parametrize("year, easter", [
    (2000, date(2000, 4, 23)), (2008, date(2008, 3, 23)), (2011, date(2011, 4, 24)), (2019, date(2019, 4, 21)),
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22)),
])
def test_easter_dates(year, easter):
    assert easter_sunday(year) == easter


def test_working_days_skip_weekends_and_holidays():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 4))  # Saturday
    assert is_working_day(date(2026, 4, 7))
    # Thursday 2 April 2026 + 1 working day: over Good Friday, the weekend and Easter Monday.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    # Strategy discussion on Monday 2 March 2026: 5, 15 and 45 working days on.
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 2), 15) == date(2026, 3, 23)
    assert add_working_days(date(2026, 3, 2), 45) == date(2026, 5, 7)  # Easter and early May skipped
    # Over Christmas 2026: Friday 25, weekend, Monday 28 (Boxing Day substitute).
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 24), 0) == date(2026, 12, 24)
    assert add_working_days(date(2026, 12, 26), 0) == date(2026, 12, 29)


def test_working_days_between_counts_both_ways():
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == -5
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0  # Friday to Sunday
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


def test_local_closures_from_the_environment(monkeypatch):
    assert add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)
    monkeypatch.setenv(EXTRA_HOLIDAYS_ENV, "2026-03-03, 2026-03-04")
    assert not is_working_day(date(2026, 3, 3))
    assert add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 5)
    monkeypatch.setenv(EXTRA_HOLIDAYS_ENV, "2026-03-03,not-a-date")
    with pytest.raises(ValueError, match="not-a-date"):
        is_working_day(date(2026, 3, 3))


starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=300))
def test_the_result_is_a_working_day_and_grows_with_n(start, n):
    result = add_working_days(start, n)
    assert is_working_day(result)
    assert result >= start
    following = add_working_days(start, n + 1)
    assert is_working_day(following)
    if n == 0 and not is_working_day(start):
        # Day 0 from a weekend or holiday is the next working day, which is also day 1.
        assert following == result
    else:
        assert following > result
        # Exactly one more working day lies between them: none is skipped.
        assert working_days_between(result, following) == 1
    if n > 0:
        assert working_days_between(start, result) == n


@settings(max_examples=100, deadline=None)
@given(year=st.integers(min_value=1990, max_value=2200))
def test_every_year_has_its_regular_holidays_on_weekdays(year):
    holidays = bank_holidays(year)
    assert all(day.weekday() < 5 for day in holidays)
    assert all(day.year == year for day in holidays)
    assert len(holidays) >= 8
    easter = easter_sunday(year)
    assert easter.weekday() == 6 and date(year, 3, 22) <= easter <= date(year, 4, 25)
    assert easter - timedelta(days=2) in holidays and easter + timedelta(days=1) in holidays
