"""Strategy discussion clocks: which deadlines a decision sets, and how each stands on a given day.

Local procedures (see docs/guide/casework.md): from the day of the strategy discussion,
a follow-up strategy meeting within 5 working days and the assessment within 45 working
days; when the decision is a section 47 enquiry, an initial child protection conference
within 15 working days as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wrekin.casework.models import ClockKind, StrategyDecision
from wrekin.core.calendar import add_working_days, working_days_between

CLOCK_WORKING_DAYS: dict[str, int] = {
    ClockKind.FOLLOW_UP_MEETING: 5,
    ClockKind.INITIAL_CONFERENCE: 15,
    ClockKind.ASSESSMENT: 45,
}

CLOCKS_FOR_DECISION: dict[str, tuple[str, ...]] = {
    StrategyDecision.SECTION_47: (ClockKind.FOLLOW_UP_MEETING, ClockKind.INITIAL_CONFERENCE,
                                  ClockKind.ASSESSMENT),
    StrategyDecision.NO_SECTION_47: (ClockKind.FOLLOW_UP_MEETING, ClockKind.ASSESSMENT),
}

# What "met" means for each clock, as the person marking it would say it.
MET_VERB = {
    ClockKind.FOLLOW_UP_MEETING: "Meeting held",
    ClockKind.INITIAL_CONFERENCE: "Conference held",
    ClockKind.ASSESSMENT: "Assessment completed",
}

# Clocks due within this many working days count as "due" on work lists.
DUE_SOON_WORKING_DAYS = 5


def due_dates(held_on: date, decision: str) -> dict[str, date]:
    return {kind: add_working_days(held_on, CLOCK_WORKING_DAYS[kind]) for kind in CLOCKS_FOR_DECISION[decision]}


@dataclass(frozen=True)
class ClockStatus:
    kind: str
    due_on: date
    met_on: date | None
    state: str  # "met", "missed", "running", "due_today", "overdue"
    working_days: int  # left while running; late by when overdue or missed; 0 otherwise

    @property
    def label(self) -> str:
        return ClockKind(self.kind).label

    @property
    def is_done(self) -> bool:
        return self.met_on is not None

    @property
    def is_late(self) -> bool:
        return self.state in {"missed", "overdue"}

    @property
    def description(self) -> str:
        n = self.working_days
        days = f"{n} working day{'s' if n != 1 else ''}"
        if self.state == "met":
            return f"Met: {MET_VERB[self.kind].lower()} on {self.met_on:%-d %B %Y}"
        if self.state == "missed":
            late = f"{days} late" if n else "after the due date"
            return f"Missed: {MET_VERB[self.kind].lower()} on {self.met_on:%-d %B %Y}, {late}"
        if self.state == "due_today":
            return "Due today"
        if self.state == "overdue":
            # Past a Friday deadline on the weekend: late, though no working day has been lost yet.
            return f"Overdue by {days}" if n else f"Overdue: was due {self.due_on:%-d %B %Y}"
        return f"{days} left"

    @property
    def tag_class(self) -> str:
        return {
            "met": "govuk-tag--green",
            "missed": "govuk-tag--red",
            "overdue": "govuk-tag--red",
            "due_today": "govuk-tag--orange",
            "running": "",
        }[self.state]

    @property
    def tag_text(self) -> str:
        return {"met": "Met", "missed": "Missed", "overdue": "Overdue", "due_today": "Due today",
                "running": "Running"}[self.state]


def clock_status(*, kind: str, due_on: date, met_on: date | None, today: date) -> ClockStatus:
    """How a clock stands on `today`. A clock met after its due day is missed, never met."""
    if met_on is not None:
        if met_on <= due_on:
            return ClockStatus(kind, due_on, met_on, "met", 0)
        return ClockStatus(kind, due_on, met_on, "missed", working_days_between(due_on, met_on))
    if today == due_on:
        return ClockStatus(kind, due_on, None, "due_today", 0)
    if today > due_on:
        return ClockStatus(kind, due_on, None, "overdue", working_days_between(due_on, today))
    return ClockStatus(kind, due_on, None, "running", working_days_between(today, due_on))


def status_of(clock, today: date) -> ClockStatus:
    return clock_status(kind=clock.kind, due_on=clock.due_on, met_on=clock.met_on, today=today)
