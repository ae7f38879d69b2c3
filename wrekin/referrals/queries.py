"""Read-side views of referrals and screenings: the chronology and the home-page work lists.

Registered with wrekin.core.timeline from ReferralsConfig.ready(). Every source starts from
the access policy, so it shows a person no more than the referrals pages would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from wrekin.access.policy import is_person_visible, people_visible_to
from wrekin.access.referrals import (
    can_screen,
    screenings_awaiting_approval_for,
    screenings_visible_to,
    triage_queue_for,
)
from wrekin.core.timeline import ChronologyEntry, WorkItem
from wrekin.people.models import Involvement
from wrekin.referrals.models import (
    Referral,
    RescreeningFlag,
    Screening,
    ScreeningStatus,
    TriageDecision,
)

REVIEW_WARNING_DAYS = 14
SUMMARY_CHARACTERS = 300

HEADING_TRIAGE = "Referrals awaiting triage"
HEADING_APPROVAL = "Screenings awaiting approval"
HEADING_REVIEWS = "Screening reviews due"
HEADING_RESCREEN = "Re-screening needed"
HEADING_RETURNED = "Screenings returned to you"


def long_date(day: date) -> str:
    """27 March 2026 (strftime's %-d is not portable)."""
    return f"{day.day} {day:%B %Y}"


def next_working_day(day: date) -> date:
    """The next Monday-to-Friday day after `day` (bank holidays are not known to Wrekin yet)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def triage_due(received: datetime) -> date:
    """A decision on a referral is expected within one working day of receipt."""
    return next_working_day(timezone.localdate(received))


# --- Chronology ---------------------------------------------------------------------------------

def referral_chronology(person, user) -> Iterable[ChronologyEntry]:
    # Referrals and screenings are visible to whoever can see their child (wrekin.access.referrals):
    # one check of the child, remembered for the request, stands for every row.
    if not is_person_visible(user, person.pk):
        return
    referrals = (Referral.objects.filter(child=person)
                 .select_related("referring_agency", "triage__agency", "triage__passed_to_agency"))
    for referral in referrals:
        url = reverse("referrals:detail", args=[referral.pk])
        indicators = len(referral.indicators)
        yield ChronologyEntry(
            occurred_at=referral.created_at, event_type="referral",
            title=f"Referral from {referral.referring_agency.name}", agency_name=referral.referring_agency.name,
            summary=(f"About {long_date(referral.occurred_on)}. {indicators} indicator{'s' if indicators != 1 else ''}"
                     f" ticked. " + Truncator(referral.narrative).chars(SUMMARY_CHARACTERS)),
            url=url, source=f"referrals.referral:{referral.pk}")
        try:
            decision = referral.triage
        except TriageDecision.DoesNotExist:
            continue
        summary = decision.get_outcome_display()
        if decision.passed_to_agency:
            summary += f": {decision.passed_to_agency.name}"
        yield ChronologyEntry(
            occurred_at=decision.decided_at, event_type="referral_triage",
            title=f"Referral triaged: {decision.get_outcome_display().lower()}", agency_name=decision.agency.name,
            summary=summary, url=url, source=f"referrals.triagedecision:{decision.pk}")


def screening_chronology(person, user) -> Iterable[ChronologyEntry]:
    if not is_person_visible(user, person.pk):
        return
    screenings = Screening.objects.filter(child=person).select_related("agency", "instrument")
    for screening in screenings:
        url = reverse("referrals:screening_detail", args=[screening.pk])
        yield ChronologyEntry(
            occurred_at=screening.submitted_at, event_type="screening",
            title=f"Screening: graded {screening.grade_label}", agency_name=screening.agency.name,
            summary=f"{screening.instrument}. Advisory score {screening.advisory_score}. "
                    + Truncator(screening.rationale).chars(SUMMARY_CHARACTERS),
            url=url, source=f"referrals.screening:{screening.pk}")
        if screening.decided_at:
            yield ChronologyEntry(
                occurred_at=screening.decided_at, event_type="screening_decision",
                title=f"Screening {screening.get_status_display().lower()}", agency_name=screening.agency.name,
                summary=Truncator(screening.decision_reason).chars(SUMMARY_CHARACTERS), url=url,
                source=f"referrals.screening_decision:{screening.pk}")


# --- Work lists -----------------------------------------------------------------------------------

def _involved_children(user):
    """Children the user can see whose work the user's own agency is part of."""
    involved = Involvement.objects.filter(agency_id=user.agency.pk, ended_on__isnull=True).values("person_id")
    return people_visible_to(user).filter(pk__in=involved)


def triage_worklist(user, today: date | None = None) -> list[WorkItem]:
    today = today or timezone.localdate()
    items = []
    for referral in triage_queue_for(user):
        due = triage_due(referral.created_at)
        items.append(WorkItem(
            heading=HEADING_TRIAGE, title=f"{referral.child.full_name} — from {referral.referring_agency.name}",
            url=reverse("referrals:triage", args=[referral.pk]), due=due, overdue=today > due,
            detail=f"Received {long_date(timezone.localdate(referral.created_at))}"))
    return items


def approval_worklist(user, today: date | None = None) -> list[WorkItem]:
    return [WorkItem(
        heading=HEADING_APPROVAL, title=screening.child.full_name,
        url=reverse("referrals:screening_approval", args=[screening.pk]),
        detail=f"Graded {screening.grade_label} by {screening.screened_by.display_name()}, {screening.agency.name}")
        for screening in screenings_awaiting_approval_for(user)]


def review_worklist(user, today: date | None = None) -> list[WorkItem]:
    if not can_screen(user):
        return []
    today = today or timezone.localdate()
    later = Screening.objects.filter(child=OuterRef("child"), submitted_at__gt=OuterRef("submitted_at"),
                                     status__in=(ScreeningStatus.APPROVED, ScreeningStatus.AWAITING_APPROVAL))
    due = (screenings_visible_to(user)
           .filter(status=ScreeningStatus.APPROVED, child__in=_involved_children(user),
                   review_on__lte=today + timedelta(days=REVIEW_WARNING_DAYS))
           .exclude(Exists(later)).select_related("child", "instrument").order_by("review_on", "pk"))
    return [WorkItem(
        heading=HEADING_REVIEWS, title=screening.child.full_name,
        url=reverse("referrals:person_screenings", args=[screening.child_id]), due=screening.review_on,
        overdue=screening.review_on < today, detail=f"Last graded {screening.grade_label}")
        for screening in due]


def rescreen_worklist(user, today: date | None = None) -> list[WorkItem]:
    if not can_screen(user):
        return []
    flags = (RescreeningFlag.objects.filter(resolved_by__isnull=True, child__in=_involved_children(user))
             .select_related("child", "referral__referring_agency").order_by("raised_at", "pk"))
    items: dict[int, WorkItem] = {}
    for flag in flags:
        if flag.child_id in items:
            continue  # one item per child, from the earliest new information
        items[flag.child_id] = WorkItem(
            heading=HEADING_RESCREEN, title=flag.child.full_name,
            url=reverse("referrals:person_screenings", args=[flag.child_id]),
            due=timezone.localdate(flag.raised_at),
            detail=f"New referral from {flag.referral.referring_agency.name}")
    return list(items.values())


def returned_worklist(user, today: date | None = None) -> list[WorkItem]:
    if not can_screen(user):
        return []
    returned = (screenings_visible_to(user).filter(status=ScreeningStatus.RETURNED, screened_by=user,
                                                   revisions__isnull=True)
                .select_related("child", "decided_by").order_by("decided_at", "pk"))
    return [WorkItem(heading=HEADING_RETURNED, title=screening.child.full_name,
                     url=reverse("referrals:screening_detail", args=[screening.pk]),
                     detail=f"Returned by {screening.decided_by.display_name()}") for screening in returned]
