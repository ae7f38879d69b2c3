"""The missing app's chronology and work-list sources (see wrekin/core/timeline.py for the contract).

Each source applies the access policy itself, with the same rules as the missing pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from wrekin.access.missing import can_see_pattern_alerts, episodes_visible_to, holds_return_interviews
from wrekin.core.timeline import ChronologyEntry, WorkItem
from wrekin.missing.actions import when
from wrekin.missing.models import InterviewOutcome, ReturnInterview
from wrekin.missing.queries import interviews_due, missing_now, open_pattern_alerts
from wrekin.missing.rules import ClockState, format_duration

INTERVIEWS_DUE = "Return interviews due"
MISSING_NOW = "Children missing now"
PATTERN_ALERTS = "Missing-pattern alerts"


def _episode_url(episode_id: int) -> str:
    return reverse("missing:episode_detail", kwargs={"pk": episode_id})


def missing_chronology(person, user) -> Iterable[ChronologyEntry]:
    episodes = (episodes_visible_to(user).filter(child_id=person.pk)
                .select_related("recorded_by_agency", "return_recorded_by_agency")
                .prefetch_related("interviews__offered_by_agency", "interviews__recorded_by_agency"))
    for episode in episodes:
        url = _episode_url(episode.pk)
        facts = [f"Last seen: {episode.last_seen_where}."]
        if episode.police_risk_grade:
            facts.append(f"Police risk: {episode.get_police_risk_grade_display().lower()}.")
        if episode.missing_from_care_placement:
            facts.append("Missing from a care placement.")
        yield ChronologyEntry(
            occurred_at=episode.reported_at, event_type="missing_episode", title="Reported missing",
            agency_name=episode.recorded_by_agency.name, summary=" ".join(facts), url=url,
            source=f"missing.missingepisode:{episode.pk}",
        )
        if episode.returned_at:
            facts = [f"Missing for {format_duration(episode.returned_at - episode.reported_at) or 'under a minute'}."]
            if episode.found_where:
                facts.append(f"Found: {episode.found_where}.")
            agency = episode.return_recorded_by_agency or episode.recorded_by_agency
            yield ChronologyEntry(
                occurred_at=episode.returned_at, event_type="missing_return", title="Returned from missing",
                agency_name=agency.name, summary=" ".join(facts), url=url,
                source=f"missing.missingepisode:{episode.pk}:return",
            )
        for interview in episode.interviews.all():
            yield _interview_entry(interview, url)


def _interview_entry(interview: ReturnInterview, url: str) -> ChronologyEntry:
    occurred_at = interview.completed_at or interview.offered_at or interview.recorded_at
    agency = interview.offered_by_agency or interview.recorded_by_agency
    facts = []
    if interview.offered_at:
        facts.append(f"Offered {when(interview.offered_at)}.")
    if interview.outcome == InterviewOutcome.COMPLETED and interview.summary:
        facts.append(Truncator(interview.summary).chars(240))
    elif interview.not_held_reason:
        facts.append(Truncator(interview.not_held_reason).chars(240))
    return ChronologyEntry(
        occurred_at=occurred_at, event_type="return_interview",
        title=f"Return home interview: {interview.get_outcome_display().lower()}",
        agency_name=agency.name, summary=" ".join(facts), url=url,
        source=f"missing.returninterview:{interview.pk}",
    )


def interviews_due_worklist(user) -> Iterable[WorkItem]:
    if not holds_return_interviews(user):
        return []
    now = timezone.now()
    items = []
    for item in interviews_due(user, now=now):
        overdue = item.clock.state == ClockState.OVERDUE
        items.append(WorkItem(
            heading=INTERVIEWS_DUE, title=f"{item.episode.child.full_name}: return home interview",
            url=_episode_url(item.episode.pk), due=item.clock.due_at, overdue=overdue,
            detail=item.clock.explanation, tags=("Overdue",) if overdue else (),
        ))
    return items


def missing_now_worklist(user) -> Iterable[WorkItem]:
    items = []
    for episode in missing_now(user):
        grade = episode.get_police_risk_grade_display() if episode.police_risk_grade else "Not yet graded"
        items.append(WorkItem(
            heading=MISSING_NOW, title=episode.child.full_name, url=_episode_url(episode.pk),
            detail=f"Missing since {when(episode.reported_at)}; police risk: {grade.lower()}",
            tags=(f"Police risk: {grade.lower()}",),
        ))
    return items


def pattern_alerts_worklist(user) -> Iterable[WorkItem]:
    if not can_see_pattern_alerts(user):
        return []
    return [
        WorkItem(
            heading=PATTERN_ALERTS,
            title=f"{alert.child.full_name}: {alert.episode_count} missing episodes",
            url=reverse("missing:alert_detail", kwargs={"pk": alert.pk}),
            detail=f"{alert.rule_description}. Decide whether a strategy discussion is needed.",
        )
        for alert in open_pattern_alerts(user)
    ]
