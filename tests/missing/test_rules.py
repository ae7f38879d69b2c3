"""The return home interview clock and the missing-pattern rule, as pure functions."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.missing.conftest import LONDON, at
from wrekin.missing import rules
from wrekin.missing.rules import ClockState, PatternRule, interview_clock, triggering_window

RETURNED = at(2026, 5, 11, 14, 0)  # Monday 11 May 2026, 14:00 BST; no clock change near it


def _clock(**kwargs):
    return interview_clock(returned_at=RETURNED, hours=72, **kwargs)


# --- The clock ------------------------------------------------------------------------------------

def test_due_72_hours_after_the_return():
    assert rules.interview_due_at(RETURNED, hours=72) == at(2026, 5, 14, 14, 0)


def test_before_the_deadline_the_clock_runs_and_says_how_long_is_left():
    clock = _clock(offered_at=None, now=at(2026, 5, 13, 10, 30))
    assert clock.state == ClockState.RUNNING and clock.is_open
    assert clock.delta == timedelta(days=1, hours=3, minutes=30)
    assert clock.explanation == "1 day 3 hours left to offer a return home interview."
    assert clock.tag_label == "Interview due"


def test_at_exactly_72_hours_it_is_due_now_not_overdue():
    clock = _clock(offered_at=None, now=at(2026, 5, 14, 14, 0))
    assert clock.state == ClockState.RUNNING
    assert clock.explanation == "Due now."


def test_a_minute_after_72_hours_it_is_overdue():
    clock = _clock(offered_at=None, now=at(2026, 5, 14, 14, 1))
    assert clock.state == ClockState.OVERDUE and clock.is_open
    assert clock.explanation == "No interview offered: overdue by 1 minute."
    assert clock.tag_colour == "red"


def test_an_offer_at_exactly_72_hours_meets_the_deadline():
    clock = _clock(offered_at=at(2026, 5, 14, 14, 0), now=at(2026, 6, 1))
    assert clock.state == ClockState.MET and not clock.is_open


def test_an_offer_after_72_hours_misses_it_and_says_by_how_much():
    clock = _clock(offered_at=at(2026, 5, 15, 9, 0), now=at(2026, 6, 1))
    assert clock.state == ClockState.MISSED
    assert clock.delta == timedelta(hours=19)
    assert "19 hours after the 72-hour deadline" in clock.explanation


def test_an_offer_well_before_the_deadline_is_met_whatever_the_time_now():
    assert _clock(offered_at=at(2026, 5, 11, 16, 0), now=at(2026, 9, 1)).state == ClockState.MET


def test_a_decision_not_to_offer_is_missed():
    clock = _clock(offered_at=None, not_offered=True, now=at(2026, 5, 12))
    assert clock.state == ClockState.MISSED and clock.not_offered
    assert clock.explanation == "A decision was recorded not to offer an interview."


def test_no_return_no_clock():
    clock = interview_clock(returned_at=None, offered_at=None, hours=72, now=at(2026, 5, 12))
    assert clock.state == ClockState.AWAITING_RETURN and clock.due_at is None and not clock.is_open


def test_clocks_going_back_in_october_the_deadline_is_72_real_hours_later():
    # The clocks go back at 02:00 BST on Sunday 26 October 2025 (the last Sunday of October):
    # that Sunday has 25 hours, so 72 hours after 10:00 on Saturday is 09:00 on Tuesday, not 10:00.
    returned = at(2025, 10, 25, 10, 0)
    due = rules.interview_due_at(returned, hours=72)
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2025, 10, 28, 9, 0)
    assert due.utcoffset() == timedelta(0)  # GMT by then
    assert due.astimezone(UTC) - returned.astimezone(UTC) == timedelta(hours=72)
    assert interview_clock(returned_at=returned, offered_at=None, hours=72,
                           now=at(2025, 10, 28, 9, 30)).state == ClockState.OVERDUE
    # An offer at 09:30 on the Tuesday looks "within 72 hours" on the wall clock, but is not.
    late = interview_clock(returned_at=returned, offered_at=at(2025, 10, 28, 9, 30), hours=72)
    assert late.state == ClockState.MISSED and late.delta == timedelta(minutes=30)


def test_clocks_going_forward_in_march_the_deadline_is_72_real_hours_later():
    # The clocks go forward at 01:00 GMT on Sunday 29 March 2026 (the last Sunday of March):
    # that Sunday has 23 hours, so 72 hours after 10:00 on Saturday is 11:00 on Tuesday.
    returned = at(2026, 3, 28, 10, 0)
    due = rules.interview_due_at(returned, hours=72)
    assert (due.day, due.hour) == (31, 11) and due.utcoffset() == timedelta(hours=1)
    assert interview_clock(returned_at=returned, offered_at=at(2026, 3, 31, 10, 30),
                           hours=72).state == ClockState.MET
    running = interview_clock(returned_at=returned, offered_at=None, hours=72, now=at(2026, 3, 31, 10, 0))
    assert running.state == ClockState.RUNNING and running.delta == timedelta(hours=1)


def test_return_in_the_repeated_hour_in_october():
    # 01:30 happens twice on 26 October 2025; the second (GMT) is an hour after the first (BST).
    first = at(2025, 10, 26, 1, 30)
    second = first.replace(fold=1)
    assert rules.interview_due_at(second, hours=72) - rules.interview_due_at(first, hours=72) == timedelta(hours=1)


def test_due_at_is_shown_in_london_time_whatever_zone_it_came_in():
    due = rules.interview_due_at(RETURNED.astimezone(UTC), hours=72)
    assert due.tzinfo is not None and due.astimezone(LONDON).hour == 14 and due.hour == 14


def test_hours_come_from_the_environment(monkeypatch):
    assert rules.rhi_hours() == 72
    monkeypatch.setenv("WREKIN_RHI_HOURS", "48")
    assert rules.rhi_hours() == 48
    assert interview_clock(returned_at=RETURNED, offered_at=None,
                           now=at(2026, 5, 13, 15)).state == ClockState.OVERDUE
    monkeypatch.setenv("WREKIN_RHI_HOURS", "three days")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        rules.rhi_hours()
    monkeypatch.setenv("WREKIN_RHI_HOURS", "0")
    with pytest.raises(ImproperlyConfigured, match="between 1 and 672"):
        rules.rhi_hours()


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(0), ""),
    (timedelta(seconds=59), ""),
    (timedelta(minutes=1), "1 minute"),
    (timedelta(hours=2, minutes=5), "2 hours 5 minutes"),
    (timedelta(days=1), "1 day"),
    (timedelta(days=3, hours=1, minutes=40), "3 days 1 hour"),
])
def test_format_duration(delta, text):
    assert rules.format_duration(delta) == text


# --- The pattern rule -----------------------------------------------------------------------------

RULE = PatternRule(3, 30)


def test_two_episodes_in_30_days_do_not_trigger():
    times = [at(2026, 1, 1, 20), at(2026, 1, 10, 20)]
    assert triggering_window(times, times[-1], RULE) is None


def test_three_episodes_in_30_days_trigger_and_name_the_episodes():
    times = [at(2026, 1, 1, 20), at(2026, 1, 10, 20), at(2026, 1, 20, 20)]
    window = triggering_window(times, times[-1], RULE)
    assert window == [t.astimezone(UTC) for t in times]


def test_the_30th_day_counts():
    times = [at(2026, 1, 1, 20), at(2026, 1, 15, 20), at(2026, 1, 31, 20)]  # exactly 30 days apart
    assert triggering_window(times, times[-1], RULE) is not None
    later = [*times[:2], at(2026, 1, 31, 20, 1)]
    assert triggering_window(later, later[-1], RULE) is None


def test_three_episodes_spread_over_40_days_do_not_trigger():
    times = [at(2026, 1, 1, 20), at(2026, 1, 21, 20), at(2026, 2, 10, 20)]
    assert triggering_window(times, times[-1], RULE) is None


def test_an_earlier_episode_recorded_late_completes_a_window():
    times = [at(2026, 1, 1, 20), at(2026, 1, 20, 20), at(2026, 1, 10, 20)]
    assert len(triggering_window(times, times[-1], RULE)) == 3


def test_the_rule_is_configurable(monkeypatch):
    assert rules.missing_trigger() == PatternRule(3, 30)
    monkeypatch.setenv("WREKIN_MISSING_TRIGGER", "2/7")
    rule = rules.missing_trigger()
    assert rule == PatternRule(2, 7) and str(rule) == "2/7"
    assert rule.describe() == "2 or more missing episodes within 7 days"
    times = [at(2026, 1, 1, 20), at(2026, 1, 6, 20)]
    assert triggering_window(times, times[-1], rule) is not None
    assert triggering_window(times, times[-1], RULE) is None


@pytest.mark.parametrize("raw", ["three in thirty", "3", "3/30/1", "1/30", "3/0", "a/b"])
def test_a_bad_rule_is_refused_with_its_setting_named(monkeypatch, raw):
    monkeypatch.setenv("WREKIN_MISSING_TRIGGER", raw)
    with pytest.raises(ImproperlyConfigured, match="WREKIN_MISSING_TRIGGER"):
        rules.missing_trigger()


def test_system_check_reports_bad_settings(monkeypatch):
    from wrekin.missing.checks import check_missing_rules

    assert check_missing_rules(None) == []
    monkeypatch.setenv("WREKIN_RHI_HOURS", "x")
    monkeypatch.setenv("WREKIN_MISSING_TRIGGER", "x")
    assert [error.id for error in check_missing_rules(None)] == ["missing.E001", "missing.E002"]
