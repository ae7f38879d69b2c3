"""Strategy discussion clocks: due dates in working days, and how a clock stands on a given day."""

from __future__ import annotations

from datetime import date

import pytest

from wrekin.casework.clocks import clock_status, due_dates
from wrekin.casework.models import ClockKind, StrategyDecision

HELD = date(2026, 3, 2)  # a Monday


def test_section_47_sets_three_clocks():
    assert due_dates(HELD, StrategyDecision.SECTION_47) == {
        ClockKind.FOLLOW_UP_MEETING: date(2026, 3, 9),
        ClockKind.INITIAL_CONFERENCE: date(2026, 3, 23),
        ClockKind.ASSESSMENT: date(2026, 5, 7),
    }


def test_no_section_47_sets_no_conference_clock():
    assert set(due_dates(HELD, StrategyDecision.NO_SECTION_47)) == {ClockKind.FOLLOW_UP_MEETING,
                                                                    ClockKind.ASSESSMENT}


def test_clocks_count_over_bank_holidays():
    # Held on Maundy Thursday 2026: Good Friday and Easter Monday do not count.
    assert due_dates(date(2026, 4, 2), StrategyDecision.SECTION_47)[ClockKind.FOLLOW_UP_MEETING] == date(2026, 4, 13)


DUE = date(2026, 3, 9)  # a Monday


@pytest.mark.parametrize("today, state, days, text", [
    (date(2026, 3, 2), "running", 5, "5 working days left"),
    (date(2026, 3, 6), "running", 1, "1 working day left"),
    (date(2026, 3, 9), "due_today", 0, "Due today"),
    (date(2026, 3, 10), "overdue", 1, "Overdue by 1 working day"),
    (date(2026, 3, 16), "overdue", 5, "Overdue by 5 working days"),
])
def test_an_open_clock_counts_down_then_goes_overdue(today, state, days, text):
    status = clock_status(kind=ClockKind.FOLLOW_UP_MEETING, due_on=DUE, met_on=None, today=today)
    assert (status.state, status.working_days, status.description) == (state, days, text)
    assert status.is_late == (state == "overdue")


def test_overdue_over_a_weekend_says_when_it_was_due():
    status = clock_status(kind=ClockKind.FOLLOW_UP_MEETING, due_on=date(2026, 3, 6), met_on=None,
                          today=date(2026, 3, 7))
    assert status.state == "overdue" and status.description == "Overdue: was due 6 March 2026"


def test_met_on_or_before_the_due_day_is_met_whatever_today_is():
    status = clock_status(kind=ClockKind.INITIAL_CONFERENCE, due_on=DUE, met_on=date(2026, 3, 9),
                          today=date(2026, 6, 1))
    assert status.state == "met" and not status.is_late
    assert status.description == "Met: conference held on 9 March 2026"
    assert status.tag_text == "Met"


def test_met_after_the_due_day_is_missed_with_the_date_and_lateness():
    status = clock_status(kind=ClockKind.ASSESSMENT, due_on=DUE, met_on=date(2026, 3, 11), today=date(2026, 3, 11))
    assert status.state == "missed" and status.working_days == 2
    assert status.description == "Missed: assessment completed on 11 March 2026, 2 working days late"
    assert status.tag_class == "govuk-tag--red"
