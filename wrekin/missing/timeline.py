"""The missing app's chronology and work-list sources (see wrekin/core/timeline.py for the contract).

Each source applies the access policy itself, with the same rules as the missing pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from wrekin.access.missing import can_see_missing, can_see_pattern_alerts, holds_return_interviews
from wrekin.access.policy import is_person_visible
from wrekin.core.timeline import ChronologyEntry, WorkItem
from wrekin.core.together import fetch_together
from wrekin.missing.actions import when
from wrekin.missing.models import InterviewOutcome, MissingEpisode, PoliceRiskGrade, ReturnInterview
from wrekin.missing.queries import interviews_due, missing_now, open_pattern_alerts
from wrekin.missing.rules import ClockState, format_duration

INTERVIEWS_DUE = "Return interviews due"
MISSING_NOW = "Children missing now"
PATTERN_ALERTS = "Missing-pattern alerts"


def _episode_url(episode_id: int) -> str:
    return reverse("missing:episode_detail", kwargs={"pk": episode_id})


def missing_chronology(person, user) -> Iterable[ChronologyEntry]:
    # An episode (and its interviews) is visible exactly when its child is (wrekin.access.missing):
    # one check of the child, remembered for the request, stands for every row.
    if not can_see_missing(user) or not is_person_visible(user, person.pk):
        return []
    # Episodes and their interviews in one query: the chronology page has a query budget.
    rows = fetch_together({
        "episode": (MissingEpisode.objects.filter(child_id=person.pk), [
            "pk", "reported_at", "last_seen_where", "police_risk_grade", "missing_from_care_placement",
            "returned_at", "found_where", "recorded_by_agency__name", "return_recorded_by_agency__name"]),
        "interview": (ReturnInterview.objects.filter(episode__child_id=person.pk), [
            "pk", "episode_id", "outcome", "offered_at", "completed_at", "recorded_at", "summary",
            "not_held_reason", "offered_by_agency__name", "recorded_by_agency__name"]),
    })
    grades = dict(PoliceRiskGrade.choices)
    entries = []
    for episode in rows["episode"]:
        url = _episode_url(episode["pk"])
        facts = [f"Last seen: {episode['last_seen_where']}."]
        if grade := episode["police_risk_grade"]:
            facts.append(f"Police risk: {grades.get(grade, grade).lower()}.")
        if episode["missing_from_care_placement"]:
            facts.append("Missing from a care placement.")
        entries.append(ChronologyEntry(
            occurred_at=episode["reported_at"], event_type="missing_episode", title="Reported missing",
            agency_name=episode["recorded_by_agency__name"], summary=" ".join(facts), url=url,
            source=f"missing.missingepisode:{episode['pk']}",
        ))
        if episode["returned_at"]:
            duration = format_duration(episode["returned_at"] - episode["reported_at"]) or "under a minute"
            facts = [f"Missing for {duration}."]
            if episode["found_where"]:
                facts.append(f"Found: {episode['found_where']}.")
            agency = episode["return_recorded_by_agency__name"] or episode["recorded_by_agency__name"]
            entries.append(ChronologyEntry(
                occurred_at=episode["returned_at"], event_type="missing_return", title="Returned from missing",
                agency_name=agency, summary=" ".join(facts), url=url,
                source=f"missing.missingepisode:{episode['pk']}:return",
            ))
    entries.extend(_interview_entry(interview) for interview in rows["interview"])
    return entries


def _interview_entry(interview: dict) -> ChronologyEntry:
    occurred_at = interview["completed_at"] or interview["offered_at"] or interview["recorded_at"]
    agency = interview["offered_by_agency__name"] or interview["recorded_by_agency__name"]
    facts = []
    if interview["offered_at"]:
        facts.append(f"Offered {when(interview['offered_at'])}.")
    if interview["outcome"] == InterviewOutcome.COMPLETED and interview["summary"]:
        facts.append(Truncator(interview["summary"]).chars(240))
    elif interview["not_held_reason"]:
        facts.append(Truncator(interview["not_held_reason"]).chars(240))
    outcome = dict(InterviewOutcome.choices).get(interview["outcome"], interview["outcome"])
    return ChronologyEntry(
        occurred_at=occurred_at, event_type="return_interview",
        title=f"Return home interview: {outcome.lower()}",
        agency_name=agency, summary=" ".join(facts), url=_episode_url(interview["episode_id"]),
        source=f"missing.returninterview:{interview['pk']}",
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
