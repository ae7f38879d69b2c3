"""The local rules for missing episodes: the return home interview clock and the pattern trigger.

Both are setting-like: a partnership applies the statutory guidance its own way, so the numbers
come from the environment and are read when used (a test or an operator can change them without
a restart of anything but the process).

- WREKIN_RHI_HOURS (default 72): a return home interview must be *offered* within this many hours
  of the child's return (DfE, "Statutory guidance on children who run away or go missing from
  home or care", 2014, as applied locally).
- WREKIN_MISSING_TRIGGER (default "3/30"): this many episodes within this many days raise a
  missing-pattern alert for the coordinators and prompt a strategy discussion.

The clock counts elapsed hours, not wall-clock hours: 72 hours from 10:00 on the Saturday before
the clocks go back in October ends at 09:00 on the Tuesday, because that Sunday has 25 hours.
Aware datetimes in Europe/London add `timedelta`s on the wall clock, so the arithmetic is done in
UTC and only the result is shown in local time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

RHI_HOURS_DEFAULT = 72
MISSING_TRIGGER_DEFAULT = "3/30"


def rhi_hours() -> int:
    """Hours within which a return home interview must be offered (WREKIN_RHI_HOURS)."""
    raw = os.environ.get("WREKIN_RHI_HOURS", "").strip()
    if not raw:
        return RHI_HOURS_DEFAULT
    try:
        hours = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"WREKIN_RHI_HOURS must be a whole number of hours, not {raw!r}") from None
    if not 1 <= hours <= 24 * 28:
        raise ImproperlyConfigured("WREKIN_RHI_HOURS must be between 1 and 672 (four weeks)")
    return hours


@dataclass(frozen=True)
class PatternRule:
    """`count` episodes within `days` days raise a missing-pattern alert."""

    count: int
    days: int

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.days)

    def __str__(self) -> str:
        return f"{self.count}/{self.days}"

    def describe(self) -> str:
        return f"{self.count} or more missing episodes within {self.days} days"


def parse_pattern_rule(raw: str) -> PatternRule:
    try:
        count_text, days_text = raw.strip().split("/")
        rule = PatternRule(count=int(count_text), days=int(days_text))
    except ValueError:
        raise ImproperlyConfigured(
            f"WREKIN_MISSING_TRIGGER must look like 3/30 (episodes/days), not {raw!r}"
        ) from None
    if rule.count < 2 or rule.days < 1:
        raise ImproperlyConfigured("WREKIN_MISSING_TRIGGER needs at least 2 episodes and at least 1 day")
    return rule


def missing_trigger() -> PatternRule:
    """The configured pattern rule (WREKIN_MISSING_TRIGGER, default 3 episodes in 30 days)."""
    return parse_pattern_rule(os.environ.get("WREKIN_MISSING_TRIGGER", "").strip() or MISSING_TRIGGER_DEFAULT)


# --- The return home interview clock ------------------------------------------------------------


def interview_due_at(returned_at: datetime, *, hours: int | None = None) -> datetime:
    """When the interview must have been offered by: `hours` elapsed hours after the return."""
    hours = rhi_hours() if hours is None else hours
    due_utc = returned_at.astimezone(UTC) + timedelta(hours=hours)
    return timezone.localtime(due_utc)


class ClockState(StrEnum):
    AWAITING_RETURN = "awaiting_return"  # still missing: the clock has not started
    RUNNING = "running"  # returned, no offer yet, still inside the window
    OVERDUE = "overdue"  # returned, no offer yet, window passed
    MET = "met"  # offered within the window
    MISSED = "missed"  # offered late, or a decision not to offer


@dataclass(frozen=True)
class InterviewClock:
    state: ClockState
    hours: int
    returned_at: datetime | None = None
    due_at: datetime | None = None
    offered_at: datetime | None = None
    # RUNNING: time left; OVERDUE: time since due; MISSED (offered late): how late the offer was.
    delta: timedelta | None = None
    not_offered: bool = False

    @property
    def tag_label(self) -> str:
        return {
            ClockState.AWAITING_RETURN: "Still missing",
            ClockState.RUNNING: "Interview due",
            ClockState.OVERDUE: "Overdue",
            ClockState.MET: "Met",
            ClockState.MISSED: "Missed",
        }[self.state]

    @property
    def tag_colour(self) -> str:
        """A GOV.UK tag modifier: colour is never the only signal, the label says it too."""
        return {
            ClockState.AWAITING_RETURN: "grey",
            ClockState.RUNNING: "yellow",
            ClockState.OVERDUE: "red",
            ClockState.MET: "green",
            ClockState.MISSED: "orange",
        }[self.state]

    @property
    def explanation(self) -> str:
        if self.state == ClockState.AWAITING_RETURN:
            return f"The {self.hours}-hour clock starts when the child's return is recorded."
        if self.state == ClockState.RUNNING:
            left = format_duration(self.delta or timedelta(0))
            return f"{left} left to offer a return home interview." if left else "Due now."
        if self.state == ClockState.OVERDUE:
            return f"No interview offered: overdue by {format_duration(self.delta or timedelta(0))}."
        if self.state == ClockState.MET:
            return f"Interview offered within {self.hours} hours of the return."
        if self.not_offered:
            return "A decision was recorded not to offer an interview."
        return (f"Interview offered {format_duration(self.delta or timedelta(0))} after the "
                f"{self.hours}-hour deadline.")

    @property
    def is_open(self) -> bool:
        """Still waiting for an offer: what the interviews-due list shows."""
        return self.state in (ClockState.RUNNING, ClockState.OVERDUE)


def interview_clock(
    *,
    returned_at: datetime | None,
    offered_at: datetime | None,
    not_offered: bool = False,
    now: datetime | None = None,
    hours: int | None = None,
) -> InterviewClock:
    """The state of the interview clock at `now`.

    An offer made at exactly the deadline meets it ("within 72 hours" includes the 72nd hour);
    with no offer, the interview becomes overdue only once the deadline has passed.
    """
    hours = rhi_hours() if hours is None else hours
    if returned_at is None:
        return InterviewClock(ClockState.AWAITING_RETURN, hours)
    due_at = interview_due_at(returned_at, hours=hours)
    if offered_at is not None:
        if offered_at <= due_at:
            return InterviewClock(ClockState.MET, hours, returned_at, due_at, offered_at)
        return InterviewClock(ClockState.MISSED, hours, returned_at, due_at, offered_at, delta=offered_at - due_at)
    if not_offered:
        return InterviewClock(ClockState.MISSED, hours, returned_at, due_at, not_offered=True)
    now = now or timezone.now()
    if now <= due_at:
        return InterviewClock(ClockState.RUNNING, hours, returned_at, due_at, delta=due_at - now)
    return InterviewClock(ClockState.OVERDUE, hours, returned_at, due_at, delta=now - due_at)


def format_duration(delta: timedelta) -> str:
    """'2 days 5 hours', '3 hours 10 minutes', '7 minutes': two units at most, rounded down."""
    total_minutes = int(delta.total_seconds() // 60)
    if total_minutes <= 0:
        return ""
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if value:
            parts.append(f"{value} {unit}{'' if value == 1 else 's'}")
    return " ".join(parts[:2])


# --- The missing-pattern trigger ----------------------------------------------------------------


def triggering_window(
    reported_times: Iterable[datetime], new_time: datetime, rule: PatternRule
) -> list[datetime] | None:
    """The episodes that, with the new one, make `rule.count` within `rule.days` days — or None.

    `reported_times` are the child's episodes including the new one. Episodes may be recorded out
    of order (a past episode entered late), so every window that contains the new episode is
    tried: from each earlier-or-equal episode, the episodes up to `rule.days` later. The earliest
    window that reaches the count is returned, with every episode in it, so an alert can say
    which episodes made the pattern. "Within 30 days" includes the 30th day.
    """
    times: Sequence[datetime] = sorted(t.astimezone(UTC) for t in reported_times)
    new_utc = new_time.astimezone(UTC)
    for start in times:
        if start > new_utc:
            break
        end = start + rule.window
        if new_utc > end:
            continue
        inside = [t for t in times if start <= t <= end]
        if len(inside) >= rule.count:
            return inside
    return None
